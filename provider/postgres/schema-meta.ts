/**
 * Reads Kong's migration bookkeeping (`schema_meta`, `locks`) read-only, in the schema Kong would
 * use: `KONG_PG_SCHEMA`, else the server's current schema, else `public` (kong-migrations.md §1.3).
 */
import type { Client } from "pg";
import type { SchemaMetaRow } from "../kong/state";
import { quoteIdent } from "./quote";
import { connect } from "./connect";
import { locate, type Location } from "./locate";
import type { DatabaseSettings } from "./settings";

/** Who holds Kong's `migrations` cluster mutex, and until when. */
export interface LockHolder {
  readonly owner: string | null;
  /** ISO time at which the lock expires. */
  readonly expiresAt: string | null;
  /** True when the TTL has passed: the next Kong command deletes the row and proceeds. */
  readonly expired: boolean;
}

export interface SchemaMetaSnapshot {
  readonly schema: string;
  /** Undefined when `schema_meta` does not exist (Kong: needs bootstrap). */
  readonly rows: readonly SchemaMetaRow[] | undefined;
  /** Kong < 1.0's `schema_migrations` table exists. */
  readonly legacyTables: boolean;
  readonly lock: LockHolder | undefined;
}

/** Reads the snapshot on an open client in two statements: where (`./locate.ts`), then {@link readSnapshotAt}. */
export async function readSnapshot(client: Client, configuredSchema?: string): Promise<SchemaMetaSnapshot> {
  return readSnapshotAt(client, await locate(client, configuredSchema));
}

/**
 * Reads `schema_meta` and the `migrations` lock together, in one statement, so that both come from
 * one snapshot of the database without a transaction around them.
 */
export async function readSnapshotAt(client: Client, { schema, tables }: Pick<Location, "schema" | "tables">): Promise<SchemaMetaSnapshot> {
  const hasMeta = tables.has("schema_meta");
  const hasLocks = tables.has("locks");
  if (!hasMeta && !hasLocks) return { schema, rows: undefined, legacyTables: tables.has("schema_migrations"), lock: undefined };
  const q = quoteIdent(schema);
  const rowsSql = hasMeta
    ? `(SELECT coalesce(json_agg(json_build_object('key', key, 'subsystem', subsystem, 'last_executed', last_executed,
                                                    'executed', executed, 'pending', pending) ORDER BY subsystem, key), '[]')
          FROM ${q}.schema_meta)`
    : "NULL::json";
  // The lock row, when there is one, joined to the single row of the result.
  const lockSql = hasLocks
    ? `l.owner, l.ttl, l.ttl < CURRENT_TIMESTAMP AS expired, l.key IS NOT NULL AS held FROM (SELECT 1) one LEFT JOIN ${q}.locks l ON l.key = $1`
    : `NULL::text AS owner, NULL::timestamptz AS ttl, NULL::boolean AS expired, $1::text IS NULL AS held`;
  const res = await client.query<{
    meta: SchemaMetaRow[] | null;
    owner: string | null;
    ttl: Date | null;
    expired: boolean | null;
    held: boolean;
  }>(`SELECT ${rowsSql} AS meta, ${lockSql}`, ["migrations"]);
  const r = res.rows[0];
  const rows = hasMeta ? (r.meta ?? []) : undefined;
  const lock: LockHolder | undefined = r.held
    ? { owner: r.owner, expiresAt: r.ttl ? r.ttl.toISOString() : null, expired: r.expired === true }
    : undefined;
  return { schema, rows, legacyTables: !rows && tables.has("schema_migrations"), lock };
}

/** Connects with Kong's settings, reads the snapshot, and always closes the connection. */
export async function observeDatabase(settings: DatabaseSettings, timeoutSeconds: number): Promise<SchemaMetaSnapshot> {
  const client = await connect(settings, timeoutSeconds);
  try {
    return await readSnapshot(client, settings.schema);
  } finally {
    await client.end().catch(() => undefined);
  }
}
