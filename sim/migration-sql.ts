/**
 * kong-sim's SQL model: what each migration really does to the database, chosen so that
 * compatibility between a database and a Kong version can be checked from the tables alone.
 * Pure: catalogue in, SQL text and table names out.
 *
 * - Every migration `m` of subsystem `s` owns one table, named `ksim/<s>/<m>` (quoted; `/` occurs
 *   in no subsystem or migration name, so the name is unambiguous). Names longer than PostgreSQL's
 *   63-byte identifier limit keep their first 50 characters plus `~` and 12 hex digits of the
 *   SHA-256 of the full name.
 * - `up` creates the table: `CREATE TABLE IF NOT EXISTS … (id INTEGER PRIMARY KEY)`. Re-entrant,
 *   like Kong's migration SQL, so a re-run after a crash between SQL and bookkeeping succeeds.
 * - A migration with a teardown (Kong: recorded pending by `up`, finished by `finish`) drops, in its
 *   teardown, the table of the migration before it in the same subsystem: the thing the previous
 *   Kong version still reads. A teardown migration that is first in its subsystem drops nothing.
 * - A Kong version therefore *reads* the table of each migration it knows, except a migration
 *   followed (in that version's list) by a teardown migration: that newer version no longer needs
 *   it. `check-compat` verifies exactly this set, plus `schema_meta` and `locks`.
 *
 * Consequence (the blue/green story): after `up` to a newer version the old version's tables are
 * all still there (old cluster keeps working) and the new ones exist too; `finish` drops the old
 * version's last tables, so the old version fails `check-compat` from then on.
 */
import { createHash } from "node:crypto";
import type { Subsystem } from "../provider/kong/catalogue-types";
import { quoteIdent } from "../provider/postgres/quote";

const MAX_IDENTIFIER = 63;

/** The table owned by migration `name` of `subsystem`. */
export function migrationTable(subsystem: string, name: string): string {
  const full = `ksim/${subsystem}/${name}`;
  if (Buffer.byteLength(full) <= MAX_IDENTIFIER) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 12);
  return `${full.slice(0, 50)}~${hash}`;
}

/** The migration before `name` in `subsystem`'s list, if any. */
function predecessor(known: readonly Subsystem[], subsystem: string, name: string): string | undefined {
  const list = known.find((s) => s.subsystem === subsystem)?.migrations ?? [];
  const i = list.findIndex((m) => m.name === name);
  return i > 0 ? list[i - 1].name : undefined;
}

/** Statements of the `up` part (run inside BEGIN/COMMIT by the runner). */
export function upStatements(subsystem: string, name: string): string[] {
  return [`CREATE TABLE IF NOT EXISTS ${quoteIdent(migrationTable(subsystem, name))} (id INTEGER PRIMARY KEY)`];
}

/** Statements of the `teardown` part: drop the predecessor's table (nothing for a first migration). */
export function teardownStatements(known: readonly Subsystem[], subsystem: string, name: string): string[] {
  const prev = predecessor(known, subsystem, name);
  return prev === undefined ? [] : [`DROP TABLE IF EXISTS ${quoteIdent(migrationTable(subsystem, prev))}`];
}

/** One table a Kong version needs, and why. */
export interface ReadTable {
  readonly table: string;
  readonly subsystem?: string;
  readonly migration?: string;
}

/** Everything a Kong version with these subsystems reads (see the module comment). */
export function tablesRead(known: readonly Subsystem[]): ReadTable[] {
  const out: ReadTable[] = [{ table: "schema_meta" }, { table: "locks" }];
  for (const s of known) {
    s.migrations.forEach((m, i) => {
      const next = s.migrations[i + 1];
      if (next?.teardown) return;
      out.push({ table: migrationTable(s.subsystem, m.name), subsystem: s.subsystem, migration: m.name });
    });
  }
  return out;
}

/** The statement a `KONG_SIM_FAIL_AT` step runs: a real error raised by the server. */
export const FAIL_STATEMENT = "SELECT 1/0 AS kong_sim_fail_at";
/** The statement a `KONG_SIM_SLEEP_SECONDS` step runs (one parameter: seconds). */
export const SLEEP_STATEMENT = "SELECT pg_sleep($1::double precision)";
