/**
 * `kong migrations up` (`up()` in `kong/cmd/utils/migrations.lua`, kong-migrations.md §2.2, §3.4).
 * Needs bootstrap: error. Pending migrations without `--force`: error, raised before the lock from
 * 2.2.0 and inside it (so wrapped in the cluster_mutex error with a traceback) in 2.1.x and
 * earlier. Under the mutex (OSS waits, §1.4; Enterprise does not wait) the state is re-read; with
 * `--force` executed migrations are re-run (up + teardown); nothing new: `Database is already
 * up-to-date` (not with `--force`); else the up part of every new migration, then, if anything is
 * pending, a blank line and `Database has pending migrations; run 'kong migrations finish' when
 * ready`. Lock lost while waiting: the aborted line, exit 0. Kong Enterprise 2.1+ first refuses,
 * inside the mutex, a database older than Enterprise 1.5 (`EE_NEEDS_UPGRADE`, kong-migrations.md §2.8).
 */
import { enterpriseNeedsUpgradeMessage, hasEnterpriseUpGuard, passesEnterpriseUpGuard } from "../../provider/kong/enterprise-up-guard";
import { type Ctx, schemaState } from "../context";
import { callbackSite, KongError, utilsSite } from "../errors";
import { checksPendingBeforeLock, NEEDS_BOOTSTRAP_MSG, NOT_LEADER_MSG, PENDING_ERROR, PENDING_WHEN_READY } from "../messages";
import { runMigrations } from "../runner";
import { formatGroups, type SimState } from "../schema-state";
import { withMutex } from "./mutex";

/** `schema_state.executed_migrations` as names per subsystem. */
function executedNames(state: SimState): Record<string, string[]> {
  return Object.fromEntries((state.executed ?? []).map((g) => [g.subsystem, g.migrations.map((m) => m.name)]));
}

export async function upCommand(ctx: Ctx, initial: SimState): Promise<number> {
  const { log, flags } = ctx;
  if (initial.needsBootstrap) {
    throw new KongError(`Cannot run migrations: ${NEEDS_BOOTSTRAP_MSG}`, utilsSite("up", 57));
  }
  if (checksPendingBeforeLock(ctx.config.version) && !flags.force && initial.pending) {
    throw new KongError(PENDING_ERROR, utilsSite("up", 64));
  }

  // OSS `up` passes `abort = true`, which cluster_mutex never reads: it waits. Enterprise (as read
  // in kong-ee@FTI-6378, ~3.10; UNVERIFIED for older EE) sets `no_wait = true`.
  const noWait = ctx.config.edition === "enterprise";
  const outcome = await withMutex(ctx, "up", { ttl: flags.lockTimeout, noWait }, async () => {
    let state = await schemaState(ctx, callbackSite("up", 64));
    // Kong Enterprise 2.1+: "detect broken migration path from < 1.5 to 2.1" (§2.8), inside the mutex.
    if (hasEnterpriseUpGuard(ctx.config.version, ctx.config.edition) && !passesEnterpriseUpGuard(executedNames(state))) {
      throw new KongError(enterpriseNeedsUpgradeMessage(), callbackSite("up", 66, "error"));
    }
    if (!flags.force && state.pending) {
      throw new KongError(PENDING_ERROR, callbackSite("up", 67, "error"));
    }
    if (flags.force && state.executed) {
      log.debugLine(`forcing re-execution of these migrations:\n${formatGroups(state.executed)}`);
      await runMigrations(ctx, state.executed, { runUp: true, runTeardown: true, skipTeardown: state.pending }, callbackSite("up", 74));
      state = await schemaState(ctx, callbackSite("up", 80));
      if (state.pending) {
        log.info(PENDING_WHEN_READY);
        return;
      }
    }
    if (!state.new) {
      if (!flags.force) log.info("Database is already up-to-date");
      return;
    }
    log.debugLine(`migrations to run:\n${formatGroups(state.new)}`);
    await runMigrations(ctx, state.new, { runUp: true, runTeardown: false }, callbackSite("up", 97));
    state = await schemaState(ctx, callbackSite("up", 99));
    if (state.pending) log.info(PENDING_WHEN_READY);
  });
  if (outcome === "busy") log.info(NOT_LEADER_MSG);
  return 0;
}
