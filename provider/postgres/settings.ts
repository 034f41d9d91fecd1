/**
 * Database settings with Kong's `KONG_PG_*` meanings and defaults (kong-migrations.md §8), and
 * their two renderings: a `pg` client configuration and Kong's environment variables. Pure.
 */
import type { ClientConfig } from "pg";

export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  /** Empty or undefined: the server's current schema. */
  readonly schema?: string;
  readonly ssl: boolean;
  readonly sslVerify: boolean;
}

export const DATABASE_DEFAULTS = { host: "127.0.0.1", port: 5432, user: "kong", database: "kong", ssl: false, sslVerify: false } as const;

/** The `pg` client configuration Kong's settings describe. */
export function clientConfig(s: DatabaseSettings, timeoutSeconds: number): ClientConfig {
  return {
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    ssl: s.ssl ? { rejectUnauthorized: s.sslVerify } : false,
    connectionTimeoutMillis: timeoutSeconds * 1000,
    statement_timeout: timeoutSeconds * 1000,
    // Client side, for a server that stops answering after authentication; half a second later
    // than the server's own statement_timeout, whose message is clearer when the server is alive.
    query_timeout: timeoutSeconds * 1000 + 500,
    application_name: "pulumi-kong-migrations",
    // An update keeps its connection while Kong runs (`./session.ts`): keep it alive through idle cuts.
    keepAlive: true,
  };
}

/** Kong's environment for these settings (`KONG_PG_SCHEMA` only when set). */
export function kongEnvironment(s: DatabaseSettings): Record<string, string> {
  const env: Record<string, string> = {
    KONG_DATABASE: "postgres",
    KONG_PG_HOST: s.host,
    KONG_PG_PORT: String(s.port),
    KONG_PG_USER: s.user,
    KONG_PG_DATABASE: s.database,
    KONG_PG_SSL: s.ssl ? "on" : "off",
    KONG_PG_SSL_VERIFY: s.sslVerify ? "on" : "off",
  };
  if (s.password !== undefined) env.KONG_PG_PASSWORD = s.password;
  if (s.schema) env.KONG_PG_SCHEMA = s.schema;
  return env;
}
