/**
 * Drives the provider object the way the engine does (check -> create, check -> diff -> update,
 * read, delete) against a real test database, with kong-sim as the `kong` command.
 */
import { strict as assert } from "node:assert";
import { kongDatabaseMigrationProvider as provider } from "../../provider";
import { setLogSink } from "../../provider/log";
import { runSim, SIM_CLI, simEnv } from "./kong-sim";
import type { TestDatabase } from "./postgres";

export { SIM_CLI as SIM };

export type Raw = Record<string, unknown>;

/** Raw resource inputs as a program would give them, with kong-sim impersonating `version`. */
export function inputsFor(db: TestDatabase, version: string, extra: Raw = {}, faults: Record<string, string> = {}): Raw {
  return {
    database: { host: db.host, port: db.port, user: db.user, database: db.database },
    password: db.password,
    kongVersion: version,
    decommissionedOld: false,
    runner: { kind: "local", command: [process.execPath, SIM_CLI], env: { KONG_SIM_VERSION: version, ...faults } },
    lockTimeoutSeconds: 5,
    ...extra,
  };
}

/** Runs kong-sim by hand against the database (what an operator would do). */
export function kongSim(db: TestDatabase, version: string, args: string[], env: Record<string, string> = {}) {
  return runSim(args, simEnv(db, version, env));
}

// Provider progress lines are silent in tests unless a test captures them.
setLogSink(() => undefined);

/** Captures provider log lines while `fn` runs. */
export async function capturingLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    return { result: await fn(), lines };
  } finally {
    setLogSink(prev);
  }
}

export interface Deployed {
  id: string;
  /** State outputs. */
  outs: Raw;
  /** State inputs (what check returned). */
  inputs: Raw;
}

/** check + create, as `pulumi up` does for a new resource. */
export async function deploy(news: Raw): Promise<Deployed> {
  const checked = await provider.check!({}, news);
  assert.deepEqual(checked.failures ?? [], []);
  const created = await provider.create(checked.inputs);
  return { id: created.id, outs: created.outs as Raw, inputs: checked.inputs };
}

/** check + diff (+ update when diff says so), as `pulumi up` does for an existing resource. */
export async function redeploy(current: Deployed, news: Raw): Promise<Deployed & { changed: boolean }> {
  const checked = await provider.check!(current.inputs, news);
  assert.deepEqual(checked.failures ?? [], []);
  const d = await provider.diff!(current.id, current.outs, checked.inputs);
  if (!d.changes) return { ...current, inputs: checked.inputs, changed: false };
  const updated = await provider.update!(current.id, current.outs, checked.inputs);
  return { id: current.id, outs: updated.outs as Raw, inputs: checked.inputs, changed: true };
}

export { provider };
