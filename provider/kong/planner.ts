/**
 * The planner: observed database state + desired state -> the one `kong migrations` step to run,
 * following design.md §2 row by row. Pure: no I/O, throws typed refusals.
 */
import type { KongTarget } from "./catalogue-types";
import { KongMigrationError } from "./errors";
import { countMigrations, type MigrationsBySubsystem, type SchemaState } from "./state";
import { communityToEnterpriseRefusal } from "./community-to-enterprise";
import { enterpriseNeedsUpgradeMessage, ENTERPRISE_UP_GUARD, hasEnterpriseUpGuard, passesEnterpriseUpGuard } from "./enterprise-up-guard";
import { checkUpgradePath } from "./upgrade-paths";

export type Step = "bootstrap" | "up" | "finish" | "none";

export interface Observed {
  readonly state: SchemaState;
  /** Kong < 1.0's `schema_migrations` table exists (and `schema_meta` does not). */
  readonly legacyTables: boolean;
  /** Lower bound of the database's Kong version, from its recorded migrations. */
  readonly databaseVersion?: string;
  /**
   * `schema_meta` exists but records no migration at all (a first bootstrap interrupted before its
   * first migration): no Kong node can ever have run on this database.
   */
  readonly nothingRecorded?: boolean;
  /**
   * The target is the older version of an upgrade whose `up` ran and whose `finish` did not: every
   * name the target does not know is either pending or a migration without teardown (so the older
   * version's tables are intact, kong-migrations.md §3), and the target has nothing new. The names
   * are the pending migrations of the newer version. Computed by `assess`.
   */
  readonly rollbackBeforeFinish?: MigrationsBySubsystem;
  /**
   * The target is Kong Enterprise and the database a Kong Community one (migrations recorded, no
   * `enterprise` subsystem): a lower bound of its Community version. Computed by `assess`.
   */
  readonly communityVersion?: string;
}

export interface Desired {
  readonly target: KongTarget;
  /** The user's statement that no node of the old version uses the database. */
  readonly decommissionedOld: boolean;
}

export interface Plan {
  readonly step: Step;
  /** Why, in one sentence a reviewer can read in a preview. */
  readonly reason: string;
  /** What the step runs, per subsystem: all known (bootstrap), new (up) or pending (finish). */
  readonly migrations: MigrationsBySubsystem;
  /** Pending migrations exist and only `decommissionedOld: true` lets `finish` run. */
  readonly waitingForDecommission: boolean;
  /** The target is the older version of an unfinished upgrade (see `Observed.rollbackBeforeFinish`). */
  readonly oldVersionMidUpgrade?: boolean;
  /** No Kong node can have run on the database: a `finish` may follow `up` without `decommissionedOld`. */
  readonly noOldNodes?: boolean;
  readonly warnings: readonly string[];
}

/** `core 009_200_to_210, 010_210_to_211; acl 003_200_to_210` */
export function describeMigrations(m: MigrationsBySubsystem): string {
  const parts = Object.entries(m).map(([s, names]) => `${s} ${names.join(", ")}`);
  return parts.length ? parts.join("; ") : "none";
}

/**
 * Kong Enterprise 2.1+'s own `up` refuses a database older than Enterprise 1.5 (or a Community one
 * of another version): refuse at plan time with Kong's words and the way forward.
 */
function enterpriseUpGuard(state: SchemaState, desired: Desired, nothingRecorded = false): void {
  const { version, edition } = desired.target;
  if (!hasEnterpriseUpGuard(version, edition) || passesEnterpriseUpGuard(state.executed)) return;
  const needed = ENTERPRISE_UP_GUARD.map(([s, n]) => `${s} ${n}`).join(" nor ");
  throw new KongMigrationError(
    "ENTERPRISE_NEEDS_1_5",
    `Kong Enterprise ${version}'s up would refuse this database: neither ${needed} is executed, and Kong says ` +
      `"${enterpriseNeedsUpgradeMessage().replace(/\n+/g, " ")}". ` +
      (nothingRecorded
        ? `schema_meta records no migration (an interrupted first bootstrap) and Kong's bootstrap calls it bootstrapped: ` +
          `empty the database (kong migrations reset, or bootstrap --force) or point database at an empty one.`
        : `Upgrade it to Kong Enterprise 1.5 first: set kongVersion ` +
          `to a 1.5.0.x release (from a database older than 1.3, through 1.3.0.x first), run up and finish, then set it to ` +
          `${version}. A Kong Community (OSS) database moves to Enterprise at its own version (edition "enterprise" with the ` +
          `same kongVersion, 1.5 or later; from 2.1, Community 2.1.3 or later).`),
    "kongVersion",
  );
}

