import { redact } from './diag';

/** A configuration problem: thrown only from constructors, never on the request path. Its message never shows a password or a huge value (see redact). */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(message: string) {
    super(redact(message));
  }
}
