/**
 * The database side of `KongInPlaceUpgrade`, for real: the component runs under
 * `pulumi.runtime.setMocks` (no Kubernetes API server here; its pods-gone wait is a mock whose
 * `gone` is true), and the exact inputs it gives its `KongDatabaseMigration` at each step are fed
 * to the real provider (check, diff, create/update) against a real PostgreSQL database, with
 * kong-sim as `kong`. Kong 2.8.5 -> 3.4.2 (OSS, the LTS jump): step 2's preview plans up and warns
 * about the finish that follows, and its update runs up and finish in one go, after which `kong-sim check-compat` as 2.8.5 fails and as 3.4.2 passes; step 3 (the new
 * version starts) runs nothing.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { resetRegistered, SECRET_SIG } from "../helpers/pulumi-mocks";
import { mockedRegistrations, waitForRpcs } from "../helpers/registrations";
import { useFreshDatabase } from "../helpers/postgres";
import { metaRows } from "../helpers/kong-sim";
import { capturingLogs, deploy, kongSim, provider, redeploy, SIM, type Deployed, type Raw } from "../helpers/provider-fixture";
import { KongInPlaceUpgrade } from "../../sdk/kong-in-place-upgrade";

const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";

/** The inputs as the engine hands them to the provider: secrets unwrapped, the serialized provider left out. */
function engineInputs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(engineInputs);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return engineInputs(o.value);
    return Object.fromEntries(
      Object.entries(o)
        .filter(([k, x]) => k !== "__provider" && x !== undefined)
        .map(([k, x]) => [k, engineInputs(x)]),
    );
  }
  return v;
}

describe("KongInPlaceUpgrade's database side (real PostgreSQL, kong-sim; components under setMocks)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  const rec = mockedRegistrations();

  /** The migration inputs the component registers for this step (kong-sim impersonating the migration's version). */
  async function migrationInputs(currentVersion: string, targetVersion?: string): Promise<Raw> {
    rec.reset();
    resetRegistered();
    const simVersion = targetVersion ?? currentVersion;
    new KongInPlaceUpgrade("gw", {
      namespace: "kong",
      database: { host: db().host, port: db().port, user: db().user, database: db().database, password: pulumi.secret(db().password) },
      currentVersion,
      targetVersion,
      runner: { kind: "local", command: [process.execPath, SIM], env: { KONG_SIM_VERSION: simVersion } },
      lockTimeoutSeconds: 5,
    });
    await waitForRpcs();
    return engineInputs(rec.get(MIGRATION, "gw-migration").inputs) as Raw;
  }
  const compat = async (version: string) => (await kongSim(db(), version, ["check-compat"])).code;

  it("2.8.5 -> 3.4.2: step 2 runs up then finish in one update; 2.8.5 no longer runs, 3.4.2 does; step 3 runs nothing", async () => {
    const step1 = await migrationInputs("2.8.5");
    let s: Deployed = await deploy(step1);
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations bootstrap");
    assert.equal(await compat("2.8.5"), 0);

    const step2 = await migrationInputs("2.8.5", "3.4.2");
    assert.equal(step2.decommissionedOld, true);
    // What pulumi preview shows for step 2 (decommissionedOld is known at preview): up, and the finish that follows.
    const plan = (await provider.check!(s.inputs, step2)).inputs.plan as Raw;
    assert.equal(plan.command, "kong migrations up");
    assert.match(
      String((plan.irreversible as Raw).warning),
      /^kong migrations finish \(after kong migrations up, in the same update\) is irreversible: it runs the teardowns of \d+ migrations /,
    );
    const { result, lines } = await capturingLogs(() => redeploy(s, step2));
    s = result;
    assert.equal(s.outs.phase, "up-to-date");
    assert.deepEqual(s.outs.pending, {});
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish");
    assert.deepEqual(
      lines.filter((l) => l.startsWith("[kong-migrations] running kong migrations ")).map((l) => l.split(" (")[0]),
      ["[kong-migrations] running kong migrations up", "[kong-migrations] running kong migrations finish"],
    );
    assert.deepEqual(
      (await metaRows(db())).filter((r) => (r.pending ?? []).length > 0),
      [],
      "no migration is left pending",
    );
    assert.equal(await compat("2.8.5"), 1, "after finish, 2.8.5 can no longer run on the database");
    assert.equal(await compat("3.4.2"), 0, "3.4.2 runs on it");

    const step3 = await migrationInputs("3.4.2");
    assert.equal(step3.decommissionedOld, false);
    const started = await redeploy(s, step3);
    assert.equal((started.outs.lastRun as Raw).command, "kong migrations finish", "nothing ran since step 2's finish");
    assert.equal(started.outs.phase, "up-to-date");
    assert.equal(await compat("3.4.2"), 0);
  });
});
