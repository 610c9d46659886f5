import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SegmentObject } from '../../src/base/model';
import type { LogData } from '../../src/protocol/log-encoder';
import { parseLine } from '../../src/protocol/line-parse';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'entry', 'cli.js');
export const LINE_APP = join(__dirname, 'fixtures', 'line-app.js');
/** One request across OpenTracing, OpenTelemetry and pino, all through lines (or gRPC). */
export const LINE_MIXED_APP = join(__dirname, 'fixtures', 'line-mixed-app.js');

/** A `skywalking-bridge forward` process: its output, its last stats line, its exit. */
export interface ForwardProcess {
  child: ChildProcess;
  output(): string;
  lastStats(): Record<string, unknown> | undefined;
  exited: Promise<number | null>;
}

export function startForward(args: string[], env: Record<string, string> = {}): ForwardProcess {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', CLI, 'forward', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => `${out}${err}`,
    lastStats: () => {
      const lines = out.split('\n').filter((l) => l.startsWith('{"forward":'));
      return lines.length
        ? (JSON.parse(lines[lines.length - 1]!) as { forward: Record<string, unknown> }).forward
        : undefined;
    },
    exited,
  };
}

/** Run the line app (or `app`) to its end; its stdout. */
export function runLineApp(env: Record<string, string>, app = LINE_APP): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`line app exited ${code}: ${out}`))));
  });
}

/** The segments and log records among lines, as `forward` reads them. */
export function messagesOf(text: string): { segments: SegmentObject[]; logs: LogData[] } {
  const segments: SegmentObject[] = [];
  const logs: LogData[] = [];
  for (const line of text.split('\n')) {
    const p = parseLine(line);
    if (p.kind === 'segment') segments.push(p.segment);
    if (p.kind === 'log') logs.push(p.log);
  }
  return { segments, logs };
}

/** Wait (polling) until `check` holds; fails with `what` and the detail after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  detail: () => string = () => '',
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const bySegmentId = (a: SegmentObject, b: SegmentObject): number =>
  a.traceSegmentId.localeCompare(b.traceSegmentId);
