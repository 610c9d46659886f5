// Types for postgres.js (plain CommonJS so scripts can run it without a build).
export interface Postgres {
  host: string;
  port: number;
  user: string;
  database: string;
  url: string;
  logPath: string;
  stop(): Promise<void>;
}
export function startPostgres(): Promise<Postgres>;
export function postgresBin(): string | undefined;
