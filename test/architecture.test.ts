/**
 * The layers of src/ depend one way: the import graph between its folders and top-level files
 * (each folder one node, each top-level file one node; inside a folder anything goes) has no
 * circle. Imports are read from the source text (`import ... from`, `export ... from`, `import()`,
 * `require()`), type-only imports included: a type import is a dependency of the design too.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../src');

/**
 * Knots we know of (sets of nodes that import each other round a circle), each as its nodes sorted.
 * Empty when the layers are clean. The test fails when a knot grows, shrinks or a new one appears.
 */
const KNOWN_KNOTS: string[][] = [];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Relative specifiers of one file (package imports are not layers of ours). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) if (m[1]!.startsWith('.')) out.push(m[1]!);
  return out;
}

/** The node of a file: its top folder under src/ (`segment`), or the top-level file (`bridge.ts`). */
function nodeOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.(ts|js)$/, '.ts');
}

function resolveImport(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.js`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  throw new Error(`${relative(SRC, from)} imports ${spec}, which does not resolve`);
}

export function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolveImport(file, spec);
      const to = nodeOf(target);
      // one example import per edge, to say where a circle comes from
      if (to !== from && !graph.get(from)!.has(to))
        graph.get(from)!.set(to, `${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  return graph;
}

/**
 * The knots of the graph: each strongly connected part of more than one node (nodes that reach each
 * other, so every circle lies inside one), its nodes sorted, the parts sorted by their first node.
 */
export function knots(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1) found.push(part.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** One circle through `part`'s first node (a shortest one), to print where a knot comes from. */
export function circleIn(graph: Map<string, Map<string, string>>, part: string[]): string[] {
  const start = part[0]!;
  const inPart = new Set(part);
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const m of [...(graph.get(n)?.keys() ?? [])].sort()) {
      if (!inPart.has(m) || prev.has(m)) continue;
      prev.set(m, n);
      if (m === start) {
        const cycle: string[] = [];
        for (let k = n; k !== start; k = prev.get(k)!) cycle.unshift(k);
        return [start, ...cycle];
      }
      queue.push(m);
    }
  }
  return part;
}

/** `a -> b -> a` and, for each step, one import that makes it. */
function describeCircle(graph: Map<string, Map<string, string>>, cycle: string[]): string {
  const steps = cycle.map((n, i) => `    ${graph.get(n)!.get(cycle[(i + 1) % cycle.length]!)}`).join('\n');
  return `  ${[...cycle, cycle[0]].join(' -> ')}\n${steps}`;
}

it('reads import, export-from, import() and require() specifiers', () => {
  const text = [
    "import { a } from './a';",
    "import type { B } from '../b';",
    "export { c } from './c/index';",
    "import './side-effect';",
    "const d = require('./d');",
    "const e = await import('./e');",
    "import { x } from 'node:fs';",
    "import {\n  f,\n  g,\n} from './fg';",
  ].join('\n');
  expect(importsOf(text)).toEqual(['./a', '../b', './c/index', './side-effect', './d', './e', './fg']);
});

it('finds a circle in a graph that has one, and none in a graph that has none', () => {
  const g = (edges: [string, string][]) => {
    const m = new Map<string, Map<string, string>>();
    for (const [a, b] of edges) {
      if (!m.has(a)) m.set(a, new Map());
      if (!m.has(b)) m.set(b, new Map());
      m.get(a)!.set(b, `${a}->${b}`);
    }
    return m;
  };
  expect(
    knots(
      g([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
    ),
  ).toEqual([]);
  const three = g([
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'a'],
    ['c', 'd'],
  ]);
  expect(knots(three)).toEqual([['a', 'b', 'c']]);
  expect(circleIn(three, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  expect(describeCircle(three, ['a', 'b', 'c'])).toBe('  a -> b -> c -> a\n    a->b\n    b->c\n    c->a');
  expect(
    knots(
      g([
        ['y', 'x'],
        ['x', 'y'],
        ['q', 'p'],
        ['p', 'q'],
        ['p', 'x'],
      ]),
    ),
  ).toEqual([
    ['p', 'q'],
    ['x', 'y'],
  ]);
});

it('the folders and top-level files of src/ depend on each other one way (no import circle)', () => {
  const graph = folderGraph();
  const found = knots(graph);
  const report = found
    .map((part) => `{${part.join(', ')}}, e.g.\n${describeCircle(graph, circleIn(graph, part))}`)
    .join('\n');
  expect(found, `import circles between the folders of src/:\n${report}`).toEqual(KNOWN_KNOTS);
  // the graph is real: the layers we know are in it, one way
  expect(graph.get('segment')!.has('protocol')).toBe(true);
  expect(graph.get('reporter')!.has('protocol')).toBe(true);
  expect(graph.get('protocol')!.has('segment')).toBe(false);
});
