/**
 * Runs the built kong-sim (`dist/sim/cli.js`, built by mocha's pretest or `tsc -p
 * tsconfig.build.json`) as the provider's runners do: a child process configured only through its
 * environment. Also reads the rows Kong keeps, for exact assertions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { quoteIdent } from "../../provider/postgres/quote";
import { query, type TestDatabase } from "./postgres";

export const SIM_CLI = path.resolve(__dirname, "../../dist/sim/cli.js");

export interface SimResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** KONG_PG_* for a test database, plus the impersonated version and any extra variables. */
export function simEnv(db: TestDatabase, version: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KONG_PG_HOST: db.host,
    KONG_PG_PORT: String(db.port),
    KONG_PG_USER: db.user,
    KONG_PG_PASSWORD: db.password,
    KONG_PG_DATABASE: db.database,
    KONG_SIM_VERSION: version,
    ...extra,
  };
}

export interface RunningSim {
  readonly child: ChildProcess;
  readonly result: Promise<SimResult>;
  /** Resolves when stdout has contained `text` (or rejects when the process ends first). */
  waitFor(text: string): Promise<void>;
}

/** Starts `kong-sim <args>` with exactly `env` (plus PATH); stdin is /dev/null unless given. */
export function startSim(args: readonly string[], env: Record<string, string>, stdin?: string): RunningSim {
  const child = spawn(process.execPath, [SIM_CLI, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const result = new Promise<SimResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const w of waiters.splice(0))
        w.reject(new Error(`kong-sim ended before printing ${JSON.stringify(w.text)}:\n${stdout}\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    result,
    waitFor: (text) =>
      stdout.includes(text) ? Promise.resolve() : new Promise<void>((resolve, reject) => waiters.push({ text, resolve, reject })),
  };
}

export function runSim(args: readonly string[], env: Record<string, string>, stdin?: string): Promise<SimResult> {
  return startSim(args, env, stdin).result;
}

export interface MetaRow {
  subsystem: string;
  last_executed: string | null;
  executed: string[] | null;
  pending: string[] | null;
}

/** `schema_meta` rows (key = 'schema_meta'), ordered by subsystem. */
export function metaRows(db: TestDatabase, schema = "public"): Promise<MetaRow[]> {
  return query<MetaRow>(
    db,
    `SELECT subsystem, last_executed, executed, pending FROM ${quoteIdent(schema)}.schema_meta WHERE key = 'schema_meta' ORDER BY subsystem`,
  );
}

/** Migrations recorded in `rows` (executed and pending). */
export function recorded(rows: readonly MetaRow[]): number {
  return rows.reduce((n, r) => n + (r.executed?.length ?? 0) + (r.pending?.length ?? 0), 0);
}

/** Migrations pending in `rows`. */
export function pendingCount(rows: readonly MetaRow[]): number {
  return rows.reduce((n, r) => n + (r.pending?.length ?? 0), 0);
}

/** Rows with each subsystem's names sorted: what a run that records in another order must equal. */
export function asSets(rows: readonly MetaRow[]) {
  return rows.map((r) => ({ subsystem: r.subsystem, executed: [...(r.executed ?? [])].sort(), pending: [...(r.pending ?? [])].sort() }));
}

/** Other backends of `db` running kong-sim's `pg_sleep` (KONG_SIM_SLEEP_SECONDS) right now. */
export async function sleepingBackends(db: TestDatabase): Promise<number> {
  const rows = await query(
    db,
    "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
    [db.database],
  );
  return rows.length;
}

/** The `locks` rows. */
export function lockRows(db: TestDatabase, schema = "public"): Promise<{ key: string; owner: string; expired: boolean }[]> {
  return query(db, `SELECT key, owner, ttl < now() AS expired FROM ${quoteIdent(schema)}.locks ORDER BY key`);
}

/** Names of the tables in a schema, sorted. */
export async function tableNames(db: TestDatabase, schema = "public"): Promise<string[]> {
  const rows = await query<{ t: string }>(
    db,
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
    [schema],
  );
  return rows.map((r) => r.t);
}
