/**
 * The Kafka reporter's settings are resolved with the rest of the configuration (`src/kafka-config.ts`,
 * below `config.ts`, so that config.ts never imports a reporter); the reporter reads them from here.
 */
export type { KafkaConfig, KafkaProducerSettings } from '../kafka-config';
