/**
 * The resource's outputs, built from what the database says. Pure. No output carries the
 * password except `password` itself, which the engine stores encrypted (it mirrors a secret
 * input) and the resource class does not expose.
 */
import type { Assessment } from "./kong/assess";
import { describeMigrations, type Plan } from "./kong/planner";
import { countMigrations, type MigrationsBySubsystem } from "./kong/state";
import type { Inputs, PlanSummary } from "./inputs";
import type { BackupRecord } from "./backup/backup-record";

export type Phase =
  "up-to-date" | "pending-finish" | "new-migrations" | "needs-bootstrap" | "mid-upgrade-old-version" | "newer-than-target";

/** The last `kong migrations` command the provider ran. */
export interface LastRun {
  readonly command: string;
  readonly exitCode: number | null;
  /** Migration names per subsystem the command ran. */
  readonly migrations: MigrationsBySubsystem;
  readonly durationMs: number;
  /** ISO time it ended. */
  readonly finishedAt: string;
  readonly where: string;
  /** Kong aborted the command because another node held its migrations lock: nothing ran here. */
  readonly abortedOnLock?: true;
}

export interface Outputs extends Inputs {
  readonly plan: PlanSummary;
  readonly phase: Phase;
  /** Lower bound of the database's Kong version; empty when nothing catalogued is recorded. */
  readonly databaseVersion: string;
  readonly executed: MigrationsBySubsystem;
  readonly pending: MigrationsBySubsystem;
  readonly lastRun?: LastRun;
  /** The backup taken before the last irreversible step (kept until the next one). */
  readonly lastBackup?: BackupRecord;
  readonly reloadRequired: boolean;
  /**
   * The database has run everything the target needs, teardowns included: `up` and (when it left
   * pending migrations) `finish` ran at the target; false while anything is new or pending.
   */
  readonly finished: boolean;
  /** The run of `kong migrations migrate-community-to-enterprise` (`migrateCommunityEntities`), once it ran. */
  readonly communityMigration?: LastRun;
}

export function phaseOf(a: Assessment): Phase {
  if (a.state.needsBootstrap) return "needs-bootstrap";
  if (a.plan.oldVersionMidUpgrade) return "mid-upgrade-old-version";
  if (countMigrations(a.state.unknown) && a.refusal?.code === "DOWNGRADE") return "newer-than-target";
  if (countMigrations(a.state.new)) return "new-migrations";
  if (countMigrations(a.state.pending)) return "pending-finish";
  return "up-to-date";
}

export function summarize(plan: Plan, source: PlanSummary["source"], prefix = ""): PlanSummary {
  return {
    command: plan.step === "none" ? "none" : `kong migrations ${plan.step}`,
    wouldRun: plan.step === "none" ? {} : { [`kong migrations ${plan.step}`]: plan.migrations },
    reason: prefix + plan.reason,
    source,
    ...(plan.warnings.length ? { warnings: plan.warnings } : {}),
  };
}

/** One line for logs: `kong migrations up: core 009_200_to_210; acl 003_200_to_210`. */
export function describePlan(p: PlanSummary): string {
  return p.command === "none"
    ? `nothing to run: ${p.reason}`
    : `${p.command}: ${describeMigrations(p.wouldRun[p.command] ?? {})} (${p.reason})`;
}

export function buildOutputs(
  inputs: Inputs,
  a: Assessment,
  lastRun: LastRun | undefined,
  reloadRequired: boolean,
  communityMigration?: LastRun,
): Outputs {
  const { plan: _ignored, ...rest } = inputs;
  void _ignored;
  return {
    ...rest,
    plan: { ...summarize(a.plan, "database"), phase: phaseOf(a) },
    phase: phaseOf(a),
    databaseVersion: a.databaseVersion ?? "",
    executed: a.state.executed,
    pending: a.state.pending,
    ...(lastRun ? { lastRun } : {}),
    reloadRequired,
    finished: phaseOf(a) === "up-to-date" && a.refusal === undefined,
    ...(communityMigration ? { communityMigration } : {}),
  };
}
