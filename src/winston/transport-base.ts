import type TransportStream from 'winston-transport';
import { ConfigError } from '../base/config';

/**
 * The application's own `winston-transport` (installed with winston, an optional peer), loaded once.
 * Without it this entry still loads (`skywalkingFormat` needs nothing); `SkyWalkingTransport`
 * refuses to be constructed with a message saying what to install.
 */
function load(): typeof TransportStream | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('winston-transport') as typeof TransportStream;
  } catch {
    return undefined;
  }
}

class MissingBase {
  constructor() {
    throw new ConfigError(
      'skywalking-bridge: SkyWalkingTransport needs winston (its `winston-transport` package): run `npm install winston`.',
    );
  }
}

export const TransportBase = (load() ?? MissingBase) as typeof TransportStream;
