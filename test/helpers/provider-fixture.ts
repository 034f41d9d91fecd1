/**
 * Drives the provider object the way the engine does (check -> create, check -> diff -> update,
 * read, delete) against a real test database, with kong-sim as the `kong` command.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { kongDatabaseMigrationProvider as provider } from "../../provider";
import { setLogSink } from "../../provider/log";
import type { TestDatabase } from "./postgres";

export const SIM = path.resolve(__dirname, "..", "..", "dist", "sim", "cli.js");

export type Raw = Record<string, unknown>;

/** Raw resource inputs as a program would give them, with kong-sim impersonating `version`. */
export function inputsFor(db: TestDatabase, version: string, extra: Raw = {}, simEnv: Record<string, string> = {}): Raw {
  return {
    database: { host: db.host, port: db.port, user: db.user, database: db.database },
    password: db.password,
    kongVersion: version,
    decommissionedOld: false,
    runner: { kind: "local", command: [process.execPath, SIM], env: { KONG_SIM_VERSION: version, ...simEnv } },
    lockTimeoutSeconds: 5,
    ...extra,
  };
}

/** Runs kong-sim by hand against the database (what an operator would do). */
export async function kongSim(db: TestDatabase, version: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SIM, ...args], {
      env: {
        ...process.env,
        KONG_PG_HOST: db.host,
        KONG_PG_PORT: String(db.port),
        KONG_PG_USER: db.user,
        KONG_PG_PASSWORD: db.password,
        KONG_PG_DATABASE: db.database,
        KONG_SIM_VERSION: version,
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
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
