/**
 * The read-only reader of Kong's bookkeeping, against real PostgreSQL tables laid out as Kong's
 * connector creates them (kong-migrations.md §1.1, §1.4).
 */
import { strict as assert } from "node:assert";
import { quoteIdent } from "../../provider/postgres/quote";
import { observeDatabase } from "../../provider/postgres/schema-meta";
import { query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";

const settings = (db: TestDatabase, schema?: string) => ({ ...db, ...(schema ? { schema } : {}), ssl: false, sslVerify: false });

async function kongTables(db: TestDatabase, schema: string) {
  await query(db, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await query(
    db,
    `CREATE TABLE ${quoteIdent(schema)}.schema_meta (key TEXT, subsystem TEXT, last_executed TEXT, executed TEXT[], pending TEXT[], PRIMARY KEY (key, subsystem))`,
  );
  await query(db, `CREATE TABLE ${quoteIdent(schema)}.locks (key TEXT PRIMARY KEY, owner TEXT, ttl TIMESTAMP WITH TIME ZONE)`);
}

describe("schema_meta / locks reader (real PostgreSQL)", () => {
  const db = useFreshDatabase();

  it("no schema_meta: rows undefined (needs bootstrap), no lock, no legacy tables", async () => {
    assert.deepEqual(await observeDatabase(settings(db()), 5), { schema: "public", rows: undefined, legacyTables: false, lock: undefined });
  });

  it("an existing empty schema_meta is not 'needs bootstrap'", async () => {
    await kongTables(db(), "public");
    assert.deepEqual((await observeDatabase(settings(db()), 5)).rows, []);
  });

  it("Kong < 1.0's schema_migrations without schema_meta is reported as legacy", async () => {
    await query(db(), "CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, migrations TEXT[])");
    assert.equal((await observeDatabase(settings(db()), 5)).legacyTables, true);
  });

  it("reads rows as stored (NULL arrays, other keys) from the configured schema only", async () => {
    await kongTables(db(), "kong one");
    await kongTables(db(), "public");
    await query(
      db(),
      `INSERT INTO "kong one".schema_meta VALUES ('schema_meta', 'core', NULL, NULL, '{009_200_to_210}'), ('other', 'core', 'x', '{x}', NULL)`,
    );
    await query(db(), `INSERT INTO public.schema_meta VALUES ('schema_meta', 'core', '000_base', '{000_base}', NULL)`);
    const snap = await observeDatabase(settings(db(), "kong one"), 5);
    assert.equal(snap.schema, "kong one");
    assert.deepEqual(snap.rows, [
      { key: "other", subsystem: "core", last_executed: "x", executed: ["x"], pending: null },
      { key: "schema_meta", subsystem: "core", last_executed: null, executed: null, pending: ["009_200_to_210"] },
    ]);
  });

  it("uses the server's current schema when none is configured", async () => {
    await kongTables(db(), "kongs");
    await query(db(), `ALTER DATABASE ${db().database} SET search_path TO kongs`);
    assert.equal((await observeDatabase(settings(db()), 5)).schema, "kongs");
  });

  it("reports who holds Kong's migrations lock and until when, and whether it expired", async () => {
    await kongTables(db(), "public");
    await query(
      db(),
      "INSERT INTO locks VALUES ('migrations', 'node-1', '2099-01-01T00:00:00Z'), ('other', 'node-2', '2099-01-01T00:00:00Z')",
    );
    assert.deepEqual((await observeDatabase(settings(db()), 5)).lock, {
      owner: "node-1",
      expiresAt: "2099-01-01T00:00:00.000Z",
      expired: false,
    });
    await query(db(), "UPDATE locks SET ttl = '2000-01-01T00:00:00Z' WHERE key = 'migrations'");
    assert.deepEqual((await observeDatabase(settings(db()), 5)).lock, {
      owner: "node-1",
      expiresAt: "2000-01-01T00:00:00.000Z",
      expired: true,
    });
  });
});
