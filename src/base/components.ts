import { COMPONENT_NAMES, COMPONENT_SERVER_NAMES } from './component-names';

/**
 * Component-library ids from the OAP's `component-libraries.yml`. The id decides the component
 * shown on topology edges and the node type of conjectured peers.
 */
export const Component = {
  UNKNOWN: 0,
  HTTP_CLIENT: 2,
  MYSQL: 5,
  REDIS: 7,
  MONGODB: 9,
  POSTGRESQL: 22,
  GRPC: 23,
  ROCKETMQ: 25,
  KAFKA: 27,
  KAFKA_PRODUCER: 40,
  KAFKA_CONSUMER: 41,
  ELASTICSEARCH: 47,
  HTTP: 49,
  RPC: 50,
  RABBITMQ: 51,
  RABBITMQ_PRODUCER: 52,
  RABBITMQ_CONSUMER: 53,
  PULSAR_PRODUCER: 73,
  PULSAR_CONSUMER: 74,
  GRAPHQL: 92,
  NATS: 132,
  AWS_DYNAMODB: 138,
  AWS_SNS: 139,
  AWS_SQS: 140,
  AMQP_PRODUCER: 144,
  AMQP_CONSUMER: 145,
  HTTP_SERVER: 4001,
  EXPRESS: 4002,
  EGG: 4003,
  KOA: 4004,
  AXIOS: 4005,
  MONGOOSE: 4006,
  GO_HTTP_SERVER: 5004,
  GO_HTTP_CLIENT: 5005,
} as const;

/** The component's name as the OAP shows it; `Unknown` for ids we do not know. */
export function componentName(id: number): string {
  return COMPONENT_NAMES[id] ?? 'Unknown';
}

/** Server-side names for client components (the OAP's Component-Server-Mappings). */

/** The node type the OAP gives a conjectured peer reached through this component. */
export function componentServerName(id: number): string {
  return COMPONENT_SERVER_NAMES[id] ?? componentName(id);
}

/** Common library names (OpenTracing `component` tag values, db/messaging systems) to ids. */
const BY_NAME: Record<string, { client: number; server: number }> = {
  http: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  https: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  'node-http': { client: Component.HTTP_CLIENT, server: Component.HTTP },
  httpclient: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  fetch: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  undici: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  request: { client: Component.HTTP_CLIENT, server: Component.HTTP },
  express: { client: Component.EXPRESS, server: Component.EXPRESS },
  koa: { client: Component.KOA, server: Component.KOA },
  egg: { client: Component.EGG, server: Component.EGG },
  axios: { client: Component.AXIOS, server: Component.AXIOS },
  pg: { client: Component.POSTGRESQL, server: Component.POSTGRESQL },
  postgres: { client: Component.POSTGRESQL, server: Component.POSTGRESQL },
  postgresql: { client: Component.POSTGRESQL, server: Component.POSTGRESQL },
  mysql: { client: Component.MYSQL, server: Component.MYSQL },
  mysql2: { client: Component.MYSQL, server: Component.MYSQL },
  mariadb: { client: Component.MYSQL, server: Component.MYSQL },
  redis: { client: Component.REDIS, server: Component.REDIS },
  ioredis: { client: Component.REDIS, server: Component.REDIS },
  mongodb: { client: Component.MONGODB, server: Component.MONGODB },
  mongo: { client: Component.MONGODB, server: Component.MONGODB },
  mongoose: { client: Component.MONGOOSE, server: Component.MONGOOSE },
  grpc: { client: Component.GRPC, server: Component.GRPC },
  'grpc-js': { client: Component.GRPC, server: Component.GRPC },
  kafka: { client: Component.KAFKA_PRODUCER, server: Component.KAFKA_CONSUMER },
  kafkajs: { client: Component.KAFKA_PRODUCER, server: Component.KAFKA_CONSUMER },
  amqp: { client: Component.RABBITMQ_PRODUCER, server: Component.RABBITMQ_CONSUMER },
  amqplib: { client: Component.RABBITMQ_PRODUCER, server: Component.RABBITMQ_CONSUMER },
  rabbitmq: { client: Component.RABBITMQ_PRODUCER, server: Component.RABBITMQ_CONSUMER },
  rocketmq: { client: Component.ROCKETMQ, server: Component.ROCKETMQ },
  pulsar: { client: Component.PULSAR_PRODUCER, server: Component.PULSAR_CONSUMER },
  nats: { client: Component.NATS, server: Component.NATS },
  elasticsearch: { client: Component.ELASTICSEARCH, server: Component.ELASTICSEARCH },
  graphql: { client: Component.GRAPHQL, server: Component.GRAPHQL },
};

/**
 * The component id for a library name (case-insensitive) or a numeric id given as a number or a
 * string of digits. `side` picks the client or server id where they differ (Kafka, RabbitMQ, http).
 * Returns 0 (Unknown) for anything else.
 */
export function componentId(nameOrId: unknown, side: 'client' | 'server' = 'client'): number {
  if (typeof nameOrId === 'number')
    return Number.isInteger(nameOrId) && nameOrId >= 0 && nameOrId < 2 ** 31 ? nameOrId : 0;
  if (typeof nameOrId !== 'string') return 0;
  const s = nameOrId.trim().toLowerCase();
  if (/^\d{1,9}$/.test(s)) return Number(s);
  const hit = BY_NAME[s];
  return hit ? hit[side] : 0;
}
