import { strict as assert } from "node:assert";
import { assess, rowsAt } from "../../provider/kong/assess";
import { KongMigrationError } from "../../provider/kong/errors";
import { planStep, type Observed } from "../../provider/kong/planner";
import type { SchemaState } from "../../provider/kong/state";

const empty = { executed: {}, pending: {}, new: {}, missing: {}, unknown: {} };
const state = (s: Partial<SchemaState>): SchemaState => ({ needsBootstrap: false, ...empty, ...s });
const desired = (decommissionedOld: boolean, version = "2.1.4") => ({ target: { version, edition: "oss" as const }, decommissionedOld });
const observed = (s: Partial<SchemaState>, databaseVersion?: string, legacyTables = false): Observed => ({
  state: state(s),
  databaseVersion,
  legacyTables,
});

function refusal(fn: () => unknown): KongMigrationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KongMigrationError, String(e));
    return e;
  }
  assert.fail("expected a refusal");
}

describe("planner: design.md §2 row by row", () => {
  it("no schema_meta -> bootstrap, whatever the desired state", () => {
    for (const d of [false, true]) {
      const p = planStep(observed({ needsBootstrap: true, new: { core: ["000_base"] } }), desired(d));
      assert.equal(p.step, "bootstrap");
      assert.deepEqual(p.migrations, { core: ["000_base"] });
      assert.equal(p.reason, "The database has no schema_meta table: Kong 2.1.4 bootstraps it.");
    }
  });

  it("no schema_meta but Kong < 1.0 tables -> refused, never bootstrapped", () => {
    const e = refusal(() => planStep(observed({ needsBootstrap: true }, undefined, true), desired(false)));
    assert.equal(e.code, "LEGACY_DATABASE");
    assert.equal(e.property, "database");
    assert.match(e.message, /0\.14\.1, then 1\.5\.x \(kong migrations migrate-apis\), then 2\.1\.4/);
  });

  it("up to date, nothing pending -> nothing", () => {
    for (const d of [false, true]) {
      const p = planStep(observed({ executed: { core: ["000_base"] } }, "2.1.3"), desired(d));
      assert.deepEqual(p, {
        step: "none",
        reason: "The database is up to date for Kong 2.1.4.",
        migrations: {},
        waitingForDecommission: false,
        warnings: [],
      });
    }
  });

  it("new migrations, nothing pending -> up, listing exactly the new ones", () => {
    const p = planStep(observed({ new: { core: ["009_200_to_210", "010_210_to_211"], acl: ["003_200_to_210"] } }, "2.0.0"), desired(false));
    assert.equal(p.step, "up");
    assert.deepEqual(p.migrations, { core: ["009_200_to_210", "010_210_to_211"], acl: ["003_200_to_210"] });
    assert.equal(p.reason, "Kong 2.1.4 has 3 migrations the database has not run.");
  });

  it("pending only, decommissionedOld false -> nothing, finish waits for decommission", () => {
    const p = planStep(observed({ pending: { core: ["009_200_to_210"] } }, "2.1.3"), desired(false));
    assert.equal(p.step, "none");
    assert.equal(p.waitingForDecommission, true);
    assert.equal(
      p.reason,
      "1 migration is pending; finish waits for decommissionedOld: true (set it once no node of the old version uses the database).",
    );
  });

  it("pending only, decommissionedOld true -> finish, listing the pending ones", () => {
    const p = planStep(
      observed({ pending: { core: ["009_200_to_210"], acl: ["003_200_to_210", "004_212_to_213"] } }, "2.1.3"),
      desired(true),
    );
    assert.equal(p.step, "finish");
    assert.deepEqual(p.migrations, { core: ["009_200_to_210"], acl: ["003_200_to_210", "004_212_to_213"] });
    assert.equal(p.reason, "decommissionedOld is true: finishing 3 pending migrations.");
  });

  it("pending and new, decommissionedOld false -> refused: finish the earlier up first", () => {
    const e = refusal(() =>
      planStep(observed({ pending: { core: ["008_150_to_200"] }, new: { core: ["009_200_to_210"] } }, "2.0.0"), desired(false)),
    );
    assert.equal(e.code, "UNFINISHED_PREVIOUS_UPGRADE");
    assert.equal(e.property, "decommissionedOld");
    assert.equal(
      e.message,
      "The database has pending migrations from an earlier up that was never finished (or was interrupted) (core " +
        "008_150_to_200) and new migrations for Kong 2.1.4 (core 009_200_to_210); Kong's up refuses to run while " +
        "migrations are pending. Finish them first: once no node older than Kong 2.1.4 uses the database, set " +
        "decommissionedOld: true and run pulumi up (kong migrations finish, up, then finish: the last finish breaks " +
        "Kong 2.0.0 nodes too). If Kong 2.0.0's up completed and its nodes must keep serving, set kongVersion back to " +
        "2.0.0 with decommissionedOld: true once no node older than 2.0.0 uses the database (finish only), then raise " +
        "kongVersion again. Or restore a backup taken before that up.",
    );
  });

  it("pending and new, decommissionedOld true, an unsupported path -> refused before the irreversible finish", () => {
    // Found by test/properties: finish ran, then the up after it was refused (2.1.x -> 3.0.0).
    const e = refusal(() =>
      planStep(
        observed({ pending: { acl: ["004_212_to_213"] }, new: { core: ["012_213_to_220", "016_280_to_300"] } }, "2.1.3"),
        desired(true, "3.0.0"),
      ),
    );
    assert.equal(e.code, "UNSUPPORTED_UPGRADE_PATH");
    assert.equal(e.property, "kongVersion");
    assert.match(e.message, /^Kong 3\.0\.0 cannot upgrade a database at 2\.1\.x directly: Kong 3\.x upgrades only from 2\.8\.x\./);
  });

  it("pending and new, decommissionedOld true -> finish first (Kong's own path, §3.3)", () => {
    const p = planStep(
      observed({ pending: { core: ["008_150_to_200"] }, new: { core: ["009_200_to_210", "010_210_to_211"] } }, "2.0.0"),
      desired(true),
    );
    assert.equal(p.step, "finish");
    assert.deepEqual(p.migrations, { core: ["008_150_to_200"] });
    assert.equal(
      p.reason,
      "decommissionedOld is true: finishing 1 pending migration from an earlier up first (Kong's up refuses while migrations are pending); up follows for 2 new ones.",
    );
  });

  it("executed migrations unknown to the target -> refused: no downgrade", () => {
    const e = refusal(() =>
      planStep(
        observed({ executed: { core: ["000_base"] }, unknown: { core: ["009_200_to_210", "010_210_to_211"] } }, "2.1.1"),
        desired(false, "2.0.5"),
      ),
    );
    assert.equal(e.code, "DOWNGRADE");
    assert.equal(e.property, "kongVersion");
    assert.equal(
      e.message,
      "kongVersion 2.0.5 is older than the database, which has run migrations Kong 2.0.5 does not know " +
        "(core 009_200_to_210, 010_210_to_211; the database is at least Kong 2.1.1). Kong cannot downgrade a " +
        "database: set kongVersion to 2.1.1 or later, or restore a backup taken before the upgrade.",
    );
  });

  it("an unsupported path is refused before up (§6)", () => {
    const e = refusal(() => planStep(observed({ new: { core: ["016_280_to_300"] } }, "2.3.0"), desired(false, "3.0.0")));
    assert.equal(e.code, "UNSUPPORTED_UPGRADE_PATH");
  });

  it("Kong's 'missing' is reported as a warning, not a step", () => {
    const p = planStep(observed({ executed: { core: ["000_base"] }, missing: { core: ["003_100_to_110"] } }, "1.0.0"), desired(false));
    assert.equal(p.step, "none");
    assert.deepEqual(p.warnings, [
      'schema_meta names core 003_100_to_110 as last executed but records it nowhere (Kong calls this "missing").',
    ]);
  });
});

