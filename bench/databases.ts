/**
 * The benchmarks' PostgreSQL: one embedded server for the whole run, and identical Kong databases
 * cloned from a template (`CREATE DATABASE ... TEMPLATE`), so that two measured runs start from
 * exactly the same rows.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { startEmbeddedPostgres, SUPERUSER, SUPERUSER_PASSWORD, type RunningPostgres } from "../test/helpers/embedded-postgres";
import { runSim, simEnv } from "../test/helpers/kong-sim";
import type { TestDatabase } from "../test/helpers/postgres";

export interface BenchServer {
  readonly pg: RunningPostgres;
  /** A new empty database. */
  empty(): Promise<TestDatabase>;
  /** A new database bootstrapped by kong-sim as `version` (cloned from one template per version). */
  bootstrapped(version: string): Promise<TestDatabase>;
  stop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const pg = await startEmbeddedPostgres();
  const settings = { host: pg.host, port: pg.port, user: SUPERUSER, password: SUPERUSER_PASSWORD };
  const admin = new Client({ ...settings, database: "postgres" });
  await admin.connect();
  const templates = new Map<string, string>();
  const create = async (template?: string): Promise<TestDatabase> => {
    const name = `b_${randomBytes(5).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
    return { ...settings, database: name };
  };
  return {
    pg,
    empty: () => create(),
    async bootstrapped(version) {
      let template = templates.get(version);
      if (!template) {
        const db = await create();
        const r = await runSim(["migrations", "bootstrap"], simEnv(db, version));
        if (r.code !== 0) throw new Error(`kong-sim bootstrap ${version} exited ${r.code}: ${r.stderr}`);
        template = db.database;
        templates.set(version, template);
      }
      return create(template);
    },
    async stop() {
      await admin.end();
      await pg.stop();
    },
  };
}
