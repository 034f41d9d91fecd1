/**
 * `npm run demo`: the whole upgrade story through the real Pulumi engine, on an embedded
 * PostgreSQL, with kong-sim as Kong. Leaves nothing running and nothing behind outside ignored
 * folders (.pulumi-state/, .pulumi-home/).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres, SUPERUSER, SUPERUSER_PASSWORD } from "../test/helpers/embedded-postgres";
import { buildIfStale } from "./lib/build-if-stale";
import { REPO_ROOT, stack } from "./lib/pulumi-cli";

const KONG_PASSWORD = "kong-demo-password";

function stage(title: string): void {
  process.stdout.write(`\n=== ${title}\n`);
}

async function main(): Promise<void> {
  buildIfStale(REPO_ROOT);
  stage("Starting an embedded PostgreSQL");
  const pg = await startEmbeddedPostgres();
  const stateDir = path.join(REPO_ROOT, ".pulumi-state", "demo");
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(stateDir, { recursive: true });
  const demo = stack("demo", stateDir);
  const cli = async (args: string[], input?: string) => {
    process.stdout.write(`$ pulumi ${args.join(" ")}${input === undefined ? "" : " < (secret on stdin)"}\n`);
    const r = await demo.run(args, { echo: true, input });
    if (r.code !== 0) throw new Error(`pulumi ${args[0]} exited ${r.code}`);
    return r;
  };
  try {
    const admin = new Client({ host: pg.host, port: pg.port, user: SUPERUSER, password: SUPERUSER_PASSWORD, database: "postgres" });
    await admin.connect();
    await admin.query(`CREATE ROLE kong LOGIN PASSWORD '${KONG_PASSWORD}'`);
    await admin.query("CREATE DATABASE kong OWNER kong");
    await admin.end();
    process.stdout.write(`PostgreSQL on 127.0.0.1:${pg.port}, database kong, role kong\n`);

    await cli(["stack", "init"]);
    await cli(["config", "set", "dbPort", String(pg.port)]);
    await cli(["config", "set", "--secret", "dbPassword"], KONG_PASSWORD); // stdin: never in argv

    stage("1. Bootstrap a fresh database for Kong 2.0.5");
    await cli(["config", "set", "kongVersion", "2.0.5"]);
    await cli(["up", "--yes", "--skip-preview"]);

    stage("2. Preview the upgrade to Kong 2.1.4: the plan lists the migrations `up` would run");
    await cli(["config", "set", "kongVersion", "2.1.4"]);
    await cli(["preview", "--diff"]);

    stage("3. pulumi up: kong migrations up (finish waits for decommissionedOld)");
    await cli(["up", "--yes", "--skip-preview"]);

    stage("4. The old 2.0.5 cluster still works on this database (kong-sim check-compat as 2.0.5)");
    const env = {
      ...process.env,
      KONG_PG_HOST: pg.host,
      KONG_PG_PORT: String(pg.port),
      KONG_PG_USER: "kong",
      KONG_PG_PASSWORD: KONG_PASSWORD,
      KONG_PG_DATABASE: "kong",
    };
    const sim = path.join(REPO_ROOT, "dist", "sim", "cli.js");
    execFileSync(process.execPath, [sim, "check-compat"], { env: { ...env, KONG_SIM_VERSION: "2.0.5" }, stdio: "inherit" });

    stage("5. Old nodes gone: preview with decommissionedOld=true shows finish");
    await cli(["config", "set", "decommissionedOld", "true"]);
    await cli(["preview", "--diff"]);

    stage("6. pulumi up: kong migrations finish");
    await cli(["up", "--yes", "--skip-preview"]);

    stage("7. A final preview: nothing to change");
    await cli(["preview", "--expect-no-changes"]);

    stage("Done: the database is finished for Kong 2.1.4");
    await cli(["stack", "output", "--json"]);
  } finally {
    await demo.run(["stack", "rm", "--yes", "--force"]).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
    await pg.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
