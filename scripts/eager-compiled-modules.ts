import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * esbuild wraps each bundled CommonJS module in an arrow function that runs
 * on its first `require`. V8 compiles such a function lazily: it pre-parses
 * the body when the chunk loads, then parses it again in full when it is
 * called. Nearly every bundled module of the Google clients is required while
 * the function's first event loads, so each is parsed twice on the cold path.
 *
 * V8 compiles a function expression at once, in the one pass, when it is
 * written as a "possibly invoked function expression" (a `function` right
 * after an opening parenthesis: https://v8.dev/blog/preparser#pife). The
 * bundle writes the wrappers that way: each CommonJS module's source starts
 * with a directive marking it (`markForEagerCompile`, at load), and after the
 * build `compileEagerly` rewrites every marked `(exports, module) => {` into
 * `function (exports, module) {`, padded to the same length so the source
 * maps' columns stay right. The body keeps its meaning: a module body uses
 * neither `this` nor `arguments` of the arrow (at a chunk's top level both
 * are undefined in an ES module, and esbuild rewrites a CommonJS module's
 * top-level `this` to `exports`).
 */
const MARK = '"shotclock:compile-eagerly";';

/** A bundled package module's source, marked when it is CommonJS (the only kind esbuild wraps). */
export function markForEagerCompile(source: string): string {
  if (source.startsWith('#!') || /^\s*(import|export)\b/m.test(source)) return source;
  return MARK + source;
}

const WRAPPER_HEAD = new RegExp(
  `(\\(([\\w$,]*)\\)|([\\w$]+))=>\\{${MARK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
  'g',
);

/** Rewrites the marked wrappers of every chunk in `outDir`; returns how many. */
export function compileEagerly(outDir: string): number {
  let rewritten = 0;
  for (const file of readdirSync(outDir).filter((name) => name.endsWith('.js'))) {
    const path = join(outDir, file);
    const source = readFileSync(path, 'utf8');
    if (!source.includes(MARK)) continue;
    const eager = source.replace(WRAPPER_HEAD, (head, _params, listed?: string, single?: string) => {
      rewritten += 1;
      const opening = `function(${listed ?? single}){`;
      return opening.padEnd(head.length, ' ');
    });
    writeFileSync(path, eager);
  }
  return rewritten;
}
