/**
 * The KongDatabaseMigration provider with `runner: { kind: "kubernetes" }`, driven like the engine
 * drives it, against the REAL Kubernetes API server of `test/helpers/kube-cluster.ts` (real Job
 * controller and scheduler; the kubelet is simulated by the harness's executor, which runs each
 * Job's `kong` command as kong-sim with the Job's environment, see `test/helpers/kube-executor.ts`).
 * The database is the real test PostgreSQL: the seed's upgrade story (bootstrap 2.0.5, up to 2.1.4,
 * finish) really migrates it through Jobs, and the "old Kong" pod is a real pod kwok keeps Ready.
 */
import { strict as assert } from "node:assert";
import { useKubeCluster } from "../helpers/kube-cluster";
import { useKubeNamespace } from "../helpers/kube-objects";
import { metaRows } from "../helpers/kong-sim";
import { useFreshDatabase } from "../helpers/postgres";
import { deploy, redeploy, type Raw } from "../helpers/provider-fixture";

const BLUE = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-blue" };

describe("KongDatabaseMigration provider with the Kubernetes Job runner (real Kubernetes API server, real PostgreSQL)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  const cluster = useKubeCluster();
  const ns = useKubeNamespace(cluster);
  beforeEach(async () => {
    await ns().putSecret("kong-pg", { password: db().password });
  });

  const inputs = (version: string, extra: Raw = {}): Raw => ({
    database: { host: db().host, port: db().port, user: db().user, database: db().database },
    password: db().password,
    kongVersion: version,
    plugins: ["off"],
    decommissionedOld: false,
    runner: {
      kind: "kubernetes",
      namespace: ns().name,
      kubeconfig: cluster().kubeconfig,
      passwordSecret: { name: "kong-pg", key: "password" },
      oldPodSelector: BLUE,
    },
    lockTimeoutSeconds: 5,
    ...extra,
  });
  const images = () =>
    ns().createdJobs.map((j) => `${j.spec!.template.spec!.containers[0].command![2]} ${j.spec!.template.spec!.containers[0].image}`);

  it("bootstraps, runs up and finish as Jobs with the target image; finish waits for the old pods", async () => {
    const created = await deploy(inputs("2.0.5"));
    assert.equal(created.outs.phase, "up-to-date");
    assert.match(String((created.outs.lastRun as Raw).where), new RegExp(`^Job ${ns().name}/kong-migrations-bootstrap-`));

    const upgraded = await redeploy(created, inputs("2.1.4"));
    assert.equal(upgraded.outs.phase, "pending-finish");
    assert.deepEqual(upgraded.outs.pending, { core: ["009_200_to_210"] });

    await ns().putPod("kong-blue-abc12", BLUE, { ready: true });
    await assert.rejects(redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true })), /kong-blue-abc12/);
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"], "finish did not run");

    await ns().deletePod("kong-blue-abc12");
    await ns().waitPodGone("kong-blue-abc12");
    const finished = await redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true }));
    assert.equal(finished.outs.phase, "up-to-date");
    assert.deepEqual((await metaRows(db()))[0].pending, []);
    assert.deepEqual(images(), ["bootstrap kong:2.0.5", "up kong:2.1.4", "finish kong:2.1.4"]);
    assert.deepEqual(await ns().jobNames(), [], "every successful Job was deleted");
    for (const job of ns().createdJobs) assert.ok(!JSON.stringify(job).includes(db().password));
  });
});
