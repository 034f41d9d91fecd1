/**
 * The SQL side of kong-sim: the statements of Kong's PostgreSQL connector
 * (`kong/db/strategies/postgres/connector.lua`, 2.1.4 = master for these), run through `pg` with
 * values as parameters and identifiers through the project's one `quoteIdent`.
 *
 * Like Kong's connector it (re)connects lazily: a connection is opened on first use and after a
 * timeout or a broken connection; each new connection resolves the schema (KONG_PG_SCHEMA, else
 * `SELECT CURRENT_SCHEMA`, else `public`) and runs Kong's `SET SCHEMA '<schema>'; SET TIME ZONE
 * 'UTC'`. Every failure is thrown as a `DbError` whose message is worded like pgmoon's.
 */
import type { Client, QueryResult } from "pg";
import type { SchemaMetaRow } from "../provider/kong/state";
import type { PgSettings } from "./config";
import { isTimeout, pgErrorText } from "./pg-error";
import { quoteIdent } from "../provider/postgres/quote";

/** A database failure, message in Kong's words (without the `[PostgreSQL error] ` prefix). */
export class DbError extends Error {}

export type RecordState = "executed" | "pending" | "teardown";

/** One statement of a migration transaction. */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
}

export class Connector {
  private client: Client | undefined;
  private schema: string;

  constructor(
    private readonly settings: PgSettings,
    /** Milliseconds for connect and for each query (Kong's `pg_timeout`). */
    private readonly timeoutMs: number,
    private readonly applicationName?: string,
  ) {
    this.schema = settings.schema;
  }

  /** The schema Kong's tables live in (resolved after the first connection). */
  get currentSchema(): string {
    return this.schema;
  }

  private async open(): Promise<Client> {
    // Lazy: `pg` is only loaded by commands that talk to the database.
    const { Client: PgClient } = require("pg") as typeof import("pg");
    const s = this.settings;
    const client = new PgClient({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password ?? "",
      database: s.database,
      ssl: s.ssl ? { rejectUnauthorized: s.sslVerify } : false,
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs,
      application_name: this.applicationName,
    });
    client.on("error", () => {
      // A connection dropped while idle: the next query reconnects.
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connect();
    } catch (e) {
      void client.end().catch(() => undefined);
      throw new DbError(pgErrorText(e));
    }
    try {
      if (this.schema === "") {
        const r = await client.query<{ schema: string | null }>("SELECT CURRENT_SCHEMA AS schema");
        this.schema = r.rows[0]?.schema ?? "public";
      }
      await client.query("SELECT set_config('search_path', $1, false)", [quoteIdent(this.schema)]);
      await client.query("SET TIME ZONE 'UTC'");
    } catch (e) {
      void client.end().catch(() => undefined);
      throw new DbError(pgErrorText(e));
    }
    return client;
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    if (c) void c.end().catch(() => undefined);
  }

  /** One statement; reconnects when there is no live connection. */
  async query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (!this.client) this.client = await this.open();
    try {
      return await this.client.query<R>(sql, params as unknown[] | undefined);
    } catch (e) {
      if (isTimeout(e) || !(e as { severity?: string }).severity) this.drop();
      throw new DbError(pgErrorText(e));
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }

  /** `init`: `SHOW server_version_num`. */
  async serverVersionNum(): Promise<number> {
    const r = await this.query<{ server_version_num: string }>("SHOW server_version_num");
    return Number(r.rows[0]?.server_version_num);
  }

  /** `SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA`. */
  async tableNames(): Promise<string[]> {
    const r = await this.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA",
    );
    return r.rows.map((x) => x.table_name);
  }

  /** `schema_migrations()`: undefined when `schema_meta` is absent (needs bootstrap). */
  async schemaMigrations(): Promise<SchemaMetaRow[] | undefined> {
    const tables = await this.tableNames();
    if (!tables.includes("schema_meta")) return undefined;
    const r = await this.query<SchemaMetaRow>("SELECT key, subsystem, last_executed, executed, pending FROM schema_meta WHERE key = $1", [
      "schema_meta",
    ]);
    return r.rows;
  }

