/**
 * examples/enterprise-1.5-to-2.1 through the real Pulumi CLI (local file backend, offline) against a
 * real PostgreSQL, with kong-sim as Kong Enterprise: every `pulumi up` of its README, database side
 * only (`kubernetes: false`: this machine has no cluster; the program's Kubernetes objects are
 * tested under mocks in test/unit/enterprise-example.test.ts). After each step: the exact
 * schema_meta rows, the outputs, and `kong-sim check-compat` of 1.5.0.11 and 2.1.4.1; before
 * `finish`, the backup file; and the Dev Portal step (a recording stand-in for the Kong Portal CLI,
 * which needs a running Kong) run exactly once, after `finish`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBaseEnv, REPO_ROOT, type Stack } from "../../scripts/lib/pulumi-cli";
import { knownMigrations } from "../../provider/kong/catalogue";
import { query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { kongSim } from "../helpers/provider-fixture";
import { MIGRATION_TYPE, newProjectStack, ok, outputsByType, removeStack } from "../helpers/pulumi-stack";

const EXAMPLE = path.join(REPO_ROOT, "examples", "enterprise-1.5-to-2.1");
const PORTAL_TYPE = "pulumi-nodejs:dynamic/kong-migrations-example:PortalDeploy";
const EE = { KONG_SIM_EDITION: "enterprise" };
const OLD = "1.5.0.11";
const NEW = "2.1.4.1";

type Rows = Record<string, { executed: string[]; pending: string[] }>;

/** schema_meta as subsystem -> { executed, pending } (Kong writes NULL or '{}' for "none"). */
async function schemaMeta(db: TestDatabase): Promise<Rows> {
  const rows = await query<{ subsystem: string; executed: string[] | null; pending: string[] | null }>(
    db,
    "SELECT subsystem, executed, pending FROM schema_meta WHERE key = 'schema_meta' ORDER BY subsystem",
  );
  return Object.fromEntries(rows.map((r) => [r.subsystem, { executed: r.executed ?? [], pending: r.pending ?? [] }]));
}

/**
 * Kong's bookkeeping (kong-migrations.md §1.2, §2.1-2.3) over the catalogue: bootstrap records every
 * migration executed; up appends those without a teardown to executed and the others to pending;
 * finish moves pending to executed, in order.
 */
const names = (version: string) => knownMigrations({ version, edition: "enterprise", plugins: ["bundled"] });
function afterBootstrap(version: string): Rows {
  return Object.fromEntries(names(version).map((s) => [s.subsystem, { executed: s.migrations.map((m) => m.name), pending: [] }]));
}
function afterUp(rows: Rows, version: string): Rows {
  const out: Rows = structuredClone(rows);
  for (const s of names(version)) {
    const row = (out[s.subsystem] ??= { executed: [], pending: [] });
    for (const m of s.migrations.filter((x) => !row.executed.includes(x.name))) (m.teardown ? row.pending : row.executed).push(m.name);
  }
  return out;
}
function afterFinish(rows: Rows): Rows {
  return Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, { executed: [...r.executed, ...r.pending], pending: [] }]));
}

