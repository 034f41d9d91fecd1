/**
 * What a failure to reach or read Kong's database means for a preview, from the error `pg` (or
 * Node's socket and TLS layers) gave. Pure: error in, verdict out.
 *
 * Only an unreachable server is a reason to plan from the catalogue instead (the database may come
 * up before `pulumi up`, e.g. when it is created in the same deployment). Everything else is a
 * definite answer from the server that `kong migrations` would get too: a wrong password, a missing
 * database, a missing privilege, a TLS mismatch. Those fail `check` naming the `database.*` input
 * and the fix, so a preview is never green while the deployment is bound to fail.
 *
 * SQLSTATE codes: PostgreSQL Appendix A (28P01 invalid_password, 28000
 * invalid_authorization_specification, 3D000 invalid_catalog_name, 3F000 invalid_schema_name,
 * 42501 insufficient_privilege, 53300 too_many_connections, 57P03 cannot_connect_now).
 */
import { redact } from "../runners/types";
import type { DatabaseSettings } from "./settings";

/** The server could not be reached or did not answer: plan from the catalogue, and warn. */
export interface Unreachable {
  readonly kind: "unreachable";
  /** One line: what happened (`connection refused`, `no answer within 5 s`, `host not found`). */
  readonly detail: string;
}

/** The server answered, and the answer means `kong migrations` would fail too: fail `check`. */
export interface Definite {
  readonly kind: "definite";
  /** The input to fix, e.g. `database.password`. */
  readonly property: string;
  readonly reason: string;
}

export type DatabaseProblem = Unreachable | Definite;

/** Socket-level error codes that mean "nobody answered here (now)". */
const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EHOSTDOWN: "host down",
  ENOTFOUND: "host name not found (DNS)",
  EAI_AGAIN: "host name lookup failed, temporarily (DNS)",
  // The server exists but cannot take this connection now: as good as unreachable for planning.
  "53300": "the server has no free connection slot (too_many_connections)",
  "57P03": "the server is starting up or shutting down (cannot_connect_now)",
};

/** Node's TLS verification failures (`err.code`): the server's certificate is not trusted. */
const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface PgLikeError {
  readonly code?: string;
  readonly message?: string;
}

function where(s: DatabaseSettings): string {
  return `${s.host}:${s.port}/${s.database}`;
}

/**
 * Classifies `e`, thrown while connecting to or reading `settings`' database. `timeoutSeconds` is
 * the connect bound used (for the message). The password never appears in the result.
 */
export function classifyDatabaseError(e: unknown, settings: DatabaseSettings, timeoutSeconds: number): DatabaseProblem {
  const err = (e ?? {}) as PgLikeError;
  const secrets = settings.password ? [settings.password] : [];
  const text = redact(err.message ?? String(e), secrets);
  const code = err.code ?? "";
  const at = where(settings);
  const pgSays = `PostgreSQL at ${at} says: ${text}${code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ""}`;

  if (UNREACHABLE_CODES[code]) return { kind: "unreachable", detail: `${UNREACHABLE_CODES[code]}: ${text}` };
  // pg's connect and answer bounds (`connectionTimeoutMillis`, `query_timeout`: "Query read timeout"),
  // the server's statement_timeout (57014, e.g. behind a lock on schema_meta), a socket closed mid-startup.
  if (code === "57014" || /timeout expired|connection timeout|Query read timeout|Connection terminated unexpectedly/i.test(text)) {
    return { kind: "unreachable", detail: `no answer from ${settings.host}:${settings.port} within ${timeoutSeconds} s (${text})` };
  }
  if (/does not support SSL connections/i.test(text)) {
    return {
      kind: "definite",
      property: "database.ssl",
      reason:
        `database.ssl is true, but ${pgSays}. Set database.ssl to false (KONG_PG_SSL=off), or enable TLS on the ` +
        `server (ssl = on in postgresql.conf).`,
    };
  }
  if (CERT_CODES.has(code) || /certificate|self[- ]signed/i.test(text)) {
    return {
      kind: "definite",
      property: "database.sslVerify",
      reason:
        `database.sslVerify is true, but the server's TLS certificate is not trusted (${code || "TLS"}: ${text}). ` +
        `Give the provider process a CA that signs it (NODE_EXTRA_CA_CERTS; Kong: lua_ssl_trusted_certificate), ` +
        `fix the certificate's host name, or set database.sslVerify to false.`,
    };
  }
  if (code === "28P01") {
    return {
      kind: "definite",
      property: "database.password",
      reason:
        `${pgSays}. Password authentication failed for role "${settings.user}": set database.password to that ` +
        `role's password (as a secret, e.g. pulumi config set --secret), or fix database.user (PostgreSQL gives the ` +
        `same answer for a role that does not exist). Nothing was run.`,
    };
  }
  if (code === "28000") {
    const ssl = /SSL off|no encryption/i.test(text) && !settings.ssl;
    return ssl
      ? {
          kind: "definite",
          property: "database.ssl",
          reason: `${pgSays}. The server accepts this role only over TLS: set database.ssl to true (KONG_PG_SSL=on).`,
        }
      : {
          kind: "definite",
          property: "database.user",
          reason:
            `${pgSays}. The server does not let role "${settings.user}" connect to database "${settings.database}" ` +
            `from here: fix database.user, or add a pg_hba.conf line for it (e.g. host ${settings.database} ` +
            `${settings.user} <this host>/32 scram-sha-256) and reload PostgreSQL.`,
        };
  }
  if (code === "3D000") {
    return {
      kind: "definite",
      property: "database.database",
      reason:
        `${pgSays}. Kong does not create the database: create it (CREATE DATABASE "${settings.database}" OWNER ` +
        `"${settings.user}"), or fix database.database. Nothing was run.`,
    };
  }
  if (code === "3F000") {
    return {
      kind: "definite",
      property: "database.schema",
      reason: `${pgSays}. Create the schema (CREATE SCHEMA "${settings.schema ?? ""}" AUTHORIZATION "${settings.user}"), or fix database.schema.`,
    };
  }
  if (code === "42501") {
    return {
      kind: "definite",
      property: settings.schema ? "database.schema" : "database.user",
      reason:
        `${pgSays}. Role "${settings.user}" lacks a privilege Kong needs on its tables: grant it (e.g. GRANT USAGE, ` +
        `CREATE ON SCHEMA ... TO "${settings.user}", or make the role the owner of Kong's schema and tables), or ` +
        `use the role that owns them.`,
    };
  }
  return {
    kind: "definite",
    property: "database",
    reason: `Reading Kong's migration state failed: ${pgSays}. Fix the database settings or the server, then preview again.`,
  };
}
