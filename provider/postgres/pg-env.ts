/**
 * How libpq-based tools (`pg_dump`, `pg_restore`, `psql`) are pointed at a database: libpq's
 * environment variables (PostgreSQL docs, "libpq: Environment Variables"), never arguments, so the
 * connection settings stay out of `ps` output and the password can go through a password file.
 * Pure.
 */
import type { DatabaseSettings } from "./settings";

/**
 * libpq's `sslmode` for Kong's `pg_ssl`/`pg_ssl_verify`. `verify-full` matches what the `pg`
 * client does with `rejectUnauthorized: true` (certificate chain and host name are checked).
 */
export function sslMode(s: Pick<DatabaseSettings, "ssl" | "sslVerify">): "disable" | "require" | "verify-full" {
  if (!s.ssl) return "disable";
  return s.sslVerify ? "verify-full" : "require";
}

/** `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGSSLMODE` for the settings. Never the password. */
export function pgEnvironment(s: Omit<DatabaseSettings, "password">): Record<string, string> {
  return {
    PGHOST: s.host,
    PGPORT: String(s.port),
    PGUSER: s.user,
    PGDATABASE: s.database,
    PGSSLMODE: sslMode(s),
    // Names the connection in pg_stat_activity, like the provider's own `pg` client does.
    PGAPPNAME: "pulumi-kong-migrations",
  };
}

/**
 * The same variables from Kong's `KONG_PG_*` environment, for a container that gets Kong's
 * settings (`kongEnvironment` plus the runner's overrides, e.g. an in-cluster `KONG_PG_HOST`).
 */
export function pgEnvironmentFromKong(kong: Readonly<Record<string, string>>): Record<string, string> {
  const on = (v: string | undefined) => v === "on" || v === "true";
  return pgEnvironment({
    host: kong.KONG_PG_HOST ?? "127.0.0.1",
    port: Number(kong.KONG_PG_PORT ?? 5432),
    user: kong.KONG_PG_USER ?? "kong",
    database: kong.KONG_PG_DATABASE ?? "kong",
    ssl: on(kong.KONG_PG_SSL),
    sslVerify: on(kong.KONG_PG_SSL_VERIFY),
  });
}

/**
 * One `.pgpass` line matching any host, port, database and user, with the password escaped as
 * libpq reads it (`\` and `:` are backslash-escaped; PostgreSQL docs, "The Password File").
 */
export function passfileLine(password: string): string {
  if (/[\r\n]/.test(password)) throw new Error("the database password contains a line break, which a password file cannot hold");
  return `*:*:*:*:${password.replace(/\\/g, "\\\\").replace(/:/g, "\\:")}\n`;
}

/** Inherited variables that would silently redirect a tool to another server or credentials. */
export function withoutLibpqVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith("PG")) out[k] = v;
  return out;
}
