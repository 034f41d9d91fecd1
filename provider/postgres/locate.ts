/**
 * Where Kong's bookkeeping is, and what the role may do there, in one read-only statement on
 * `pg_catalog` (which every role can read): the schema Kong would use (`KONG_PG_SCHEMA`, else the
 * server's current schema, else `public`, kong-migrations.md §1.3), which of `schema_meta`, `locks`
 * and `schema_migrations` exist there, and the privileges of `./privileges.ts`.
 *
 * A table counts as present only when the role could see it in `information_schema.tables` (it owns
 * it or holds a privilege on it), the rule the provider used before this statement replaced that view.
 */
import type { Client } from "pg";
import type { SchemaPrivileges } from "./privileges";

export interface Location {
  readonly schema: string;
  /** Kong's bookkeeping tables present in `schema` (of `schema_meta`, `locks`, `schema_migrations`). */
  readonly tables: ReadonlySet<string>;
  readonly privileges: SchemaPrivileges;
}

const TABLES = ["schema_meta", "locks", "schema_migrations"];

const SQL = `
SELECT s.schema,
       n.oid IS NOT NULL AS schema_exists,
       coalesce(has_schema_privilege(n.oid, 'USAGE'), true) AS usage,
       CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE')
            ELSE has_schema_privilege(n.oid, 'CREATE') END AS create,
       m.oid IS NOT NULL AS meta_exists,
       coalesce(has_table_privilege(m.oid, 'SELECT'), true) AS meta_readable,
       coalesce(has_table_privilege(m.oid, 'INSERT') AND has_table_privilege(m.oid, 'UPDATE'), true) AS meta_writable,
       array(SELECT c.relname::text FROM pg_catalog.pg_class c
              WHERE c.relnamespace = n.oid AND c.relname = ANY($2) AND c.relkind IN ('r', 'p', 'v', 'f')
                AND (pg_has_role(c.relowner, 'USAGE')
                     OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))) AS tables
  FROM (SELECT coalesce(nullif($1::text, ''), current_schema(), 'public') AS schema) s
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = s.schema
  LEFT JOIN pg_catalog.pg_class m ON m.relnamespace = n.oid AND m.relname = 'schema_meta' AND m.relkind IN ('r', 'p', 'v', 'f')`;

interface Row {
  schema: string;
  schema_exists: boolean;
  usage: boolean;
  create: boolean;
  meta_exists: boolean;
  meta_readable: boolean;
  meta_writable: boolean;
  tables: string[];
}

export async function locate(client: Client, configuredSchema?: string): Promise<Location> {
  const r = (await client.query<Row>(SQL, [configuredSchema ?? null, TABLES])).rows[0];
  return {
    schema: r.schema,
    tables: new Set(r.tables),
    privileges: {
      schema: r.schema,
      schemaExists: r.schema_exists,
      usage: r.usage,
      create: r.create,
      schemaMetaExists: r.meta_exists,
      schemaMetaReadable: r.meta_readable,
      schemaMetaWritable: r.meta_writable,
    },
  };
}