export function planStep(observed: Observed, desired: Desired): Plan {
  const { state } = observed;
  const version = desired.target.version;
  const none = (reason: string, waitingForDecommission = false, warnings: string[] = []): Plan => ({
    step: "none",
    reason,
    migrations: {},
    waitingForDecommission,
    warnings,
  });

  if (state.needsBootstrap) {
    if (observed.legacyTables) {
      throw new KongMigrationError(
        "LEGACY_DATABASE",
        `The database holds Kong < 1.0 tables (schema_migrations) and no schema_meta: Kong ${version} cannot ` +
          `upgrade it and bootstrapping would ignore its data. Upgrade it with Kong's own path first: 0.14.1, ` +
          `then 1.5.x (kong migrations migrate-apis), then ${version}; or point database at an empty database.`,
        "database",
      );
    }
    return {
      step: "bootstrap",
      reason: `The database has no schema_meta table: Kong ${version} bootstraps it.`,
      migrations: state.new,
      waitingForDecommission: false,
      warnings: [],
    };
  }

  if (observed.communityVersion !== undefined) {
    const refusal = communityToEnterpriseRefusal(observed.communityVersion, desired.target);
    if (refusal) throw new KongMigrationError("COMMUNITY_TO_ENTERPRISE", refusal, "kongVersion");
  }

  const unknown = countMigrations(state.unknown);
  if (unknown > 0 && observed.rollbackBeforeFinish) {
    // Kong's two-phase model (kong-migrations.md §3): until finish runs the teardowns, the older
    // version's tables are intact and its nodes keep working. Declaring it again is a rollback of
    // the deployment, not of the database: nothing to run, and finish stays with the newer version.
    return {
      ...none(
        `The database is mid-upgrade: a newer Kong's up ran (pending ${describeMigrations(observed.rollbackBeforeFinish)}) and ` +
          `finish did not, so Kong ${version} nodes still work on it. Nothing runs. Raise kongVersion again to continue ` +
          `the upgrade (finish runs only with the newer version and decommissionedOld: true).`,
        false,
        desired.decommissionedOld
          ? [`decommissionedOld is true, but finish must be run by the newer version: it waits until kongVersion is raised again.`]
          : [],
      ),
      oldVersionMidUpgrade: true,
    };
  }
  if (unknown > 0) {
    throw new KongMigrationError(
      "DOWNGRADE",
      `kongVersion ${version} is older than the database, which has run migrations Kong ${version} does not ` +
        `know (${describeMigrations(state.unknown)}; the database is at least Kong ${observed.databaseVersion ?? "newer"}). ` +
        `Kong cannot downgrade a database: set kongVersion to ${observed.databaseVersion ?? "the database's version"} ` +
        `or later, or restore a backup taken before the upgrade.`,
      "kongVersion",
    );
  }

  const pending = countMigrations(state.pending);
  const fresh = countMigrations(state.new);
  if (pending > 0 && fresh > 0) {
    // Kong's up refuses while migrations are pending; Kong's own path (kong-migrations.md §3.3) is
    // finish first, run by the new version, which knows the old pending names. That is safe only
    // once the old nodes are gone, so it waits for decommissionedOld like any finish.
    if (desired.decommissionedOld) {
      return {
        step: "finish",
        reason:
          `decommissionedOld is true: finishing ${pending} pending migration${pending === 1 ? "" : "s"} from an earlier ` +
          `up first (Kong's up refuses while migrations are pending); up follows for ${fresh} new one${fresh === 1 ? "" : "s"}.`,
        migrations: state.pending,
        waitingForDecommission: false,
        warnings: [],
      };
    }
    throw new KongMigrationError(
      "UNFINISHED_PREVIOUS_UPGRADE",
      `The database has pending migrations from an earlier up that was never finished (or was interrupted) ` +
        `(${describeMigrations(state.pending)}) and new migrations for Kong ${version} ` +
        `(${describeMigrations(state.new)}); Kong's up refuses to run while migrations are pending. Finish them first: ` +
        `once no node older than Kong ${observed.databaseVersion ?? version} uses the database, set decommissionedOld: ` +
        `true and run pulumi up (kong migrations finish, then up), or restore a backup taken before that up.`,
      "decommissionedOld",
    );
  }

  if (fresh > 0 && observed.nothingRecorded) {
    enterpriseUpGuard(state, desired, true);
    return {
      step: "up",
      reason:
        `schema_meta exists but records no migration (a first bootstrap that was interrupted): Kong's bootstrap now ` +
        `says "already bootstrapped", so up runs all ${fresh} migration${fresh === 1 ? "" : "s"}, and finish follows at ` +
        `once without waiting for decommissionedOld: no Kong node can have run on this database.`,
      migrations: state.new,
      waitingForDecommission: false,
      noOldNodes: true,
      warnings: [],
    };
  }

  if (fresh > 0) {
    const path = observed.databaseVersion
      ? checkUpgradePath(observed.databaseVersion, version, desired.target.edition, !desired.decommissionedOld)
      : { warnings: [] };
    if (path.refusal) throw new KongMigrationError("UNSUPPORTED_UPGRADE_PATH", path.refusal, "kongVersion");
    enterpriseUpGuard(state, desired);
    return {
      step: "up",
      reason: `Kong ${version} has ${fresh} migration${fresh === 1 ? "" : "s"} the database has not run.`,
      migrations: state.new,
      waitingForDecommission: false,
      warnings: [...path.warnings],
    };
  }

  if (pending > 0) {
    if (desired.decommissionedOld) {
      return {
        step: "finish",
        reason: `decommissionedOld is true: finishing ${pending} pending migration${pending === 1 ? "" : "s"}.`,
        migrations: state.pending,
        waitingForDecommission: false,
        warnings: [],
      };
    }
    return none(
      `${pending} migration${pending === 1 ? " is" : "s are"} pending; finish waits for decommissionedOld: true ` +
        `(set it once no node of the old version uses the database).`,
      true,
    );
  }

  const missing = countMigrations(state.missing);
  const warnings = missing
    ? [`schema_meta names ${describeMigrations(state.missing)} as last executed but records it nowhere (Kong calls this "missing").`]
    : [];
  return none(`The database is up to date for Kong ${version}.`, false, warnings);
}
