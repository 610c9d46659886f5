import { componentId } from '../base/components';
import { SpanLayer, SpanType } from '../base/model';
import { hostPortOfUrl, joinHostPort } from '../segment/peer';
import type { RecordedSpan } from '../segment/span';
import { safeString } from '../segment/values';

/**
 * The raw OpenTracing tags of a span as the application set them, flat: key, value, key, value...
 * (one array per span, no array per tag). Keys are strings (`SkyWalkingSpan.setTag` checks).
 */
export type RawTags = readonly unknown[];

/** The span type an OpenTracing `span.kind` value means; undefined for anything else. */
export function spanTypeOfKind(kind: unknown): SpanType | undefined {
  switch (kind) {
    case 'server':
    case 'consumer':
      return SpanType.Entry;
    case 'client':
    case 'producer':
      return SpanType.Exit;
    default:
      return undefined;
  }
}

const CACHE_DB_TYPES = new Set(['redis', 'ioredis', 'memcached', 'memcache', 'valkey']);

function last(tags: RawTags, key: string): unknown {
  for (let i = tags.length - 2; i >= 0; i -= 2) if (tags[i] === key) return tags[i + 1];
  return undefined;
}

/** True when the tags say `span.kind=producer` (then sw8-x carries the sending time). */
export function isProducer(tags: RawTags): boolean {
  for (let i = 0; i < tags.length; i += 2) if (tags[i] === 'span.kind' && tags[i + 1] === 'producer') return true;
  return false;
}

/**
 * The peer the tags name: `peer.hostname`/`peer.ipv4`/`peer.ipv6` with `peer.port`, else
 * `peer.address`, else '' (see `fallbackPeerOf` for softer sources).
 */
export function peerOf(tags: RawTags): string {
  const host = last(tags, 'peer.hostname') ?? last(tags, 'peer.ipv4') ?? last(tags, 'peer.ipv6');
  const byHost = joinHostPort(typeof host === 'number' ? String(host) : host, last(tags, 'peer.port'));
  if (byHost !== '') return byHost;
  const address = last(tags, 'peer.address');
  if (typeof address === 'string' && address.trim() !== '') {
    const fromUrl = hostPortOfUrl(address);
    return fromUrl !== '' ? fromUrl : address.trim();
  }
  return '';
}

/** A peer from the URL or `peer.service` when no peer tag is set ('' if none). */
export function fallbackPeerOf(tags: RawTags): string {
  const fromUrl = hostPortOfUrl(last(tags, 'http.url'));
  if (fromUrl !== '') return fromUrl;
  const svc = last(tags, 'peer.service');
  return typeof svc === 'string' ? svc.trim() : '';
}

/**
 * Map a finished OpenTracing span's raw tags onto its SkyWalking fields (runs once, when the
 * segment closes and is encoded, not at every setTag). Explicit settings made earlier (type from
 * span.kind, a peer fixed by inject) are kept.
 */
export function applyOpenTracingTags(span: RecordedSpan, tags: RawTags): void {
  let http = false;
  let db = false;
  let mq = false;
  let dbType = '';
  let destination: unknown;
  let component: unknown;
  for (let i = 0; i < tags.length; i += 2) {
    const key = tags[i] as string;
    const value = tags[i + 1];
    // the tags the mapping consumes (not copied as SkyWalking tags) end their turn here
    switch (key) {
      case 'span.kind': {
        const t = spanTypeOfKind(value);
        if (t !== undefined) span.type = t;
        continue;
      }
      case 'error':
        span.isError = value === true || value === 'true';
        continue;
      case 'component':
        component = value;
        continue;
      case 'message_bus.destination':
        destination = value;
        mq = true;
        continue;
      case 'http.url':
        http = true;
        span.appendTag('url', value);
        continue;
      default:
        break;
    }
    if (key.startsWith('http.')) http = true;
    else if (key.startsWith('db.')) {
      db = true;
      if (key === 'db.type') dbType = safeString(value, 64).toLowerCase();
    }
    span.appendTag(key, value);
  }
  if (span.peer === '') span.peer = peerOf(tags);
  const side = span.type === SpanType.Entry ? 'server' : 'client';
  if (db) {
    span.layer = CACHE_DB_TYPES.has(dbType) ? SpanLayer.Cache : SpanLayer.Database;
    if (span.layer === SpanLayer.Cache && dbType !== '') span.appendTag('cache.type', dbType);
  } else if (mq) {
    span.layer = SpanLayer.MQ;
    span.appendTag('mq.topic', destination);
  } else if (http) {
    span.layer = SpanLayer.Http;
  }
  let id = component !== undefined ? componentId(component, side) : 0;
  if (id === 0 && db && dbType !== '') id = componentId(dbType, side);
  if (id === 0 && http) id = side === 'server' ? 49 : 2;
  span.componentId = id;
  if ((id === 23 || id === 50) && span.layer === SpanLayer.Unknown) span.layer = SpanLayer.RPCFramework;
  if (span.layer === SpanLayer.MQ && span.peer === '') {
    const broker = last(tags, 'mq.broker');
    if (typeof broker === 'string') span.peer = broker;
  }
}
