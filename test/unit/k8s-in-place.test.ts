/**
 * `KongInPlaceUpgrade` under `pulumi.runtime.setMocks` (test/helpers/pulumi-mocks.ts; parents,
 * dependency URNs and inputs recorded by test/helpers/registrations.ts): the exact children, the
 * slot's names (the same in every step), replicas, images, and the dependsOn chain of Kong's
 * in-place strategy — scale to zero, wait for the pods to be gone, up + finish, start the new
 * version. No Kubernetes API server here: `KubernetesPodsGone` is a mock whose `gone` is true (its
 * wait runs in test/integration/kubernetes-job-runner.test.ts against a fake API); the
 * database side of these steps runs for real in test/integration/in-place-upgrade.test.ts.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { mockedRegistrations, mockUrn, waitForRpcs } from "../helpers/registrations";
import { KongInPlaceUpgrade, type KongInPlaceUpgradeArgs } from "../../sdk/kong-in-place-upgrade";
import { KUBERNETES_PODS_GONE_TYPE } from "../../sdk/k8s-pods-gone";
import { KongKubernetesError } from "../../sdk/k8s-errors";
import { inPlaceDowntimeWarning } from "../../sdk/k8s-in-place-plan";

const COMPONENT = "kong-migrations:index:KongInPlaceUpgrade";
const CLUSTER = "kong-migrations:index:KongCluster";
const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";
const GONE = KUBERNETES_PODS_GONE_TYPE;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";

describe("KongInPlaceUpgrade (under setMocks)", () => {
  const rec = mockedRegistrations();

  const base: KongInPlaceUpgradeArgs = {
    namespace: "kong",
    database: { host: "pg.db.svc", port: 5432, user: "kong", password: pulumi.secret("pw-123"), database: "kong" },
    currentVersion: "2.8.5",
    replicas: 3,
  };
  async function deploy(args: Partial<KongInPlaceUpgradeArgs>): Promise<KongInPlaceUpgrade> {
    const c = new KongInPlaceUpgrade("gw", { ...base, ...args });
    await waitForRpcs();
    return c;
  }

  const { get, children, depsOf } = rec;
  const deploymentUrn = mockUrn([COMPONENT, CLUSTER, DEPLOYMENT], "gw-kong-deployment");
  const migrationUrn = mockUrn([COMPONENT, MIGRATION], "gw-migration");
  const secretUrn = mockUrn([COMPONENT, SECRET], "gw-pg-password");
  const goneUrn = mockUrn([COMPONENT, GONE], "gw-gone");
  const slotSelector = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "gw-kong" };
  const running = [
    `${COMPONENT} gw`,
    `${SECRET} gw-pg-password`,
    `${MIGRATION} gw-migration`,
    `${CLUSTER} gw-kong`,
    `${DEPLOYMENT} gw-kong-deployment`,
    `${SERVICE} gw-kong-proxy`,
    `${SERVICE} gw-kong-admin`,
  ].sort();
  const spec = () => get(DEPLOYMENT, "gw-kong-deployment").inputs!.spec;
  const migration = () => get(MIGRATION, "gw-migration").inputs!;

  it("step 1 (steady): the slot runs currentVersion after the migration (a bootstrap on a fresh database)", async () => {
    const c = await deploy({});
    assert.equal(c.plan.shape, "steady");
    assert.deepEqual(children(), running);
    assert.equal(spec().replicas, 3);
    assert.equal(spec().template.spec.containers[0].image, "kong:2.8.5");
    assert.equal(migration().kongVersion, "2.8.5");
    assert.equal(migration().decommissionedOld, false);
    assert.equal(migration().runner, undefined, "the local runner by default");
    assert.deepEqual(depsOf(DEPLOYMENT, "gw-kong-deployment"), [migrationUrn, secretUrn].sort(), "the pods start after the migration");
    assert.deepEqual(depsOf(MIGRATION, "gw-migration"), [secretUrn]);
    assert.equal(c.podsGone, undefined);
  });

  it("step 2 (targetVersion raised): scale to zero, wait for the pods to be gone, then up + finish with the target", async () => {
    const c = await deploy({ targetVersion: "3.4.2", runner: { kind: "kubernetes" }, stopTimeoutSeconds: 120 });
    assert.equal(c.plan.shape, "stopAndMigrate");
    assert.equal(
      inPlaceDowntimeWarning("gw", c.plan, "2.8.5"),
      "gw: in-place upgrade 2.8.5 -> 3.4.2: this step scales every Kong 2.8.5 pod to zero (downtime starts now), then runs " +
        "kong migrations up and finish with 3.4.2; after finish 2.8.5 can no longer run on this database. Kong 3.4.2 starts " +
        "in the next step: set currentVersion to 3.4.2 and run pulumi up again.",
      "the warning the program logs (the preview shows it)",
    );
    assert.deepEqual(children(), [...running, `${GONE} gw-gone`].sort(), "the same objects, plus the wait");
    assert.equal(spec().replicas, 0, "stopped by an update of the same Deployment, not a delete");
    assert.equal(spec().template.spec.containers[0].image, "kong:2.8.5", "still the old image: scaling down rolls nothing out");
    assert.deepEqual(depsOf(DEPLOYMENT, "gw-kong-deployment"), [secretUrn], "the scale-down does not wait for the migration");

    const gone = get(GONE, "gw-gone");
    assert.deepEqual(gone.inputs!.selector, slotSelector);
    assert.equal(gone.inputs!.namespace, "kong");
    assert.equal(gone.inputs!.timeoutSeconds, 120);
    assert.ok(gone.deps.includes(deploymentUrn), "the wait starts after the scale-down");

    assert.equal(migration().kongVersion, "3.4.2");
    assert.equal(migration().decommissionedOld, true, "a plain true, known at preview: no old node remains once the wait succeeded");
    assert.deepEqual(depsOf(MIGRATION, "gw-migration"), [goneUrn, secretUrn].sort(), "up + finish only after the pods are gone");
    assert.deepEqual(migration().runner, {
      kind: "kubernetes",
      namespace: "kong",
      image: "kong:3.4.2",
      passwordSecret: { name: "gw-pg-password-6f1c2a", key: "password" },
      oldPodSelector: slotSelector,
    });
  });

  it("step 3 (currentVersion = the migrated version): the same Deployment starts the new version; nothing else changes name", async () => {
    const c = await deploy({ currentVersion: "3.4.2" });
    assert.equal(c.plan.shape, "steady");
    assert.deepEqual(children(), running);
    assert.equal(spec().replicas, 3);
    assert.equal(spec().template.spec.containers[0].image, "kong:3.4.2");
    assert.equal(spec().template.metadata.labels["app.kubernetes.io/version"], "3.4.2");
    assert.deepEqual(spec().template.spec.containers[0].readinessProbe.httpGet.path, "/status/ready", "3.4's readiness path");
    assert.equal(migration().kongVersion, "3.4.2");
    assert.equal(migration().decommissionedOld, false, "ready for the next upgrade's up");
    assert.deepEqual(depsOf(DEPLOYMENT, "gw-kong-deployment"), [migrationUrn, secretUrn].sort());
  });

  it("refuses a lower targetVersion and an invalid version before registering anything", () => {
    rec.reset();
    assert.throws(
      () => new KongInPlaceUpgrade("down", { ...base, currentVersion: "3.4.2", targetVersion: "2.8.5" }),
      (e: unknown) =>
        e instanceof KongKubernetesError &&
        e.code === "DOWNGRADE" &&
        e.property === "targetVersion" &&
        e.message ===
          "targetVersion 2.8.5 is older than currentVersion 3.4.2: Kong cannot downgrade a database. If the in-place step ran " +
            "finish, only restoring the backup taken before it (backup) brings 2.8.5 back; if it stopped before finish, set " +
            "targetVersion to 3.4.2 to start 3.4.2 again.",
    );
    assert.throws(
      () => new KongInPlaceUpgrade("bad", { ...base, targetVersion: "3.4" }),
      (e: unknown) => e instanceof KongKubernetesError && e.code === "INVALID_VERSION" && e.property === "targetVersion",
    );
    assert.deepEqual(rec.regs, []);
  });
});
