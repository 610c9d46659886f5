import { ConfigError } from './config-error';
import { shown } from './diag';
import { SECRET_OPTIONS, showValue } from './limits';

/** Environment variables, as `process.env`. */
export type Env = Record<string, string | undefined>;

/** What the user gave for one option: the option's value, or the trimmed text of the first env name set. */
export interface Given {
  option: string;
  env: readonly string[];
  value: unknown;
  raw: string | undefined;
  from: 'option' | 'env' | 'default';
}

/** Option first (when not undefined or null), then the first env name set to a non-blank value. */
export function pick(options: object, env: Env, option: string, envNames: readonly string[]): Given {
  const o = (options as Record<string, unknown>)[option];
  if (o !== undefined && o !== null) return { option, env: envNames, value: o, raw: String(o), from: 'option' };
  for (const name of envNames) {
    const e = env[name];
    if (e !== undefined && e.trim() !== '')
      return { option, env: [name], value: undefined, raw: e.trim(), from: 'env' };
  }
  return { option, env: envNames, value: undefined, raw: undefined, from: 'default' };
}

/** `env NAME` or "option `name`", for messages. */
export function where(g: Given): string {
  return g.from === 'env' ? `env ${g.env[0]}` : `option \`${g.option}\``;
}

/** What was given: the option's value, or the env text. */
export function givenValue(g: Given): unknown {
  return g.from === 'option' ? g.value : g.raw;
}

/** A value as the user wrote it, with its type when that is what is wrong: `the string "true"`, `1.5`, `an array [...]`. */
export function describeValue(v: unknown): string {
  const cut = (t: string): string => shown(t);
  if (typeof v === 'string') return `the string ${JSON.stringify(shown(v))}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  let json: string;
  try {
    json = JSON.stringify(v) ?? '';
  } catch {
    json = '';
  }
  return `${Array.isArray(v) ? 'an array' : 'an object'}${json ? ` ${cut(json)}` : ''}`;
}

/** Throw the ConfigError that names the option (or env), the value and the expected form. */
export function fail(g: Given, expected: string): never {
  if (g.from === 'env') {
    throw new ConfigError(
      `skywalking-bridge: env ${g.env[0]} is ${showValue(g.option, g.raw ?? '')}; expected ${expected}. Fix or unset it.`,
    );
  }
  const envHint = g.env.length > 0 ? ` (or leave it out and set env ${g.env[0]})` : '';
  throw new ConfigError(
    `skywalking-bridge: option \`${g.option}\` is ${typeof g.value === 'string' && SECRET_OPTIONS.has(g.option) ? showValue(g.option, g.value) : describeValue(g.value)}; expected ${expected}${envHint}.`,
  );
}

/** Parses what was given for one option (never called when nothing was given); throws ConfigError. */
export type Parse<T> = (g: Given) => T;

/** A trimmed string of at most `maxLength` characters; `rule` adds a check on non-empty values. */
export function text(maxLength: number, rule?: { test: (t: string) => boolean; expected: string }): Parse<string> {
  return (g) => {
    const v = givenValue(g);
    if (typeof v !== 'string') fail(g, 'a string');
    const t = v.trim();
    if (t.length > maxLength) fail(g, `a string of at most ${maxLength} characters`);
    if (rule && t !== '' && !rule.test(t)) fail(g, rule.expected);
    return t;
  };
}

/** A whole number from `min` to `max` (env text read with `Number`). */
export function whole(min: number, max: number): Parse<number> {
  return (g) => {
    const v = g.from === 'option' ? g.value : Number(g.raw);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(g, `a whole number from ${min} to ${max}`);
    }
    return v;
  };
}

/** true/false; in env also 1/0 and yes/no. */
export const flag: Parse<boolean> = (g) => {
  if (g.from === 'option') {
    if (typeof g.value !== 'boolean') fail(g, 'true or false');
    return g.value;
  }
  const r = g.raw!.toLowerCase();
  if (r === 'true' || r === '1' || r === 'yes') return true;
  if (r === 'false' || r === '0' || r === 'no') return false;
  return fail(g, 'true or false');
};

/** One of `names`. */
export function oneOf<T extends string>(names: readonly T[]): Parse<T> {
  return (g) => {
    const r = givenValue(g);
    if (!names.includes(r as T)) fail(g, `one of ${names.map((x) => `'${x}'`).join(', ')}`);
    return r as T;
  };
}

/** Split comma-separated text into its trimmed, non-empty parts. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A list of some of `names` (option: an array; env: comma-separated), without repeats. */
export function someOf<T extends string>(names: readonly T[]): Parse<T[]> {
  return (g) => {
    const list = g.from === 'option' ? g.value : splitList(g.raw!);
    if (!Array.isArray(list) || !list.every((x) => names.includes(x as T))) {
      fail(g, `a list of ${names.map((x) => `'${x}'`).join(', ')}`);
    }
    return [...new Set(list as T[])];
  };
}

/** A list of strings: an array of strings, or one comma-separated string (option or env). */
export function stringList(maxItems: number, maxLength: number): Parse<string[]> {
  return (g) => {
    const v = givenValue(g);
    const list = typeof v === 'string' ? splitList(v) : v;
    const expected = `a comma-separated string (or an array of strings) of at most ${maxItems} items of at most ${maxLength} characters`;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) fail(g, expected);
    const items = (list as string[]).map((x) => x.trim()).filter(Boolean);
    if (items.length > maxItems || items.some((x) => x.length > maxLength)) fail(g, expected);
    return [...new Set(items)];
  };
}
