/**
 * Kong's migrations cluster mutex (`DB:cluster_mutex` in `kong/db/init.lua`; kong-migrations.md
 * §1.4): a row in `locks` with key `migrations`, owner = this process's random id, ttl = client
 * clock + `--lock-timeout`. No heartbeat: a crashed holder's row blocks others until it expires.
 *
 * - acquired: run the callback, then delete our row (unless `noCleanup`, i.e. `reset`); when the
 *   callback throws, the row is deleted too and the error comes back wrapped as
 *   `[PostgreSQL error] cluster_mutex callback threw an error: <location>: <msg>\nstack traceback:…`.
 * - busy and `noWait`: outcome `busy` at once (the caller prints "aborted: …").
 * - busy and waiting: sleep 0.1, 0.3, 0.9, 2, 2, … s (×3, capped at 2), re-reading the lock after
 *   each sleep, until the summed sleeps reach the ttl. Lock gone (released or expired) → `busy`
 *   (Kong then prints "aborted" and does not retry); still held → `[PostgreSQL error] timeout`.
 */
import type { Connector } from "./connector";
import { KongError, type LuaSite, withTraceback } from "./errors";

export const MIGRATIONS_MUTEX_KEY = "migrations";
const MAX_LOCK_WAIT_STEP = 2;

export interface MutexOptions {
  /** Seconds: the lock's TTL and the longest wait. */
  readonly ttl: number;
  readonly noWait: boolean;
  readonly noCleanup?: boolean;
}

export interface MutexDeps {
  readonly owner: string;
  readonly sleep: (seconds: number) => Promise<void>;
  /** KONG_SIM_HOLD_LOCK_SECONDS: wait this long after acquiring, before the callback. */
  readonly holdLockSeconds?: number;
  /** Where the caller re-raises a mutex error (`if err then error(err) end`). */
  readonly rethrowSite: LuaSite;
}

export type MutexOutcome = "ran" | "busy";

/**
 * The sleeps Kong's wait loop performs before giving up, for a given ttl: the loop sleeps `step`,
 * adds it to the elapsed time, stops when that reaches the ttl, else re-reads the lock. Pure.
 */
export function waitSchedule(ttl: number): number[] {
  const out: number[] = [];
  let step = 0.1;
  let elapsed = 0;
  while (elapsed < ttl) {
    out.push(step);
    elapsed += step;
    if (elapsed >= ttl) break;
    step = Math.min(step * 3, MAX_LOCK_WAIT_STEP);
  }
  return out;
}

function callbackError(e: unknown): string {
  if (e instanceof KongError) return withTraceback(e);
  const msg = e instanceof Error ? e.message : String(e);
  return `${msg}\nstack traceback:\n\t[C]: in function 'error'`;
}

/** Throws KongError for lock failures and callback errors; returns whether the callback ran. */
export async function clusterMutex(conn: Connector, opts: MutexOptions, deps: MutexDeps, cb: () => Promise<void>): Promise<MutexOutcome> {
  const key = MIGRATIONS_MUTEX_KEY;
  let acquired: boolean;
  try {
    acquired = await conn.insertLock(key, opts.ttl, deps.owner);
  } catch (e) {
    throw new KongError(`[PostgreSQL error] failed to insert cluster lock: ${(e as Error).message}`, deps.rethrowSite);
  }

  if (!acquired) {
    if (opts.noWait) return "busy";
    const steps = waitSchedule(opts.ttl);
    let elapsed = 0;
    for (const step of steps) {
      await deps.sleep(step);
      elapsed += step;
      if (elapsed >= opts.ttl) break;
      let locked: boolean;
      try {
        locked = await conn.readLock(key);
      } catch (e) {
        throw new KongError(`[PostgreSQL error] failed to read cluster lock: ${(e as Error).message}`, deps.rethrowSite);
      }
      if (!locked) return "busy";
    }
    throw new KongError("[PostgreSQL error] timeout", deps.rethrowSite);
  }

  try {
    if (deps.holdLockSeconds) await deps.sleep(deps.holdLockSeconds);
    await cb();
  } catch (e) {
    await conn.removeLock(key, deps.owner).catch(() => undefined);
    throw new KongError(`[PostgreSQL error] cluster_mutex callback threw an error: ${callbackError(e)}`, deps.rethrowSite);
  }
  if (!opts.noCleanup) await conn.removeLock(key, deps.owner).catch(() => undefined);
  return "ran";
}
