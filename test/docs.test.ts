/**
 * Every fenced code block in README.md, MIGRATION.md and docs/*.md is run or type-checked:
 *
 * - A block right after the line `<!-- example: examples/docs/<file> -->` is that file, byte for
 *   byte, and the file is run by a test under test/ or compat-tests/ (one that names its path).
 * - A JavaScript or TypeScript block without a marker is type-checked with the compiler, as an
 *   application that imports `skywalking-bridge` would be (the package name resolves to dist/'s
 *   types through package.json `exports`; the peers' types from node_modules). A fragment may use
 *   names of the application's own (`req`, `span`, `logger`) and `await` as in its async function:
 *   in a JavaScript block those are the only errors allowed; a TypeScript block has none.
 * - A shell block: each `npm run X` names a script of package.json, each `node --require X` or
 *   `--import X` of ours names an entry of package.json `exports`, each `npx skywalking-bridge X`
 *   a command of the CLI.
 * - A `diff` block is checked as its new side (the lines without `-`), as JavaScript or shell.
 * - A json block parses. A `text` block is output shown, not code (the demo's print-out).
 * Any other language (or none) fails: a new kind of block needs a check here first.
 */
import { parse as parseYaml } from 'yaml';
import { parseAgentConfigurations } from '../src/collector/config-discovery';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
};
const MARKDOWN = [
  'README.md',
  'MIGRATION.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const MARKER = /^<!-- example: (examples\/docs\/[\w.-]+) -->$/;
const JS = new Set(['js', 'javascript', 'cjs']);
const MJS = new Set(['mjs']);
const TS = new Set(['ts', 'typescript']);
const SHELL = new Set(['sh', 'bash', 'shell']);

export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  /** The example file named by the marker line right before the fence, if any. */
  example?: string;
}

/** The fenced blocks of a markdown text (``` fences; the info string's first word is the language). */
export function blocksOf(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let end = i + 1;
    while (end < lines.length && lines[end] !== fence) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    const marker = MARKER.exec(lines[i - 1] ?? '');
    out.push({
      file,
      line: i + 1,
      lang: open[2]!.toLowerCase(),
      text: lines.slice(i + 1, end).join('\n') + '\n',
      ...(marker ? { example: marker[1] } : {}),
    });
    i = end;
  }
  return out;
}

/** The new side of a diff block: unchanged and added lines, without their first column. */
export function newSide(diff: string): string {
  return diff
    .split('\n')
    .filter((l) => !l.startsWith('-'))
    .map((l) => l.slice(1))
    .join('\n');
}

const cliCommands = (): string[] => {
  const cli = readFileSync(join(ROOT, 'src/entry/cli.ts'), 'utf8');
  return [...cli.matchAll(/command === '([a-z-]+)'/g)].map((m) => m[1]!);
};

/** What is wrong with the commands of a shell block (empty when nothing). */
export function shellProblems(text: string, scripts: string[], exportsOf: string[], commands: string[]): string[] {
  const out: string[] = [];
  for (const [, name] of text.matchAll(/\bnpm run ([\w:-]+)/g))
    if (!scripts.includes(name!)) out.push(`npm run ${name}: no such script in package.json`);
  for (const [, flag, spec] of text.matchAll(/--(require|import)[ =](\S+)/g)) {
    if (!spec!.startsWith('skywalking-bridge')) continue;
    const subpath = `.${spec!.slice('skywalking-bridge'.length)}`;
    if (!exportsOf.includes(subpath)) out.push(`--${flag} ${spec}: not an entry of package.json "exports"`);
  }
  for (const [, command] of text.matchAll(/\bnpx skywalking-bridge ([a-z-]+)/g))
    if (!commands.includes(command!)) out.push(`npx skywalking-bridge ${command}: not a command of the CLI`);
  return out;
}

/**
 * What a JavaScript fragment may leave to the application around it: names of its own (cannot
 * find name 'x', "did you mean", a shorthand property with no such name) and `await`, as in the
 * application's async function.
 */
const FRAGMENT = new Set([2304, 2552, 18004, 1309]);

/**
 * Type-check `blocks` as files of one program in a folder of this repository that does not exist
 * (so `skywalking-bridge` resolves to this package through its `exports`); the diagnostics, as
 * `file:line: TSxxxx message`, of each block.
 */
