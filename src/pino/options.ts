import type { BridgeOptions } from '../base/config';

export interface PinoRecordOptions {
  /** pino's `messageKey`. Default `msg`. */
  messageKey?: string;
  /** pino's `errorKey`. Default `err`. */
  errorKey?: string;
}

/** Options of the transport: the shared options (serializable: they cross to pino's worker) and pino's keys. */
export interface SkyWalkingPinoTransportOptions extends Omit<BridgeOptions, 'reporter'>, PinoRecordOptions {
  reporter?: 'grpc' | 'console' | 'none';
  /** How long closing the logger (pino ends its transport at exit, blocking) may spend sending what is queued, ms. Default 3000. */
  closeTimeoutMs?: number;
}
