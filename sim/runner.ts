/**
 * `DB:run_migrations` (`kong/db/init.lua`): for each subsystem print `migrating <s> on database
 * '<db>'...`; for each migration run its `up` SQL in its own transaction and record it (`executed`,
 * or `pending` when it has a teardown) with a separate upsert, then, when asked, its teardown in
 * another transaction recorded `teardown`; print `<s> migrated up to: <name> (executed|pending)`;
 * finally the counters. The fault switches act here (see `faults.ts`).
 */
import type { Subsystem } from "../provider/kong/catalogue-types";
import type { Statement } from "./connector";
import type { Ctx } from "./context";
import { KongError, type LuaSite } from "./errors";
import { faultsForStep } from "./faults";
import { FAIL_STATEMENT, SLEEP_STATEMENT, teardownStatements, upStatements } from "./migration-sql";

export interface RunOptions {
  readonly runUp: boolean;
  readonly runTeardown: boolean;
  /** Migrations whose teardown must not run (`up --force` skips the pending ones). */
  readonly skipTeardown?: readonly Subsystem[];
}

export async function runMigrations(ctx: Ctx, groups: readonly Subsystem[], opts: RunOptions, site: LuaSite): Promise<void> {
  const { log, conn } = ctx;
  const skip = new Set<string>();
  if (opts.runTeardown) {
    for (const g of opts.skipTeardown ?? []) for (const m of g.migrations) if (m.teardown) skip.add(`${g.subsystem}\u0000${m.name}`);
  }
  const fail = (msg: string): never => {
    throw new KongError(`[PostgreSQL error] ${msg}`, site);
  };
  const record = async (subsystem: string, name: string, state: "executed" | "pending" | "teardown"): Promise<void> => {
    try {
      await conn.recordMigration(subsystem, name, state);
    } catch (e) {
      fail(`failed to record migration '${name}': ${(e as Error).message}`);
    }
  };

  let nMigrations = 0;
  let nPending = 0;
  for (const g of groups) {
    log.info(`migrating ${g.subsystem} on database '${ctx.config.pg.database}'...`);
    for (const mig of g.migrations) {
      log.debugLine(`running migration: ${mig.name}`);
      const step = ++ctx.steps;
      const f = faultsForStep(ctx.faults, step);
      const withFaults = (statements: Statement[]): Statement[] => [
        ...statements,
        ...(f.sleepSeconds !== undefined ? [{ sql: SLEEP_STATEMENT, params: [f.sleepSeconds] }] : []),
        ...(f.fail ? [{ sql: FAIL_STATEMENT }] : []),
      ];
      // Faults apply to the step's first transaction: the up, or the teardown when only that runs.
      let faultsPending = true;
      const runSql = async (phase: "up" | "teardown", statements: Statement[]): Promise<void> => {
        const apply = faultsPending;
        faultsPending = false;
        try {
          await conn.transaction(apply ? withFaults(statements) : statements);
        } catch (e) {
          fail(`failed to run migration '${mig.name}' ${phase}: ${(e as Error).message}`);
        }
        if (apply && f.crash) ctx.effects.crash();
      };

      if (opts.runUp) {
        await runSql(
          "up",
          upStatements(g.subsystem, mig.name).map((sql) => ({ sql })),
        );
        let state: "executed" | "pending" = "executed";
        if (mig.teardown) {
          state = "pending";
          nPending++;
        }
        await record(g.subsystem, mig.name, state);
      }

      const skipTeardown = skip.has(`${g.subsystem}\u0000${mig.name}`);
      if (!skipTeardown && opts.runTeardown && mig.teardown) {
        await runSql(
          "teardown",
          teardownStatements(ctx.lineage, g.subsystem, mig.name).map((sql) => ({ sql })),
        );
        await record(g.subsystem, mig.name, "teardown");
        nPending = Math.max(nPending - 1, 0);
      }

      log.info(`${g.subsystem} migrated up to: ${mig.name} ${mig.teardown && !opts.runTeardown ? "(pending)" : "(executed)"}`);
      nMigrations++;
    }
  }

  log.info(`${nMigrations} migration${nMigrations > 1 ? "s" : ""} processed`);
  const nExecuted = nMigrations - nPending;
  if (nExecuted > 0) log.info(`${nExecuted} executed`);
  if (nPending > 0) log.info(`${nPending} pending`);
}
