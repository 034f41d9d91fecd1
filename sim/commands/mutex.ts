/** The cluster mutex as the commands take it: owner, sleeps and the hold-lock fault from the context. */
import type { Ctx } from "../context";
import { rethrowSite, type UtilsFn } from "../errors";
import { clusterMutex, type MutexOptions, type MutexOutcome } from "../lock";

export function withMutex(ctx: Ctx, fn: UtilsFn, opts: MutexOptions, cb: () => Promise<void>): Promise<MutexOutcome> {
  return clusterMutex(
    ctx.conn,
    opts,
    {
      owner: ctx.owner,
      sleep: (s) => ctx.effects.sleep(s),
      holdLockSeconds: ctx.faults.holdLockSeconds,
      rethrowSite: rethrowSite(fn),
    },
    cb,
  );
}
