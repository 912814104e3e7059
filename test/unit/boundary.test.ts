import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The hexagon's walls, checked on the source: the pure layers (domain,
 * messages, ports, config) import no SDK, no DuckDB, no node I/O and nothing
 * from adapters or runtime; and across shared/ and functions/ only
 * shared/config/env.ts reads process.env.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PURE_LAYERS = ['shared/domain', 'shared/messages', 'shared/ports', 'shared/config'];
const ENV_READER = 'shared/config/env.ts';
const FORBIDDEN_PACKAGES = [/^@google-cloud\//, /^@duckdb\//];
const FORBIDDEN_NODE_MODULES = new Set([
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'tls',
]);
const FORBIDDEN_LAYERS = ['shared/adapters', 'shared/runtime'];

const isUnder = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

/** Every module specifier a file names: static, re-export, side-effect, dynamic import and require. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((ref) => ref.fileName);
}

/** Where a file reads the environment: `process.env`, `process['env']`, `env` from node:process. */
function envReadsOf(file: string, source: string): number[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const lines: number[] = [];
  const lineOf = (node: ts.Node) => sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node) => {
    if (
      (ts.isPropertyAccessExpression(node) &&
        node.name.text === 'env' &&
        node.expression.getText() === 'process') ||
      (ts.isElementAccessExpression(node) &&
        node.expression.getText() === 'process' &&
        ts.isStringLiteralLike(node.argumentExpression) &&
        node.argumentExpression.text === 'env')
    )
      lines.push(lineOf(node));
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      /^(node:)?process$/.test(node.moduleSpecifier.text) &&
      /\benv\b/.test(node.importClause?.getText() ?? '')
    )
      lines.push(lineOf(node));
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return lines;
}

/** The rules broken by one file (`file` relative to the repository root, with forward slashes). */
function boundaryViolations(file: string, source: string): string[] {
  const violations: string[] = [];
  if (PURE_LAYERS.some((layer) => isUnder(file, layer))) {
    for (const specifier of importsOf(source)) {
      const bare = specifier.replace(/^node:/, '');
      if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier)))
        violations.push(`${file} imports ${specifier}: only shared/adapters may use SDKs`);
      else if (FORBIDDEN_NODE_MODULES.has(bare))
        violations.push(`${file} imports ${specifier}: no I/O in the pure layers`);
      else if (specifier.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replaceAll('\\', '/');
        const layer = FORBIDDEN_LAYERS.find((forbidden) => isUnder(target, forbidden));
        if (layer) violations.push(`${file} imports ${specifier}: the pure layers do not depend on ${layer}`);
      }
    }
  }
  if ((isUnder(file, 'shared') || isUnder(file, 'functions')) && file !== ENV_READER)
    for (const line of envReadsOf(file, source))
      violations.push(`${file}:${line} reads process.env: only ${ENV_READER} does (pass settings in)`);
  return violations;
}

function sourceFiles(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('architecture boundary', () => {
  it('holds for every file in shared/ and functions/', () => {
    const files = [...sourceFiles('shared'), ...sourceFiles('functions')];
    expect(files).toContain('shared/domain/calendar.ts');
    expect(files).toContain(ENV_READER);
    const violations = files.flatMap((file) =>
      boundaryViolations(file, readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(violations).toEqual([]);
  });

  it.each([
    [
      'shared/domain/transition-rules.ts',
      "import { Firestore } from '@google-cloud/firestore';",
      'shared/domain/transition-rules.ts imports @google-cloud/firestore: only shared/adapters may use SDKs',
    ],
    [
      'shared/messages/tick.ts',
      "import type { PubSub } from '@google-cloud/pubsub';",
      'shared/messages/tick.ts imports @google-cloud/pubsub: only shared/adapters may use SDKs',
    ],
    [
      'shared/ports/warehouse.port.ts',
      "export { DuckDBInstance } from '@duckdb/node-api';",
      'shared/ports/warehouse.port.ts imports @duckdb/node-api: only shared/adapters may use SDKs',
    ],
    [
      'shared/config/env.ts',
      "import { readFileSync } from 'node:fs';",
      'shared/config/env.ts imports node:fs: no I/O in the pure layers',
    ],
    [
      'shared/domain/freshness.ts',
      "import * as fs from 'fs/promises';",
      'shared/domain/freshness.ts imports fs/promises: no I/O in the pure layers',
    ],
    [
      'shared/domain/grading-stats.ts',
      "const { request } = await import('node:http');",
      'shared/domain/grading-stats.ts imports node:http: no I/O in the pure layers',
    ],
    [
      'shared/messages/alert.ts',
      "const cp = require('child_process');",
      'shared/messages/alert.ts imports child_process: no I/O in the pure layers',
    ],
    [
      'shared/config/load.ts',
      "import 'node:net';",
      'shared/config/load.ts imports node:net: no I/O in the pure layers',
    ],
    [
      'shared/domain/record-count.ts',
      "import { retryLater } from '../runtime/outbox.js';",
      'shared/domain/record-count.ts imports ../runtime/outbox.js: the pure layers do not depend on shared/runtime',
    ],
    [
      'shared/ports/index.ts',
      "export * from '../adapters/duckdb.warehouse.js';",
      'shared/ports/index.ts imports ../adapters/duckdb.warehouse.js: the pure layers do not depend on shared/adapters',
    ],
    [
      'shared/domain/alert-rules.ts',
      'const hook = process.env.SLACK_WEBHOOK_URL;',
      'shared/domain/alert-rules.ts:1 reads process.env: only shared/config/env.ts does (pass settings in)',
    ],
    [
      'functions/health/index.ts',
      "\n\nconst zone = process['env'].TZ;",
      'functions/health/index.ts:3 reads process.env: only shared/config/env.ts does (pass settings in)',
    ],
    [
      'shared/adapters/pubsub.bus.ts',
      "import { env } from 'node:process';",
      'shared/adapters/pubsub.bus.ts:1 reads process.env: only shared/config/env.ts does (pass settings in)',
    ],
  ])('catches a planted violation in %s', (file, source, expected) => {
    expect(boundaryViolations(file, source)).toEqual([expected]);
  });

  it.each([
    [
      'adapters may use SDKs and I/O',
      'shared/adapters/gcs.object-store.ts',
      "import { Storage } from '@google-cloud/storage';\nimport { readFile } from 'node:fs/promises';",
    ],
    [
      'runtime may use SDKs',
      'shared/runtime/backends/pubsub.ts',
      "import { PubSub } from '@google-cloud/pubsub';",
    ],
    ['the env reader reads process.env', ENV_READER, 'export const read = () => process.env;'],
    [
      'domain may import config types and other domain files',
      'shared/domain/expected-count.ts',
      "import type { ExpectedCountRule } from '../config/schema.js';\nimport { daysBetween } from './calendar.js';",
    ],
    [
      'a comment or a string naming process.env is not a read',
      'shared/domain/calendar.ts',
      "// never read process.env here\nconst note = 'process.env';",
    ],
    [
      'scripts are outside the rule',
      'scripts/local/emulators.ts',
      'const root = process.env.CLOUDSDK_ROOT_DIR;',
    ],
    [
      'node:path and node:crypto are not I/O',
      'shared/messages/dead-letter.ts',
      "import { join } from 'node:path';\nimport { createHash } from 'node:crypto';",
    ],
  ])('allows: %s', (_case, file, source) => {
    expect(boundaryViolations(file, source)).toEqual([]);
  });
});
