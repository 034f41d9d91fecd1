/**
 * `kong migrations finish` (`finish()` in `kong/cmd/utils/migrations.lua`, kong-migrations.md §2.3).
 * Needs bootstrap: error. Under the mutex (no wait): with `--force` re-run executed migrations;
 * run the teardown of every pending migration; re-read the state; new migrations: blank line +
 * `New migrations available; run 'kong migrations up' to proceed` (exit 0); else, unless
 * `--force`, `No pending migrations to finish`, printed also right after a successful finish
 * because the state was re-read. Busy lock: the aborted line, exit 0.
 */
import { type Ctx, schemaState } from "../context";
import { callbackSite, KongError, utilsSite } from "../errors";
import { NEEDS_BOOTSTRAP_MSG, NEW_AVAILABLE_AFTER_FINISH, NOT_LEADER_MSG } from "../messages";
import { runMigrations } from "../runner";
import { formatGroups, type SimState } from "../schema-state";
import { withMutex } from "./mutex";

export async function finishCommand(ctx: Ctx, initial: SimState): Promise<number> {
  const { log, flags } = ctx;
  if (initial.needsBootstrap) {
    throw new KongError(`Cannot run migrations: ${NEEDS_BOOTSTRAP_MSG}`, utilsSite("finish", 122));
  }
  const outcome = await withMutex(ctx, "finish", { ttl: flags.lockTimeout, noWait: true }, async () => {
    let state = await schemaState(ctx, callbackSite("finish", 128));
    if (flags.force && state.executed) {
      await runMigrations(ctx, state.executed, { runUp: true, runTeardown: true }, callbackSite("finish", 131));
      state = await schemaState(ctx, callbackSite("finish", 136));
    }
    if (state.pending) {
      log.debugLine(`pending migrations to finish:\n${formatGroups(state.pending)}`);
      await runMigrations(ctx, state.pending, { runUp: false, runTeardown: true }, callbackSite("finish", 143));
      state = await schemaState(ctx, callbackSite("finish", 147));
    }
    if (state.new) {
      log.info(NEW_AVAILABLE_AFTER_FINISH);
      return;
    }
    if (!flags.force && !state.pending) log.info("No pending migrations to finish");
  });
  if (outcome === "busy") log.info(NOT_LEADER_MSG);
  return 0;
}
