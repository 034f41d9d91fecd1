/**
 * The timeout of a command the provider runs as a detached child (its own process group): when it
 * fires, the whole group gets SIGTERM, then SIGKILL after a grace period, so that nothing the
 * command started (Kong's nginx workers, a tool's helpers) outlives it.
 */
import type { ChildProcess } from "node:child_process";

const KILL_GRACE_MS = 5000;

export interface ProcessTimeout {
  /** Whether the timeout fired (the group was told to stop). */
  readonly timedOut: boolean;
  /** Cancels the timeout; call it once the child has exited. */
  clear(): void;
}

/**
 * @param child a child spawned with `detached: true` (its pid is its process group's id).
 * @param seconds how long it may run.
 */
export function processGroupTimeout(child: ChildProcess, seconds: number): ProcessTimeout {
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS).unref();
  }, seconds * 1000);
  return {
    get timedOut() {
      return timedOut;
    },
    clear: () => clearTimeout(timer),
  };
}
