/**
 * The map pinned to the house: ARCHITECTURE.md's layer table, held here as data (`LAYERS`), says
 * which folders of src/ stand on which layer and which layers each may import from. Every import
 * between folders must go the way the table says, every folder must stand on a layer, no file lies
 * loose at src/, the table has no circle, and ARCHITECTURE.md's table and every file path it names
 * agree with the tree. Imports are read from the source text (`import ... from`, `export ... from`,
 * `import()`, `require()`), type-only imports included: a type import is a dependency of the design too.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../src');
const ARCHITECTURE = resolve(__dirname, '../ARCHITECTURE.md');

/** ARCHITECTURE.md's layer table: each layer, its folders, and the layers it may import from. */
export const LAYERS: { layer: string; folders: string[]; importsFrom: string[] }[] = [
  {
    layer: 'entry',
    folders: ['entry'],
    importsFrom: [
      'front-ends',
      'bridge',
      'logs',
      'reporter',
      'segment',
      'collector',
      'forward',
      'protocol',
      'propagation',
      'base',
    ],
  },
  {
    layer: 'front-ends',
    folders: ['opentracing', 'opentelemetry', 'pino', 'winston'],
    importsFrom: ['bridge', 'logs', 'reporter', 'segment', 'protocol', 'propagation', 'base'],
  },
  { layer: 'bridge', folders: ['bridge'], importsFrom: ['logs', 'reporter', 'segment', 'protocol', 'base'] },
  { layer: 'logs', folders: ['logs'], importsFrom: ['segment', 'protocol', 'base'] },
  { layer: 'reporter', folders: ['reporter'], importsFrom: ['segment', 'protocol', 'base'] },
  { layer: 'segment', folders: ['segment'], importsFrom: ['protocol', 'propagation', 'base'] },
  { layer: 'collector', folders: ['collector'], importsFrom: ['protocol', 'base'] },
  { layer: 'forward', folders: ['forward'], importsFrom: ['reporter', 'protocol', 'base'] },
  { layer: 'protocol', folders: ['protocol'], importsFrom: ['base'] },
  { layer: 'propagation', folders: ['propagation'], importsFrom: ['base'] },
  { layer: 'base', folders: ['base'], importsFrom: [] },
];

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

/** The layer of each folder named in `layers`. */
function layerOfFolder(layers: typeof LAYERS): Map<string, string> {
  return new Map(layers.flatMap((l) => l.folders.map((f) => [f, l.layer] as const)));
}

/**
 * The imports that go against the table, one line each (`from -> to: file -> file`), and every
 * node of the graph that stands on no layer (a folder the table does not name, a file loose at src/).
 */
export function againstTable(graph: Map<string, Map<string, string>>, layers: typeof LAYERS): string[] {
  const layerOf = layerOfFolder(layers);
  const allowed = new Map(layers.map((l) => [l.layer, new Set(l.importsFrom)]));
  const out: string[] = [];
  for (const [from, edges] of [...graph].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const fromLayer = layerOf.get(from);
    if (fromLayer === undefined) {
      out.push(`${from}: on no layer of the table`);
      continue;
    }
    for (const [to, example] of [...edges].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const toLayer = layerOf.get(to);
      if (toLayer === undefined) out.push(`${from} -> ${to}: ${to} is on no layer of the table (${example})`);
      else if (!allowed.get(fromLayer)!.has(toLayer))
        out.push(`${fromLayer} -> ${toLayer}: the table does not allow it (${example})`);
    }
  }
  return out;
}

/** The rows of the markdown table under `## Layers` in ARCHITECTURE.md, as the test's data shape. */
export function layersOfMarkdown(text: string): typeof LAYERS {
  const section = text.slice(text.indexOf('## Layers'), text.indexOf('\n## ', text.indexOf('## Layers') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
  return rows.slice(1).map((row) => {
    const cells = row
      .slice(2, -2)
      .split(' | ')
      .map((c) => c.trim());
    return {
      layer: cells[0]!,
      folders: [...cells[1]!.matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1]!),
      importsFrom: cells[3] === '—' ? [] : cells[3]!.split(', '),
    };
  });
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

it('finds each import against the table, and each node on no layer', () => {
  const graph = new Map([
    ['top', new Map([['low', 'top/a.ts -> low/b.ts']])],
    ['low', new Map([['top', 'low/c.ts -> top/d.ts']])],
    ['loose.ts', new Map([['low', 'loose.ts -> low/b.ts']])],
    ['mid', new Map([['stray', 'mid/e.ts -> stray/f.ts']])],
  ]);
  const layers = [
    { layer: 'upper', folders: ['top', 'mid'], importsFrom: ['lower'] },
    { layer: 'lower', folders: ['low'], importsFrom: [] },
  ];
  expect(againstTable(graph, layers)).toEqual([
    'loose.ts: on no layer of the table',
    'lower -> upper: the table does not allow it (low/c.ts -> top/d.ts)',
    'mid -> stray: stray is on no layer of the table (mid/e.ts -> stray/f.ts)',
  ]);
});

it('every import between the folders of src/ goes the way the layer table says', () => {
  const graph = folderGraph();
  expect(againstTable(graph, LAYERS), "imports against ARCHITECTURE.md's layer table").toEqual([]);
  // every folder of src/ stands on a layer, and every folder the table names exists
  const folders = readdirSync(SRC).sort();
  expect(folders, 'files loose at src/ or folders on no layer').toEqual(LAYERS.flatMap((l) => l.folders).sort());
  // the graph is real: it has edges the table allows
  expect(graph.get('segment')!.has('protocol')).toBe(true);
  expect(graph.get('entry')!.has('opentracing')).toBe(true);
});

it('the layer table has no circle: each layer imports only from layers it does not reach back', () => {
  const graph = new Map(LAYERS.map((l) => [l.layer, new Map(l.importsFrom.map((to) => [to, to]))]));
  expect(knots(graph)).toEqual([]);
  const names = new Set(LAYERS.map((l) => l.layer));
  for (const l of LAYERS) for (const to of l.importsFrom) expect(names.has(to), `${l.layer} -> ${to}`).toBe(true);
});

it("ARCHITECTURE.md's layer table is the test's table", () => {
  expect(layersOfMarkdown(readFileSync(ARCHITECTURE, 'utf8'))).toEqual(LAYERS);
});

it('every file path ARCHITECTURE.md names exists under src/', () => {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const missing: string[] = [];
  const all = sourceFiles(SRC).map((f) => relative(SRC, f).split(sep).join('/'));
  for (const [, path] of text.matchAll(/`([a-z0-9-]+(?:\/[a-z0-9-]+)*\.ts)`/g)) {
    if (path!.includes('/')) {
      if (!all.includes(path!)) missing.push(path!);
    } else if (!all.some((f) => f.endsWith(`/${path}`))) missing.push(path!);
  }
  // a file the layer table names stands in one of its row's folders
  for (const row of layersOfMarkdown(text)) {
    const line = text.split('\n').find((l) => l.startsWith(`| ${row.layer} |`))!;
    for (const [, name] of line.matchAll(/`([a-z0-9-]+\.ts)`/g))
      if (!row.folders.some((f) => all.includes(`${f}/${name}`))) missing.push(`${name} (in row ${row.layer})`);
  }
  expect(missing).toEqual([]);
});