  /** Runs statements in one transaction (`BEGIN; …; COMMIT;`), sending ROLLBACK on failure. */
  async transaction(statements: readonly Statement[]): Promise<void> {
    await this.query("BEGIN");
    try {
      for (const s of statements) await this.query(s.sql, s.params);
      await this.query("COMMIT");
    } catch (e) {
      if (this.client) await this.client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  /** `schema_bootstrap`: schema, `schema_meta`, then `setup_locks`. */
  async schemaBootstrap(): Promise<void> {
    const schema = quoteIdent(this.schema);
    await this.transaction([
      {
        sql:
          `DO $$\nBEGIN\n  CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION CURRENT_USER;\n` +
          `  GRANT ALL ON SCHEMA ${schema} TO CURRENT_USER;\n` +
          `EXCEPTION WHEN insufficient_privilege THEN\n  -- Do nothing, perhaps the schema has been created already\n` +
          `END;\n$$`,
      },
      { sql: "SELECT set_config('search_path', $1, false)", params: [schema] },
    ]);
    await this.query(
      "CREATE TABLE IF NOT EXISTS schema_meta (\n" +
        "  key            TEXT,\n" +
        "  subsystem      TEXT,\n" +
        "  last_executed  TEXT,\n" +
        "  executed       TEXT[],\n" +
        "  pending        TEXT[],\n\n" +
        "  PRIMARY KEY (key, subsystem)\n" +
        ")",
    );
    await this.setupLocks();
  }

  async setupLocks(): Promise<void> {
    await this.transaction([
      { sql: "CREATE TABLE IF NOT EXISTS locks (\n  key    TEXT PRIMARY KEY,\n  owner  TEXT,\n  ttl    TIMESTAMP WITH TIME ZONE\n)" },
      { sql: "CREATE INDEX IF NOT EXISTS locks_ttl_idx ON locks (ttl)" },
    ]);
  }

  /**
   * `insert_lock`: in one transaction, delete expired locks (by the database clock), then insert
   * ours with `ttl` = client clock + `ttlSeconds`. True when our row went in.
   */
  async insertLock(key: string, ttlSeconds: number, owner: string): Promise<boolean> {
    const expires = Number((Date.now() / 1000 + ttlSeconds).toFixed(3));
    let inserted = 0;
    await this.query("BEGIN");
    try {
      await this.query("DELETE FROM locks WHERE ttl < CURRENT_TIMESTAMP AT TIME ZONE 'UTC'");
      const r = await this.query(
        "INSERT INTO locks (key, owner, ttl) VALUES ($1, $2, TO_TIMESTAMP($3::DOUBLE PRECISION) AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING",
        [key, owner, expires],
      );
      inserted = r.rowCount ?? 0;
      await this.query("COMMIT");
    } catch (e) {
      if (this.client) await this.client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
    return inserted === 1;
  }

  /** `read_lock`: is there an unexpired lock row for `key`? */
  async readLock(key: string): Promise<boolean> {
    const r = await this.query("SELECT * FROM locks WHERE key = $1 AND ttl >= CURRENT_TIMESTAMP AT TIME ZONE 'UTC' LIMIT 1", [key]);
    return r.rows.length > 0;
  }

  /** `remove_lock`: only our own row. */
  async removeLock(key: string, owner: string): Promise<void> {
    await this.query(`DELETE FROM ${quoteIdent("locks")} WHERE ${quoteIdent("key")} = $1 AND ${quoteIdent("owner")} = $2`, [key, owner]);
  }

  /** `record_migration`: the three upserts of kong-migrations.md §1.2, verbatim in effect. */
  async recordMigration(subsystem: string, name: string, state: RecordState): Promise<void> {
    const sql = {
      executed:
        "INSERT INTO schema_meta (key, subsystem, last_executed, executed)\n" +
        "     VALUES ($1, $2, $3, ARRAY[$3::TEXT])\n" +
        "ON CONFLICT (key, subsystem) DO UPDATE\n" +
        "        SET last_executed = EXCLUDED.last_executed,\n" +
        "            executed = ARRAY_APPEND(COALESCE(schema_meta.executed, ARRAY[]::TEXT[]), $3::TEXT)",
      pending:
        "INSERT INTO schema_meta (key, subsystem, pending)\n" +
        "     VALUES ($1, $2, ARRAY[$3::TEXT])\n" +
        "ON CONFLICT (key, subsystem) DO UPDATE\n" +
        "        SET pending = ARRAY_APPEND(schema_meta.pending, $3::TEXT)",
      teardown:
        "INSERT INTO schema_meta (key, subsystem, last_executed, executed)\n" +
        "     VALUES ($1, $2, $3, ARRAY[$3::TEXT])\n" +
        "ON CONFLICT (key, subsystem) DO UPDATE\n" +
        "        SET last_executed = EXCLUDED.last_executed,\n" +
        "            executed = ARRAY_APPEND(COALESCE(schema_meta.executed, ARRAY[]::TEXT[]), $3::TEXT),\n" +
        "            pending  = ARRAY_REMOVE(COALESCE(schema_meta.pending,  ARRAY[]::TEXT[]), $3::TEXT)",
    }[state];
    await this.query(sql, ["schema_meta", subsystem, name]);
  }

  /**
   * `reset_schema`: drop and recreate the schema; without the privilege to do so, drop every table
   * of the current schema (Kong's or not) instead.
   */
  async schemaReset(): Promise<void> {
    const tables = (await this.tableNames()).map(quoteIdent);
    const dropTables = tables.length ? `  DROP TABLE IF EXISTS ${tables.join(", ")} CASCADE;\n` : "";
    const schema = quoteIdent(this.schema);
    await this.transaction([
      {
        sql:
          `DO $$\nBEGIN\n  DROP SCHEMA IF EXISTS ${schema} CASCADE;\n` +
          `  CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION CURRENT_USER;\n` +
          `  GRANT ALL ON SCHEMA ${schema} TO CURRENT_USER;\n` +
          `EXCEPTION WHEN insufficient_privilege THEN\n${dropTables}END;\n$$`,
      },
      { sql: "SELECT set_config('search_path', $1, false)", params: [schema] },
    ]);
  }
}
