import { type ChildProcess, spawn } from 'node:child_process';

/** A child process started for a test: its port once it says it listens, its output, and a PID-based stop. */
export interface Service {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  /** Signal the process (SIGTERM unless told), SIGKILL after 10 s, and resolve once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Added to every child's environment: the OTel SDK's default OTLP metrics and logs exporters off
 * (else each NodeSDK process retries localhost:4318 and takes ~8 s to exit). A test's own env wins.
 */
export const CHILD_ENV: Readonly<Record<string, string>> = {
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};

/**
 * Start `node <file>` with `env` added and wait until a stdout line matches `listening on <port>`.
 * Rejects with the process output when it exits first or does not say so within `timeoutMs`.
 */
export function startService(file: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Service> {
  // our code must never leave a rejection unhandled: make one fatal in every service a test starts
  return startProcess(process.execPath, ['--unhandled-rejections=strict', file], env, timeoutMs);
}

/** Start any program (e.g. a Go binary) the same way: `listening on <port>` on stdout means ready. */
// (the returned `child` is also how a test waits for a process that ends by itself)
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Service> {
  const file = [command, ...args].join(' ');
  const child = spawn(command, args, {
    env: { ...process.env, ...CHILD_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return child.exitCode;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not start within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    const check = (): void => {
      const m = /listening on (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ child, port: Number(m[1]), output: () => out, stop });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening; output:\n${out}`));
    });
  });
}

/** Run a program to its end; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  // a deadline for a hang: a NodeSDK process took 30 s to start on 2 busy cores (issue #28)
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...CHILD_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** GET or POST over real HTTP; resolves with status and body. */
export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  return { status: res.status, body: await res.text() };
}
