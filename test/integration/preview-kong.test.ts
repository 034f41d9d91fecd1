/**
 * Issue 9, item 1: the preflight through the runner. `kong version` must match `kongVersion` and
 * `edition`; `kong migrations list` (read-only) decides the plan, the catalogue cross-checks it; a
 * release the catalogue does not know is planned and run from Kong's own list (kong-sim
 * impersonates it with KONG_SIM_CATALOGUE_FILE). Real PostgreSQL, kong-sim as Kong.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { knownMigrations } from "../../provider/kong/catalogue";
import { query, useFreshDatabase } from "../helpers/postgres";
import { deploy, inputsFor, kongSim, provider, redeploy, SIM, type Raw } from "../helpers/provider-fixture";

/** A release the catalogue does not know: Kong 3.9.0's list plus one core migration with a teardown. */
function newerRelease(): { file: string; extra: string } {
  const extra = "025_390_to_3100";
  const subsystems = knownMigrations({ version: "3.9.0", edition: "oss" }).map((s) =>
    s.subsystem === "core" ? { ...s, migrations: [...s.migrations, { name: extra, teardown: true }] } : s,
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kong-release-")), "3.10.0.json");
  fs.writeFileSync(file, JSON.stringify({ version: "3.10.0", edition: "oss", subsystems }));
  return { file, extra };
}

const simRunner = (env: Record<string, string>) => ({ runner: { kind: "local", command: [process.execPath, SIM], env } });
const planOf = (r: { inputs?: unknown }) => (r.inputs as Raw).plan as Raw;

describe("preview: the runner's Kong confirms the plan (issue 9)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();

  it("kong-sim's kong version prints Kong's format: the bare version (OSS), Kong Enterprise <version>", async () => {
    const oss = await kongSim(db(), "2.1.4", ["version"]);
    assert.deepEqual([oss.code, oss.stdout], [0, "2.1.4\n"]);
    const ee = await kongSim(db(), "2.8.4.2", ["version"], { KONG_SIM_EDITION: "enterprise" });
    assert.deepEqual([ee.code, ee.stdout], [0, "Kong Enterprise 2.8.4.2\n"]);
  });

  it("a runner whose Kong is another version fails check naming both versions; nothing runs", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const rows = await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const r = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", simRunner({ KONG_SIM_VERSION: "2.0.5" })));
    assert.deepEqual(r.failures, [
      {
        property: "kongVersion",
        reason:
          `kongVersion is 2.1.4, but the runner's Kong is 2.0.5 (local process kong version printed "2.0.5"). Its migrations ` +
          `would be Kong 2.0.5's, not 2.1.4's: run Kong 2.1.4 in the runner (runner.command, or the Kubernetes runner's image), ` +
          `or set kongVersion to 2.0.5.`,
      },
    ]);
    assert.deepEqual(await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem"), rows);
  });

  it("a runner whose Kong is Enterprise fails check on edition", async () => {
    const r = await provider.check!(
      {},
      inputsFor(db(), "2.8.4", simRunner({ KONG_SIM_VERSION: "2.8.4.2", KONG_SIM_EDITION: "enterprise" })),
    );
    assert.equal(r.failures?.[0].property, "edition");
    assert.match(
      r.failures![0].reason,
      /^edition is "oss", but the runner's Kong is Kong Enterprise \(local process kong version printed "Kong Enterprise 2\.8\.4\.2"\)\./,
    );
  });

  it("a runner that cannot start Kong (spawn ENOENT) fails check on runner.command with the next step", async () => {
    const r = await provider.check!({}, { ...inputsFor(db(), "2.1.4"), runner: { kind: "local", command: ["kong-not-installed-here"] } });
    assert.equal(r.failures?.[0].property, "runner.command");
    assert.match(
      r.failures![0].reason,
      /^The runner could not start Kong \(kong-not-installed-here: spawn kong-not-installed-here ENOENT\), so neither the preview nor pulumi up can run kong migrations\. Install Kong where the provider runs/,
    );
    const lenient = await provider.check!(
      {},
      { ...inputsFor(db(), "2.1.4"), runner: { kind: "local", command: ["kong-not-installed-here"] }, planWith: "catalogue" },
    );
    assert.deepEqual(lenient.failures ?? [], []);
    assert.equal(planOf(lenient).source, "database");
  });

  it("the plan comes from Kong's list and agrees with the catalogue", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const kong = await provider.check!(s.inputs, inputsFor(db(), "2.1.4"));
    const catalogue = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", { planWith: "catalogue" }));
    assert.equal(planOf(kong).source, "kong");
    assert.equal(planOf(catalogue).source, "database");
    assert.deepEqual(planOf(kong).wouldRun, planOf(catalogue).wouldRun);
    assert.equal(planOf(kong).warnings, undefined);
  });

  it("when Kong and the catalogue disagree the plan follows Kong, with a warning", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    // A 2.1.4 build whose core lacks 011_212_to_213 (as if the catalogue had a name Kong does not).
    const subsystems = knownMigrations({ version: "2.1.4", edition: "oss" }).map((x) =>
      x.subsystem === "core" ? { ...x, migrations: x.migrations.filter((m) => m.name !== "011_212_to_213") } : x,
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kong-release-")), "2.1.4.json");
    fs.writeFileSync(file, JSON.stringify({ version: "2.1.4", subsystems }));
    const r = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", simRunner({ KONG_SIM_CATALOGUE_FILE: file })));
    assert.deepEqual(r.failures ?? [], []);
    const plan = planOf(r);
    assert.equal(plan.source, "kong");
    assert.deepEqual(((plan.wouldRun as Raw)["kong migrations up"] as Raw).core, ["009_200_to_210", "010_210_to_211"]);
    assert.match(
      String((plan.warnings as string[])[0]),
      /^Kong 2\.1\.4's kong migrations list and this package's catalogue disagree \(new: Kong lists core 009_200_to_210, 010_210_to_211; .*, the catalogue has core 009_200_to_210, 010_210_to_211, 011_212_to_213; .*\)\. The plan follows Kong;/,
    );
  });

  it("a release absent from the catalogue is planned and run from Kong's own list: up, finish, refresh", async () => {
    const { file, extra } = newerRelease();
    let s = await deploy(inputsFor(db(), "3.9.0"));
    const news = inputsFor(db(), "3.10.0", simRunner({ KONG_SIM_CATALOGUE_FILE: file }));
    const offline = await provider.check!(s.inputs, { ...news, planWith: "catalogue" });
    assert.equal(offline.failures?.[0].property, "kongVersion");
    assert.match(offline.failures![0].reason, /^Kong 3\.10\.0 is newer than this package's catalogue/);

    const r = await provider.check!(s.inputs, news);
    assert.deepEqual(r.failures ?? [], []);
    // (warnings: the upgrade-path note for skipped minors, read from the database's lower-bound version)
    const { warnings: _w, ...plan } = planOf(r);
    assert.deepEqual(plan, {
      command: "kong migrations up",
      wouldRun: { "kong migrations up": { core: [extra] } },
      reason:
        "Kong 3.10.0 is not in this package's catalogue: planned from its own kong migrations list. Kong 3.10.0 has 1 migration the database has not run.",
      source: "kong",
      phase: "new-migrations",
    });
    s = await redeploy(s, news);
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual(s.outs.pending, { core: [extra] });
    const core = async () =>
      (
        await query<{ executed: string[]; pending: string[] | null }>(
          db(),
          "SELECT executed, pending FROM schema_meta WHERE subsystem = 'core'",
        )
      )[0];
    assert.deepEqual((await core()).pending, [extra]);

    const refreshed = await provider.read!(s.id, s.outs);
    assert.equal((refreshed.props as Raw).phase, "pending-finish");

    s = await redeploy(s, { ...news, decommissionedOld: true });
    assert.equal(s.outs.phase, "up-to-date");
    assert.deepEqual((await core()).pending, []);
    assert.equal((await core()).executed.at(-1), extra);
  });

  it("a fresh database bootstraps a release absent from the catalogue", async () => {
    const { file, extra } = newerRelease();
    const news = inputsFor(db(), "3.10.0", simRunner({ KONG_SIM_CATALOGUE_FILE: file }));
    const r = await provider.check!({}, news);
    assert.deepEqual(r.failures ?? [], []);
    assert.equal(planOf(r).command, "kong migrations bootstrap");
    assert.match(String(planOf(r).reason), /Kong lists no names before a bootstrap: it runs every migration Kong 3\.10\.0 knows\.$/);
    const s = await deploy(news);
    assert.equal(s.outs.phase, "up-to-date");
    const core = await query<{ executed: string[] }>(db(), "SELECT executed FROM schema_meta WHERE subsystem = 'core'");
    assert.equal(core[0].executed.at(-1), extra);
  });
});
