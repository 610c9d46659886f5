import type { LogLevelName } from '../base/config';

/** Severity ranks on pino's scale (trace 10 … fatal 60). */
export const LEVEL_RANK: Readonly<Record<LogLevelName, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** Level names of pino, winston (npm and syslog), OTel severity texts, console and Python, to a rank. */
const NAMED: Record<string, number> = {
  trace: 10,
  silly: 10,
  verbose: 15,
  debug: 20,
  http: 25,
  info: 30,
  notice: 35,
  warn: 40,
  warning: 40,
  error: 50,
  err: 50,
  crit: 55,
  critical: 60,
  alert: 60,
  emerg: 60,
  fatal: 60,
};

/** The rank of a level name or number (a pino number, also as text, or OTel severity number scaled); info when unknown. */
export function rankOf(level: unknown): number {
  if (typeof level === 'number' && Number.isFinite(level)) return level;
  if (typeof level === 'string') {
    const k = level.toLowerCase();
    if (Object.hasOwn(NAMED, k)) return NAMED[k]!;
    // a pino custom level is named by its number (`pinoLevelName`)
    if (/^[0-9]{1,6}$/.test(level)) return Number(level);
  }
  return 30;
}

/** pino's numeric levels to names (custom levels keep their number as the name). */
export function pinoLevelName(level: unknown): string {
  switch (level) {
    case 10:
      return 'trace';
    case 20:
      return 'debug';
    case 30:
      return 'info';
    case 40:
      return 'warn';
    case 50:
      return 'error';
    case 60:
      return 'fatal';
    default:
      return typeof level === 'string' ? level : String(level);
  }
}

/** OTel SeverityNumber (1–24) to a rank and a name. */
export function otelSeverity(n: number | undefined): { rank: number; name: string } {
  if (typeof n !== 'number' || n <= 0) return { rank: 30, name: 'info' };
  if (n <= 4) return { rank: 10, name: 'trace' };
  if (n <= 8) return { rank: 20, name: 'debug' };
  if (n <= 12) return { rank: 30, name: 'info' };
  if (n <= 16) return { rank: 40, name: 'warn' };
  if (n <= 20) return { rank: 50, name: 'error' };
  return { rank: 60, name: 'fatal' };
}
