/**
 * Fault switches: environment variables that make kong-sim fail the way a real Kong run can fail,
 * so the provider's error handling is tested against real PostgreSQL outcomes. Pure (parsing and
 * counting); the effects are applied by `runner.ts` and `lock.ts`.
 *
 * | variable | effect |
 * | --- | --- |
 * | `KONG_SIM_FAIL_AT=<n>` | the n-th migration step this command runs (an `up`, or a `teardown` in `finish`; bootstrap counts each migration once, at its `up`) fails with a real SQL error (`SELECT 1/0` inside its transaction, so `ERROR: division by zero`), which is rolled back and reported as Kong reports it: `[PostgreSQL error] cluster_mutex callback threw an error: …: [PostgreSQL error] failed to run migration '<name>' up: ERROR: division by zero` + traceback, exit 1. Kong releases the lock. |
 * | `KONG_SIM_CRASH_AFTER_SQL=<n>` | after the n-th step's SQL has committed and before its `schema_meta` upsert, the process kills itself with SIGKILL: DDL applied but unrecorded, lock row left behind until its TTL (`--lock-timeout`) expires, exactly what a crashed Kong node leaves. |
 * | `KONG_SIM_HOLD_LOCK_SECONDS=<s>` | after acquiring the cluster lock, hold it `s` seconds before doing anything (for concurrency tests). |
 * | `KONG_SIM_SLEEP_SECONDS=<s>` | inside each migration step's transaction run `SELECT pg_sleep(s)` (a slow migration; beyond `--db-timeout` it fails with `timeout`). |
 * | `KONG_SIM_SLEEP_AT=<n>` | with `KONG_SIM_SLEEP_SECONDS`: sleep only in the n-th step. |
 *
 * Counting: steps are numbered from 1 in the order the command runs them, across subsystems and
 * across the re-runs of `--force`.
 */
export interface Faults {
  readonly failAt?: number;
  readonly crashAfterSql?: number;
  readonly holdLockSeconds?: number;
  readonly sleepSeconds?: number;
  readonly sleepAt?: number;
}

export const FAULT_VARIABLES = [
  "KONG_SIM_FAIL_AT",
  "KONG_SIM_CRASH_AFTER_SQL",
  "KONG_SIM_HOLD_LOCK_SECONDS",
  "KONG_SIM_SLEEP_SECONDS",
  "KONG_SIM_SLEEP_AT",
] as const;

/** Text for `kong-sim --help`. */
export const FAULTS_HELP = `Fault switches (environment):
  KONG_SIM_FAIL_AT=<n>            the n-th migration step run by this command fails with a real
                                  SQL error (division by zero, rolled back), reported like Kong
                                  reports a failed migration; exit 1
  KONG_SIM_CRASH_AFTER_SQL=<n>    after the n-th step's SQL commits, before its schema_meta
                                  bookkeeping, the process dies (SIGKILL) leaving its lock row
  KONG_SIM_HOLD_LOCK_SECONDS=<s>  hold the cluster lock s seconds before doing anything
  KONG_SIM_SLEEP_SECONDS=<s>      pg_sleep(s) inside each step's transaction
  KONG_SIM_SLEEP_AT=<n>           ... only inside the n-th step's transaction
  Steps are counted from 1 in run order: an 'up', or a 'teardown' in finish; bootstrap counts
  each migration once.`;

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return Number(raw);
}

function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) {
    throw new Error(`${name} must be a non-negative number of seconds (got "${raw}")`);
  }
  return n;
}

/** Reads the switches; throws a plain Error naming the variable when one is malformed. */
export function readFaults(env: NodeJS.ProcessEnv): Faults {
  const f: Faults = {
    failAt: positiveInt(env, "KONG_SIM_FAIL_AT"),
    crashAfterSql: positiveInt(env, "KONG_SIM_CRASH_AFTER_SQL"),
    holdLockSeconds: seconds(env, "KONG_SIM_HOLD_LOCK_SECONDS"),
    sleepSeconds: seconds(env, "KONG_SIM_SLEEP_SECONDS"),
    sleepAt: positiveInt(env, "KONG_SIM_SLEEP_AT"),
  };
  if (f.sleepAt !== undefined && f.sleepSeconds === undefined) {
    throw new Error("KONG_SIM_SLEEP_AT needs KONG_SIM_SLEEP_SECONDS");
  }
  return f;
}

/** What to do in the step numbered `step` (1-based). */
export function faultsForStep(f: Faults, step: number): { fail: boolean; crash: boolean; sleepSeconds?: number } {
  const sleeps = f.sleepSeconds !== undefined && (f.sleepAt === undefined || f.sleepAt === step);
  return {
    fail: f.failAt === step,
    crash: f.crashAfterSql === step,
    sleepSeconds: sleeps ? f.sleepSeconds : undefined,
  };
}
