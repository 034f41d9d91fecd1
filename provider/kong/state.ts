/**
 * Kong's schema state, computed exactly as `kong/db/migrations/state.lua` (`State.load`) does, plus
 * what Kong itself does not detect: a database newer than the target. Pure: rows in, state out.
 * Reference: kong-migrations.md §1.1-1.3 and §4.
 */
import type { Subsystem } from "./catalogue-types";

/** One `schema_meta` row as PostgreSQL returns it (arrays may be NULL). */
export interface SchemaMetaRow {
  readonly key: string;
  readonly subsystem: string;
  readonly last_executed: string | null;
  readonly executed: readonly string[] | null;
  readonly pending: readonly string[] | null;
}

/** Migration names per subsystem; only subsystems with at least one name appear. */
export type MigrationsBySubsystem = Readonly<Record<string, readonly string[]>>;

export interface SchemaState {
  /** True only when `schema_meta` does not exist (an empty table is not "needs bootstrap"). */
  readonly needsBootstrap: boolean;
  /** Known migrations recorded as executed (in catalogue order). */
  readonly executed: MigrationsBySubsystem;
  /** Known migrations whose `up` ran and whose teardown waits for `finish`. */
  readonly pending: MigrationsBySubsystem;
  /** Known migrations the database has not run. */
  readonly new: MigrationsBySubsystem;
  /** Kong's "missing": `last_executed` names a known migration found in neither array. */
  readonly missing: MigrationsBySubsystem;
  /**
   * Names recorded in the database (executed or pending) that the reference catalogue does not
   * have for a subsystem it knows: the database is newer than the target. Kong ignores these.
   */
  readonly unknown: MigrationsBySubsystem;
}

function add(into: Record<string, string[]>, subsystem: string, name: string): void {
  (into[subsystem] ??= []).push(name);
}

/**
 * Computes the state of a database relative to the migrations a target knows.
 *
 * @param rows the `schema_meta` rows, or undefined when the table does not exist
 * @param known the target's migrations (catalogue order: core first)
 * @param reference migrations used to detect names unknown to the target; defaults to `known`.
 *   Pass the target version's catalogue with every plugin, so that rows of plugins left out of
 *   `KONG_PLUGINS` are not mistaken for a newer database.
 */
export function computeState(
  rows: readonly SchemaMetaRow[] | undefined,
  known: readonly Subsystem[],
  reference: readonly Subsystem[] = known,
): SchemaState {
  const executed: Record<string, string[]> = {};
  const pending: Record<string, string[]> = {};
  const fresh: Record<string, string[]> = {};
  const missing: Record<string, string[]> = {};
  const unknown: Record<string, string[]> = {};
  if (rows === undefined) {
    for (const s of known) for (const m of s.migrations) add(fresh, s.subsystem, m.name);
    return { needsBootstrap: true, executed, pending, new: fresh, missing, unknown };
  }
  // Kong reads only key = 'schema_meta'; a later row for the same subsystem would win in Lua's table.
  const bySubsystem = new Map<string, SchemaMetaRow>();
  for (const r of rows) if (r.key === "schema_meta") bySubsystem.set(r.subsystem, r);

  for (const s of known) {
    const row = bySubsystem.get(s.subsystem);
    const done = new Set(row?.executed ?? []);
    const waiting = new Set(row?.pending ?? []);
    for (const { name } of s.migrations) {
      if (!row) add(fresh, s.subsystem, name);
      else if (done.has(name)) add(executed, s.subsystem, name);
      else if (waiting.has(name)) add(pending, s.subsystem, name);
      else if (row.last_executed === name) add(missing, s.subsystem, name);
      else add(fresh, s.subsystem, name);
    }
  }
  for (const s of reference) {
    const row = bySubsystem.get(s.subsystem);
    if (!row) continue;
    const names = new Set(s.migrations.map((m) => m.name));
    const seen = new Set<string>();
    for (const name of [...(row.executed ?? []), ...(row.pending ?? [])]) {
      if (!names.has(name) && !seen.has(name)) add(unknown, s.subsystem, name);
      seen.add(name);
    }
  }
  return { needsBootstrap: false, executed, pending, new: fresh, missing, unknown };
}

/** Number of names across subsystems. */
export function countMigrations(m: MigrationsBySubsystem): number {
  return Object.values(m).reduce((n, names) => n + names.length, 0);
}

/** Kong's `is_up_to_date`: bootstrapped and nothing new. */
export function isUpToDate(state: SchemaState): boolean {
  return !state.needsBootstrap && countMigrations(state.new) === 0;
}
