/**
 * `kong migrations bootstrap` (`bootstrap()` in `kong/cmd/utils/migrations.lua`, kong-migrations.md
 * §2.1). Already bootstrapped (schema_meta exists, even empty): `Database already bootstrapped`,
 * exit 0, nothing else. Else `Bootstrapping database...`, schema + `schema_meta` + `locks` (before
 * the lock), then under the mutex (no wait) every known migration, up and teardown, then
 * `Database is up-to-date`. Busy lock: the aborted line, exit 0. `--force`: reset first.
 */
import { type Ctx, schemaState } from "../context";
import { CMD_SITE, callbackSite, KongError, utilsSite } from "../errors";
import { NOT_LEADER_MSG } from "../messages";
import { runMigrations } from "../runner";
import type { SimState } from "../schema-state";
import { withMutex } from "./mutex";
import { resetDatabase } from "./reset";

export async function bootstrapCommand(ctx: Ctx, initial: SimState): Promise<number> {
  const { log } = ctx;
  let state = initial;
  if (ctx.flags.force) {
    await resetDatabase(ctx, state);
    state = await schemaState(ctx, CMD_SITE);
  }

  if (!state.needsBootstrap) {
    log.info("Database already bootstrapped");
    return 0;
  }
  log.info("Bootstrapping database...");
  try {
    await ctx.conn.schemaBootstrap();
  } catch (e) {
    throw new KongError(`[PostgreSQL error] failed to bootstrap database: ${(e as Error).message}`, utilsSite("bootstrap", 28, "assert"));
  }

  const outcome = await withMutex(ctx, "bootstrap", { ttl: ctx.flags.lockTimeout, noWait: true }, async () => {
    await runMigrations(ctx, state.new ?? [], { runUp: true, runTeardown: true }, callbackSite("bootstrap", 37));
    log.info("Database is up-to-date");
  });
  if (outcome === "busy") log.info(NOT_LEADER_MSG);
  return 0;
}
