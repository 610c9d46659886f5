/**
 * How the zero-code start stops on SIGTERM / SIGINT: the reporter's shutdown runs (bounded by the
 * report timeout), and when it waits on a collector that does not answer (or simply takes long)
 * ONE line says what is waited for and for how long at most; a second signal exits at once. Then the signal's default action runs
 * as it would have, unless the application listens for that signal itself.
 */
import type { Bridge } from './bridge';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** A shutdown whose collector is not answering says what it waits for after this long. */
export const SAY_WHEN_STALLED_MS = 200;
/** Any shutdown still running after this long says what it waits for (a quick one stays silent). */
export const SAY_AFTER_MS = 2000;

/** What a stopping process waits for: records queued, whether the collector answers, and where they go. */
export interface Waiting {
  segments: number;
  logs: number;
  /** The collector is not answering (the last attempt failed, or a connection is being waited for). */
  stalled: boolean;
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

/**
 * The one line (pure). `appHandles`: the application listens for the signal too, so a second
 * signal goes to it (it decides when to exit), not to us.
 */
export function waitingLine(signal: NodeJS.Signals, waiting: Waiting, msLeft: number, appHandles = false): string {
  const what =
    waiting.segments + waiting.logs > 0
      ? `to deliver ${waiting.segments} segment(s) and ${waiting.logs} log record(s) to ${waiting.destination}`
      : `for ${waiting.destination} to answer`;
  const again = signal === 'SIGINT' ? 'press Ctrl-C or send SIGINT again' : `send ${signal} again`;
  const then = appHandles ? `the application handles ${signal} itself` : `${again} to exit now`;
  return `stopping on ${signal}: waiting at most ${seconds(msLeft)} s ${what}; ${then}`;
}

export interface ExitOptions {
  /** Flush and release; resolves within `timeoutMs` (plus a margin), never rejects. */
  shutdown(): Promise<void>;
  /** The bound the shutdown keeps (the report timeout). */
  timeoutMs: number;
  /** What is waited for, read when the line may be written. */
  waiting(): Waiting | undefined;
}

/**
 * Say what the shutdown waits for, once: after SAY_WHEN_STALLED_MS when the collector is not
 * answering, else after SAY_AFTER_MS if the shutdown still runs. Returns a cancel function.
 */
function sayWhatIsWaitedFor(signal: NodeJS.Signals, options: ExitOptions, appHandles: boolean): () => void {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const say = (last: boolean): void => {
    timer = undefined;
    try {
      const waiting = options.waiting();
      if (!waiting) return;
      if (!waiting.stalled && !last) {
        timer = setTimeout(() => say(true), SAY_AFTER_MS - SAY_WHEN_STALLED_MS);
        timer.unref();
        return;
      }
      const left = options.timeoutMs - (Date.now() - started);
      process.stderr.write(`[skywalking-bridge] ${waitingLine(signal, waiting, left, appHandles)}\n`);
    } catch {
      // never throw into the application
    }
  };
  timer = setTimeout(() => say(false), SAY_WHEN_STALLED_MS);
  timer.unref();
  return () => clearTimeout(timer);
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
    const cancel = sayWhatIsWaitedFor(signal, options, process.listenerCount(signal) > 1);
    void options.shutdown().then(() => {
      cancel();
      reraise();
    });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.once('beforeExit', () => void options.shutdown());
}
