/**
 * Create and update: observe the database, run the planned `kong migrations` step(s), verify by
 * reading the database again, and build the outputs from what it says. Every run starts from the
 * database, so a crash at any point is repaired by the next `pulumi up` (design.md §2).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { assess, orRefuse, type Assessment } from "./kong/assess";
import { KongMigrationError } from "./kong/errors";
import { describeMigrations, type Step } from "./kong/planner";
import { countMigrations } from "./kong/state";
import { migratedIn } from "./kong/run-output";
import { databaseSettings, targetOf, type Inputs } from "./inputs";
import { withLockContext } from "./lock-aware";
import { log, progress, warn } from "./log";
import { buildOutputs, describePlan, summarize, type LastRun, type Outputs } from "./outputs";
import type { SchemaMetaSnapshot } from "./postgres/schema-meta";
import { databaseSession, type DatabaseSession } from "./postgres/session";
import { kongEnvironment } from "./postgres/settings";
import { runnerFor } from "./runners";
import { kongRelease } from "./kong-preflight";
import { assertSucceeded, lockAborted } from "./runners/outcome";
import { backupBeforeIrreversible } from "./backup/take-backup";
import type { MigrationCommand } from "./runners/types";
import { communityNotReady, communityStepDue } from "./community-step";
import { MIGRATE_COMMUNITY_COMMAND } from "./kong/community-to-enterprise";

const LOCK_RETRIES = 3;
/** finish (an earlier up's pending), up, finish: the longest sequence one update runs. */
const MAX_STEPS = 3;

/**
 * One look at the database on the operation's connection. With `planWith: "kong"`, the target's
 * migration lists are Kong's own (`kong migrations list`, asked once per provider process: see
 * `./preflight-cache.ts`); they decide what the target knows (and so what runs and what a step
 * must leave). The state itself is always read fresh.
 */
async function observeOn(db: DatabaseSession, inputs: Inputs): Promise<{ snapshot: SchemaMetaSnapshot; assessment: Assessment }> {
  const snapshot = await db.snapshot();
  const lists = inputs.planWith === "kong" ? await kongRelease(inputs) : undefined;
  const assessment = withLockContext(snapshot, () =>
    orRefuse(assess(snapshot.rows, snapshot.legacyTables, targetOf(inputs), inputs.decommissionedOld, lists)),
  );
  return { snapshot, assessment };
}

function logLock(snapshot: SchemaMetaSnapshot, command: MigrationCommand): void {
  const lock = snapshot.lock;
  if (!lock) return;
  const who = `Kong's migrations lock is held by ${lock.owner ?? "an unknown node"} until ${lock.expiresAt ?? "?"}`;
  if (lock.expired) log(`${who} (expired: Kong removes it when it next takes the lock)`);
  else
    log(
      `${who}: kong migrations ${command} ${command === "up" ? "waits for it (up to lockTimeoutSeconds)" : "aborts if it is still held"}`,
    );
}

/** What a successful step must leave: no new migrations (bootstrap, up) or none pending (finish). */
function leftOver(step: Step, after: Assessment): string | undefined {
  const s = after.state;
  if (s.needsBootstrap) return "no schema_meta";
  if (step === "finish") return countMigrations(s.pending) ? `pending ${describeMigrations(s.pending)}` : undefined;
  return countMigrations(s.new) ? `new ${describeMigrations(s.new)}` : undefined;
}

/** Throws when the database does not show what a successful step must leave. */
function verify(step: Step, after: Assessment, inputs: Inputs): void {
  const left = leftOver(step, after);
  if (left) {
    throw new KongMigrationError(
      "VERIFICATION_FAILED",
      `kong migrations ${step} reported success, but the database still has ${left} for Kong ${inputs.kongVersion}. ` +
        `Check that the runner really runs Kong ${inputs.kongVersion} with KONG_PLUGINS=${inputs.plugins.join(",")}; ` +
        `then run pulumi up again.`,
    );
  }
}

async function runStep(
  db: DatabaseSession,
  inputs: Inputs,
  step: MigrationCommand,
  before: Assessment,
  extraFlags: readonly string[] = [],
): Promise<LastRun> {
  const settings = databaseSettings(inputs);
  const secrets = settings.password ? [settings.password] : [];
  const runner = runnerFor(inputs);
  for (let attempt = 1; ; attempt++) {
    progress(`running kong migrations ${step} (${describeMigrations(before.plan.migrations)})`);
    const result = await runner.run({
      command: step,
      flags: [...extraFlags, "--db-timeout", String(inputs.dbTimeoutSeconds), "--lock-timeout", String(inputs.lockTimeoutSeconds)],
      env: { ...kongEnvironment(settings), KONG_PLUGINS: inputs.plugins.join(",") },
      secrets,
      timeoutSeconds: inputs.commandTimeoutSeconds,
      onLine: (line) => progress(`kong: ${line}`),
    });
    // What Kong says it ran (another node may have done it meanwhile); the plan when it said neither.
    const reported = step === MIGRATE_COMMUNITY_COMMAND ? undefined : migratedIn(result.stdout);
    const lastRun: LastRun = {
      command: `kong migrations ${step}`,
      exitCode: result.exitCode,
      migrations: reported ?? before.plan.migrations,
      durationMs: result.durationMs,
      finishedAt: new Date().toISOString(),
      where: result.where,
    };
    if (lockAborted(result) && attempt < LOCK_RETRIES) {
      const { assessment } = await observeOn(db, inputs);
      if (assessment.plan.step !== step) {
        log(`kong migrations ${step} aborted on Kong's lock, and another node has since changed the database; re-planning`);
        // Nothing ran here: the record says so, not what the plan would have run.
        return { ...lastRun, migrations: {}, abortedOnLock: true };
      }
      log(`kong migrations ${step} aborted: another node held Kong's migrations lock; retry ${attempt + 1} of ${LOCK_RETRIES}`);
      await sleep(1000 * attempt);
      continue;
    }
    assertSucceeded(step, result, inputs.commandTimeoutSeconds);
    const what = countMigrations(lastRun.migrations)
      ? describeMigrations(lastRun.migrations)
      : "Kong found nothing left to run: another node ran it first";
    log(`ran kong migrations ${step} (${what}): exit ${result.exitCode} after ${(result.durationMs / 1000).toFixed(1)} s`);
    return lastRun;
  }
}

