/**
 * How the zero-code start stops on SIGTERM / SIGINT: the reporter's shutdown runs (bounded by the
 * report timeout), and when it has not finished after a moment ONE line says what is waited for
 * and for how long at most; a second signal exits at once. Then the signal's default action runs
 * as it would have, unless the application listens for that signal itself.
 */
import type { Bridge } from './bridge';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** A shutdown that takes longer than this says what it waits for (a quick one stays silent). */
export const SAY_AFTER_MS = 200;

/** What a stopping process waits for: records queued, and where they go. */
export interface Waiting {
  segments: number;
  logs: number;
  destination: string;
}

interface PendingReporter {
  pending(): Waiting;
}

function hasPending(reporter: unknown): reporter is PendingReporter {
  return typeof (reporter as Partial<PendingReporter>)?.pending === 'function';
}

/** What `bridge` waits for, or undefined when its reporter sends nothing over the network. */
export function waitingOf(bridge: Bridge): Waiting | undefined {
  return hasPending(bridge.reporter) ? bridge.reporter.pending() : undefined;
}

/** `ms` as seconds for a person: whole seconds from 10 s, tenths below. */
function seconds(ms: number): string {
  const left = Math.max(0, ms);
  return left >= 10_000 ? String(Math.ceil(left / 1000)) : String(Math.ceil(left / 100) / 10);
}

/** The one line (pure). */
export function waitingLine(signal: NodeJS.Signals, waiting: Waiting, msLeft: number): string {
  const what =
    waiting.segments + waiting.logs > 0
      ? `to deliver ${waiting.segments} segment(s) and ${waiting.logs} log record(s) to ${waiting.destination}`
      : `for ${waiting.destination} to answer`;
  const again = signal === 'SIGINT' ? 'press Ctrl-C or send SIGINT again' : `send ${signal} again`;
  return `stopping on ${signal}: waiting at most ${seconds(msLeft)} s ${what}; ${again} to exit now`;
}

export interface ExitOptions {
  /** Flush and release; resolves within `timeoutMs` (plus a margin), never rejects. */
  shutdown(): Promise<void>;
  /** The bound the shutdown keeps (the report timeout). */
  timeoutMs: number;
  /** What is waited for, read when the line is written. */
  waiting(): Waiting | undefined;
}

/** On the first SIGTERM/SIGINT: shut down, say what is waited for; on a second: exit now. At `beforeExit`: shut down. */
export function installExitHandlers(options: ExitOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const reraise = (): void => {
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      // the application handles the signal itself: it decides when to exit
      if (process.listenerCount(signal) > 0) return;
      process.kill(process.pid, signal);
    };
    if (stopping) return reraise(); // a second signal while flushing: stop now
    stopping = true;
    const started = Date.now();
    const say = setTimeout(() => {
      try {
        const waiting = options.waiting();
        if (waiting)
          process.stderr.write(
            `[skywalking-bridge] ${waitingLine(signal, waiting, options.timeoutMs - (Date.now() - started))}\n`,
          );
      } catch {
        // never throw into the application
      }
    }, SAY_AFTER_MS);
    say.unref();
    void options.shutdown().then(() => {
      clearTimeout(say);
      reraise();
    });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.once('beforeExit', () => void options.shutdown());
}
