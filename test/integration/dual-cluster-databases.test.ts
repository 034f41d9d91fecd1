/**
 * The database side of a dual-cluster upgrade 2.8.5 -> 3.4.2 (what `KongDualClusterUpgrade` wires;
 * its Kubernetes side is tested under mocks in test/unit/k8s-dual-cluster.test.ts), for real: the
 * `KongDatabaseClone` provider clones a kong-sim 2.8 database with the real pg_dump/pg_restore, the
 * `KongDatabaseMigration` provider runs `up` and `finish` on the clone at once (decommissionedOld
 * true from the start: no 2.8 node uses the clone), and at the end the old database is unchanged
 * and still passes `kong-sim check-compat` as 2.8 (the rollback target), the new one as 3.4.
 */
import { strict as assert } from "node:assert";
import { kongDatabaseCloneProvider as cloneProvider } from "../../provider/clone";
import { capturingLogs, deploy, inputsFor } from "../helpers/provider-fixture";
import { createDatabase, dropDatabase, query, type TestDatabase } from "../helpers/postgres";
import { metaRows, runSim, simEnv } from "../helpers/kong-sim";
import { cloneInputs, contents, copyOf, kongTemplate } from "../helpers/kong-databases";

const OLD = "2.8.5";
const NEW = "3.4.2";
const PLUGINS = { KONG_PLUGINS: "bundled" };
const SERVICE_ID = "0b6c2f6e-8a4e-4c57-9f59-3b1f0f2d9a11";

describe("dual-cluster upgrade 2.8 -> 3.4 on real databases: clone, up + finish on the clone, old database untouched", function () {
  this.timeout(180_000);
  let template: TestDatabase;
  let old: TestDatabase;
  let clone: TestDatabase;

  before(async () => {
    template = await kongTemplate(OLD, PLUGINS);
    await query(template, "INSERT INTO services (id, name) VALUES ($1, 'billing')", [SERVICE_ID]);
  });
  after(() => dropDatabase(template.database));
  beforeEach(async () => {
    [old, clone] = await Promise.all([copyOf(template), createDatabase()]);
  });
  afterEach(() => Promise.all([dropDatabase(old.database), dropDatabase(clone.database)]));

  const compat = async (db: TestDatabase, version: string) => (await runSim(["check-compat"], simEnv(db, version, PLUGINS))).code;

  it("the clone is migrated with up then finish in one create; 2.8 still runs on the old database, 3.4 on the new one", async () => {
    const oldBefore = await contents(old);
    const oldMetaBefore = await metaRows(old);

    // Step 2 of the component: the clone (the old cluster's Admin API is off by then).
    const checkedClone = await cloneProvider.check!({}, cloneInputs(old, clone));
    assert.deepEqual(checkedClone.failures ?? [], []);
    const cloned = await cloneProvider.create(checkedClone.inputs);
    assert.equal(((cloned.outs as Record<string, unknown>).sourceState as { databaseVersion: string }).databaseVersion, "2.8.0");
    assert.deepEqual(await metaRows(clone), oldMetaBefore);

    // ... then the migration on the clone, decommissionedOld true from the start.
    const { result: migrated, lines } = await capturingLogs(() => deploy(inputsFor(clone, NEW, { decommissionedOld: true })));
    const plan = migrated.inputs.plan as { command: string; irreversible?: { command: string } };
    assert.equal(plan.command, "kong migrations up");
    assert.equal(plan.irreversible?.command, "kong migrations finish", "the preview says finish follows up");
    const outs = migrated.outs;
    assert.equal(outs.phase, "up-to-date");
    assert.equal(outs.finished, true);
    assert.equal((outs.lastRun as { command: string }).command, "kong migrations finish");
    const ran = lines.filter((l) => /^\[kong-migrations\] ran kong migrations /.test(l)).map((l) => l.split(" (")[0]);
    assert.deepEqual(ran, ["[kong-migrations] ran kong migrations up", "[kong-migrations] ran kong migrations finish"]);
    assert.deepEqual(
      (await metaRows(clone)).filter((r) => (r.pending ?? []).length > 0),
      [],
      "nothing pending on the clone",
    );

    // The new database runs 3.4 (and no longer 2.8: finish really ran there); the entities came along.
    assert.equal(await compat(clone, NEW), 0);
    assert.equal(await compat(clone, OLD), 1);
    assert.deepEqual(await query(clone, "SELECT id, name FROM services"), [{ id: SERVICE_ID, name: "billing" }]);

    // Rollback target: the old database is exactly as it was, and 2.8 still runs on it.
    assert.deepEqual(await contents(old), oldBefore);
    assert.equal(await compat(old, OLD), 0);
    assert.equal(await compat(old, NEW), 1);

    // Cloning again into the finished clone is refused at preview, and it stays as it is.
    const cloneAfter = await contents(clone);
    const again = await cloneProvider.check!({}, cloneInputs(old, clone));
    assert.equal(again.failures?.length, 1);
    assert.equal(again.failures![0].property, "target.database");
    assert.match(again.failures![0].reason, /^target\.database .* is not empty: it holds \d+ relations \(/);
    assert.deepEqual(await contents(clone), cloneAfter);
  });
});
