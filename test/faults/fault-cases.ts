/**
 * The fault matrix's axes (issue 10, item 1): every kong-sim fault switch (sim/faults.ts) and an
 * other node holding Kong's lock, at the first, middle and last migration of each provider step.
 * Pure data plus the expectations that follow from Kong's rules (kong-migrations.md §2-§3).
 */
export type Step = "bootstrap" | "up" | "finish";
export type Fault = "sql-failure" | "crash" | "lock-held" | "hang";
export type Position = "first" | "middle" | "last";

export const STEPS: readonly Step[] = ["bootstrap", "up", "finish"];
export const FAULTS: readonly Fault[] = ["sql-failure", "crash", "lock-held", "hang"];
export const POSITIONS: readonly Position[] = ["first", "middle", "last"];

/** What each step starts from and declares (bootstrap: a fresh 2.0.5; up: 2.0.5 -> 2.1.4; finish: 2.1.4). */
export const STEP_TARGET: Readonly<Record<Step, { version: string; decommissionedOld: boolean }>> = {
  bootstrap: { version: "2.0.5", decommissionedOld: false },
  up: { version: "2.1.4", decommissionedOld: false },
  finish: { version: "2.1.4", decommissionedOld: true },
};

/** The 1-based migration number of a position in a run of `n` migrations. */
export function migrationAt(position: Position, n: number): number {
  return position === "first" ? 1 : position === "last" ? n : Math.ceil(n / 2);
}

/** Seconds the hang fault sleeps inside its migration's transaction, and the provider's patience. */
/** The timeout must leave room to reach the last migration on a loaded machine; the matrix checks it did. */
export const HANG = { sleepSeconds: 12, commandTimeoutSeconds: 6, lockTimeoutSeconds: 6 } as const;
/** Seconds the other node sleeps inside its migration while holding Kong's lock; the provider waits 2. */
export const OTHER_NODE = { sleepSeconds: 14, lockTimeoutSeconds: 30, providerLockTimeoutSeconds: 2 } as const;

/**
 * The fault run's extra inputs and kong-sim environment. The lock-held fault is not a switch of
 * the provider's kong: another kong-sim node runs the same command and sleeps inside migration
 * `k` holding the lock row (sim/lock.ts), i.e. a node caught mid-run at that migration.
 */
export function faultRun(fault: Fault, k: number): { extra: Record<string, unknown>; env: Record<string, string> } {
  switch (fault) {
    case "sql-failure":
      return { extra: {}, env: { KONG_SIM_FAIL_AT: String(k) } };
    case "crash":
      // The crashed run's lock row lives for its --lock-timeout (2 s), like a crashed Kong node's.
      return { extra: { lockTimeoutSeconds: 2 }, env: { KONG_SIM_CRASH_AFTER_SQL: String(k) } };
    case "hang":
      return {
        extra: { commandTimeoutSeconds: HANG.commandTimeoutSeconds, lockTimeoutSeconds: HANG.lockTimeoutSeconds },
        env: { KONG_SIM_SLEEP_SECONDS: String(HANG.sleepSeconds), KONG_SIM_SLEEP_AT: String(k) },
      };
    case "lock-held":
      return { extra: { lockTimeoutSeconds: OTHER_NODE.providerLockTimeoutSeconds }, env: {} };
  }
}

/** How the run with the fault must fail. */
export type ExpectedFailure =
  | { readonly kind: "run"; readonly code: string; readonly command: Step }
  | { readonly kind: "check"; readonly property: string; readonly reason: RegExp };

/**
 * How the fault run fails, for migration `k` of `step`. `up` waits for Kong's lock (and times out);
 * `bootstrap` and `finish` do not wait: Kong aborts them, the provider retries, then reports.
 * Two lock-held cases follow from Kong's rules (kong-migrations.md §2.1-§2.2):
 * - another node's bootstrap has created `schema_meta` before its first migration, and Kong reads
 *   an existing `schema_meta` as bootstrapped: the provider plans `up`, which waits for the lock;
 * - another node's `up` past its first migration (2.0.5 -> 2.1.4 starts with core 009_200_to_210,
 *   which has a teardown) has recorded a pending migration, and Kong refuses `up` while anything is
 *   pending: check refuses, naming the lock holder and "run pulumi up again once that node is done".
 */
export function expectedFailure(fault: Fault, step: Step, k: number): ExpectedFailure {
  switch (fault) {
    case "sql-failure":
    case "crash":
      return { kind: "run", code: "COMMAND_FAILED", command: step };
    case "hang":
      return { kind: "run", code: "COMMAND_TIMEOUT", command: step };
    case "lock-held":
      if (step === "bootstrap") return { kind: "run", code: "LOCK_TIMEOUT", command: "up" };
      if (step === "up" && k > 1) {
        return {
          kind: "check",
          property: "decommissionedOld",
          reason:
            /^Another Kong node holds the migrations lock \(owner [^,]+, until [^)]+\) and is running migrations now, so the database is mid-run: run pulumi up again once that node is done .*What the database shows meanwhile: The database has pending migrations from an earlier up/,
        };
      }
      return { kind: "run", code: step === "up" ? "LOCK_TIMEOUT" : "LOCK_ABORTED", command: step };
  }
}
