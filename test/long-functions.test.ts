/**
 * scripts/long-functions.js (part of `npm run lint`): a function, method, arrow or accessor over 100
 * lines (its first line to its last, nested ones included) is listed with its file, line, name and
 * length, and the exit code is 1; at 100 lines or less nothing is listed and the exit code is 0. Run
 * as CI runs it, as a process, on files written to a temporary directory; then on src/ itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../scripts/long-functions.js');

/** A function whose text spans `lines` lines, its first line first. */
const fnOf = (head: string, lines: number): string =>
  [`${head} {`, ...Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`), '}'].join('\n');

function run(root: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8', cwd: root });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'swb-long-functions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('lists each function over 100 lines (declaration, method, arrow bound to a name) and exits 1', () => {
  mkdirSync(join(dir, 'deep'));
  writeFileSync(
    join(dir, 'a.ts'),
    `${fnOf('export function exactly100()', 100)}\n${fnOf('function over(a: number)', 101)}\n`,
  );
  writeFileSync(
    join(dir, 'deep', 'b.ts'),
    `export class K {\n${fnOf('  method()', 102)}\n}\nexport const arrow = (): void => ${fnOf('', 120).slice(1)};\n`,
  );
  const res = run(dir);
  expect(res.status).toBe(1);
  expect(res.stdout).toBe('a.ts:101 over 101 lines\ndeep/b.ts:2 method 102 lines\ndeep/b.ts:105 arrow 120 lines\n');
  expect(res.stderr).toBe('3 function(s) over 100 lines: split them into named parts\n');
});

it('prints nothing and exits 0 when every function is 100 lines or less', () => {
  writeFileSync(join(dir, 'a.ts'), `${fnOf('export function exactly100()', 100)}\n`);
  expect(run(dir)).toEqual({ status: 0, stdout: '', stderr: '' });
});

it("src/ has no function over 100 lines (issue #28's rule)", () => {
  const res = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  expect(res.stdout).toBe('');
  expect(res.status).toBe(0);
});
