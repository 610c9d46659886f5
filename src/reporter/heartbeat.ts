import type { KeyStringValuePair } from '../base/model';
import { log } from '../base/diag';
import { Backoff } from './backoff';
import { instanceProperties } from './properties';

/** Who we are right now (the OTel front-end learns the service name from the first span's resource). */
export interface Identity {
  service: string;
  instance: string;
}

/** One beat as a transport sends it: a ping, and the instance properties with it when they are due. */
export interface Beat {
  identity: Identity;
  /** The instance properties, when they go with this beat (at start, every `propertiesEvery` beats, until they arrived once). */
  properties?: KeyStringValuePair[];
}

/**
 * How a reporter sends a beat (gRPC: `ManagementService` calls; Kafka: one produce request with
 * both records). Resolves true when the properties (or, without them, the ping) arrived; never
 * rejects; counts and explains its own failures.
 */
export type SendBeat = (beat: Beat, deadline: number) => Promise<boolean>;

export interface HeartbeatOptions {
  periodSeconds: number;
  propertiesEvery: number;
  timeoutMs: number;
  extraProperties: Record<string, string>;
  identity: () => Identity;
  send: SendBeat;
}

/**
 * The instance's heartbeat, for whatever a reporter sends: the properties at start, every
 * `propertiesEvery` beats and, until they arrived once, again after a backoff delay (1 s to 5 s)
 * and at every beat; a ping every `periodSeconds`; the properties once more at shutdown if they
 * never arrived. No timer keeps the process alive.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private running = false;
  /** The properties reached the collector once. */
  private propertiesDelivered = false;
  private propertiesCall: Promise<boolean> | undefined;
  /** Properties that did not arrive are sent again soon (1 s, 2 s, 4 s, 5 s), not a period later. */
  private readonly backoff = new Backoff();
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  get started(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.periodSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.timer = this.retry = undefined;
  }

  /**
   * Before shutdown: make sure the properties reached the collector once (a process that ends within
   * a second of starting never had its first beat, or its first call is still on the wire). Waits for
   * that call only, bounded by `deadline` (epoch ms); never rejects.
   */
  async deliverPropertiesOnce(deadline: number): Promise<void> {
    if (this.propertiesDelivered) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))),
    );
    const delivered = this.propertiesCall ? await Promise.race([this.propertiesCall, late]) : false;
    clearTimeout(timer);
    if (delivered || Date.now() >= deadline) return;
    await this.send(true, deadline);
  }

  private beat(): void {
    const due = this.beats % this.options.propertiesEvery === 0 || !this.propertiesDelivered;
    this.beats++;
    void this.send(due, Date.now() + this.options.timeoutMs);
  }

  private send(withProperties: boolean, deadline: number): Promise<boolean> {
    let beat: Beat;
    try {
      const identity = this.options.identity();
      beat = withProperties ? { identity, properties: instanceProperties(this.options.extraProperties) } : { identity };
    } catch (e) {
      log('debug', 'heartbeat.build', `a heartbeat could not be built: ${(e as Error).message}`);
      return Promise.resolve(false);
    }
    const call = this.options.send(beat, deadline).catch(() => false);
    if (!withProperties) return call;
    this.propertiesCall = call.then((ok) => {
      this.propertiesDelivered ||= ok;
      if (ok) this.backoff.succeed();
      else this.retrySoon();
      return this.propertiesDelivered;
    });
    return this.propertiesCall;
  }

  /** While running: the properties again after a backoff delay (once at a time). */
  private retrySoon(): void {
    if (!this.timer || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.timer && !this.propertiesDelivered) void this.send(true, Date.now() + this.options.timeoutMs);
    }, this.backoff.fail());
    this.retry.unref();
  }
}