function typeCheck(blocks: { name: string; text: string; js: boolean }[]): Map<string, string[]> {
  const dir = join(ROOT, '.docs-check');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: ['node'],
    allowJs: true,
    checkJs: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const files = new Map(blocks.map((b) => [join(dir, b.name), b]));
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, version, onError, fresh) => {
    const block = files.get(fileName);
    return block ? ts.createSourceFile(fileName, block.text, version, true) : read(fileName, version, onError, fresh);
  };
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => files.get(f)?.text ?? ts.sys.readFile(f);
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const [path, block] of files) {
    const source = program.getSourceFile(path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    out.set(
      block.name,
      diagnostics
        .filter((d) => !(block.js && FRAGMENT.has(d.code)))
        .map((d) => {
          const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
          return `line ${line + 1}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        }),
    );
  }
  return out;
}

const ALL = MARKDOWN.flatMap((file) => blocksOf(file, readFileSync(join(ROOT, file), 'utf8')));
const where = (b: Block): string => `${b.file}:${b.line}`;

/** Test files that may run examples: every file under test/ and compat-tests/ but this one. */
function testSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...testSources(path));
    } else if (/\.(ts|js|mjs)$/.test(entry.name) && path !== 'test/docs.test.ts') out.push(path);
  }
  return out;
}

it('reads fenced blocks, their language and the example marker before them', () => {
  const md = [
    'text',
    '<!-- example: examples/docs/a.js -->',
    '```js',
    'const a = 1;',
    '```',
    '',
    '````md',
    '```sh',
    'inner',
    '```',
    '````',
  ].join('\n');
  expect(blocksOf('x.md', md)).toEqual([
    { file: 'x.md', line: 3, lang: 'js', text: 'const a = 1;\n', example: 'examples/docs/a.js' },
    { file: 'x.md', line: 7, lang: 'md', text: '```sh\ninner\n```\n' },
  ]);
  expect(() => blocksOf('y.md', '```js\nnever closed')).toThrow('y.md:1: a code block that is never closed');
  expect(newSide(' keep\n-old\n+new')).toBe('keep\nnew');
});

it('finds the npm scripts, entries and CLI commands a shell block names that do not exist', () => {
  const text = [
    'npm run demo && npm run nothing',
    'node --require skywalking-bridge/register app.js',
    'node --import skywalking-bridge/registr app.mjs',
    'node --require ./local.js app.js',
    'npx skywalking-bridge collector; npx skywalking-bridge collect',
  ].join('\n');
  expect(shellProblems(text, ['demo'], ['./register'], ['collector'])).toEqual([
    'npm run nothing: no such script in package.json',
    '--import skywalking-bridge/registr: not an entry of package.json "exports"',
    'npx skywalking-bridge collect: not a command of the CLI',
  ]);
});

it('there are code blocks to check, in each of README.md, MIGRATION.md and docs/', () => {
  for (const file of ['README.md', 'MIGRATION.md'])
    expect(
      ALL.some((b) => b.file === file),
      file,
    ).toBe(true);
  expect(ALL.some((b) => b.file.startsWith('docs/'))).toBe(true);
});

it('every block after an example marker is its file, byte for byte, and a test runs that file', () => {
  const tests = [...testSources('test'), ...testSources('compat-tests')].map((f) =>
    readFileSync(join(ROOT, f), 'utf8'),
  );
  const problems: string[] = [];
  for (const b of ALL.filter((x) => x.example !== undefined)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(ROOT, b.example!), 'utf8');
    } catch {
      problems.push(`${where(b)}: ${b.example} does not exist`);
      continue;
    }
    if (text !== b.text) problems.push(`${where(b)}: the block differs from ${b.example}`);
    if (!tests.some((t) => t.includes(b.example!)))
      problems.push(`${where(b)}: no test under test/ or compat-tests/ names ${b.example}`);
  }
  expect(problems).toEqual([]);
});

it('every block has a language this test checks', () => {
  const known = new Set([...JS, ...MJS, ...TS, ...SHELL, 'diff', 'json', 'yaml', 'text']);
  expect(ALL.filter((b) => !known.has(b.lang)).map((b) => `${where(b)}: \`\`\`${b.lang || '(none)'}`)).toEqual([]);
});

it('every shell block (and shell diff) names real npm scripts, package entries and CLI commands', () => {
  const commands = cliCommands();
  expect(commands).toContain('collector');
  const shells = ALL.filter(
    (b) => SHELL.has(b.lang) || (b.lang === 'diff' && !/\brequire\(|\bimport\b.*\bfrom\b|\bconst\b/.test(b.text)),
  );
  expect(shells.length).toBeGreaterThan(0);
  const problems = shells.flatMap((b) =>
    shellProblems(
      b.lang === 'diff' ? newSide(b.text) : b.text,
      Object.keys(PKG.scripts),
      Object.keys(PKG.exports),
      commands,
    ).map((p) => `${where(b)}: ${p}`),
  );
  expect(problems).toEqual([]);
});

it('every json block parses', () => {
  const problems: string[] = [];
  for (const b of ALL.filter((x) => x.lang === 'json')) {
    try {
      JSON.parse(b.text);
    } catch (e) {
      problems.push(`${where(b)}: ${(e as Error).message}`);
    }
  }
  expect(problems).toEqual([]);
});

it('every yaml block parses; an agentConfigurations block (`configurations:`) is what the collector takes', () => {
  const problems: string[] = [];
  for (const b of ALL.filter((x) => x.lang === 'yaml')) {
    try {
      parseYaml(b.text, { strict: true, uniqueKeys: true });
      if (/^configurations:/m.test(b.text)) parseAgentConfigurations(b.text, where(b));
    } catch (e) {
      problems.push(`${where(b)}: ${(e as Error).message}`);
    }
  }
  expect(problems).toEqual([]);
});

it('every JavaScript and TypeScript block, and the examples in TypeScript, type-check against the package', () => {
  const code = ALL.filter(
    (b) =>
      b.example === undefined &&
      (JS.has(b.lang) ||
        MJS.has(b.lang) ||
        TS.has(b.lang) ||
        (b.lang === 'diff' && /\brequire\(|\bconst\b/.test(b.text))),
  );
  expect(code.length).toBeGreaterThan(0);
  const extension = (b: Block): string => (TS.has(b.lang) ? 'ts' : MJS.has(b.lang) ? 'mjs' : 'js');
  const checked = code.map((b, i) => ({
    name: `${b.file.replace(/[/.]/g, '-')}-${b.line}-${i}.${extension(b)}`,
    text: b.lang === 'diff' ? newSide(b.text) : b.text,
    js: extension(b) !== 'ts',
    where: where(b),
  }));
  // the examples written in TypeScript are run from their compiled text; here their types count
  const examples = readdirSync(join(ROOT, 'examples/docs'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({
      name: `example-${f}`,
      text: readFileSync(join(ROOT, 'examples/docs', f), 'utf8'),
      js: false,
      where: `examples/docs/${f}`,
    }));
  const result = typeCheck([...checked, ...examples]);
  const problems = [...checked, ...examples].flatMap((b) => result.get(b.name)!.map((d) => `${b.where} ${d}`));
  expect(problems).toEqual([]);
}, 120_000);
