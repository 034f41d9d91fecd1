/**
 * End to end through the real Pulumi CLI (built from Go modules when not installed; local file
 * backend, offline), running the root Pulumi.yaml program (examples/quickstart) against a real
 * PostgreSQL, with kong-sim as Kong. Asserts on real CLI output, real state files and real rows.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiBaseEnv, type Stack } from "../../scripts/lib/pulumi-cli";
import { query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { kongSim } from "../helpers/provider-fixture";
import { newStack, ok, removeStack, resourceOutputs, resourceState } from "../helpers/pulumi-stack";

const corePending = async (db: TestDatabase) =>
  (await query<{ pending: string[] | null }>(db, "SELECT pending FROM schema_meta WHERE subsystem = 'core'"))[0].pending ?? [];

describe("end to end: the real Pulumi CLI", function () {
  this.timeout(600_000);
  const db = useFreshDatabase();
  let s: Stack | undefined;

  before(function () {
    this.timeout(60 * 60_000); // the first run on a fresh machine builds the CLI from Go modules
    // Every engine run only transpiles the program (scripts/pulumi-env.sh): no type-check per run.
    assert.equal(pulumiBaseEnv().PULUMI_NODEJS_TRANSPILE_ONLY, "true");
  });
  afterEach(async () => {
    await removeStack(s);
    s = undefined;
  });

  it("previews the upgrade with its command and migrations, gates finish on decommissionedOld, converges", async () => {
    s = await newStack(db(), "2.0.5");
    const created = ok(await s.run(["up", "--yes", "--skip-preview"]), "first up");
    assert.match(created.stdout, /\+ {1,2}pulumi-nodejs:dynamic\/kong-migrations:KongDatabaseMigration kong-database created/);
    // State per resource (issue 10, bench/state-size.ts): the resource's entry in `pulumi stack export`.
    const bytes = Buffer.byteLength(JSON.stringify(await resourceState(s)));
    assert.ok(bytes <= 10 * 1024, `the resource takes ${bytes} bytes of state (compact JSON), more than 10 KB`);

    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    const preview = ok(await s.run(["preview", "--diff"]), "preview");
    assert.match(preview.stdout, /~ kongVersion +: "2\.0\.5" => "2\.1\.4"/);
    // Pulumi.yaml's `options: refresh: always`: the preview refreshed first, so the stored plan is
    // the one as of now ("none"), and nothing of the bootstrap that already ran shows.
    assert.match(preview.stdout, /~ pulumi:pulumi:Stack: \(refresh\)/);
    assert.match(preview.stdout, /~ command : "none" => "kong migrations up"/);
    assert.match(preview.stdout, /\+ kong migrations up *: \{/);
    assert.doesNotMatch(preview.stdout, /kong migrations bootstrap/, "nothing of the previous run's plan");
    for (const name of ["009_200_to_210", "010_210_to_211", "011_212_to_213"]) assert.ok(preview.stdout.includes(`"${name}"`), name);
    assert.deepEqual(await corePending(db()), [], "preview changed nothing");

    ok(await s.run(["up", "--yes", "--skip-preview"]), "up to 2.1.4");
    assert.deepEqual(await corePending(db()), ["009_200_to_210"]);
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0, "2.0.5 still works after up");

    ok(await s.run(["preview", "--expect-no-changes"]), "converged preview");
    const again = ok(await s.run(["up", "--yes", "--skip-preview"]), "second up");
    assert.match(again.stdout, /1 unchanged|2 unchanged/);
    assert.deepEqual(await corePending(db()), ["009_200_to_210"], "finish never runs while decommissionedOld is false");
    assert.equal((await resourceOutputs(s)).phase, "pending-finish");

    ok(await s.run(["config", "set", "decommissionedOld", "true"]), "config set");
    const finishPreview = ok(await s.run(["preview", "--diff"]), "preview finish");
    assert.match(finishPreview.stdout, /\+ kong migrations finish *: \{/);
    ok(await s.run(["up", "--yes", "--skip-preview"]), "finish");
    assert.deepEqual(await corePending(db()), []);
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 1, "after finish 2.0.5 can no longer run");
    ok(await s.run(["preview", "--expect-no-changes"]), "final preview");
  });

  it("refresh picks up a manual finish; destroy leaves the database intact; no plaintext password in state", async () => {
    s = await newStack(db(), "2.0.5");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap");
    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "up");
    assert.equal((await resourceOutputs(s)).phase, "pending-finish");

    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    const refresh = ok(await s.run(["refresh", "--yes", "--skip-preview"]), "refresh");
    assert.match(refresh.stdout, /kong-database +(refreshed|updated)/);
    const outs = await resourceOutputs(s);
    assert.equal(outs.phase, "up-to-date");
    assert.deepEqual(outs.pending, {});

    const stateFiles = fs
      .readdirSync(s.stateDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".json"));
    assert.ok(stateFiles.length > 0);
    for (const f of stateFiles) {
      const text = fs.readFileSync(path.join(s.stateDir, f), "utf8");
      assert.ok(!text.includes(db().password), `plaintext password in ${f}`);
    }
    const stackFile = stateFiles.find((f) => f.includes(path.join(".pulumi", "stacks")) && !f.includes(".bak"))!;
    assert.match(fs.readFileSync(path.join(s.stateDir, stackFile), "utf8"), /"ciphertext"/);

    const rows = () => query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const before = await rows();
    const destroy = ok(await s.run(["destroy", "--yes", "--skip-preview"]), "destroy");
    assert.match(destroy.stdout, /left the database .* exactly as it is/);
    assert.deepEqual(await rows(), before);
    assert.equal((await kongSim(db(), "2.1.4", ["check-compat"])).code, 0);
  });

  it("a kong-sim fault in the middle of up fails with Kong's message; the next pulumi up converges", async () => {
    s = await newStack(db(), "2.1.0");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap 2.1.0");
    ok(await s.run(["config", "set", "kongVersion", "2.1.3"]), "config set");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_FAIL_AT", "2"]), "config fault");
    const failed = await s.run(["up", "--yes", "--skip-preview"]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stdout + failed.stderr, /failed to run migration '011_212_to_213' up: ERROR: division by zero/);
    const core = (await query<{ executed: string[] }>(db(), "SELECT executed FROM schema_meta WHERE subsystem = 'core'"))[0].executed;
    assert.equal(core.at(-1), "010_210_to_211", "the migration before the fault stays recorded");

    ok(await s.run(["config", "rm", "--path", "simEnv.KONG_SIM_FAIL_AT"]), "config rm");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "re-run");
    const outs = await resourceOutputs(s);
    assert.equal(outs.phase, "pending-finish");
    assert.deepEqual(outs.pending, { acl: ["004_212_to_213"] });
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });

  it("a display a reviewer can read: lines under the resource, progress ephemeral, no stale plan after a refresh", async () => {
    s = await newStack(db(), "2.0.5");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap");
    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    // The review command the README gives: one preview, refreshed first, shows only the next plan.
    const reviewed = ok(await s.run(["preview", "--refresh", "--diff"]), "preview --refresh --diff");
    assert.match(reviewed.stdout, /\+ kong migrations up *: \{/);
    assert.doesNotMatch(reviewed.stdout, /kong migrations bootstrap/, "nothing of the previous run's plan");
    ok(await s.run(["refresh", "--yes", "--skip-preview"]), "first refresh (records the plan as of now)");
    const converged = ok(await s.run(["refresh", "--yes", "--skip-preview"]), "refresh of a converged stack");
    assert.match(converged.stdout, /2 unchanged/);
    assert.doesNotMatch(converged.stdout, /updated/);

    const preview = ok(await s.run(["preview", "--diff"]), "preview");
    assert.match(preview.stdout, /~ command : "none" => "kong migrations up"/);
    assert.match(preview.stdout, /\+ kong migrations up *: \{/);
    assert.doesNotMatch(preview.stdout, /kong migrations bootstrap/, "nothing of the previous run's plan");

    const up = ok(await s.run(["up", "--yes", "--skip-preview"]), "up");
    const diagnostics = up.stdout.slice(up.stdout.indexOf("Diagnostics:"));
    const [resourceHeader, ...rest] = diagnostics.split("\n").slice(1);
    assert.equal(resourceHeader.trim(), "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration (kong-database):");
    const lines = rest
      .slice(
        0,
        rest.findIndex((l) => !l.startsWith("    ")),
      )
      .map((l) => l.trim());
    assert.equal(lines.length, 2, diagnostics);
    assert.match(
      lines[0],
      /^ran kong migrations up \(core 009_200_to_210, 010_210_to_211, 011_212_to_213; acl .*\): exit 0 after \d+\.\d s$/,
    );
    assert.match(lines[1], /^finish waits: 6 migrations are pending; finish waits for decommissionedOld: true/);
    assert.doesNotMatch(
      diagnostics,
      /kong: |pulumi:pulumi:Stack|\[kong-migrations\]/,
      "progress lines are not repeated, nothing on the stack",
    );
    // The progress lines were shown, on the resource's row, while the command ran.
    assert.match(up.stdout, /KongDatabaseMigration kong-database updating .*; kong: core migrated up to: 009_200_to_210 \(pending\)/);
  });

  it("shows the provider's progress lines while a slow migration runs", async () => {
    s = await newStack(db(), "2.0.5");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap");
    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_SLEEP_SECONDS", "4"]), "config sleep");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_SLEEP_AT", "2"]), "config sleep at");
    const r = ok(await s.run(["up", "--yes", "--skip-preview"]), "slow up");
    const lineAt = (needle: string) => r.timedLines.find(([, l]) => l.includes(needle))?.[0];
    const progress = lineAt("kong: core migrated up to: 009_200_to_210 (pending)");
    const end = r.timedLines.at(-1)![0];
    assert.ok(progress !== undefined, r.stdout);
    assert.ok(end - progress >= 3000, `progress arrived ${end - progress} ms before the end`);
  });
});
