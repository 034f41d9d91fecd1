/**
 * End to end as a user consumes the package: `npm pack`, install the tarball into a scratch Pulumi
 * project (a plain JavaScript program), and run the real CLI. Then move the project to another
 * folder, as a checkout on another machine would be, and refresh and destroy from the state the
 * first location wrote: the serialized provider must name its code by package, not by path.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBaseEnv, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { query, useFreshDatabase } from "../helpers/postgres";
import { spawnSync } from "node:child_process";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const path = require("node:path");
const { KongDatabaseMigration } = require("pulumi-kong-migrations");
const config = new pulumi.Config();
const kongVersion = config.require("kongVersion");
const migration = new KongDatabaseMigration("kong-database", {
  database: { host: "127.0.0.1", port: config.requireNumber("dbPort"), user: config.require("dbUser"), password: config.requireSecret("dbPassword"), database: config.require("dbName") },
  kongVersion,
  runner: { kind: "local", command: [process.execPath, path.join(__dirname, "node_modules", ".bin", "kong-sim")], env: { KONG_SIM_VERSION: kongVersion } },
});
exports.phase = migration.phase;
`;

describe("end to end: the packaged library in a user's project", function () {
  this.timeout(900_000);
  const db = useFreshDatabase();
  let scratch: string;

  before(function () {
    this.timeout(60 * 60_000);
    pulumiBaseEnv();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kong-user-"));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("installs from the tarball, runs, and keeps working after the project moves", async () => {
    const first = path.join(scratch, "first");
    fs.mkdirSync(first);
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: REPO_ROOT, encoding: "utf8" })
      .trim()
      .split("\n")
      .at(-1)!;
    fs.writeFileSync(path.join(first, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
    fs.writeFileSync(path.join(first, "Pulumi.yaml"), "name: user-project\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(first, "index.js"), PROGRAM);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", path.join(scratch, tarball), "@pulumi/pulumi@3.248.0"], {
      cwd: first,
      stdio: "ignore",
    });

    const state = path.join(scratch, "state");
    fs.mkdirSync(state);
    const env = { ...pulumiBaseEnv(), PULUMI_BACKEND_URL: `file://${state}` };
    const pulumi = (cwd: string, ...args: string[]) => pulumiWithInput(cwd, undefined, ...args);
    const pulumiWithInput = (cwd: string, input: string | undefined, ...args: string[]) => {
      const r = spawnSync("pulumi", [...args, "--stack", "dev", "--non-interactive"], { cwd, env, encoding: "utf8", input });
      assert.equal(r.status, 0, `pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    pulumi(first, "stack", "init");
    for (const [k, v] of [
      ["dbPort", String(db().port)],
      ["dbUser", db().user],
      ["dbName", db().database],
      ["kongVersion", "2.1.4"],
    ])
      pulumi(first, "config", "set", k, v);
    pulumiWithInput(first, db().password, "config", "set", "--secret", "dbPassword"); // stdin: never in argv
    pulumi(first, "up", "--yes", "--skip-preview");
    assert.equal(JSON.parse(pulumi(first, "stack", "output", "--json")).phase, "up-to-date");

    const resources = JSON.parse(pulumi(first, "stack", "export")).deployment.resources as Array<{
      type: string;
      outputs?: { __provider?: string };
    }>;
    const serialized = resources.find((r) => r.type.endsWith(":KongDatabaseMigration"))!.outputs!.__provider!;
    assert.ok(serialized.includes('HANDLERS: "pulumi-kong-migrations/dist/provider/calls.js"'), serialized);
    assert.ok(!serialized.includes(first), "no path of the first checkout in the serialized provider");

    const moved = path.join(scratch, "moved");
    fs.renameSync(first, moved);
    assert.match(pulumi(moved, "refresh", "--yes", "--skip-preview"), /Resources:/);
    const rows = () => query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const before = await rows();
    pulumi(moved, "destroy", "--yes", "--skip-preview");
    assert.deepEqual(await rows(), before);
    pulumi(moved, "stack", "rm", "--yes");
  });
});
