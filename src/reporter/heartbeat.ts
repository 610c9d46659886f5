import type * as grpcTypes from '@grpc/grpc-js';
import { log } from '../diag';
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
 * `keepAlive` every `periodSeconds`. Each call has a deadline; failures are counted by the owner.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private running = false;

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

  private beat(): void {
    const { service, instance } = this.options.identity();
    if (this.beats % this.options.propertiesEvery === 0) {
      this.call('reportInstanceProperties', {
        service,
        serviceInstance: instance,
        properties: instanceProperties(this.options.extraProperties),
        layer: '',
      });
    }
    this.call('keepAlive', { service, serviceInstance: instance, layer: '' });
    this.beats++;
  }

  private call(method: 'reportInstanceProperties' | 'keepAlive', request: unknown): void {
    const client = this.options.client();
    if (!client) return;
    try {
      withoutTracing(() => {
        const fn = (client as unknown as Record<string, Unary>)[method]!;
        fn.call(client, request, this.options.metadata(), { deadline: Date.now() + this.options.timeoutMs }, (error) => {
          if (error) this.options.onFailure(error);
        });
      });
    } catch (e) {
      log('debug', 'heartbeat.call', `heartbeat ${method} could not start: ${(e as Error).message}`);
    }
  }
}
