import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { markCommonJsModule, writeWrappersAsFunctions } from './function-wrappers.js';
import { identicalPackagesOnce } from './identical-packages-once.js';

/**
 * `npm run build`: one self-contained folder per function, `dist/<name>/`,
 * ready for `gcloud functions deploy --source`: `index.js` (ESM), its source
 * map, the esbuild metafile, and a `package.json` declaring exactly the
 * packages the bundle imports at run time, pinned to the lock file.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');
export const DIST_DIR = join(REPO_ROOT, 'dist');

/** The deploy runtime is nodejs22; the bundle also runs on 20 locally. */
const TARGET = 'node20';
const ENGINES = { node: '>=20' };

/**
 * The one package left out of the bundle and installed beside it: the
 * functions framework, whose function registry is module state. A bundled
 * copy would register into a registry the server never reads
 * (functions-framework-nodejs issue #477).
 *
 * Everything else is bundled, the Google Cloud clients included: their gRPC
 * services load from the JSON descriptors they `require` (inlined here), so no
 * `.proto` file is read at run time; the few modules that compute a path from
 * `__dirname` get the path their file would have under `node_modules/` (see
 * `packagePaths`). Optional packages a library requires inside a `try`
 * (`encoding`, `supports-color`, vega's `canvas`) stay unresolved, as they are
 * when installed from npm.
 */
const EXTERNAL = ['@google-cloud/functions-framework'];
const ALWAYS_DEPENDED_ON = ['@google-cloud/functions-framework'];
/**
 * Local stand-ins that must never reach production. A function may reach one
 * through a lazy, local-only path (`SHOTCLOCK_WAREHOUSE=duckdb:...`); in the
 * bundle that import becomes a module that throws, so the package never
 * declares it and the path fails loudly if production ever takes it.
 */
const LOCAL_ONLY = /^@duckdb\//;