describe("end to end: examples/enterprise-1.5-to-2.1, Kong Enterprise's guide step by step (real Pulumi CLI)", function () {
  this.timeout(600_000);
  const db = useFreshDatabase();
  let s: Stack | undefined;
  let scratch: string;

  before(function () {
    this.timeout(60 * 60_000); // the first run on a fresh machine builds the CLI from Go modules
    pulumiBaseEnv();
  });
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kong-ee-example-"));
  });
  afterEach(async () => {
    await removeStack(s);
    s = undefined;
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("blue 1.5.0.11, up to 2.1.4.1, traffic, retire blue, finish after a backup, then the Dev Portal step once", async () => {
    const backups = path.join(scratch, "backups");
    const templates = path.join(scratch, "kong-portal-templates");
    fs.mkdirSync(backups);
    fs.mkdirSync(path.join(templates, "workspaces", "default"), { recursive: true });
    fs.writeFileSync(path.join(templates, "workspaces", "default", "portal.conf.yaml"), "name: Kong Portal\napp_version: 0fcefa7\n");
    const portalRuns = () => {
      const f = path.join(templates, ".portal-runs.jsonl");
      return fs.existsSync(f)
        ? fs
            .readFileSync(f, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { argv: string[]; cwd: string; at: string })
        : [];
    };
    const compat = async (version: string) => (await kongSim(db(), version, ["check-compat"], EE)).code;
    const up = async (what: string) => ok(await s!.run(["up", "--yes", "--skip-preview"]), what);
    const set = async (...kv: string[]) =>
      ok(await s!.run(["config", "set-all", ...kv.flatMap((x) => ["--plaintext", x])]), `config ${kv}`);
    /** The migration's and the portal step's outputs, from one `pulumi stack export`. */
    const state = async () => {
      const byType = await outputsByType(s!);
      return { outs: byType[MIGRATION_TYPE], portal: byType[PORTAL_TYPE] };
    };

    s = await newProjectStack(EXAMPLE, db(), [
      ["kubernetes", "false"],
      ["currentVersion", OLD],
      ["backupDirectory", backups],
      ["portalTemplates", templates],
      [
        "portalCommand",
        JSON.stringify([process.execPath, path.join(REPO_ROOT, "test", "fixtures", "record-portal.js"), "deploy", "default"]),
      ],
    ]);

    // Step 1: blue, Kong Enterprise 1.5.0.11, on an empty database: bootstrap. No portal step (not 2.1).
    await up("step 1: bootstrap 1.5.0.11");
    let expected = afterBootstrap(OLD);
    assert.deepEqual(await schemaMeta(db()), expected);
    let { outs, portal } = await state();
    assert.equal(portal, undefined, "no portal step before the 2.1 target");
    assert.equal(outs.phase, "up-to-date");
    assert.equal(outs.finished, true);
    assert.equal((outs.lastRun as { command: string }).command, "kong migrations bootstrap");
    assert.equal(await compat(OLD), 0);
    assert.equal(await compat(NEW), 1, "2.1.4.1 cannot start before its up");
    assert.deepEqual(portalRuns(), []);

    // Step 2: target 2.1.4.1: up leaves the teardowns pending; the portal step waits. (Its preview is
    // test/e2e/quickstart.test.ts's subject; step 4's, the irreversible one, is checked below.)
    await set(`targetVersion=${NEW}`);
    await up("step 2: up to 2.1.4.1");
    expected = afterUp(expected, NEW);
    assert.deepEqual(await schemaMeta(db()), expected);
    const pendingAfterUp = {
      core: ["008_150_to_200", "009_200_to_210"],
      enterprise: ["007_1500_to_2100"],
      acl: ["003_200_to_210", "004_212_to_213"],
      "bot-detection": ["001_200_to_210"],
      "ip-restriction": ["001_200_to_210"],
      oauth2: ["004_200_to_210"],
    };
    ({ outs, portal } = await state());
    assert.equal(outs.phase, "pending-finish");
    assert.equal(outs.finished, false);
    assert.deepEqual(outs.pending, pendingAfterUp);
    assert.equal((outs.lastRun as { command: string }).command, "kong migrations up");
    assert.equal(await compat(OLD), 0, "1.5.0.11 keeps working after up");
    assert.equal(await compat(NEW), 0, "2.1.4.1 works after up");
    assert.equal(portal.status, "waiting-for-finish");
    assert.equal(portal.ran, undefined);
    assert.deepEqual(portalRuns(), [], "the portal step does not run before finish");

    // Step 3: all traffic to green: nothing changes in the database, the portal step still waits.
    await set("greenTrafficPercent=100");
    const traffic = await up("step 3: traffic");
    assert.match(traffic.stdout, /Resources:\n +3 unchanged\n/);
    assert.deepEqual(await schemaMeta(db()), expected);
    const { password: _p, ...unchanged } = outs; // the secret's ciphertext differs at every export
    const { password: _q, ...now } = (await state()).outs;
    assert.deepEqual(now, unchanged);
    assert.deepEqual(portalRuns(), []);

    // Step 4: retire blue: the preview warns (irreversible, backup destination); the backup is taken,
    // then finish, then the Dev Portal step, exactly once.
    await set("retireBlue=true");
    const finishPreview = ok(await s.run(["preview", "--diff"]), "step 4 preview");
    assert.ok(finishPreview.stdout.includes(`local directory ${backups}`), finishPreview.stdout);
    assert.match(finishPreview.stdout, /~ command +: "none" => "kong migrations finish"/);
    assert.deepEqual(await schemaMeta(db()), expected, "preview changed nothing");
    assert.deepEqual(fs.readdirSync(backups), [], "no backup at preview");
    assert.deepEqual(portalRuns(), []);
    await up("step 4: retire blue, finish");
    expected = afterFinish(expected);
    assert.deepEqual(await schemaMeta(db()), expected);
    ({ outs, portal } = await state());
    assert.equal(outs.phase, "up-to-date");
    assert.equal(outs.finished, true);
    assert.deepEqual(outs.pending, {});
    const finish = outs.lastRun as { command: string; finishedAt: string; durationMs: number };
    assert.equal(finish.command, "kong migrations finish");
    assert.equal(await compat(OLD), 1, "1.5.0.11 stops working after finish");
    assert.equal(await compat(NEW), 0);

    const backup = outs.lastBackup as { file: string; beforeStep: string; takenAt: string; sizeBytes: number };
    assert.equal(backup.beforeStep, "kong migrations finish");
    assert.deepEqual(fs.readdirSync(backups), [path.basename(backup.file)]);
    assert.match(path.basename(backup.file), new RegExp(`^kong-${db().database}-public-before-finish-\\d{8}T\\d{6}Z\\.dump$`));
    assert.equal(fs.statSync(backup.file).size, backup.sizeBytes);
    const finishStarted = Date.parse(finish.finishedAt) - finish.durationMs;
    assert.ok(
      Date.parse(backup.takenAt) <= finishStarted,
      `backup complete (${backup.takenAt}) before finish started (${new Date(finishStarted).toISOString()})`,
    );

    const runs = portalRuns();
    assert.equal(runs.length, 1, JSON.stringify(runs));
    assert.deepEqual(runs[0].argv, ["deploy", "default"]);
    assert.equal(fs.realpathSync(runs[0].cwd), fs.realpathSync(templates));
    assert.ok(
      Date.parse(runs[0].at) >= Date.parse(finish.finishedAt),
      `portal ran (${runs[0].at}) after finish ended (${finish.finishedAt})`,
    );
    assert.equal(portal.status, "deployed");
    assert.equal((portal.ran as { exitCode: number }).exitCode, 0);

    // Step 5: green is the live cluster at 2.1.4.1: nothing runs, neither Kong nor the portal step.
    await set(`currentVersion=${NEW}`, "liveColor=green");
    ok(await s.run(["config", "rm-all", "targetVersion", "retireBlue", "greenTrafficPercent"]), "config rm-all");
    await up("step 5: green live");
    assert.deepEqual(await schemaMeta(db()), expected);
    ({ outs, portal } = await state());
    assert.equal(outs.phase, "up-to-date");
    assert.equal(portal.status, "deployed");
    assert.deepEqual(outs.lastRun, finish, "no Kong command ran");
    assert.equal(portalRuns().length, 1, "the portal step ran once");
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });
});
