/**
 * KongDatabaseMigration's provider methods called directly, against a real PostgreSQL database,
 * with kong-sim as the `kong` command.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { query, useFreshDatabase, withClient, type TestDatabase } from "../helpers/postgres";
import { capturingLogs, deploy, inputsFor, kongSim, provider, redeploy, type Raw } from "../helpers/provider-fixture";

const PENDING_AFTER_2_1_4_UP = {
  core: ["009_200_to_210"],
  acl: ["003_200_to_210", "004_212_to_213"],
  "bot-detection": ["001_200_to_210"],
  "ip-restriction": ["001_200_to_210"],
  oauth2: ["004_200_to_210"],
};

async function schemaMeta(db: TestDatabase) {
  return query<{ subsystem: string; executed: string[] | null; pending: string[] | null }>(
    db,
    "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem",
  );
}

describe("KongDatabaseMigration provider (real PostgreSQL, kong-sim)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();

  it("bootstraps a fresh database on create", async () => {
    const { result } = await capturingLogs(() => deploy(inputsFor(db(), "2.0.5")));
    const outs = result.outs;
    assert.equal(outs.phase, "up-to-date");
    assert.equal((outs.lastRun as Raw).command, "kong migrations bootstrap");
    assert.equal((outs.lastRun as Raw).exitCode, 0);
    assert.equal(outs.databaseVersion, "2.0.0");
    assert.deepEqual(outs.pending, {});
    assert.deepEqual((outs.executed as Record<string, string[]>).core, [
      "000_base",
      "003_100_to_110",
      "004_110_to_120",
      "005_120_to_130",
      "006_130_to_140",
      "007_140_to_150",
      "008_150_to_200",
    ]);
    assert.equal(outs.password, db().password, "the password is kept (encrypted by the engine) for refresh");
    assert.equal(result.id, `${db().host}:${db().port}/${db().database}`);
    const core = (await schemaMeta(db())).find((r) => r.subsystem === "core");
    assert.deepEqual(core?.executed?.at(-1), "008_150_to_200");
  });

  it("adopts a database already at the target without running anything", async () => {
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "bootstrap"])).code, 0);
    const before = await schemaMeta(db());
    const { result, lines } = await capturingLogs(() => deploy(inputsFor(db(), "2.1.4")));
    assert.equal(result.outs.phase, "up-to-date");
    assert.equal(result.outs.lastRun, undefined);
    assert.deepEqual(await schemaMeta(db()), before);
    assert.ok(lines.includes("[kong-migrations] nothing to run: The database is up to date for Kong 2.1.4."), lines.join("\n"));
  });

  it("2.0.5 -> 2.1.4: preview lists up, up keeps 2.0.5 working, finish waits for decommissionedOld", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4"));
    const plan = checked.inputs.plan as Raw;
    assert.equal(plan.command, "kong migrations up");
    assert.equal(plan.source, "kong"); // kong migrations list through the runner (planWith's default)
    const wouldRun = (plan.wouldRun as Record<string, Record<string, string[]>>)["kong migrations up"];
    assert.deepEqual(wouldRun.core, ["009_200_to_210", "010_210_to_211", "011_212_to_213"]);
    assert.deepEqual(wouldRun.acl, ["003_200_to_210", "004_212_to_213"]);

    const upped = await capturingLogs(() => redeploy(s, inputsFor(db(), "2.1.4")));
    s = upped.result;
    assert.ok(
      upped.lines.includes(
        "[kong-migrations] finish waits: 6 migrations are pending; finish waits for decommissionedOld: true (set it once no node of the old version uses the database).",
      ),
      upped.lines.join("\n"),
    );
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual(s.outs.pending, PENDING_AFTER_2_1_4_UP);
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations up");
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0, "the 2.0.5 cluster keeps working after up");

    // Converged while waiting: no diff, and finish is not run.
    const again = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(again.changed, false);
    assert.equal((again.inputs.plan as Raw).command, "none");
    assert.deepEqual((await schemaMeta(db())).find((r) => r.subsystem === "core")?.pending, ["009_200_to_210"]);

    const decommissioned = inputsFor(db(), "2.1.4", { decommissionedOld: true });
    const preview = await provider.check!(again.inputs, decommissioned);
    assert.equal((preview.inputs.plan as Raw).command, "kong migrations finish");
    assert.deepEqual((preview.inputs.plan as Raw).wouldRun, { "kong migrations finish": PENDING_AFTER_2_1_4_UP });
    s = await redeploy(again, decommissioned);
    assert.equal(s.outs.phase, "up-to-date");
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish");
    assert.deepEqual(s.outs.pending, {});
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 1, "after finish, 2.0.5 can no longer run");
    assert.equal((await kongSim(db(), "2.1.4", ["check-compat"])).code, 0);
    assert.equal((await redeploy(s, decommissioned)).changed, false);
  });

  it("decommissionedOld left true from the previous upgrade is refused at check when the next up leaves pending migrations", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5", { decommissionedOld: true }));
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.deepEqual(checked.failures, [
      {
        property: "decommissionedOld",
        reason:
          "decommissionedOld is still true from the previous upgrade, but Kong 2.1.4's up leaves core 009_200_to_210; " +
          "acl 003_200_to_210, 004_212_to_213; bot-detection 001_200_to_210; ip-restriction 001_200_to_210; oauth2 004_200_to_210 " +
          "pending, and the Kong 2.0.5 nodes are now the old cluster. Set decommissionedOld to false for this upgrade, " +
          "and back to true once the 2.0.5 nodes are gone.",
      },
    ]);
  });

  it("an in-place upgrade (version raised and decommissionedOld set in one change) runs up, then finish", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    const { result, lines } = await capturingLogs(() => redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true })));
    s = result;
    assert.equal(s.outs.phase, "up-to-date");
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish");
    const ran = lines.filter((l) => l.startsWith("[kong-migrations] running kong migrations "));
    assert.deepEqual(
      ran.map((l) => l.split(" (")[0]),
      ["[kong-migrations] running kong migrations up", "[kong-migrations] running kong migrations finish"],
    );
  });

  it("Enterprise 2.8.4.2 -> 3.4.3.12 (LTS to LTS): up with the clone-the-database warning in the plan", async () => {
    const ee = (version: string) => inputsFor(db(), version, { edition: "enterprise" }, { KONG_SIM_EDITION: "enterprise" });
    let s = await deploy(ee("2.8.4.2"));
    assert.equal(s.outs.phase, "up-to-date");
    assert.equal(s.outs.databaseVersion, "2.8.0.0");
    const checked = await provider.check!(s.inputs, ee("3.4.3.12"));
    assert.deepEqual(checked.failures ?? [], []);
    assert.deepEqual((checked.inputs.plan as Raw).warnings, [
      "Kong's guide for 2.8 -> 3.x in traditional mode clones the database and runs up and finish on the clone instead of " +
        "sharing one database between both versions (KongDualClusterUpgrade in pulumi-kong-migrations/kubernetes does " +
        "that); check that your 2.8 nodes tolerate 3.4.3.12's up.",
      "20 of the migrations kong migrations up runs come from an unverified catalogue entry (their names, release or " +
        "teardown were derived, not read in Kong's source: core 016_280_to_300, 017_300_to_310, 018_310_to_320, " +
        "019_320_to_330, 020_330_to_340; enterprise 014_2800_to_3000, 015_3000_to_3100, 016_3100_to_3200, " +
        "017_3200_to_3300, 018_3300_to_3400; acme 001_280_to_300, 002_320_to_330; http-log 001_280_to_300; key-auth " +
        "004_320_to_330; oauth2 006_320_to_330, 007_320_to_330; post-function 001_280_to_300; pre-function " +
        "001_280_to_300; rate-limiting 005_320_to_330; session 002_320_to_330); Kong's own `kong migrations list` " +
        "with Kong 3.4.3.12 is the authority.",
    ]);
    s = await redeploy(s, ee("3.4.3.12"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual(s.outs.pending, {
      core: ["016_280_to_300"],
      "http-log": ["001_280_to_300"],
      "post-function": ["001_280_to_300"],
      "pre-function": ["001_280_to_300"],
    });
  });

  it("1.5.1 -> 2.1.4 runs up from a 1.x database", async () => {
    let s = await deploy(inputsFor(db(), "1.5.1"));
    assert.equal(s.outs.databaseVersion, "1.5.0");
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual((s.outs.pending as Record<string, string[]>).core, ["008_150_to_200", "009_200_to_210"]);
  });

  it("a patch upgrade without migrations only asks for a reload", async () => {
    const first = await deploy(inputsFor(db(), "2.1.3"));
    const lastRun = first.outs.lastRun;
    const s = await redeploy(first, inputsFor(db(), "2.1.4"));
    assert.equal(s.changed, true);
    assert.equal(s.outs.reloadRequired, true);
    assert.equal(s.outs.phase, "up-to-date");
    assert.deepEqual(s.outs.lastRun, lastRun);
  });

  it("a patch upgrade with migrations (2.1.0 -> 2.1.3) runs up", async () => {
    let s = await deploy(inputsFor(db(), "2.1.0"));
    s = await redeploy(s, inputsFor(db(), "2.1.3"));
    assert.equal(s.outs.reloadRequired, false);
    assert.deepEqual((s.outs.lastRun as Raw).migrations, {
      core: ["010_210_to_211", "011_212_to_213"],
      acl: ["004_212_to_213"],
      oauth2: ["005_210_to_211"],
    });
    assert.deepEqual(s.outs.pending, { acl: ["004_212_to_213"] });
  });

  it("new migrations on top of an unfinished previous upgrade: refused at check until decommissionedOld, then finish, up", async () => {
    let s = await deploy(inputsFor(db(), "1.5.1"));
    s = await redeploy(s, inputsFor(db(), "2.0.5"));
    assert.equal(s.outs.phase, "pending-finish");
    const before = await schemaMeta(db());
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4"));
    assert.equal(checked.failures?.length, 1);
    assert.equal(checked.failures?.[0].property, "decommissionedOld");
    assert.match(
      checked.failures![0].reason,
      /^The database has pending migrations from an earlier up that was never finished \(or was interrupted\) \(core 008_150_to_200\) and new migrations for Kong 2\.1\.4 \(core 009_200_to_210, 010_210_to_211, 011_212_to_213; acl 003_200_to_210, /,
    );
    assert.match(
      checked.failures![0].reason,
      /once no node older than Kong 2\.1\.4 uses the database, set decommissionedOld: true and run pulumi up \(kong migrations finish, up, then finish: the last finish breaks Kong 2\.0\.0 nodes too\)\. If Kong 2\.0\.0's up completed and its nodes must keep serving, set kongVersion back to 2\.0\.0 with decommissionedOld: true/,
    );
    assert.deepEqual(await schemaMeta(db()), before);

    // The 1.5 and 2.0 nodes are gone: Kong's own path, finish (run by 2.1.4, which knows 008) then
    // up, then finish (decommissionedOld set with the version: an in-place upgrade).
    const { result, lines } = await capturingLogs(() => redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true })));
    const ran = lines
      .filter((l) => l.startsWith("[kong-migrations] running kong migrations "))
      .map((l) => l.replace(/^\[kong-migrations\] running kong migrations (\w+) .*$/, "$1"));
    assert.deepEqual(ran, ["finish", "up", "finish"]);
    assert.equal(result.outs.phase, "up-to-date");
  });

  it("refuses an upgrade path Kong does not support at check, with the hops (2.3 -> 3.0)", async () => {
    const s = await deploy(inputsFor(db(), "2.3.3"));
    const checked = await provider.check!(s.inputs, inputsFor(db(), "3.0.0"));
    assert.deepEqual(checked.failures, [
      {
        property: "kongVersion",
        reason:
          "Kong 3.0.0 cannot upgrade a database at 2.3.x directly: Kong 3.x upgrades only from 2.8.x. Upgrade to 2.8.x, " +
          "then 3.x: set kongVersion to the newest 2.8 release, run up and finish, then set it to 3.0.0.",
      },
    ]);
  });

  it("refuses a downgrade at check and leaves the database alone", async () => {
    const s = await deploy(inputsFor(db(), "2.1.4"));
    const before = await schemaMeta(db());
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.0.5"));
    assert.equal(checked.failures?.[0].property, "kongVersion");
    assert.match(
      checked.failures![0].reason,
      /^kongVersion 2\.0\.5 is older than the database, which has run migrations Kong 2\.0\.5 does not know \(core 009_200_to_210, 010_210_to_211, 011_212_to_213; /,
    );
    assert.deepEqual(await schemaMeta(db()), before);
  });

  it("refresh picks up a finish run by hand", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    const read = await provider.read!(s.id, s.outs);
    assert.equal(read.id, s.id);
    assert.equal((read.props as Raw).phase, "up-to-date");
    assert.deepEqual((read.props as Raw).pending, {});
  });

  it("delete leaves every row and table as it is", async () => {
    const s = await deploy(inputsFor(db(), "2.1.4"));
    const tables = () => query(db(), "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    const [rowsBefore, tablesBefore] = [await schemaMeta(db()), await tables()];
    const { lines } = await capturingLogs(() => provider.delete!(s.id, s.outs));
    assert.deepEqual(await schemaMeta(db()), rowsBefore);
    assert.deepEqual(await tables(), tablesBefore);
    assert.deepEqual(lines, [
      `[kong-migrations] delete: left the database ${s.id} exactly as it is (Kong's tables and data stay; no reset runs)`,
    ]);
  });

  describe("bad input is refused at check, naming the property, before any database change", () => {
    const cases: Array<[string, Raw, string, RegExp]> = [
      ["malformed version", { kongVersion: "v2.1" }, "kongVersion", /v2\.1/],
      [
        "unknown edition",
        { edition: "community" },
        "edition",
        /^edition must be "oss" or "enterprise" \(got "community"\): set the edition your Kong nodes run, or leave it out for "oss"\.$/,
      ],
      ["empty host", { database: { host: "" } }, "database.host", /^database\.host is empty/],
      [
        "bad port",
        { database: { host: "127.0.0.1", port: 70000 } },
        "database.port",
        /^database\.port must be a whole number from 1 to 65535 \(got 70000\): give the PostgreSQL port \(KONG_PG_PORT\), or leave it out for 5432\.$/,
      ],
      [
        "bad timeout",
        { lockTimeoutSeconds: 0 },
        "lockTimeoutSeconds",
        /^lockTimeoutSeconds must be a whole number of seconds from 1 to 86400 \(got 0\): set one, or leave it out for the default 60\.$/,
      ],
      [
        "password in runner env",
        { runner: { kind: "local", command: ["kong"], env: { KONG_PG_PASSWORD: "x" } } },
        "runner.env",
        /pass the password as database\.password/,
      ],
      ["empty command", { runner: { kind: "local", command: [] } }, "runner.command", /^runner\.command must be a non-empty list/],
    ];
    for (const [name, override, property, reason] of cases) {
      it(name, async () => {
        const news = { ...inputsFor(db(), "2.1.4"), ...override };
        const checked = await provider.check!({}, news);
        assert.equal(checked.failures?.length, 1, JSON.stringify(checked.failures));
        assert.equal(checked.failures![0].property, property);
        assert.match(checked.failures![0].reason, reason);
        const [{ n }] = await query<{ n: string }>(
          db(),
          "SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = 'public'",
        );
        assert.equal(n, "0");
      });
    }
  });

  it("diff ignores the key order of stored inputs (state comes back through protobuf)", async () => {
    const s = await deploy(inputsFor(db(), "2.1.4"));
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4"));
    const reordered = Object.fromEntries(Object.entries(s.outs.database as Raw).reverse());
    assert.deepEqual(await provider.diff!(s.id, { ...s.outs, database: reordered }, checked.inputs), { changes: false });
  });

  it("preview with unknown inputs: check accepts them, diff reports a change, nothing is read or run", async () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const news = { ...inputsFor(db(), "2.1.4"), kongVersion: UNKNOWN };
    const checked = await provider.check!(s.inputs, news);
    assert.deepEqual(checked.failures ?? [], []);
    assert.deepEqual(checked.inputs.plan, {
      command: "unknown until apply",
      wouldRun: {},
      reason: "some inputs are not known until apply",
      source: "catalogue",
    });
    assert.deepEqual(await provider.diff!(s.id, s.outs, checked.inputs), { changes: true });
  });

  it("plans from the catalogue when the database cannot be reached during preview", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const unreachable = inputsFor({ ...db(), port: 1 }, "2.1.4");
    const checked = await provider.check!({ ...s.inputs, database: (unreachable as Raw).database }, unreachable);
    assert.deepEqual(checked.failures ?? [], []);
    const plan = checked.inputs.plan as Raw;
    assert.equal(plan.source, "catalogue");
    assert.equal(plan.command, "kong migrations up");
    assert.match(
      String(plan.reason),
      /^database unreachable \(.*ECONNREFUSED.*\); planned from the catalogue assuming the database is at Kong 2\.0\.5\. /,
    );
    assert.deepEqual((plan.wouldRun as Record<string, Record<string, string[]>>)["kong migrations up"].core, [
      "009_200_to_210",
      "010_210_to_211",
      "011_212_to_213",
    ]);
  });

  it("plans a create from the catalogue when the database cannot be reached, and says so", async () => {
    const checked = await provider.check!({}, inputsFor({ ...db(), port: 1 }, "2.1.4"));
    assert.deepEqual(checked.failures ?? [], []);
    const plan = checked.inputs.plan as Raw;
    assert.equal(plan.command, "kong migrations bootstrap or up");
    assert.equal(plan.source, "catalogue");
    assert.match(
      String(plan.reason),
      /^database unreachable \(.*ECONNREFUSED.*\); planned from the catalogue assuming the database is unknown: create runs bootstrap if it is empty, else up$/,
    );
  });

  it("a password full of quotes, spaces and non-ASCII works and never reaches logs or argv", async () => {
    const password = `p'a"ss w\\ord ünï€ode; $(echo) --x`;
    const role = "kong_odd";
    await withClient(db().database, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      await c.query(`GRANT ALL ON SCHEMA public TO ${role}`);
      await c.query(`GRANT ALL ON DATABASE ${db().database} TO ${role}`);
    });
    const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "argv-")), "argv.jsonl");
    const odd = { ...db(), user: role, password };
    const fixture = path.resolve(__dirname, "..", "fixtures", "record-argv.js");
    const news = inputsFor(odd, "2.1.4", {
      runner: { kind: "local", command: [process.execPath, fixture], env: { KONG_SIM_VERSION: "2.1.4", ARGV_RECORD_FILE: record } },
    });
    const { result, lines } = await capturingLogs(() => deploy(news));
    assert.equal(result.outs.phase, "up-to-date");
    assert.ok(
      lines.some((l) => l.startsWith("[kong-migrations] kong: ")),
      "Kong's output was streamed",
    );
    assert.ok(!lines.join("\n").includes(password), "password in logs");
    const starts = fs
      .readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // check: kong version and kong migrations list, which overlap (so either may start first);
    // create: bootstrap only (the release's lists are check's, the state before and after is read
    // from the database: provider/preflight-cache.ts). Only the commands that reach the database
    // get the password, and only in their environment.
    const started = starts.map((st: { argv: string[]; hasPasswordEnv: boolean }) => ({
      argv: st.argv.slice(2),
      password: st.hasPasswordEnv,
    }));
    const byCommand = (a: { argv: string[] }, b: { argv: string[] }) => a.argv.join(" ").localeCompare(b.argv.join(" "));
    assert.deepEqual(
      [...started.slice(0, 2).sort(byCommand), ...started.slice(2)],
      [
        { argv: ["migrations", "list", "--db-timeout", "60"], password: true },
        { argv: ["version"], password: false },
        { argv: ["migrations", "bootstrap", "--db-timeout", "60", "--lock-timeout", "5"], password: true },
      ],
    );
    const { password: _p, ...visible } = result.outs;
    assert.ok(!JSON.stringify(visible).includes(password), "password in an output other than the encrypted one");
    assert.ok(!JSON.stringify(result.inputs.database).includes(password));
  });
});
