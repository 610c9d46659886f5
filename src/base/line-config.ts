import { isAbsolute } from 'node:path';
import { ConfigError } from './config-error';

/** The line reporter's options (part of `BridgeOptions`; used when `reporter` is `line`). */
export interface LineOptions {
  /** Line reporter: write to this file (an absolute path) instead of stdout. Env `SW_BRIDGE_LINE_FILE`. */
  lineFile?: string;
  /** Line reporter: rotate the file when the next line would take it past this many bytes. Env `SW_BRIDGE_LINE_FILE_MAX_BYTES`. Default 100 MiB. */
  lineFileMaxBytes?: number;
  /** Line reporter: rotated files kept (`<file>.1` newest … `<file>.<n>`). Env `SW_BRIDGE_LINE_FILE_COUNT`. Default 5. */
  lineFileCount?: number;
  /** Line reporter: characters of lines waiting for the destination; past it a line is dropped and counted. Env `SW_BRIDGE_LINE_BUFFER`. Default 8 MiB. */
  lineBufferChars?: number;
}

export interface LineConfig {
  /** '' = stdout. */
  file: string;
  fileMaxBytes: number;
  fileCount: number;
  bufferChars: number;
}

export const LINE_DEFAULTS = { fileMaxBytes: 100 * 1024 * 1024, fileCount: 5, bufferChars: 8 * 1024 * 1024 } as const;

type Env = Record<string, string | undefined>;

function wrong(option: string, envName: string, fromEnv: boolean, value: unknown, expected: string): never {
  const what = fromEnv
    ? `env ${envName} is ${JSON.stringify(value)}`
    : `option \`${option}\` is ${JSON.stringify(value)}`;
  throw new ConfigError(`skywalking-bridge: ${what}; expected ${expected}.`);
}

function whole(
  options: LineOptions,
  env: Env,
  option: keyof LineOptions,
  envName: string,
  dflt: number,
  min: number,
  max: number,
): number {
  const o = options[option];
  const e = env[envName]?.trim();
  if (o === undefined && (e === undefined || e === '')) return dflt;
  const v = o !== undefined ? o : Number(e);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    wrong(option, envName, o === undefined, o ?? e, `a whole number from ${min} to ${max}`);
  return v;
}

/** The line reporter's settings, resolved once (option > env > default); a wrong value fails here, saying what to change. */
export function resolveLineConfig(options: LineOptions, env: Env): LineConfig {
  const o = options.lineFile;
  const e = env.SW_BRIDGE_LINE_FILE?.trim();
  const file = o ?? e ?? '';
  if (typeof file !== 'string') wrong('lineFile', 'SW_BRIDGE_LINE_FILE', false, file, 'a file path');
  if (file !== '' && !isAbsolute(file))
    wrong(
      'lineFile',
      'SW_BRIDGE_LINE_FILE',
      o === undefined,
      file,
      'an absolute path (nothing is written relative to the working directory)',
    );
  return {
    file,
    fileMaxBytes: whole(
      options,
      env,
      'lineFileMaxBytes',
      'SW_BRIDGE_LINE_FILE_MAX_BYTES',
      LINE_DEFAULTS.fileMaxBytes,
      4096,
      2 ** 42,
    ),
    fileCount: whole(options, env, 'lineFileCount', 'SW_BRIDGE_LINE_FILE_COUNT', LINE_DEFAULTS.fileCount, 0, 100),
    bufferChars: whole(
      options,
      env,
      'lineBufferChars',
      'SW_BRIDGE_LINE_BUFFER',
      LINE_DEFAULTS.bufferChars,
      1024,
      2 ** 30,
    ),
  };
}
