/**
 * What a Kafka client error means for the user, read from the error and its causes (the client
 * wraps the broker's and the socket's errors). Pure; the reporter turns each kind into one
 * diagnostic line saying what to change.
 */
export type KafkaErrorKind = 'auth' | 'tls' | 'topic-missing' | 'unreachable' | 'too-large' | 'other';

export interface KafkaErrorInfo {
  kind: KafkaErrorKind;
  /** The topic a `topic-missing` error names, when it names one. */
  topic?: string;
  /** A short description (the innermost messages). */
  detail: string;
  /**
   * The request certainly did not reach the log: the connection was refused or never
   * authenticated, or the broker rejected the partition (not its leader, no leader, topic
   * unknown). Its records can be queued again; anything else may have been written.
   */
  notWritten: boolean;
}

interface ErrorLike {
  code?: unknown;
  /** The broker's error name on a protocol error (e.g. `UNKNOWN_TOPIC_OR_PARTITION`). */
  apiId?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** Causes after which nothing of the request was appended (a refused connection; a partition the broker would not take). */
/** The broker's certificate was not accepted (Node's TLS error codes). */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

const NOT_WRITTEN_CODES = new Set([
  ...TLS_CODES,
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PLT_KFK_AUTHENTICATION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_ENOUGH_REPLICAS',
]);

const NETWORK_CODES = new Set([
  'PLT_KFK_NETWORK',
  'PLT_KFK_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** Every error in the tree (the error, its `errors` and its `cause`s), depth-first, bounded. */
function flatten(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const stack: unknown[] = [error];
  while (stack.length > 0 && out.length < 50) {
    const e = stack.pop();
    if (typeof e !== 'object' || e === null) continue;
    const x = e as ErrorLike;
    out.push(x);
    if (Array.isArray(x.errors)) stack.push(...x.errors);
    if (x.cause !== undefined) stack.push(x.cause);
  }
  return out;
}

export function classifyKafkaError(error: unknown): KafkaErrorInfo {
  const all = flatten(error);
  const codes = all.flatMap((e) => [String(e.code ?? ''), String(e.apiId ?? '')]);
  const messages = all.map((e) => String(e.message ?? '')).filter((m) => m !== '');
  const detail = [...new Set(messages.slice(-2))].join(': ').slice(0, 300) || String(error).slice(0, 300);
  const notWritten = nothingWritten(all, codes, messages);
  return { ...kindOf(codes, messages), detail, notWritten };
}

/** Every cause that is a failure (not a wrapper) says the request was not appended. */
function nothingWritten(all: ErrorLike[], codes: string[], messages: string[]): boolean {
  if (all.length === 0) return false;
  const leaves = all.filter((e) => !(Array.isArray(e.errors) && e.errors.length > 0) && e.cause === undefined);
  const leafCodes = leaves.flatMap((e) => [String(e.code ?? ''), String(e.apiId ?? '')]);
  if (leafCodes.some((c) => NOT_WRITTEN_CODES.has(c))) {
    return leaves.every(
      (e) => NOT_WRITTEN_CODES.has(String(e.code ?? '')) || NOT_WRITTEN_CODES.has(String(e.apiId ?? '')),
    );
  }
  // the client's own "unknown topic" check happens before any request
  return messages.some((m) => /^Unknown topic /.test(m)) && !codes.includes('PLT_KFK_NETWORK');
}

function kindOf(codes: string[], messages: string[]): { kind: KafkaErrorKind; topic?: string } {
  if (
    codes.some(
      (c) =>
        c === 'PLT_KFK_AUTHENTICATION' ||
        c === 'SASL_AUTHENTICATION_FAILED' ||
        c === 'ILLEGAL_SASL_STATE' ||
        c === 'UNSUPPORTED_SASL_MECHANISM',
    )
  ) {
    return { kind: 'auth' };
  }
  if (codes.some((c) => TLS_CODES.has(c))) return { kind: 'tls' };
  for (const m of messages) {
    const unknown = /Unknown topic ([^\s]+?)\.?$/.exec(m);
    if (unknown) return { kind: 'topic-missing', topic: unknown[1] };
  }
  if (codes.includes('UNKNOWN_TOPIC_OR_PARTITION')) return { kind: 'topic-missing' };
  if (codes.some((c) => c === 'MESSAGE_TOO_LARGE' || c === 'RECORD_LIST_TOO_LARGE')) return { kind: 'too-large' };
  if (codes.some((c) => NETWORK_CODES.has(c)) || /Cannot connect to any broker/.test(messages.join(' '))) {
    return { kind: 'unreachable' };
  }
  return { kind: 'other' };
}
