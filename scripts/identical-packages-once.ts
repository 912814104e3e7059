import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * npm installs the same package at the same version more than once when
 * hoisting cannot place a single copy (node-fetch 3.3.2 sits under gtoken,
 * google-auth-library, teeny-request and Pub/Sub, because the top level holds
 * node-fetch 2). Bundled as found, each copy is parsed again on every cold
 * start. This plugin sends every import of `name@version` to one copy, the
 * one nearest the top of `node_modules/`: the code is byte for byte the same
 * release. Copies of different versions stay apart.
 */
export function identicalPackagesOnce(root: string): Plugin {
  const nodeModules = join(root, 'node_modules');
  const canonical = canonicalCopiesOf(nodeModules);
  return {
    name: 'identical-packages-once',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === RESOLVING || !args.importer.includes(`${sep}node_modules${sep}`))
          return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          namespace: args.namespace,
          pluginData: RESOLVING,
        });
        // unresolved (an optional require inside a try), external or virtual: esbuild's own handling
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file')
          return undefined;
        const copy = packageDirOf(resolved.path, nodeModules);
        const chosen = copy && canonical.get(copy);
        if (!copy || !chosen || chosen === copy) return resolved;
        return { ...resolved, path: join(chosen, relative(copy, resolved.path)) };
      });
    },
  };
}

const RESOLVING = Symbol('identical-packages-once: resolving');

/** The installed package directory holding `file`, when it is under `nodeModules`. */
function packageDirOf(file: string, nodeModules: string): string | undefined {
  if (!file.startsWith(nodeModules + sep)) return undefined;
  const parts = relative(nodeModules, file).split(sep);
  const last = parts.lastIndexOf('node_modules');
  const name = parts.slice(last + 1);
  const length = name[0]?.startsWith('@') ? 2 : 1;
  return join(nodeModules, ...parts.slice(0, last + 1), ...name.slice(0, length));
}

/** One walk of a `node_modules/` per process: `npm run build` bundles every function from the same tree. */
const walked = new Map<string, Map<string, string>>();
function canonicalCopiesOf(nodeModules: string): Map<string, string> {
  let canonical = walked.get(nodeModules);
  if (!canonical) {
    canonical = canonicalCopies(nodeModules);
    walked.set(nodeModules, canonical);
  }
  return canonical;
}

/** Every installed package directory -> the copy of the same `name@version` to use instead. */
function canonicalCopies(nodeModules: string): Map<string, string> {
  const copies = new Map<string, string[]>();
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const packageDirs = entry.startsWith('@')
        ? readdirSync(join(dir, entry)).map((name) => join(dir, entry, name))
        : [join(dir, entry)];
      for (const packageDir of packageDirs) {
        const manifest = join(packageDir, 'package.json');
        if (!existsSync(manifest)) continue;
        const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (name && version) {
          const key = `${name}@${version}`;
          copies.set(key, [...(copies.get(key) ?? []), packageDir]);
        }
        visit(join(packageDir, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  const canonical = new Map<string, string>();
  for (const dirs of copies.values()) {
    // nearest the top first, then by path: the same choice on every build
    const [chosen] = [...dirs].sort(
      (a, b) => a.split(sep).length - b.split(sep).length || a.localeCompare(b),
    );
    for (const dir of dirs) canonical.set(dir, chosen!);
  }
  return canonical;
}
