import { Component, componentId } from '../base/components';
import { attributeText } from './attribute-text';
import { SpanLayer, SpanType } from '../base/model';
import { hostPortOfUrl, joinHostPort, pathOfUrl } from '../segment/peer';
import type { RecordedSpan } from '../segment/span';
import { STATUS_ERROR, SpanKind } from './api';
import { type AttributeValue, type Attributes, type ReadableSpanLike, hrTimeToMs, scopeNameOf } from './types';

/**
 * OTel spans to SkyWalking spans: kind to type, semantic conventions (current and older names) to
 * peer, layer, component id and SkyWalking's tags; events to logs; status to isError. Pure apart
 * from writing into the RecordedSpan it is given.
 */

/** Picks an Entry span's name (a SkyWalking endpoint); return undefined for the default. */
export type EndpointNamer = (span: ReadableSpanLike) => string | undefined;

export function spanTypeOfOtelKind(kind: number): SpanType {
  if (kind === SpanKind.SERVER || kind === SpanKind.CONSUMER) return SpanType.Entry;
  if (kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER) return SpanType.Exit;
  return SpanType.Local;
}

function present(v: AttributeValue): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** The first of up to four attributes that is set (fixed arity: this runs a dozen times per span). */
function first(attrs: Attributes, k1: string, k2?: string, k3?: string, k4?: string): AttributeValue {
  let v = attrs[k1];
  if (present(v)) return v;
  if (k2 === undefined) return undefined;
  v = attrs[k2];
  if (present(v)) return v;
  if (k3 === undefined) return undefined;
  v = attrs[k3];
  if (present(v)) return v;
  if (k4 === undefined) return undefined;
  v = attrs[k4];
  return present(v) ? v : undefined;
}

function str(v: AttributeValue): string | undefined {
  return attributeText(v);
}

/** Instrumentation scope names to component ids (server side, client side). */
const SCOPES: Record<string, [number, number]> = {
  '@opentelemetry/instrumentation-http': [Component.HTTP, Component.HTTP_CLIENT],
  '@opentelemetry/instrumentation-undici': [Component.HTTP, Component.HTTP_CLIENT],
  '@opentelemetry/instrumentation-fetch': [Component.HTTP, Component.HTTP_CLIENT],
  '@opentelemetry/instrumentation-express': [Component.EXPRESS, Component.EXPRESS],
  '@opentelemetry/instrumentation-koa': [Component.KOA, Component.KOA],
  '@opentelemetry/instrumentation-pg': [Component.POSTGRESQL, Component.POSTGRESQL],
  '@opentelemetry/instrumentation-mysql': [Component.MYSQL, Component.MYSQL],
  '@opentelemetry/instrumentation-mysql2': [Component.MYSQL, Component.MYSQL],
  '@opentelemetry/instrumentation-ioredis': [Component.REDIS, Component.REDIS],
  '@opentelemetry/instrumentation-redis': [Component.REDIS, Component.REDIS],
  '@opentelemetry/instrumentation-redis-4': [Component.REDIS, Component.REDIS],
  '@opentelemetry/instrumentation-mongodb': [Component.MONGODB, Component.MONGODB],
  '@opentelemetry/instrumentation-mongoose': [Component.MONGOOSE, Component.MONGOOSE],
  '@opentelemetry/instrumentation-kafkajs': [Component.KAFKA_CONSUMER, Component.KAFKA_PRODUCER],
  '@opentelemetry/instrumentation-amqplib': [Component.RABBITMQ_CONSUMER, Component.RABBITMQ_PRODUCER],
  '@opentelemetry/instrumentation-grpc': [Component.GRPC, Component.GRPC],
};

const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'ioredis']);