describe("planner: Kong Enterprise 2.1's own up guard (kong-migrations.md §2.8)", () => {
  it("refuses up when neither enterprise 006_1301_to_1500 nor core 011_212_to_213 is executed, with Kong's message", () => {
    const at15 = rowsAt({ version: "1.5.0.11", edition: "enterprise", plugins: ["off"] }).map((r) =>
      r.subsystem === "enterprise" ? { ...r, executed: ["000_base"], last_executed: "000_base" } : r,
    );
    const a = assess(at15, false, { version: "2.1.4.1", edition: "enterprise", plugins: ["off"] }, false);
    assert.equal(a.refusal?.code, "ENTERPRISE_NEEDS_1_5");
    assert.equal(a.refusal?.property, "kongVersion");
    assert.match(
      a.refusal?.message ?? "",
      /^Kong Enterprise 2\.1\.4\.1's up would refuse this database: neither enterprise 006_1301_to_1500 nor core 011_212_to_213 is executed, and Kong says "Database is older than Kong Enterprise 1\.5\.0\. To migrate from a version older than Enterprise 1\.5\.0, migrate to Kong Enterprise 1\.5\.0 first\. To migrate from Kong Community Edition, versions should be the same"\. Upgrade it to Kong Enterprise 1\.5 first/,
    );
    const ok = assess(
      rowsAt({ version: "1.5.0.11", edition: "enterprise", plugins: ["off"] }),
      false,
      { version: "2.1.4.1", edition: "enterprise", plugins: ["off"] },
      false,
    );
    assert.equal(ok.refusal, undefined);
    assert.equal(ok.plan.step, "up");
  });
});
