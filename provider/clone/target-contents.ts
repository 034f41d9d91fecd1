/**
 * What the clone's target database already holds: its relations (tables, views, sequences, ...)
 * outside PostgreSQL's own schemas, read-only. A clone refuses a target that holds any, because
 * `pg_restore --clean` (see `../postgres/pg-tools.ts`) would drop the objects the dump also
 * contains, and because a database someone uses is not a clone target.
 */
import { clientConfig, type DatabaseSettings } from "../postgres/settings";

/** At most this many names are listed in a refusal. */
const LISTED = 5;

export interface TargetContents {
  /** How many relations there are. */
  readonly count: number;
  /** The first few, as `schema.name`, sorted. */
  readonly examples: readonly string[];
  /** `pg_database_size` of the target, bytes. */
  readonly sizeBytes: number;
}

export async function readTargetContents(settings: DatabaseSettings, timeoutSeconds: number): Promise<TargetContents> {
  // Required here, not at module level: the provider is serialized into state (design.md §4).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg") as typeof import("pg");
  const client = new Client(clientConfig(settings, timeoutSeconds));
  client.on("error", () => undefined);
  await client.connect();
  try {
    const rel = await client.query<{ name: string; n: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, count(*) OVER () AS n
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1 LIMIT ${LISTED}`,
    );
    const size = await client.query<{ s: string }>("SELECT pg_database_size(current_database())::text AS s");
    return { count: rel.rows.length ? Number(rel.rows[0].n) : 0, examples: rel.rows.map((r) => r.name), sizeBytes: Number(size.rows[0].s) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The refusal for a non-empty target: the field, what is there, and the next step. */
export function nonEmptyTargetReason(target: Pick<DatabaseSettings, "host" | "port" | "database">, c: TargetContents): string {
  const more = c.count > c.examples.length ? `, ... (${c.count} in all)` : "";
  return (
    `target.database ${target.host}:${target.port}/${target.database} is not empty: it holds ${c.count} ` +
    `relation${c.count === 1 ? "" : "s"} (${c.examples.join(", ")}${more}). A clone never overwrites a database. ` +
    `Give an empty database as target.database (e.g. CREATE DATABASE kong_new OWNER kong, or a new postgresql.Database), ` +
    `or drop that database's contents yourself if nobody needs them; then run pulumi preview again. Nothing was changed.`
  );
}
