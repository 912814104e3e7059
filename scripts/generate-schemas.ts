import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

/**
 * `npm run schemas`: one JSON Schema file per exported message schema of
 * `shared/messages/*.ts`, into `schemas/<module>.<Export>.schema.json`.
 *
 * Discovery is by import: every export of every module there that is a zod
 * schema and describes an object (or a choice of objects) gets a file, so a new
 * message file is covered by re-running this script. Enums and primitives
 * (`GameDate`, `AlertSeverity`) appear inline where they are used.
 *
 * The INPUT side (`io: 'input'`) is generated on purpose: a JSON Schema file is
 * for whoever puts a message on the wire (another team's publisher, a test
 * fixture), so it must describe what the zod schema *accepts*: class-style
 * processor names, the legacy completion shape, optional fields left out.
 * The typed value a function works with after parsing is the output side and
 * lives in TypeScript. A schema that cannot be expressed on its input side makes
 * this script fail with its name rather than write something looser.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MESSAGES_DIR = join(root, 'shared', 'messages');
export const SCHEMAS_DIR = join(root, 'schemas');

const isZodSchema = (value: unknown): value is z.ZodType => value instanceof z.ZodType;

function isObjectSchema(json: Record<string, unknown>): boolean {
  if (json.type === 'object') return true;
  const choices = (json.anyOf ?? json.oneOf) as Array<Record<string, unknown>> | undefined;
  return Array.isArray(choices) && choices.length > 0 && choices.every(isObjectSchema);
}

/** File name -> file text, for every message schema. Nothing is written. */
export async function generateSchemas(messagesDir = MESSAGES_DIR): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const modules = readdirSync(messagesDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .sort();
  for (const file of modules) {
    const moduleName = basename(file, '.ts');
    const exports: Record<string, unknown> = await import(pathToFileURL(join(messagesDir, file)).href);
    for (const [exportName, value] of Object.entries(exports).sort(([a], [b]) => a.localeCompare(b))) {
      if (!isZodSchema(value)) continue;
      let json: Record<string, unknown>;
      try {
        json = z.toJSONSchema(value, { io: 'input' }) as Record<string, unknown>;
      } catch (error) {
        throw new Error(
          `${moduleName}.${exportName}: no JSON Schema for its input side (${(error as Error).message})`,
        );
      }
      if (!isObjectSchema(json)) continue;
      const { $schema, ...rest } = json;
      const fileName = `${moduleName}.${exportName}.schema.json`;
      const document = { $schema, $id: `shotclock/${fileName}`, title: exportName, ...rest };
      files.set(fileName, `${JSON.stringify(document, null, 2)}\n`);
    }
  }
  return files;
}

/** The checked-in schema files, as `generateSchemas` names them. */
export function readCheckedInSchemas(schemasDir = SCHEMAS_DIR): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(schemasDir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort())
    files.set(file, readFileSync(join(schemasDir, file), 'utf8'));
  return files;
}

async function main() {
  const files = await generateSchemas();
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const stale of readCheckedInSchemas().keys())
    if (!files.has(stale)) {
      rmSync(join(SCHEMAS_DIR, stale));
      console.log(`removed schemas/${stale}`);
    }
  for (const [file, text] of files) writeFileSync(join(SCHEMAS_DIR, file), text);
  console.log(`wrote ${files.size} JSON Schema files to schemas/`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