/** The peer of an Exit span: server.address:port, net.peer.name|ip:port, else the host:port of the URL. */
export function peerOfAttributes(attrs: Attributes): string {
  const host = first(attrs, 'server.address', 'net.peer.name', 'net.peer.ip', 'network.peer.address');
  const port = first(attrs, 'server.port', 'net.peer.port', 'network.peer.port');
  const url = first(attrs, 'url.full', 'http.url');
  const fromUrl = hostPortOfUrl(url);
  if (typeof host === 'string' && host !== '') {
    const p = port ?? (fromUrl.includes(':') ? fromUrl.slice(fromUrl.lastIndexOf(':') + 1) : undefined);
    return joinHostPort(host, typeof p === 'string' || typeof p === 'number' ? p : undefined);
  }
  if (fromUrl !== '') return fromUrl;
  const broker = first(attrs, 'messaging.url');
  return typeof broker === 'string' ? hostPortOfUrl(broker) || broker : '';
}

function httpMethodOf(attrs: Attributes): string | undefined {
  return str(first(attrs, 'http.request.method', 'http.method'));
}

/** Path of the request an HTTP span is about (server: target/path; client: the URL's path). */
export function httpPathOf(attrs: Attributes): string {
  const path = str(first(attrs, 'url.path'));
  if (path) return path;
  const target = str(first(attrs, 'http.target'));
  if (target) return pathOfUrl(target);
  const url = str(first(attrs, 'url.full', 'http.url'));
  return url ? pathOfUrl(url) : '';
}

/**
 * The SkyWalking operation name. Entry spans are endpoints, so low cardinality: `METHOD:route`
 * when the route is known, else the span name (configurable with `endpointName`). HTTP Exit spans
 * are named by the URL path, as SkyWalking agents do; others keep the OTel name.
 */
export function operationNameOf(span: ReadableSpanLike, type: SpanType, route?: string, namer?: EndpointNamer): string {
  const attrs = span.attributes ?? {};
  if (type === SpanType.Entry && namer) {
    try {
      const custom = namer(span);
      if (typeof custom === 'string' && custom !== '') return custom;
    } catch {
      // a throwing namer falls back to the default
    }
  }
  const method = httpMethodOf(attrs);
  if (method !== undefined) {
    if (type === SpanType.Entry) {
      const r = route ?? str(first(attrs, 'http.route'));
      if (r) return `${method}:${r}`;
    } else if (type === SpanType.Exit) {
      const path = httpPathOf(attrs);
      if (path) return path;
    }
  }
  return span.name;
}

/** Component id from the instrumentation scope, else db/messaging/rpc system, else http. */
export function componentOf(span: ReadableSpanLike, type: SpanType): number {
  const server = type === SpanType.Entry;
  const byScope = SCOPES[scopeNameOf(span)];
  if (byScope) return byScope[server ? 0 : 1];
  const attrs = span.attributes ?? {};
  const system = str(first(attrs, 'db.system.name', 'db.system', 'messaging.system', 'rpc.system'));
  if (system) {
    const id = componentId(system, server ? 'server' : 'client');
    if (id !== 0) return id;
  }
  if (httpMethodOf(attrs) !== undefined) return server ? Component.HTTP : Component.HTTP_CLIENT;
  return 0;
}

/** Attributes that become SkyWalking tags under another name, or that are fully represented by peer. */
const CONSUMED = new Set([
  'http.request.method',
  'http.method',
  'url.full',
  'http.url',
  'http.response.status_code',
  'http.status_code',
  'db.system.name',
  'db.system',
  'db.namespace',
  'db.name',
  'db.query.text',
  'db.statement',
  'messaging.destination.name',
  'messaging.destination',
  'rpc.grpc.status_code',
]);

/**
 * Fill a recorded span from a finished OTel span (runs when the segment closes and is encoded). A peer
 * already set (fixed at inject time) and the type are kept.
 */
