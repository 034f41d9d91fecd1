/**
 * `kong migrations reset` (`kong/cmd/migrations.lua` + `reset()` in `kong/cmd/utils/migrations.lua`).
 * Not bootstrapped: `Database not bootstrapped, nothing to reset`, exit 1. Else, under the mutex
 * (no wait, no cleanup: the table is dropped anyway): `Resetting database...`, drop and recreate
 * the schema, `Database successfully reset`, exit 0. Busy lock: the aborted line, exit 1. When the
 * mutex itself fails (e.g. `locks` was dropped) Kong logs `[error] <err> - retrying without
 * cluster lock` and resets anyway.
 */
import type { Ctx } from "../context";
import { CMD_SITE, KongError, utilsSite } from "../errors";
import { NOT_A_TTY, NOT_LEADER_MSG, resetPrompt } from "../messages";
import type { SimState } from "../schema-state";
import { withMutex } from "./mutex";

async function schemaReset(ctx: Ctx): Promise<void> {
  try {
    await ctx.conn.schemaReset();
  } catch (e) {
    throw new KongError(`[PostgreSQL error] ${(e as Error).message}`, utilsSite("reset", 181, "assert"));
  }
}

/** `migrations_utils.reset`: true when the database was reset. */
export async function resetDatabase(ctx: Ctx, state: SimState): Promise<boolean> {
  const { log } = ctx;
  if (state.needsBootstrap) {
    log.info("Database not bootstrapped, nothing to reset");
    return false;
  }
  let outcome;
  try {
    outcome = await withMutex(ctx, "reset", { ttl: ctx.flags.lockTimeout, noWait: true, noCleanup: true }, async () => {
      log.info("Resetting database...");
      await schemaReset(ctx);
      log.info("Database successfully reset");
    });
  } catch (e) {
    if (!(e instanceof KongError)) throw e;
    log.error(`${e.message} - retrying without cluster lock`);
    log.info("Resetting database...");
    await schemaReset(ctx);
    log.info("Database successfully reset");
    return true;
  }
  if (outcome === "busy") {
    log.info(NOT_LEADER_MSG);
    return false;
  }
  return true;
}

/** Kong's confirm_prompt: up to 3 tries; y/Y/yes/YES or n/N/no/NO. */
async function confirm(ctx: Ctx): Promise<boolean> {
  const answers: Record<string, boolean> = { y: true, Y: true, yes: true, YES: true, n: false, N: false, no: false, NO: false };
  for (let i = 0; i < 3; i++) {
    ctx.log.stdout(resetPrompt(ctx.config.version));
    const a = await ctx.effects.readLine();
    if (a !== undefined && a in answers) return answers[a];
    if (a === undefined) return false;
  }
  return false;
}

export async function resetCommand(ctx: Ctx, state: SimState): Promise<number> {
  if (!ctx.flags.yes) {
    if (!ctx.effects.stdinIsTTY) throw new KongError(NOT_A_TTY, CMD_SITE);
    if (!state.needsBootstrap && !(await confirm(ctx))) {
      ctx.log.info("cancelled");
      return 0;
    }
  }
  return (await resetDatabase(ctx, state)) ? 0 : 1;
}
