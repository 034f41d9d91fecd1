/**
 * The privileges Kong's migrations need, checked read-only before a preview shows a plan.
 *
 * Why: `information_schema.tables` lists only tables the role has a privilege on, so a role without
 * access to `schema_meta` would look like an empty database, and the preview would plan a
 * `bootstrap` that fails. And since PostgreSQL 15 no role but the owner may `CREATE` in `public`,
 * so a role that can read everything may still be unable to run `up` (Kong's migrations create
 * tables; `bootstrap` runs `CREATE SCHEMA IF NOT EXISTS … AUTHORIZATION CURRENT_USER`,
 * kong-migrations.md §2.1). Read by `./locate.ts`, with the rest of where Kong's tables are.
 */

export interface SchemaPrivileges {
  /** The schema Kong uses: `database.schema`, else the server's current schema, else `public`. */
  readonly schema: string;
  readonly schemaExists: boolean;
  /** USAGE on the schema (to see anything in it). */
  readonly usage: boolean;
  /** CREATE on the schema, or on the database when the schema does not exist yet (bootstrap creates it). */
  readonly create: boolean;
  /** `schema_meta` exists (whatever the role may do with it). */
  readonly schemaMetaExists: boolean;
  /** SELECT, INSERT and UPDATE on `schema_meta` (Kong reads and upserts it); true when it does not exist. */
  readonly schemaMetaWritable: boolean;
  readonly schemaMetaReadable: boolean;
}

/** What is missing for reading the state at all; undefined when nothing is. */
export function missingForRead(p: SchemaPrivileges, user: string): string | undefined {
  if (!p.usage) return `role "${user}" has no USAGE on schema "${p.schema}"`;
  if (!p.schemaMetaReadable) return `role "${user}" cannot SELECT from "${p.schema}".schema_meta`;
  return undefined;
}

/** What is missing for running a migration step; undefined when nothing is. */
export function missingForWrite(p: SchemaPrivileges, user: string): string | undefined {
  if (!p.create) {
    return p.schemaExists
      ? `role "${user}" has no CREATE on schema "${p.schema}" (Kong's migrations create tables there)`
      : `schema "${p.schema}" does not exist and role "${user}" may not create it (no CREATE on the database)`;
  }
  if (!p.schemaMetaWritable) return `role "${user}" cannot INSERT and UPDATE "${p.schema}".schema_meta`;
  return undefined;
}