const localOnlyStub: Plugin = {
  name: 'local-only-stub',
  setup(build) {
    build.onResolve({ filter: LOCAL_ONLY }, (args) => ({ path: args.path, namespace: 'local-only' }));
    build.onLoad({ filter: /.*/, namespace: 'local-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is local only and not in production bundles`)});`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z` namespace re-exports its error messages in 60 languages
 * (`z.locales`), which keeps all of them in every bundle a cold start parses
 * (~300 KiB). shotclock's messages are English (zod's default, which zod
 * imports itself): `z.locales` keeps only `en`.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * Modules of the Google clients that shotclock's functions never run, with why.
 * Each is still parsed on a cold start when bundled (a CommonJS module's body
 * is compiled even if it is only required behind a getter), so the bundle
 * carries a stand-in that throws, naming the module, if anything ever reads
 * one of its exports. Paths are under `node_modules/`, any copy of the package.
 */
const LEFT_OUT_MODULES: ReadonlyArray<{
  module: RegExp;
  why: string;
  /**
   * Exports a library reads when it loads (`Object.assign` of the module, or a
   * dotted path read into a variable): present, throwing when constructed.
   */
  classes?: string[];
  /** a fallback required only where Node lacks a feature: the stand-in throws as soon as it is loaded */
  throwsWhenLoaded?: true;
}> = [
  {
    // ~2 MiB together (google-gax comes twice: Firestore's 4.x and Pub/Sub's 5.x)
    module:
      /(@google-cloud\/pubsub\/build\/protos\/protos|@google-cloud\/firestore\/build\/protos\/firestore_v1_proto_api|google-gax\/build\/protos\/(iam_service|locations|operations))\.js$/,
    why:
      'static protobuf.js messages for callers who build messages by hand, which shotclock never does: ' +
      "Pub/Sub's `protos` re-export, Firestore's data bundles, google-gax's IAM, Locations and long-running " +
      'Operations; gRPC calls encode with the JSON descriptors instead',
  },
  {
    module: /@grpc\/grpc-js\/build\/src\/(server|server-call|server-interceptors)\.js$/,
    why: "grpc-js's server side: a function is a gRPC client only (index.js reads them behind getters)",
  },
  {
    module: /@google-cloud\/firestore\/build\/src\/v1\/firestore_admin_client\.js$/,
    why: "Firestore's admin API client (indexes, TTL, exports): the deploy does those with gcloud",
    classes: ['FirestoreAdminClient'],
  },
  {
    module: /@google-cloud\/firestore\/build\/src\/v1beta1\/index\.js$/,
    why: "Firestore's legacy v1beta1 API (`Firestore.v1beta1`); `Firestore` itself talks to v1",
  },
  {
    module: /web-streams-polyfill\/dist\/ponyfill\.es2018\.js$/,
    why: "fetch-blob's fallback where Node has no ReadableStream; every Node from 18 on has one",
    throwsWhenLoaded: true,
  },
];

/**
 * A CommonJS stand-in for a module left out of the bundle: reading any of its
 * exports throws `message`, except `classes`, which exist and throw it when constructed.
 */
function leftOutModule(
  message: string,
  options: { classes?: readonly string[]; throwsWhenLoaded?: true },
): string {
  const error = `new Error(${JSON.stringify(message)})`;
  if (options.throwsWhenLoaded) return `throw ${error};`;
  const present: Record<string, unknown> = {};
  for (const path of options.classes ?? []) {
    const names = path.split('.');
    let scope = present;
    for (const name of names.slice(0, -1)) {
      scope[name] ??= {};
      scope = scope[name] as Record<string, unknown>;
    }
    scope[names.at(-1)!] = CLASS_THAT_THROWS;
  }
  const classes = JSON.stringify(present).replaceAll(
    JSON.stringify(CLASS_THAT_THROWS),
    `class { constructor() { throw ${error}; } }`,
  );
  return `module.exports = new Proxy(${classes}, { get(target, key) { if (key in target) return target[key]; if (typeof key === 'string' && key !== 'then' && key !== '__esModule' && key !== 'default') throw ${error}; } });`;
}
const CLASS_THAT_THROWS = 'shotclock:class-that-throws';

const leftOutModules: Plugin = {
  name: 'left-out-modules',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, (args) => {
      const module = args.path
        .split(sep)
        .join('/')
        .replace(/^.*\/node_modules\//, '');
      const leftOut = LEFT_OUT_MODULES.find((candidate) => candidate.module.test(module));
      if (!leftOut) return undefined;
      return {
        contents: leftOutModule(
          `${module} is not in this bundle (scripts/build.ts LEFT_OUT_MODULES: ${leftOut.why})`,
          leftOut,
        ),
        loader: 'js',
      };
    });
  },
};

/**
 * node-fetch 2 (under Firestore's google-gax and google-auth-library 9)
 * requires `whatwg-url` only as a fallback for Node's own `URL`
 * (`Url.URL || whatwgUrl.URL`), which every Node it runs on has; whatwg-url
 * brings tr46's Unicode table (~280 KiB in all). The bundle carries a
 * stand-in that throws if the fallback were ever read.
 */
const nodeFetchOwnUrl: Plugin = {
  name: 'node-fetch-own-url',
  setup(build) {
    build.onResolve({ filter: /^whatwg-url$/ }, (args) =>
      /[\\/]node_modules[\\/]node-fetch[\\/]lib[\\/]index\.m?js$/.test(args.importer)
        ? { path: args.importer, namespace: 'node-fetch-own-url' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-fetch-own-url' }, () => ({
      contents: leftOutModule(
        "whatwg-url is not in this bundle: node-fetch uses Node's URL (scripts/build.ts)",
        {},
      ),
      loader: 'js',
    }));
  },
};

/**
 * CommonJS packages bundled into ESM still call `require` for Node built-ins,
 * and a few compute file paths from `__dirname`: every chunk gets both.
 */
const CHUNK_PRELUDE = [
  "import { createRequire as __shotclockCreateRequire } from 'node:module';",
  "import { dirname as __shotclockDirname, join as __shotclockJoin } from 'node:path';",
  "import { fileURLToPath as __shotclockFileUrlToPath } from 'node:url';",
  'const require = __shotclockCreateRequire(import.meta.url);',
  'const __shotclockPackageFile = (file) =>',
  "  __shotclockJoin(__shotclockDirname(__shotclockFileUrlToPath(import.meta.url)), 'node_modules', file);",
].join('\n');

/**
 * A bundled CommonJS module that uses `__dirname` or `__filename` (google-gax
 * for its `.proto` include path, grpc-js for channelz) sees the path its file
 * would have in an installed `node_modules/` next to the bundle. None of them
 * reads a file there on the paths our functions take; a path that did would
 * fail loudly (ENOENT), never read a file from somewhere else. Every package
 * module is also marked so its wrapper is written as a function (scripts/function-wrappers.ts).
 */
const packageModules = (root: string): Plugin => ({
  name: 'package-modules',
  setup(build) {
    const nodeModules = join(root, 'node_modules');
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const file = JSON.stringify(relative(nodeModules, args.path).split(sep).join('/'));
      const withPaths = /\b__(dirname|filename)\b/.test(source)
        ? `var __filename = __shotclockPackageFile(${file}), __dirname = __shotclockDirname(__filename);\n${source}`
        : source;
      return { contents: markCommonJsModule(withPaths), loader: 'js' };
    });
  },
});

