/**
 * What the source database's `schema_meta` says at clone time, in a form a state file and a
 * preview can show: per subsystem the last executed migration, how many ran, and which wait for
 * `finish`; plus a lower bound of the Kong version (from the catalogue). Pure.
 */
import { recordedMigrations } from "../kong/assess";
import { databaseVersionLowerBound } from "../kong/catalogue";
import type { Edition } from "../kong/catalogue-types";
import type { SchemaMetaRow } from "../kong/state";

export interface SubsystemSummary {
  /** `last_executed` as Kong recorded it (null when only a pending migration was recorded). */
  readonly lastExecuted: string | null;
  /** How many distinct migrations are executed. */
  readonly executed: number;
  /** Migrations whose `up` ran and whose teardown waits for `finish`. */
  readonly pending: string[];
}

export interface SourceState {
  /** The schema read (Kong's `pg_schema`, else the server's current schema). */
  readonly schema: string;
  /** Lower bound of the Kong version that wrote the database; `unknown` when nothing catalogued is recorded. */
  readonly databaseVersion: string;
  /** True when some migration waits for `finish` (an upgrade of the source was never finished). */
  readonly hasPending: boolean;
  readonly subsystems: Record<string, SubsystemSummary>;
}

export function summarizeSource(schema: string, rows: readonly SchemaMetaRow[], edition: Edition): SourceState {
  const subsystems: Record<string, SubsystemSummary> = {};
  for (const r of [...rows].sort((a, b) => a.subsystem.localeCompare(b.subsystem))) {
    if (r.key !== "schema_meta") continue;
    subsystems[r.subsystem] = {
      lastExecuted: r.last_executed,
      executed: new Set(r.executed ?? []).size,
      pending: [...new Set(r.pending ?? [])],
    };
  }
  return {
    schema,
    databaseVersion: databaseVersionLowerBound(recordedMigrations(rows), edition) ?? "unknown",
    hasPending: Object.values(subsystems).some((s) => s.pending.length > 0),
    subsystems,
  };
}

/** One line for logs and plans: `Kong >= 2.8.0, 12 subsystems, 96 migrations executed, none pending`. */
export function describeSource(s: SourceState): string {
  const subs = Object.values(s.subsystems);
  const executed = subs.reduce((n, x) => n + x.executed, 0);
  const pending = subs.reduce((n, x) => n + x.pending.length, 0);
  return (
    `Kong >= ${s.databaseVersion}, ${subs.length} subsystem${subs.length === 1 ? "" : "s"}, ` +
    `${executed} migration${executed === 1 ? "" : "s"} executed, ${pending ? `${pending} pending` : "none pending"}`
  );
}
