/**
 * Issue 9's planner truths against a real PostgreSQL and kong-sim: rollback before finish, an
 * interrupted first bootstrap, refresh that reports instead of refusing, another database replaces.
 */
import { strict as assert } from "node:assert";
import { isKongMigrationError } from "../../provider/kong/errors";
import { query, useFreshDatabase } from "../helpers/postgres";
import { deploy, inputsFor, kongSim, provider, redeploy, type Raw } from "../helpers/provider-fixture";

describe("planner truths (issue 9)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();

  it("rollback before finish: 2.0.5 declared again after up to 2.1.4 runs nothing; raising again offers finish", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(s.outs.phase, "pending-finish");
    const rows = () => query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const before = await rows();

    const back = await provider.check!(s.inputs, inputsFor(db(), "2.0.5"));
    assert.deepEqual(back.failures ?? [], []);
    const plan = (back.inputs as Raw).plan as Raw;
    assert.equal(plan.command, "none");
    assert.match(
      String(plan.reason),
      /^The database is mid-upgrade: a newer Kong's up ran \(pending acl 003_200_to_210, 004_212_to_213; .*core 009_200_to_210.*Kong 2\.0\.5 nodes still work on it\. Nothing runs\./,
    );
    s = await redeploy(s, inputsFor(db(), "2.0.5"));
    assert.equal(s.outs.phase, "mid-upgrade-old-version");
    assert.deepEqual(await rows(), before, "nothing ran");
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0);

    const again = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(((again.inputs as Raw).plan as Raw).command, "kong migrations finish");
    s = await redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
  });

  it("a downgrade after finish is still refused at check", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    const back = await provider.check!(s.inputs, inputsFor(db(), "2.0.5"));
    assert.equal(back.failures?.[0].property, "kongVersion");
    assert.match(back.failures![0].reason, /^kongVersion 2\.0\.5 is older than the database/);
  });

  it("an interrupted first bootstrap ends up-to-date: up, then finish without decommissionedOld", async () => {
    const checked = await provider.check!({}, inputsFor(db(), "2.0.5", {}, { KONG_SIM_FAIL_AT: "1" }));
    await assert.rejects(provider.create(checked.inputs), (e: unknown) => isKongMigrationError(e, "COMMAND_FAILED"));
    assert.deepEqual(await query(db(), "SELECT subsystem FROM schema_meta"), [], "schema_meta exists and records nothing");
    const s = await deploy(inputsFor(db(), "2.0.5"));
    assert.equal(s.outs.phase, "up-to-date");
    assert.deepEqual(s.outs.pending, {});
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish");
  });

  it("refresh after a failed partial up reports the database, and with 2.0.5 declared it does not throw", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", {}, { KONG_SIM_FAIL_AT: "7" }));
    await assert.rejects(provider.update!(s.id, s.outs, checked.inputs));
    const r = await provider.read!(s.id, s.outs);
    const props = r.props as Raw;
    assert.ok(["pending-finish", "mid-upgrade-old-version", "newer-than-target"].includes(String(props.phase)), String(props.phase));
    // A finish and up run by hand with 2.1.4 on a 2.0.5 resource: refused at the next check, reported by read.
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "up"])).code, 0);
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    const r2 = await provider.read!(s.id, s.outs);
    assert.equal((r2.props as Raw).phase, "newer-than-target");
    assert.match(String(((r2.props as Raw).plan as Raw).reason), /^refused: kongVersion 2\.0\.5 is older than the database/);
    s = { ...s, outs: r2.props as Raw };
    const next = await provider.check!(s.inputs, inputsFor(db(), "2.0.5"));
    assert.equal(next.failures?.[0].property, "kongVersion");
  });

  it("a finish run by hand behind the provider's back: the next unchanged pulumi up records it (outputs equal a refresh)", async () => {
    // Found by test/properties (invariant: outputs always equal a refresh): diff saw no change, so
    // the outputs kept saying pending-finish until someone ran pulumi refresh.
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    const again = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(again.changed, true, "diff reports the drift");
    assert.equal(again.outs.phase, "up-to-date");
    assert.deepEqual(again.outs.pending, {});
    assert.deepEqual(again.outs.lastRun, s.outs.lastRun, "nothing ran: the last run stays the up");
    assert.deepEqual((await provider.read!(again.id, again.outs)).props, again.outs, "outputs equal a refresh");
    const converged = await redeploy(again, inputsFor(db(), "2.1.4"));
    assert.equal(converged.changed, false, "a converged stack has no diff");
  });

  it("decommissionedOld kept true from a rolled-back 2.0.5 while raising kongVersion again: refused before finish", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    s = await redeploy(s, inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.0.5", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "mid-upgrade-old-version");
    // Found by test/properties: check planned finish, which broke the 2.0.5 nodes serving now.
    const before = await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const raised = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(raised.failures?.length, 1);
    assert.equal(raised.failures![0].property, "decommissionedOld");
    assert.match(
      raised.failures![0].reason,
      /^decommissionedOld is still true from before, but raising kongVersion from 2\.0\.5 to 2\.1\.4 would run kong migrations finish \(core 009_200_to_210; .*\) at once, which breaks the Kong 2\.0\.5 nodes: they are the old cluster now\. Set decommissionedOld to false for this upgrade, and back to true once the 2\.0\.5 nodes are gone\.$/,
    );
    // The next step it names: false for the upgrade (nothing runs), then true once 2.0.5 is gone.
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual(await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem"), before);
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0, "the 2.0.5 nodes still work");
    s = await redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
  });

  it("decommissionedOld kept true from a rolled-back 2.1.2 while raising kongVersion past the pending 2.2 up: refused, and its next steps converge", async () => {
    // Found by the 1,000-sequence soak (seed 20261203): check planned finish, up for 2.8.5, and the
    // finish of 2.2's pending migrations broke the 2.1.2 nodes serving now.
    let s = await deploy(inputsFor(db(), "2.1.0"));
    s = await redeploy(s, inputsFor(db(), "2.2.2"));
    s = await redeploy(s, inputsFor(db(), "2.1.2"));
    s = await redeploy(s, inputsFor(db(), "2.1.2", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "mid-upgrade-old-version");
    const before = await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem");
    const raised = await provider.check!(s.inputs, inputsFor(db(), "2.8.5", { decommissionedOld: true }));
    assert.equal(raised.failures?.length, 1);
    assert.equal(raised.failures![0].property, "decommissionedOld");
    assert.match(
      raised.failures![0].reason,
      /^decommissionedOld is still true from before, but raising kongVersion from 2\.1\.2 to 2\.8\.5 would run kong migrations finish \(core 012_213_to_220; .*\), up and finish at once, which breaks the Kong 2\.1\.2 nodes: they are the old cluster now\. Continue the upgrade that left them pending: first set kongVersion to 2\.2\.0 \(decommissionedOld false: nothing runs while the 2\.1\.2 nodes serve\), set decommissionedOld back to true once they are gone \(finish runs\), then raise kongVersion to 2\.8\.5\. Or restore a backup taken before that up\.$/,
    );
    // The steps it names: 2.2.0 with false (nothing runs), true once 2.1.2 is gone, then 2.8.5.
    s = await redeploy(s, inputsFor(db(), "2.2.0"));
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual(await query(db(), "SELECT subsystem, executed, pending FROM schema_meta ORDER BY subsystem"), before);
    assert.equal((await kongSim(db(), "2.1.2", ["check-compat"])).code, 0, "the 2.1.2 nodes still work");
    s = await redeploy(s, inputsFor(db(), "2.2.0", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
    s = await redeploy(s, inputsFor(db(), "2.8.5"));
    assert.equal(s.outs.phase, "up-to-date", "2.2 -> 2.8.5 leaves nothing pending");
    assert.equal((await kongSim(db(), "2.2.0", ["check-compat"])).code, 0, "the 2.2.0 nodes still work beside 2.8.5");
  });

  it("decommissionedOld true with the previous up's migrations still pending while raising kongVersion: refused, finish at the previous version first", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    // A finish that never ran to the end: decommissionedOld is true, the migrations still pending.
    const checked = await provider.check!(s.inputs, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    s = { ...s, inputs: checked.inputs as Raw, outs: { ...s.outs, decommissionedOld: true } };
    const raised = await provider.check!(s.inputs, inputsFor(db(), "2.2.2", { decommissionedOld: true }));
    assert.equal(raised.failures?.length, 1);
    assert.match(
      raised.failures![0].reason,
      /^decommissionedOld is still true from before, but raising kongVersion from 2\.1\.4 to 2\.2\.2 would run kong migrations finish \(core 009_200_to_210; .*\), up and finish at once, which breaks the Kong 2\.1\.4 nodes: they are the old cluster now\. Finish the earlier upgrade first: first set kongVersion to 2\.1\.4 \(decommissionedOld true runs its finish only\), then raise kongVersion to 2\.2\.2 with decommissionedOld false, and set it back to true once the 2\.1\.4 nodes are gone\. Or restore a backup taken before that up\.$/,
    );
    s = await redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
  });

  it("pointing database at another database replaces the resource", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const other = { ...(s.inputs.database as Raw), database: "elsewhere" };
    const d = await provider.diff!(s.id, s.outs, { ...s.inputs, database: other });
    assert.deepEqual(d.replaces, ["database"]);
    const same = await provider.diff!(s.id, s.outs, { ...s.inputs, lockTimeoutSeconds: 9 });
    assert.equal(same.replaces, undefined);
  });
});
