/**
 * Kong Enterprise's guide "Migrating from 1.5.x to 2.1.x", end to end on one real database through
 * the provider object: Enterprise 0.36 -> 1.3 -> 1.5 -> 2.1 (up, then finish, at each hop), with
 * `kong-sim check-compat` proving that the old version keeps working after each `up` and stops
 * after each `finish`; and Kong Enterprise's own `up` guard (kong-migrations.md §2.8), in kong-sim
 * and, before anything runs, in the provider's plan.
 */
import { strict as assert } from "node:assert";
import { useFreshDatabase } from "../helpers/postgres";
import { deploy, inputsFor, kongSim, provider, redeploy, type Deployed, type Raw } from "../helpers/provider-fixture";

const EE = { KONG_SIM_EDITION: "enterprise" };
const GUARD_MESSAGE =
  "Database is older than Kong Enterprise 1.5.0.\n\n" +
  "To migrate from a version older than Enterprise 1.5.0, migrate to Kong Enterprise 1.5.0 first.\n\n" +
  "To migrate from Kong Community Edition, versions should be the same";

describe("Kong Enterprise's upgrade guide: 0.36 -> 1.3 -> 1.5 -> 2.1 (real PostgreSQL, kong-sim)", function () {
  this.timeout(180_000);
  const db = useFreshDatabase();
  const ee = (version: string, decommissionedOld = false): Raw =>
    inputsFor(db(), version, { edition: "enterprise", decommissionedOld }, EE);
  const compat = async (version: string) => (await kongSim(db(), version, ["check-compat"], EE)).code;

  it("walks every hop of the guide on one database; each old version works after up and stops after finish", async () => {
    let s: Deployed = await deploy(ee("0.36.0.2"));
    assert.equal(s.outs.phase, "up-to-date");
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations bootstrap");
    assert.equal(s.outs.databaseVersion, "0.36.0.0");

    // Skipping hops is refused, naming hops that are themselves accepted.
    const skip = await provider.check!(s.inputs, ee("2.1.4.1"));
    assert.deepEqual(skip.failures, [
      {
        property: "kongVersion",
        reason:
          "Kong Enterprise 2.1.4.1 cannot upgrade a database at 0.36.x directly: Kong Enterprise 2.1 requires 1.5.x first, " +
          "and later 2.x releases upgrade only from 2.1.x or newer. Upgrade through 1.3.x, then 1.5.x (one kongVersion " +
          "change, up and finish each), then to 2.1.4.1.",
      },
    ]);

    const hops: { from: string; to: string; pending: Record<string, string[]> }[] = [
      { from: "0.36.0.2", to: "1.3.0.2", pending: { core: ["005_120_to_130"] } },
      {
        from: "1.3.0.2",
        to: "1.5.0.11",
        pending: { enterprise: ["006_1301_to_1500", "007_1500_to_1504", "008_1504_to_1505", "009_1506_to_1507"] },
      },
      {
        from: "1.5.0.11",
        to: "2.1.4.1",
        pending: {
          core: ["008_150_to_200", "009_200_to_210"],
          enterprise: ["007_1500_to_2100"],
          acl: ["003_200_to_210", "004_212_to_213"],
          "bot-detection": ["001_200_to_210"],
          "ip-restriction": ["001_200_to_210"],
          oauth2: ["004_200_to_210"],
        },
      },
    ];
    for (const { from, to, pending } of hops) {
      const checked = await provider.check!(s.inputs, ee(to));
      assert.deepEqual(checked.failures ?? [], [], `${from} -> ${to} is accepted`);
      assert.equal((checked.inputs.plan as Raw).command, "kong migrations up", `${from} -> ${to}`);
      const warnings = ((checked.inputs.plan as Raw).warnings ?? []) as string[];
      assert.match(warnings.at(-1) ?? "", /^\d+ of the migrations kong migrations up runs come from an unverified catalogue entry/);

      s = await redeploy(s, ee(to));
      assert.equal((s.outs.lastRun as Raw).command, "kong migrations up", `${from} -> ${to}`);
      assert.equal(s.outs.phase, "pending-finish", `${from} -> ${to}`);
      assert.deepEqual(s.outs.pending, pending, `${from} -> ${to}: pending after up`);
      assert.equal(await compat(from), 0, `${from} keeps working after ${to}'s up`);
      assert.equal(await compat(to), 0, `${to} works after its up`);

      s = await redeploy(s, ee(to, true));
      assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish", `${from} -> ${to}`);
      assert.equal(s.outs.phase, "up-to-date", `${from} -> ${to}`);
      assert.equal(await compat(from), 1, `${from} stops working after ${to}'s finish`);
      assert.equal(await compat(to), 0, `${to} works after its finish`);
      // The next hop starts with the old cluster running again: decommissionedOld back to false.
      s = await redeploy(s, ee(to, false));
    }
    const list = await kongSim(db(), "2.1.4.1", ["migrations", "list"], EE);
    assert.equal(list.code, 0, list.stdout + list.stderr);
    assert.equal(s.outs.finished, true);

    // An Enterprise patch release (2.1.4.1 -> 2.1.4.2) has no migrations: a reload, as with OSS.
    const lastRun = s.outs.lastRun;
    const patched = await redeploy(s, ee("2.1.4.2"));
    assert.equal(patched.changed, true);
    assert.equal(patched.outs.reloadRequired, true);
    assert.equal(patched.outs.phase, "up-to-date");
    assert.equal(patched.outs.finished, true);
    assert.deepEqual(patched.outs.lastRun, lastRun, "no kong migrations command ran");
  });

  it("kong-sim as Enterprise 2.1 refuses up on a database older than Enterprise 1.5, with Kong's message inside the lock", async () => {
    assert.equal((await kongSim(db(), "1.3.0.2", ["migrations", "bootstrap"], EE)).code, 0);
    const r = await kongSim(db(), "2.1.4.1", ["migrations", "up"], EE);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.ok(
      r.stderr.startsWith(
        "Error: [PostgreSQL error] cluster_mutex callback threw an error: " +
          `/usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:66: ${GUARD_MESSAGE}\nstack traceback:\n`,
      ),
      r.stderr,
    );
    const list = await kongSim(db(), "1.3.0.2", ["migrations", "list"], EE);
    assert.equal(list.code, 0, "nothing ran");
    assert.equal((await kongSim(db(), "1.5.0.11", ["migrations", "up"], EE)).code, 0, "Enterprise 1.5 has no such guard");
  });

  it("a Community 1.5 database with an Enterprise 2.1 target: refused at preview (the guide's same-version rule), and by kong-sim's guard", async () => {
    const community = await deploy(inputsFor(db(), "1.5.1"));
    assert.equal(community.outs.phase, "up-to-date");
    const checked = await provider.check!(community.inputs, ee("2.1.4.1"));
    assert.equal(checked.failures?.length, 1);
    assert.equal(checked.failures![0].property, "kongVersion");
    assert.match(
      checked.failures![0].reason,
      /^The database is a Kong Community database at 1\.5\.x and kongVersion is Kong Enterprise 2\.1\.4\.1\. /,
    );
    const r = await kongSim(db(), "2.1.4.1", ["migrations", "up"], EE);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(GUARD_MESSAGE), r.stderr);
  });

  it("a Community 2.1.4 database passes Enterprise 2.1.4.1's guard (core 011_212_to_213 is executed)", async () => {
    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "bootstrap"])).code, 0);
    const r = await kongSim(db(), "2.1.4.1", ["migrations", "up"], EE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^migrating enterprise on database '/);
  });
});
