import { pathPatternList, suffixList } from '../base/config';
import type { Given } from '../base/config-values';
import type { LiveSettings } from '../segment/agent-control';

/**
 * The keys of the OAP's agent configuration (`configuration-discovery.default.agentConfigurations`)
 * this agent applies, as the Java agent names them, each read from its text. A blank value means
 * "back to the local value" (the Java agent's DELETE event).
 */
const KEYS: Record<string, (text: string) => LiveSettings | 'invalid'> = {
  'agent.sample_n_per_3_secs': (t) => {
    const n = Number(t);
    return Number.isInteger(n) && n >= -1 && n <= 100_000_000 ? { sampleNPer3Secs: n } : 'invalid';
  },
  'agent.span_limit_per_segment': (t) => {
    const n = Number(t);
    return Number.isInteger(n) && n >= 1 && n <= 100_000 ? { spanLimit: n } : 'invalid';
  },
  'agent.ignore_suffix': (t) => list(t, (g) => ({ ignoreSuffix: suffixList(g) })),
  'agent.trace.ignore_path': (t) => list(t, (g) => ({ traceIgnorePath: pathPatternList(g) })),
};

function list(text: string, read: (g: Given) => LiveSettings): LiveSettings | 'invalid' {
  try {
    return read({ option: 'cds', env: [], value: text, raw: text, from: 'option' });
  } catch {
    return 'invalid';
  }
}

/** The keys this agent applies. */
export const DYNAMIC_KEYS: readonly string[] = Object.keys(KEYS);

/**
 * One key of an answer: the setting it gives, undefined for a blank value (the local value comes
 * back), `'unknown'` for a key this agent does not apply, `'invalid'` for a value it cannot read.
 */
export function parseDynamicValue(key: string, value: string): LiveSettings | undefined | 'unknown' | 'invalid' {
  const read = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  if (!read) return 'unknown';
  const text = value.trim();
  return text === '' ? undefined : read(text);
}
