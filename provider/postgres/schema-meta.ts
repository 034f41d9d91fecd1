/**
 * Reads Kong's migration bookkeeping (`schema_meta`, `locks`) read-only, in the schema Kong would
 * use: `KONG_PG_SCHEMA`, else the server's current schema, else `public` (kong-migrations.md §1.3).
 */
import type { Client } from "pg";
import type { SchemaMetaRow } from "../kong/state";
import { quoteIdent } from "./quote";
import { clientConfig, type DatabaseSettings } from "./settings";

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

async function tablesIn(client: Client, schema: string): Promise<Set<string>> {
  const res = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)",
    [schema, ["schema_meta", "locks", "schema_migrations"]],
  );
  return new Set(res.rows.map((r) => r.table_name));
}

/** Reads the snapshot inside a READ ONLY transaction on an open client. */
export async function readSnapshot(client: Client, configuredSchema?: string): Promise<SchemaMetaSnapshot> {
  await client.query("BEGIN TRANSACTION READ ONLY");
  try {
    const schema = configuredSchema || (await client.query<{ s: string | null }>("SELECT current_schema() AS s")).rows[0].s || "public";
    const tables = await tablesIn(client, schema);
    const q = quoteIdent(schema);
    const rows = tables.has("schema_meta")
      ? (
          await client.query<SchemaMetaRow>(
            `SELECT key, subsystem, last_executed, executed, pending FROM ${q}.schema_meta ORDER BY subsystem, key`,
          )
        ).rows
      : undefined;
    let lock: LockHolder | undefined;
    if (tables.has("locks")) {
      const res = await client.query<{ owner: string | null; ttl: Date | null; expired: boolean | null }>(
        `SELECT owner, ttl, ttl < CURRENT_TIMESTAMP AS expired FROM ${q}.locks WHERE key = $1`,
        ["migrations"],
      );
      const r = res.rows[0];
      if (r) lock = { owner: r.owner, expiresAt: r.ttl ? r.ttl.toISOString() : null, expired: r.expired === true };
    }
    return { schema, rows, legacyTables: !rows && tables.has("schema_migrations"), lock };
  } finally {
    await client.query("COMMIT");
  }
}

/** Connects with Kong's settings, reads the snapshot, and always closes the connection. */
export async function observeDatabase(settings: DatabaseSettings, timeoutSeconds: number): Promise<SchemaMetaSnapshot> {
  // Required here, not at module level: the provider is serialized into state (design.md §4).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg") as typeof import("pg");
  const client = new Client(clientConfig(settings, timeoutSeconds));
  client.on("error", () => undefined); // a dropped connection surfaces through the pending query
  await client.connect();
  try {
    return await readSnapshot(client, settings.schema);
  } finally {
    await client.end();
  }
}
