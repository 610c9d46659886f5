/** A configuration problem: thrown only from constructors, never on the request path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
