/**
 * kong-sim's configuration, read from the environment the way Kong reads `KONG_*` variables
 * (kong-migrations.md §8), plus the version and edition it impersonates. Pure: env in, config out.
 * Kong reads no `PG*` variables, `~/.pgpass` or config file here: only what is listed below.
 */
import type { Edition } from "../provider/kong/catalogue-types";

export interface PgSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Undefined when KONG_PG_PASSWORD is not set. */
  readonly password?: string;
  readonly database: string;
  /** Empty: use the server's CURRENT_SCHEMA, falling back to `public` (Kong's connector). */
  readonly schema: string;
  readonly ssl: boolean;
  readonly sslVerify: boolean;
  /** KONG_PG_TIMEOUT in milliseconds (default 5000); `--db-timeout` may override it. */
  readonly timeoutMs: number;
}

export interface SimConfig {
  readonly pg: PgSettings;
  /** KONG_SIM_VERSION: the Kong version impersonated. */
  readonly version: string;
  /** KONG_SIM_EDITION: `oss` (default) or `enterprise`. */
  readonly edition: Edition;
  /** KONG_PLUGINS split on commas; undefined when unset or empty (Kong's default, `bundled`). */
  readonly plugins?: readonly string[];
}

/** A configuration problem; printed as Kong prints configuration errors (`Error: <message>`). */
export class ConfigError extends Error {}

/** Kong's boolean parsing: `on`/`true` are true, anything else false. */
function bool(v: string | undefined): boolean {
  return v === "on" || v === "true";
}

function number(env: NodeJS.ProcessEnv, name: string, conf: string, fallback: number, errors: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || raw.trim() === "") {
    errors.push(`${conf} is not a number`);
    return fallback;
  }
  return n;
}

/** Reads the version and edition only (needed before the sub-command is validated). */
export function readTarget(env: NodeJS.ProcessEnv): { version: string; edition: Edition } {
  const version = env.KONG_SIM_VERSION?.trim();
  if (!version) {
    throw new ConfigError("KONG_SIM_VERSION is not set: kong-sim needs the Kong version it impersonates (e.g. KONG_SIM_VERSION=2.1.4)");
  }
  const editionRaw = (env.KONG_SIM_EDITION ?? "").trim() || "oss";
  if (editionRaw !== "oss" && editionRaw !== "enterprise") {
    throw new ConfigError(`KONG_SIM_EDITION must be 'oss' or 'enterprise' (got '${editionRaw}')`);
  }
  return { version, edition: editionRaw };
}

export function readPlugins(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.KONG_PLUGINS;
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

export function readConfig(env: NodeJS.ProcessEnv): SimConfig {
  const { version, edition } = readTarget(env);
  const errors: string[] = [];
  const port = number(env, "KONG_PG_PORT", "pg_port", 5432, errors);
  if (!errors.length && (!Number.isInteger(port) || port < 0 || port > 65535)) errors.push("pg_port must be a valid port");
  const timeoutMs = number(env, "KONG_PG_TIMEOUT", "pg_timeout", 5000, errors);
  if (errors.length) throw new ConfigError(errors.join("\n"));
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v === "" ? fallback : v;
  };
  return {
    version,
    edition,
    plugins: readPlugins(env),
    pg: {
      host: str("KONG_PG_HOST", "127.0.0.1"),
      port,
      user: str("KONG_PG_USER", "kong"),
      password: env.KONG_PG_PASSWORD === undefined || env.KONG_PG_PASSWORD === "" ? undefined : env.KONG_PG_PASSWORD,
      database: str("KONG_PG_DATABASE", "kong"),
      schema: (env.KONG_PG_SCHEMA ?? "").trim(),
      ssl: bool(env.KONG_PG_SSL),
      sslVerify: bool(env.KONG_PG_SSL_VERIFY),
      timeoutMs,
    },
  };
}
