/**
 * From a `schema_meta` snapshot and the desired target to the observed state and the plan. Pure.
 */
import { databaseVersionLowerBound, knownMigrations } from "./catalogue";
import type { KongTarget } from "./catalogue-types";
import { planStep, type Plan } from "./planner";
import { computeState, type SchemaMetaRow, type SchemaState } from "./state";

export interface Assessment {
  readonly state: SchemaState;
  /** Lower bound of the database's Kong version (undefined: nothing catalogued recorded). */
  readonly databaseVersion?: string;
  readonly plan: Plan;
}

/** Executed and pending names per subsystem exactly as the rows record them (deduplicated). */
export function recordedMigrations(rows: readonly SchemaMetaRow[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows ?? []) {
    if (r.key !== "schema_meta") continue;
    const names = new Set([...(r.executed ?? []), ...(r.pending ?? [])]);
    if (names.size) out[r.subsystem] = [...names];
  }
  return out;
}

/** Throws the planner's typed refusals. */
export function assess(
  rows: readonly SchemaMetaRow[] | undefined,
  legacyTables: boolean,
  target: KongTarget,
  decommissionedOld: boolean,
): Assessment {
  const state = computeState(rows, knownMigrations(target), knownMigrations({ ...target, plugins: ["all"] }));
  const databaseVersion = rows ? databaseVersionLowerBound(recordedMigrations(rows), target.edition) : undefined;
  const plan = planStep({ state, legacyTables, databaseVersion }, { target, decommissionedOld });
  return { state, databaseVersion, plan };
}

/** Rows a database fully migrated to `target` would hold (for planning without a database). */
export function rowsAt(target: KongTarget): SchemaMetaRow[] {
  return knownMigrations(target).map((s) => ({
    key: "schema_meta",
    subsystem: s.subsystem,
    last_executed: s.migrations.at(-1)?.name ?? null,
    executed: s.migrations.map((m) => m.name),
    pending: null,
  }));
}
