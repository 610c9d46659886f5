// Types for oap.js (plain CommonJS so scripts can run it without a build).
export interface Duration {
  start: string;
  end: string;
  step: 'MINUTE';
}
export interface Oap {
  grpcAddress: string;
  restUrl: string;
  logPath: string;
  pid: number;
  startMs: number;
  // GraphQL answers are loosely shaped; tests narrow what they read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  graphql(query: string, variables?: Record<string, unknown>): Promise<any>;
  log(): string;
  stop(): Promise<void>;
}
export interface OapOptions {
  authentication?: string;
  slowDbThreshold?: string;
  persistentPeriod?: number;
  heap?: string;
  /** Another configuration directory (default: config/). */
  configDir?: string;
  /** Extra environment for the OAP process. */
  env?: Record<string, string>;
}
export const OAP_VERSION: string;
export function startOap(options?: OapOptions): Promise<Oap>;
export function ensureOapLibs(log?: (message: string) => void): string;
export function missingTools(): string;
export function duration(fromMs: number, toMs?: number): Duration;
export function minute(ms: number): string;
export function tail(path: string, lines?: number): string;
