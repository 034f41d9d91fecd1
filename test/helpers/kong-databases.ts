/**
 * Kong databases for the clone and dual-cluster tests: a kong-sim-bootstrapped template copied per
 * case, the clone provider's raw inputs, and every row of a database for before/after comparisons.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { runSim, simEnv, tableNames } from "./kong-sim";
import { createDatabase, serverSettings, withClient, type TestDatabase } from "./postgres";

type Raw = Record<string, unknown>;

export function cloneInputs(source: TestDatabase, target: TestDatabase, extra: Raw = {}): Raw {
  const side = (d: TestDatabase) => ({ host: d.host, port: d.port, user: d.user, database: d.database });
  return { source: side(source), sourcePassword: source.password, target: side(target), targetPassword: target.password, ...extra };
}

/**
 * A Kong database bootstrapped once by kong-sim at `version` (seconds on a busy machine), copied per case
 * with PostgreSQL's `CREATE DATABASE ... TEMPLATE` (a file copy: milliseconds).
 */
export async function kongTemplate(version: string, env: Record<string, string>): Promise<TestDatabase> {
  const template = await createDatabase();
  const boot = await runSim(["migrations", "bootstrap"], simEnv(template, version, env));
  assert.equal(boot.code, 0, boot.stderr);
  return template;
}

export async function copyOf(template: TestDatabase): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  await withClient("postgres", (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template.database}`));
  return { ...serverSettings(), database: name };
}

/** Every row of every table in `public`, for before/after comparisons. */
export async function contents(db: TestDatabase): Promise<Record<string, unknown[]>> {
  const tables = await tableNames(db);
  return withClient(db.database, async (c) => {
    const out: Record<string, unknown[]> = {};
    for (const t of tables) out[t] = (await c.query(`SELECT * FROM public."${t.replace(/"/g, '""')}" ORDER BY 1`)).rows;
    return out;
  });
}
