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
 *   The `000_base` of `core` and `enterprise` also create the entity and workspace tables that
 *   `migrate-community-to-enterprise` rewrites (`entities.ts`).
 * - A migration with a teardown (Kong: recorded pending by `up`, finished by `finish`) drops, in its
 *   teardown, the table of the nearest migration before it in the same subsystem that a release
 *   older than the one introducing it already had: the thing the previous Kong version still reads. The target is fixed
 *   by the migration, not by the release that runs it, because Kong's lists change over time: 2.0.0
 *   removed the 1.x-only `001_14_to_15` (whose teardown, run by a 1.x bootstrap, dropped
 *   `000_base`'s table), and Enterprise lists insert names in the middle (`010_1500_to_2100` before
 *   `007_1500_to_1504`). A teardown migration that is first in its subsystem drops nothing.
 * - A Kong version therefore *reads* the table of each migration it knows, except a table that a
 *   teardown introduced at or before that version drops (retired migrations included): that version
 *   no longer needs it. `check-compat` verifies exactly this set, plus `schema_meta` and `locks`.
 *
 * Consequence (the blue/green story): after `up` to a newer version the old version's tables are
 * all still there (old cluster keeps working) and the new ones exist too; `finish` drops the old
 * version's last tables, so the old version fails `check-compat` from then on.
 */
import { createHash } from "node:crypto";
import { introducedIn, knownMigrations } from "../provider/kong/catalogue";
import type { KongTarget, Subsystem } from "../provider/kong/catalogue-types";
import { compareVersions } from "../provider/kong/version";
import { quoteIdent } from "../provider/postgres/quote";
import { entityTableStatements } from "./entities";

const MAX_IDENTIFIER = 63;

/** The table owned by migration `name` of `subsystem`. */
export function migrationTable(subsystem: string, name: string): string {
  const full = `ksim/${subsystem}/${name}`;
  if (Buffer.byteLength(full) <= MAX_IDENTIFIER) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 12);
  return `${full.slice(0, 50)}~${hash}`;
}

/**
 * Every migration a release's ancestry introduced, retired ones included (`knownMigrations` with
 * `plugins: ["all"]`), in Kong's list order, and the release that introduced each. What fixes a
 * teardown's target whichever later release runs it. For a release the catalogue does not know,
 * `introducedIn` answers undefined and the release's own list stands in (`lineageOfList`).
 */
export interface Lineage {
  readonly subsystems: readonly Subsystem[];
  introducedIn(subsystem: string, name: string): string | undefined;
}

/** The catalogued release's lineage. Throws like `knownMigrations` for a release it does not know. */
export function lineageOf(target: KongTarget): Lineage {
  return {
    subsystems: knownMigrations({ ...target, plugins: ["all"] }),
    introducedIn: (subsystem, name) => introducedIn(target.edition, subsystem, name),
  };
}

/** A lineage from a release's own list alone: each teardown drops its predecessor in that list. */
export function lineageOfList(known: readonly Subsystem[]): Lineage {
  return { subsystems: known, introducedIn: () => undefined };
}

/**
 * The migration whose table `name`'s teardown drops: the nearest one before it in Kong's list that
 * a release older than the one introducing `name` already had (what that older release reads; a
 * name introduced by the same release is no older release's concern).
 */
function dropTarget(lineage: Lineage, subsystem: string, name: string): string | undefined {
  const list = lineage.subsystems.find((s) => s.subsystem === subsystem)?.migrations ?? [];
  const i = list.findIndex((m) => m.name === name);
  const since = lineage.introducedIn(subsystem, name);
  for (let j = i - 1; j >= 0; j--) {
    const earlier = lineage.introducedIn(subsystem, list[j].name);
    if (since === undefined || earlier === undefined || compareVersions(earlier, since) < 0) return list[j].name;
  }
  return undefined;
}

/** Statements of the `up` part (run inside BEGIN/COMMIT by the runner). */
export function upStatements(subsystem: string, name: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(migrationTable(subsystem, name))} (id INTEGER PRIMARY KEY)`,
    ...entityTableStatements(subsystem, name),
  ];
}

/** The table `name`'s teardown drops (undefined for a first migration). */
export function teardownDrops(lineage: Lineage, subsystem: string, name: string): string | undefined {
  const target = dropTarget(lineage, subsystem, name);
  return target === undefined ? undefined : migrationTable(subsystem, target);
}

/** Statements of the `teardown` part: drop the target's table (nothing for a first migration). */
export function teardownStatements(lineage: Lineage, subsystem: string, name: string): string[] {
  const table = teardownDrops(lineage, subsystem, name);
  return table === undefined ? [] : [`DROP TABLE IF EXISTS ${quoteIdent(table)}`];
}

/** One table a Kong version needs, and why. */
export interface ReadTable {
  readonly table: string;
  readonly subsystem?: string;
  readonly migration?: string;
}

/**
 * Everything a Kong version reads (see the module comment): `known` is its list, `lineage` its
 * ancestry (`Lineage`).
 */
export function tablesRead(known: readonly Subsystem[], lineage: Lineage = lineageOfList(known)): ReadTable[] {
  const out: ReadTable[] = [{ table: "schema_meta" }, { table: "locks" }];
  for (const s of known) {
    const dropped = new Set<string>();
    for (const m of lineage.subsystems.find((l) => l.subsystem === s.subsystem)?.migrations ?? s.migrations) {
      const target = m.teardown ? dropTarget(lineage, s.subsystem, m.name) : undefined;
      if (target !== undefined) dropped.add(target);
    }
    for (const m of s.migrations) {
      if (!dropped.has(m.name)) out.push({ table: migrationTable(s.subsystem, m.name), subsystem: s.subsystem, migration: m.name });
    }
  }
  return out;
}

/** The statement a `KONG_SIM_FAIL_AT` step runs: a real error raised by the server. */
export const FAIL_STATEMENT = "SELECT 1/0 AS kong_sim_fail_at";
/** The statement a `KONG_SIM_SLEEP_SECONDS` step runs (one parameter: seconds). */
export const SLEEP_STATEMENT = "SELECT pg_sleep($1::double precision)";