/**
 * Brings the database to the declared state: bootstrap; or up; or finish; or, with
 * `decommissionedOld` true, finish of an earlier up's pending migrations before up, and finish after
 * up when `decommissionedOld` was set in this same change (an in-place upgrade).
 */
export async function reconcile(inputs: Inputs, previous: Outputs | undefined): Promise<Outputs> {
  // One connection for the whole operation: the look before, after each step, and after a lock abort.
  const db = databaseSession(databaseSettings(inputs), inputs.dbTimeoutSeconds);
  try {
    return await reconcileOn(db, inputs, previous);
  } finally {
    await db.close();
  }
}

async function reconcileOn(db: DatabaseSession, inputs: Inputs, previous: Outputs | undefined): Promise<Outputs> {
  let { snapshot, assessment } = await observeOn(db, inputs);
  progress(describePlan(summarize(assessment.plan, "database")));
  for (const w of assessment.plan.warnings) warn(w);
  let lastRun = previous?.lastRun;
  let lastBackup = previous?.lastBackup;
  const ran: Step[] = [];
  const noOldNodes = assessment.plan.noOldNodes === true;
  while (ran.length < MAX_STEPS) {
    // After an up on a database where nothing was recorded, finish needs no decommissionedOld.
    const step =
      assessment.plan.step === "none" && noOldNodes && ran.length && assessment.plan.waitingForDecommission
        ? "finish"
        : assessment.plan.step;
    if (step === "none") break;
    // bootstrap and up at most once; finish before up (an earlier up's pending) and after it.
    if (step === ran.at(-1) || (step !== "finish" && ran.includes(step))) break;
    if (step === "finish" && ran.includes("up") && previous?.decommissionedOld === true) {
      log(
        "not running finish right after up: decommissionedOld was already true before this upgrade; set it to false, then true once the old nodes are gone",
      );
      break;
    }
    if (step === "finish" && ran.includes("up") && noOldNodes) {
      log(
        "running finish right after up without decommissionedOld: schema_meta recorded no migration before this up, so no Kong node can have run on this database",
      );
    }
    logLock(snapshot, step);
    // Irreversible steps (finish) run only after the declared backup succeeded; it throws otherwise.
    lastBackup = (await backupBeforeIrreversible(inputs, step, snapshot.schema)) ?? lastBackup;
    lastRun = await runStep(db, inputs, step, assessment);
    ran.push(step);
    ({ snapshot, assessment } = await observeOn(db, inputs));
    verify(step, assessment, inputs);
  }
  if (assessment.plan.waitingForDecommission) log(`finish waits: ${assessment.plan.reason}`);
  let communityMigration = previous?.communityMigration;
  if (communityStepDue(inputs, previous)) {
    const notReady = communityNotReady(inputs, assessment.plan);
    if (notReady) throw new KongMigrationError("COMMUNITY_TO_ENTERPRISE", notReady, "migrateCommunityEntities");
    // Kong asks for confirmation on a terminal; the runner has none: -y, as Kong's docs show it.
    lastBackup = (await backupBeforeIrreversible(inputs, MIGRATE_COMMUNITY_COMMAND, snapshot.schema)) ?? lastBackup;
    communityMigration = await runStep(db, inputs, MIGRATE_COMMUNITY_COMMAND, assessment, ["-y"]);
    lastRun = communityMigration;
    ({ snapshot, assessment } = await observeOn(db, inputs));
  } else if (inputs.migrateCommunityEntities && communityMigration === undefined && previous?.migrateCommunityEntities === true) {
    log("migrate-community-to-enterprise is not run again: migrateCommunityEntities was already true before this update");
  }
  const versionMoved = previous !== undefined && previous.kongVersion !== inputs.kongVersion;
  const reloadRequired = versionMoved && ran.length === 0;
  if (reloadRequired) {
    log(`Kong ${inputs.kongVersion} needs no migration from ${previous.kongVersion}: reload or rolling-restart the nodes`);
  }
  return { ...buildOutputs(inputs, assessment, lastRun, reloadRequired, communityMigration), ...(lastBackup ? { lastBackup } : {}) };
}