export function applyOtelSpan(recorded: RecordedSpan, span: ReadableSpanLike, namer?: EndpointNamer): void {
  const attrs = span.attributes ?? {};
  const type = recorded.type;
  recorded.operationName = operationNameOf(span, type, undefined, namer) || recorded.operationName;
  if (type === SpanType.Exit && recorded.peer === '') recorded.peer = peerOfAttributes(attrs);
  recorded.componentId = componentOf(span, type);

  const method = httpMethodOf(attrs);
  const dbSystem = str(first(attrs, 'db.system.name', 'db.system'));
  const mqSystem = str(first(attrs, 'messaging.system'));
  const rpcSystem = str(first(attrs, 'rpc.system'));
  if (dbSystem !== undefined) {
    const cache = CACHE_SYSTEMS.has(dbSystem.toLowerCase());
    recorded.layer = cache ? SpanLayer.Cache : SpanLayer.Database;
    recorded.appendTag('db.type', dbSystem);
    const instance = str(first(attrs, 'db.namespace', 'db.name'));
    if (instance !== undefined) recorded.appendTag('db.instance', instance);
    const statement = str(first(attrs, 'db.query.text', 'db.statement'));
    if (statement !== undefined) recorded.appendTag('db.statement', statement);
    if (cache) recorded.appendTag('cache.type', dbSystem.toLowerCase());
  } else if (mqSystem !== undefined) {
    recorded.layer = SpanLayer.MQ;
    const dest = str(first(attrs, 'messaging.destination.name', 'messaging.destination'));
    const kind = str(first(attrs, 'messaging.destination.kind'));
    if (dest !== undefined) recorded.appendTag(kind === 'queue' ? 'mq.queue' : 'mq.topic', dest);
    const broker = peerOfAttributes(attrs);
    if (broker !== '') {
      recorded.appendTag('mq.broker', broker);
      if (recorded.peer === '') recorded.peer = broker;
    }
  } else if (method !== undefined) {
    recorded.layer = SpanLayer.Http;
    recorded.appendTag('http.method', method);
    let url = str(first(attrs, 'url.full', 'http.url'));
    if (url === undefined && type === SpanType.Entry) {
      const host = str(first(attrs, 'server.address', 'http.host', 'net.host.name'));
      const scheme = str(first(attrs, 'url.scheme', 'http.scheme')) ?? 'http';
      const target = str(first(attrs, 'url.path', 'http.target'));
      if (host !== undefined && target !== undefined) url = `${scheme}://${host}${target}`;
    }
    if (url !== undefined) recorded.appendTag('url', url);
    const status = str(first(attrs, 'http.response.status_code', 'http.status_code'));
    if (status !== undefined) recorded.appendTag('http.status_code', status);
  } else if (rpcSystem !== undefined) {
    recorded.layer = SpanLayer.RPCFramework;
  }
  const rpcStatus = str(first(attrs, 'rpc.grpc.status_code'));
  if (rpcStatus !== undefined) {
    if (recorded.layer === SpanLayer.Unknown) recorded.layer = SpanLayer.RPCFramework;
    recorded.appendTag('rpc.status_code', rpcStatus);
  }

  for (const key of Object.keys(attrs)) {
    if (CONSUMED.has(key)) continue;
    const v = str(attrs[key]);
    if (v !== undefined) recorded.appendTag(key, v);
  }
  if (span.status?.code === STATUS_ERROR) recorded.isError = true;

  for (const event of span.events ?? []) {
    const ea = event.attributes ?? {};
    if (event.name === 'exception') {
      const fields: Array<[string, string]> = [['event', 'error']];
      const kind = str(ea['exception.type']);
      const message = str(ea['exception.message']);
      const stack = str(ea['exception.stacktrace']);
      if (kind !== undefined) fields.push(['error.kind', kind]);
      if (message !== undefined) fields.push(['message', message]);
      if (stack !== undefined) fields.push(['stack', stack]);
      recorded.appendLog(fields, hrTimeToMs(event.time));
    } else {
      const fields: Array<[string, string]> = [['event', event.name]];
      for (const k of Object.keys(ea)) {
        const v = str(ea[k]);
        if (v !== undefined) fields.push([k, v]);
      }
      recorded.appendLog(fields, hrTimeToMs(event.time));
    }
  }
}