export interface BuiltFunction {
  name: string;
  outDir: string;
  /** bytes of index.js */
  bundleBytes: number;
  /** bytes a cold start loads: index.js and the chunks it imports statically */
  eagerBytes: number;
  /** bytes of every chunk */
  totalBytes: number;
  /** chunks (file names in outDir) reached only through a dynamic `import()`: the bundled lazy paths */
  lazyChunks: string[];
  /** lazy chunks that reach a local-only stub (DuckDB): loading one throws "local only" */
  localOnlyChunks: string[];
  /** package -> exact version, as written to package.json */
  dependencies: Record<string, string>;
  /** packages the bundle reaches only through a dynamic `import()`: its lazy paths */
  lazyPackages: string[];
  /** optional packages a bundled library tries to require, not installed anywhere (left undeclared) */
  optionalPackages: string[];
}

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/** Every deployable function: a folder under `functions/` with an `index.ts`. */
export function listFunctions(functionsDir = FUNCTIONS_DIR): string[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir)
    .filter((name) => statSync(join(functionsDir, name)).isDirectory())
    .filter((name) => existsSync(join(functionsDir, name, 'index.ts')))
    .sort();
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`; built-ins -> undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return isBuiltin(name) ? undefined : name;
}

const BUILTINS = new Set((await import('node:module')).builtinModules);
function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

type LockFile = { packages: Record<string, { version?: string }> };

export function lockedVersions(root = REPO_ROOT): (name: string) => string | undefined {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as LockFile;
  return (name) => lock.packages[`node_modules/${name}`]?.version;
}

const isExternalByRule = (name: string) =>
  EXTERNAL.some((pattern) =>
    pattern.endsWith('/*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );

/** External packages the bundle imports, split by how: at load time, or lazily. */
export function externalImports(metafile: Metafile): { eager: string[]; lazy: string[] } {
  const eager = new Set<string>();
  const lazy = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const name = packageOf(imported.path);
      if (!name) continue;
      (imported.kind === 'dynamic-import' ? lazy : eager).add(name);
    }
  for (const name of eager) lazy.delete(name);
  return { eager: [...eager].sort(), lazy: [...lazy].sort() };
}

/** Local-only packages that would still be loaded from node_modules: a build error. */
function localOnlyExternals(metafile: Metafile): string[] {
  return [...new Set(Object.values(metafile.outputs).flatMap((output) => output.imports))]
    .filter((imported) => imported.external && LOCAL_ONLY.test(imported.path))
    .map((imported) => imported.path);
}

/**
 * The chunks a cold start loads (the entry and what it imports statically),
 * the ones it loads only on a lazy path (reached by a dynamic `import()`), and
 * among those the local-only ones: a chunk that holds a local-only stub, or
 * imports one statically, throws when loaded, by design.
 */
export function chunksOf(
  metafile: Metafile,
  outDir: string,
  root: string,
): { eager: string[]; lazy: string[]; localOnly: string[] } {
  const fileOf = (path: string) => relative(outDir, resolve(root, path)).split(sep).join('/');
  const outputs = Object.fromEntries(
    Object.entries(metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, output]) => [fileOf(file), output]),
  );
  const staticImports = (file: string) =>
    (outputs[file]?.imports ?? [])
      .filter((imported) => !imported.external && imported.kind === 'import-statement')
      .map((imported) => fileOf(imported.path));
  const reachable = (from: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(from) || !outputs[from]) return seen;
    seen.add(from);
    for (const next of staticImports(from)) reachable(next, seen);
    return seen;
  };
  const eager = reachable('index.js');
  const holdsStub = (file: string) =>
    Object.keys(outputs[file]?.inputs ?? {}).some((input) => input.startsWith('local-only:'));
  const rest = Object.keys(outputs).filter((file) => !eager.has(file));
  const localOnly = new Set(rest.filter((file) => [...reachable(file)].some(holdsStub)));
  return {
    eager: [...eager].sort(),
    lazy: rest.filter((file) => !localOnly.has(file)).sort(),
    localOnly: [...localOnly].sort(),
  };
}

export async function buildFunction(options: {
  name: string;
  entry: string;
  outDir: string;
  root?: string;
}): Promise<BuiltFunction> {
  const { name, entry, outDir } = options;
  const root = options.root ?? REPO_ROOT;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { index: entry },
    outdir: outDir,
    // A dynamic `import()` becomes a chunk of its own, read only when that path runs: a cold
    // start does not parse the clients a function builds on its first event.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: TARGET,
    sourcemap: true,
    sourcesContent: false,
    // Smaller and quicker to parse on a cold start; names are kept so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    keepNames: true,
    metafile: true,
    external: EXTERNAL,
    plugins: [
      localOnlyStub,
      zodEnglishOnly,
      leftOutModules,
      nodeFetchOwnUrl,
      identicalPackagesOnce(root),
      packageModules(root),
    ],
    banner: { js: CHUNK_PRELUDE },
    absWorkingDir: root,
    logLevel: 'silent',
    legalComments: 'linked',
  });
  const forbidden = localOnlyExternals(result.metafile);
  if (forbidden.length > 0)
    throw new BuildError(`${name}: a production bundle may not import ${forbidden.join(', ')}`);
  writeFileSync(join(outDir, 'metafile.json'), JSON.stringify(result.metafile, null, 2));
  writeWrappersAsFunctions(outDir);

  const { eager, lazy } = externalImports(result.metafile);
  const version = lockedVersions(root);
  const dependencies: Record<string, string> = {};
  const optionalPackages: string[] = [];
  for (const dependency of [...new Set([...ALWAYS_DEPENDED_ON, ...eager, ...lazy])].sort()) {
    const locked = version(dependency);
    if (locked) dependencies[dependency] = locked;
    // esbuild leaves an unresolvable package external only when it is required
    // inside a try (an optional peer such as vega's `canvas`): nothing to pin.
    else if (!isExternalByRule(dependency) && !ALWAYS_DEPENDED_ON.includes(dependency))
      optionalPackages.push(dependency);
    else throw new BuildError(`${name}: ${dependency} is imported but not in package-lock.json`);
  }
  const manifest = {
    name: `shotclock-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
    version: '0.0.0',
    private: true,
    type: 'module',
    main: 'index.js',
    engines: ENGINES,
    dependencies,
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const chunks = chunksOf(result.metafile, outDir, root);
  const bytes = (files: string[]) => files.reduce((sum, file) => sum + statSync(join(outDir, file)).size, 0);
  return {
    name,
    outDir,
    bundleBytes: bytes(['index.js']),
    eagerBytes: bytes(chunks.eager),
    totalBytes: bytes([...chunks.eager, ...chunks.lazy, ...chunks.localOnly]),
    lazyChunks: chunks.lazy,
    localOnlyChunks: chunks.localOnly,
    dependencies,
    lazyPackages: lazy.filter((dependency) => dependency in dependencies),
    optionalPackages,
  };
}

export async function buildAll(
  options: { functionsDir?: string; distDir?: string } = {},
): Promise<BuiltFunction[]> {
  const functionsDir = options.functionsDir ?? FUNCTIONS_DIR;
  const distDir = options.distDir ?? DIST_DIR;
  const built: BuiltFunction[] = [];
  for (const name of listFunctions(functionsDir))
    built.push(
      await buildFunction({
        name,
        entry: join(functionsDir, name, 'index.ts'),
        outDir: join(distDir, name),
      }),
    );
  return built;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(0).padStart(5);

async function main() {
  const started = performance.now();
  const built = await buildAll();
  for (const fn of built)
    console.log(
      `${relative(REPO_ROOT, fn.outDir).padEnd(24)} ${kib(fn.eagerBytes)} KiB at start, ${kib(fn.totalBytes)} KiB in all  ` +
        Object.keys(fn.dependencies).join(', ') +
        (fn.optionalPackages.length ? ` (optional, not installed: ${fn.optionalPackages.join(', ')})` : ''),
    );
  console.log(`${built.length} functions built in ${Math.round(performance.now() - started)} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof BuildError ? error.message : error);
    process.exit(1);
  });
}
