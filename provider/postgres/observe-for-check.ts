/**
 * The read-only look at Kong's database that `check` (preview) takes: bounded in time, and with
 * failures classified (`./db-errors.ts`) instead of swallowed.
 *
 * The connect bound is Kong's own default `pg_timeout` (5 s, kong-migrations.md §8) or
 * `dbTimeoutSeconds` when smaller: `pg`'s `connectionTimeoutMillis` covers TCP, TLS and the
 * authentication exchange (it is cleared at the first ReadyForQuery), so a server that accepts the
 * connection and never answers costs at most that, not a hung preview. The same bound applies to
 * each statement (server side) and to each answer (client side, `./connect.ts`). One connection,
 * two statements: where and what may be done (`./locate.ts`), then the state.
 */
import { classifyDatabaseError, type DatabaseProblem } from "./db-errors";
import { locate } from "./locate";
import { missingForRead, type SchemaPrivileges } from "./privileges";
import { readSnapshotAt, type SchemaMetaSnapshot } from "./schema-meta";
import type { Client } from "pg";
import { connect } from "./connect";
import type { DatabaseSettings } from "./settings";

export const CHECK_CONNECT_TIMEOUT_SECONDS = 5;

export type CheckObservation =
  | { readonly ok: true; readonly snapshot: SchemaMetaSnapshot; readonly privileges: SchemaPrivileges }
  | { readonly ok: false; readonly problem: DatabaseProblem };

export async function observeForCheck(settings: DatabaseSettings, dbTimeoutSeconds: number): Promise<CheckObservation> {
  const timeout = Math.min(dbTimeoutSeconds, CHECK_CONNECT_TIMEOUT_SECONDS);
  let client: Client;
  try {
    client = await connect(settings, timeout);
  } catch (e) {
    return { ok: false, problem: classifyDatabaseError(e, settings, timeout) };
  }
  try {
    const location = await locate(client, settings.schema);
    const privileges = location.privileges;
    const missing = missingForRead(privileges, settings.user);
    if (missing) {
      return {
        ok: false,
        problem: {
          kind: "definite",
          property: settings.schema ? "database.schema" : "database.user",
          reason:
            `Cannot read Kong's migration state at ${settings.host}:${settings.port}/${settings.database}: ${missing}. ` +
            `Grant it (GRANT USAGE, CREATE ON SCHEMA "${privileges.schema}" TO "${settings.user}"; GRANT SELECT, INSERT, ` +
            `UPDATE ON ALL TABLES IN SCHEMA "${privileges.schema}" TO "${settings.user}"), or use the role that owns Kong's tables.`,
        },
      };
    }
    return { ok: true, snapshot: await readSnapshotAt(client, location), privileges };
  } catch (e) {
    return { ok: false, problem: classifyDatabaseError(e, settings, timeout) };
  } finally {
    // Not awaited: the answer is read, and waiting for the server's goodbye costs every check ~4 ms.
    void client.end().catch(() => undefined);
  }
}
