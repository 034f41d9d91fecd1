/**
 * `kong migrations list` (`kong/cmd/migrations.lua`, kong-migrations.md §2.4): exit 3 needs
 * bootstrap, 4 pending (with or without new), 5 new only, 0 up to date; errors exit 1 elsewhere.
 */
import type { Ctx } from "../context";
import { compareVersions } from "../../provider/kong/version";
import { NEEDS_BOOTSTRAP_MSG } from "../messages";
import { formatGroups, type SimState } from "../schema-state";

export function listCommand(ctx: Ctx, state: SimState): number {
  const { log } = ctx;
  if (state.needsBootstrap) {
    // 1.x prints a one-line message here (and exit 2 for a legacy 0.14 database, not simulated:
    // kong-sim treats legacy tables as "needs bootstrap", like 2.x).
    log.info(
      compareVersions(ctx.config.version, "2.0.0") < 0
        ? "Database needs bootstrapping; run 'kong migrations bootstrap'"
        : NEEDS_BOOTSTRAP_MSG,
    );
    return 3;
  }
  let r = "";
  if (state.executed) {
    log.info(`Executed migrations:\n${formatGroups(state.executed)}`);
    r = "\n";
  }
  if (state.pending) {
    log.info(`${r}Pending migrations:\n${formatGroups(state.pending)}`);
    r = "\n";
  }
  if (state.new) {
    log.info(`${r}New migrations available:\n${formatGroups(state.new)}`);
    r = "\n";
  }
  if (state.pending && state.new) {
    if (r !== "") log.info("");
    // meta._VERSION; for Enterprise the exact string is UNVERIFIED (kong-sim prints the version as given).
    log.warn(
      "Database has pending migrations from a previous upgrade, and new migrations from this upgrade " + `(version ${ctx.config.version})`,
    );
    log.info(
      "\nRun 'kong migrations finish' when ready to complete pending migrations " +
        "(postgres database will be incompatible with the previous Kong version)",
    );
    return 4;
  }
  if (state.pending) {
    log.info("\nRun 'kong migrations finish' when ready");
    return 4;
  }
  if (state.new) {
    log.info("\nRun 'kong migrations up' to proceed");
    return 5;
  }
  return 0;
}
