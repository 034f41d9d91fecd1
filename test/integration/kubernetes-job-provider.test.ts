/**
 * The KongDatabaseMigration provider with `runner: { kind: "kubernetes" }`, driven like the engine
 * drives it, against the FAKE Kubernetes API of `test/helpers/fake-kube-api.ts` (no cluster on this
 * machine: the fake plays API server, Job controller and kubelet, and runs each Job's `kong`
 * command as kong-sim with the Job's environment). The database is the real test PostgreSQL: the
 * seed's upgrade story (bootstrap 2.0.5, up to 2.1.4, finish) really migrates it through Jobs.
 */
import { strict as assert } from "node:assert";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { metaRows } from "../helpers/kong-sim";
import { useFreshDatabase } from "../helpers/postgres";
import { deploy, redeploy, type Raw } from "../helpers/provider-fixture";

const BLUE = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-blue" };

describe("KongDatabaseMigration provider with the Kubernetes Job runner (fake Kubernetes API, real PostgreSQL)", function () {
  this.timeout(60_000);
  const db = useFreshDatabase();
  let fake: FakeKubeApi;
  beforeEach(async () => {
    fake = await FakeKubeApi.start();
    fake.putSecret("kong", "kong-pg", { password: db().password });
  });
  afterEach(async () => fake.close());

  const inputs = (version: string, extra: Raw = {}): Raw => ({
    database: { host: db().host, port: db().port, user: db().user, database: db().database },
    password: db().password,
    kongVersion: version,
    plugins: ["off"],
    decommissionedOld: false,
    runner: {
      kind: "kubernetes",
      namespace: "kong",
      kubeconfig: fake.kubeconfig(),
      passwordSecret: { name: "kong-pg", key: "password" },
      oldPodSelector: BLUE,
    },
    lockTimeoutSeconds: 5,
    ...extra,
  });
  const images = () =>
    fake.createdJobs.map((j) => `${j.spec!.template.spec!.containers[0].command![2]} ${j.spec!.template.spec!.containers[0].image}`);

  it("bootstraps, runs up and finish as Jobs with the target image; finish waits for the old pods", async () => {
    const created = await deploy(inputs("2.0.5"));
    assert.equal(created.outs.phase, "up-to-date");
    assert.match(String((created.outs.lastRun as Raw).where), /^Job kong\/kong-migrations-bootstrap-/);

    const upgraded = await redeploy(created, inputs("2.1.4"));
    assert.equal(upgraded.outs.phase, "pending-finish");
    assert.deepEqual(upgraded.outs.pending, { core: ["009_200_to_210"] });

    fake.putPod("kong", "kong-blue-abc12", BLUE, true);
    await assert.rejects(redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true })), /kong-blue-abc12/);
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"], "finish did not run");

    fake.removePod("kong", "kong-blue-abc12");
    await new Promise((r) => setTimeout(r, 5));
    const finished = await redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true }));
    assert.equal(finished.outs.phase, "up-to-date");
    assert.deepEqual((await metaRows(db()))[0].pending, []);
    assert.deepEqual(images(), ["bootstrap kong:2.0.5", "up kong:2.1.4", "finish kong:2.1.4"]);
    assert.deepEqual(fake.jobNames("kong"), [], "every successful Job was deleted");
    for (const job of fake.createdJobs) assert.ok(!JSON.stringify(job).includes(db().password));
  });
});
