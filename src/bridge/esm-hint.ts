import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { log, shown } from '../base/diag';

/** Set by `esm/register.mjs` before it loads the register: the ES module loader hook is in place. */
export const IMPORTED = Symbol.for('skywalking-bridge.register.imported');

/** The `type` of the package.json nearest to `file` ('commonjs' when none says otherwise). */
function packageType(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module' ? 'module' : 'commonjs';
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) return 'commonjs';
  }
}

/** ES module syntax at the start of a line in the first 64 KiB (what Node's module detection runs as ESM). */
function looksLikeEsm(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(65_536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return /^\s*(import\s*[\w{*'"]|export\s)/m.test(buf.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the program Node runs is an ES module: `.mjs`, a `type: module` package, `--input-type=module`, or ESM syntax in a `.js`. */
export function entryIsEsm(argv: readonly string[], execArgv: readonly string[]): boolean {
  if (execArgv.includes('--input-type=module')) return true;
  const entry = argv[1];
  if (entry === undefined || entry === '') return false;
  const file = resolve(entry);
  if (/\.(mjs|mts)$/.test(file)) return true;
  if (/\.(cjs|cts|json|node)$/.test(file)) return false;
  return packageType(file) === 'module' || looksLikeEsm(file);
}

/**
 * One warning when the register was loaded with `--require` and the application is an ES module:
 * the modules it imports are not instrumented then (routes read `GET`), `--import` is needed.
 */
export function warnIfEsmUnderRequire(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if ((globalThis as { [IMPORTED]?: boolean })[IMPORTED] === true) return false;
  if (!entryIsEsm(argv, execArgv)) return false;
  const entry = argv[1] ? shown(basename(argv[1])) : '<program>';
  return log(
    'warn',
    'register.esm',
    `skywalking-bridge/register: the application (${entry}) is an ES module, and --require instruments only modules loaded with require(): what it imports (http frameworks, database clients) runs untraced and routes show as "GET". Start it with \`node --import skywalking-bridge/register ${entry}\` instead.`,
    Number.POSITIVE_INFINITY,
  );
}
