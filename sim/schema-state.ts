/**
 * Kong's schema state (`db:schema_state()`): the `schema_meta` rows read through the connector and
 * computed against the impersonated version's catalogue with the provider's `computeState` (one
 * implementation of `kong/db/migrations/state.lua` for the whole project). This module only adds
 * the ordered, Lua-like grouping the commands print and run. Grouping and formatting are pure.
 */
import type { Migration, Subsystem } from "../provider/kong/catalogue-types";
import { computeState, type MigrationsBySubsystem } from "../provider/kong/state";
import type { Connector } from "./connector";
import type { Logger } from "./output";

/** `schema_state` as the Lua code uses it: lists are undefined when empty. */
export interface SimState {
  readonly needsBootstrap: boolean;
  readonly executed?: Subsystem[];
  readonly pending?: Subsystem[];
  readonly missing?: Subsystem[];
  readonly new?: Subsystem[];
}

/** Names per subsystem back to catalogue entries, in catalogue order; undefined when empty. */
export function toGroups(by: MigrationsBySubsystem, known: readonly Subsystem[]): Subsystem[] | undefined {
  const out: Subsystem[] = [];
  for (const s of known) {
    const names = by[s.subsystem];
    if (!names?.length) continue;
    const wanted = new Set(names);
    const migrations: Migration[] = s.migrations.filter((m) => wanted.has(m.name));
    out.push({ subsystem: s.subsystem, migrations });
  }
  return out.length ? out : undefined;
}

/** `Migrations_mt.__tostring`: subsystem names right-aligned to the longest, `: `, names. */
export function formatGroups(groups: readonly Subsystem[]): string {
  const width = Math.max(...groups.map((g) => g.subsystem.length));
  return groups.map((g) => `${g.subsystem.padStart(width)}: ${g.migrations.map((m) => m.name).join(", ")}`).join("\n");
}

export async function loadState(conn: Connector, known: readonly Subsystem[], log: Logger): Promise<SimState> {
  log.debugLine("loading subsystems migrations...");
  log.verboseLine("retrieving database schema state...");
  const rows = await conn.schemaMigrations();
  log.verboseLine("schema state retrieved");
  const s = computeState(rows, known);
  return {
    needsBootstrap: s.needsBootstrap,
    executed: toGroups(s.executed, known),
    pending: toGroups(s.pending, known),
    missing: toGroups(s.missing, known),
    new: toGroups(s.new, known),
  };
}
