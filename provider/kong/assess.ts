/**
 * From a `schema_meta` snapshot and the desired target to the observed state and the plan. Pure.
 */
import { databaseVersionLowerBound, hasTeardown, knownMigrations, unverifiedMigrations } from "./catalogue";
import type { KongTarget, Subsystem } from "./catalogue-types";
import { isKongMigrationError, type KongMigrationError } from "./errors";
import { describeMigrations, planStep, type Plan } from "./planner";
import { minorSeries } from "./version";
import { computeState, countMigrations, type MigrationsBySubsystem, type SchemaMetaRow, type SchemaState } from "./state";

export interface Assessment {
  readonly state: SchemaState;
  /** Lower bound of the database's Kong version (undefined: nothing catalogued recorded). */
  readonly databaseVersion?: string;
  /** What the next run would do; a `none` plan carrying the refusal's message when `refusal` is set. */
  readonly plan: Plan;
  /**
   * The planner's refusal (downgrade, unfinished upgrade, unsupported path, legacy database).
   * `check` and `create`/`update` throw it; `read` only reports it (design.md §7: refresh reports).
   */
  readonly refusal?: KongMigrationError;
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

/** Pending names per subsystem as the rows record them, known to the target or not. */
function recordedPending(rows: readonly SchemaMetaRow[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) if (r.key === "schema_meta" && r.pending?.length) out[r.subsystem] = [...new Set(r.pending)];
  return out;
}

/**
 * The newer version's pending migrations when the target is the older version of an unfinished
 * upgrade (see `Observed.rollbackBeforeFinish`); undefined otherwise. A name unknown to the target
 * and executed must be one the catalogue knows without teardown: an executed teardown means a
 * finish ran, after which the older version cannot run.
 */
function rollbackBeforeFinish(rows: readonly SchemaMetaRow[], state: SchemaState, target: KongTarget): MigrationsBySubsystem | undefined {
  const pending = recordedPending(rows);
  if (!countMigrations(pending) || countMigrations(state.pending) || countMigrations(state.new)) return undefined;
  for (const [subsystem, names] of Object.entries(state.unknown)) {
    for (const name of names) {
      if (pending[subsystem]?.includes(name)) continue;
      if (hasTeardown(target.edition, subsystem, name) !== false) return undefined;
    }
  }
  return pending;
}

/**
 * A plan that runs migrations whose catalogue entries are unverified says so (design.md: "nothing
 * is guessed silently"): the Kong Enterprise source was not read for them.
 */
function withUnverifiedWarning(plan: Plan, target: KongTarget): Plan {
  if (plan.step === "none") return plan;
  const unverified = unverifiedMigrations(target.edition, plan.migrations);
  const n = countMigrations(unverified);
  if (!n) return plan;
  const warning =
    `${n} of the migrations kong migrations ${plan.step} runs come from an unverified catalogue entry (their ` +
    `names, release or teardown were derived, not read in Kong's source: ${describeMigrations(unverified)}); ` +
    `Kong's own \`kong migrations list\` with Kong ${target.version} is the authority.`;
  return { ...plan, warnings: [...plan.warnings, warning] };
}

/** A Community database taken over by Kong Enterprise: say what cannot be undone, and what follows. */
function withCommunityWarning(plan: Plan, target: KongTarget): Plan {
  const warning =
    `Kong Community -> Kong Enterprise ${target.version}: after finish, Kong Community nodes can no longer run on this ` +
    `database.` +
    (minorSeries(target.version) === "1.5"
      ? ` Kong Enterprise 1.5 then needs kong migrations migrate-community-to-enterprise (irreversible): set ` +
        `migrateCommunityEntities: true once finish has run.`
      : "");
  return { ...plan, warnings: [...plan.warnings, warning] };
}

/** What the target knows, when not from the catalogue (Kong's own `list`, see `kong-answer.ts`). */
export interface KnownLists {
  readonly known: readonly Subsystem[];
  /** Names that are not newer than the target (`computeState`'s `reference`). */
  readonly reference: readonly Subsystem[];
}

/**
 * Never throws the planner's refusals: they come back in `refusal` (with a `none` plan). `lists`
 * replaces the catalogue's lists of the target (required for a release the catalogue lacks).
 */
export function assess(
  rows: readonly SchemaMetaRow[] | undefined,
  legacyTables: boolean,
  target: KongTarget,
  decommissionedOld: boolean,
  lists?: KnownLists,
): Assessment {
  const state = lists
    ? computeState(rows, lists.known, lists.reference)
    : computeState(rows, knownMigrations(target), knownMigrations({ ...target, plugins: ["all"] }));
  const recorded = rows ? recordedMigrations(rows) : {};
  const databaseVersion = rows ? databaseVersionLowerBound(recorded, target.edition) : undefined;
  const observed = {
    state,
    legacyTables,
    databaseVersion,
    nothingRecorded: rows !== undefined && countMigrations(recorded) === 0,
    rollbackBeforeFinish: rows && countMigrations(state.unknown) ? rollbackBeforeFinish(rows, state, target) : undefined,
    communityVersion:
      target.edition === "enterprise" && rows && countMigrations(recorded) && !recorded.enterprise
        ? databaseVersionLowerBound(recorded, "oss")
        : undefined,
  };
  try {
    const plan = withUnverifiedWarning(planStep(observed, { target, decommissionedOld }), target);
    return { state, databaseVersion, plan: observed.communityVersion ? withCommunityWarning(plan, target) : plan };
  } catch (e) {
    if (!isKongMigrationError(e)) throw e;
    const plan: Plan = { step: "none", reason: `refused: ${e.message}`, migrations: {}, waitingForDecommission: false, warnings: [] };
    return { state, databaseVersion, plan, refusal: e };
  }
}

/** Throws the assessment's refusal, if any; returns it otherwise (for create, update and check). */
export function orRefuse(a: Assessment): Assessment {
  if (a.refusal) throw a.refusal;
  return a;
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
