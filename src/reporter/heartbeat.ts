import type * as grpcTypes from '@grpc/grpc-js';
import { log } from '../base/diag';
import { instanceProperties } from './properties';
import { withoutTracing } from './suppress';

/** Who we are right now (the OTel front-end learns the service name from the first span's resource). */
export interface Identity {
  service: string;
  instance: string;
}

export interface HeartbeatOptions {
  periodSeconds: number;
  propertiesEvery: number;
  timeoutMs: number;
  extraProperties: Record<string, string>;
  identity: () => Identity;
  client: () => grpcTypes.Client | undefined;
  metadata: () => grpcTypes.Metadata;
  onFailure: (error: grpcTypes.ServiceError) => void;
}

type Unary = (
  request: unknown,
  metadata: grpcTypes.Metadata,
  options: grpcTypes.CallOptions,
  callback: (error: grpcTypes.ServiceError | null) => void,
) => grpcTypes.ClientUnaryCall;

/**
 * `ManagementService`: `reportInstanceProperties` at start and every `propertiesEvery` beats,
 * `keepAlive` every `periodSeconds`, and the properties once more at shutdown if they never arrived.
 * Each call has a deadline; failures are counted by the owner.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private running = false;
  /** The properties reached the collector once. */
  private propertiesDelivered = false;
  private propertiesCall: Promise<boolean> | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.periodSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
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
    await this.sendProperties(deadline);
  }

  private sendProperties(deadline = Date.now() + this.options.timeoutMs): Promise<boolean> {
    const { service, instance } = this.options.identity();
    this.propertiesCall = this.call(
      'reportInstanceProperties',
      { service, serviceInstance: instance, properties: instanceProperties(this.options.extraProperties), layer: '' },
      deadline,
    ).then((ok) => (this.propertiesDelivered ||= ok));
    return this.propertiesCall;
  }

  private beat(): void {
    const { service, instance } = this.options.identity();
    if (this.beats % this.options.propertiesEvery === 0) void this.sendProperties();
    void this.call('keepAlive', { service, serviceInstance: instance, layer: '' });
    this.beats++;
  }

  /** One call; resolves true when it succeeded, false otherwise (never rejects). */
  private call(
    method: 'reportInstanceProperties' | 'keepAlive',
    request: unknown,
    deadline = Date.now() + this.options.timeoutMs,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      const client = this.options.client();
      if (!client) return resolve(false);
      try {
        withoutTracing(() => {
          const fn = (client as unknown as Record<string, Unary>)[method]!;
          fn.call(client, request, this.options.metadata(), { deadline }, (error) => {
            if (error) this.options.onFailure(error);
            resolve(!error);
          });
        });
      } catch (e) {
        log('debug', 'heartbeat.call', `heartbeat ${method} could not start: ${(e as Error).message}`);
        resolve(false);
      }
    });
  }
}
