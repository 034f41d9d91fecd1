/**
 * `KongDualClusterUpgrade` under `pulumi.runtime.setMocks` (the shared helper in
 * `test/helpers/pulumi-mocks.ts`; Kubernetes cannot run here): the exact children at each step,
 * each cluster's database, password Secret and Admin API switch, the clone and its migration
 * (`decommissionedOld` true from the start), the `dependsOn` chain (old Admin API off -> clone ->
 * up + finish -> new cluster; old pods gone -> new Admin API), the traffic objects, the preview
 * warnings that state Kong's no-Admin-API-writes rule, and the refused combinations. The clone and
 * the migration themselves run for real in test/integration/dual-cluster-databases.test.ts.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { secretInput as secret } from "../helpers/pulumi-mocks";
import { KongDualClusterUpgrade, type KongDualClusterUpgradeArgs } from "../../sdk/kong-dual-cluster-upgrade";
import { KUBERNETES_PODS_GONE_TYPE } from "../../sdk/k8s-pods-gone";
import { KONG_DATABASE_CLONE_TYPE } from "../../sdk/kong-database-clone";
import { KONG_DATABASE_DROP_TYPE } from "../../sdk/kong-database-drop";
import { KongKubernetesError } from "../../sdk/k8s-errors";
import { mockedRegistrations, mockUrn as urn, waitForRpcs } from "../helpers/registrations";

const COMPONENT = "kong-migrations:index:KongDualClusterUpgrade";
const CLUSTER = "kong-migrations:index:KongCluster";
const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";
const CLONE = KONG_DATABASE_CLONE_TYPE;
const GONE = KUBERNETES_PODS_GONE_TYPE;
const DROP = KONG_DATABASE_DROP_TYPE;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

describe("KongDualClusterUpgrade (under setMocks)", () => {
  const rec = mockedRegistrations({
    [CLONE]: () => ({ clonedAt: "2024-01-01T00:00:00.000Z", sourceState: { databaseVersion: "2.8.0" } }),
  });
  const { get, children, depsOf } = rec;
  const warnings: string[] = [];
  const log = pulumi.log as unknown as { warn: (msg: string, r?: pulumi.Resource) => Promise<void> };
  const realWarn = log.warn;
  before(() => {
    log.warn = async (msg: string, r?: pulumi.Resource) => {
      if (r instanceof KongDualClusterUpgrade) warnings.push(msg);
    };
  });
  after(() => {
    log.warn = realWarn;
  });
  beforeEach(() => {
    warnings.length = 0;
  });

  const base: KongDualClusterUpgradeArgs = {
    namespace: "kong",
    database: { host: "pg.db.svc", port: 5432, user: "kong", password: pulumi.secret("pw-old"), database: "kong" },
    currentVersion: "2.8.5",
    replicas: 3,
  };
  const newDatabase = { host: "pg.db.svc", port: 5432, user: "kong", password: pulumi.secret("pw-new"), database: "kong_34" };
  const upgrade = { targetVersion: "3.4.2", newDatabase };

  async function deploy(args: Partial<KongDualClusterUpgradeArgs>): Promise<KongDualClusterUpgrade> {
    const c = new KongDualClusterUpgrade("kong", { ...base, ...args });
    await waitForRpcs();
    return c;
  }
  const deploymentUrn = (color: string) => urn([COMPONENT, CLUSTER, DEPLOYMENT], `kong-${color}-deployment`);
  const clusterChildren = (color: string) => [
    urn([COMPONENT, CLUSTER, DEPLOYMENT], `kong-${color}-deployment`),
    urn([COMPONENT, CLUSTER, SERVICE], `kong-${color}-proxy`),
  ];
  const migrationUrn = (color: string) => urn([COMPONENT, MIGRATION], `kong-${color}-migration`);
  const secretUrn = (color: string) => urn([COMPONENT, SECRET], `kong-${color}-pg-password`);
  const cloneUrn = urn([COMPONENT, CLONE], "kong-green-clone");
  const goneUrn = urn([COMPONENT, GONE], "kong-blue-gone");
  const container = (color: string) => get(DEPLOYMENT, `kong-${color}-deployment`).inputs!.spec.template.spec.containers[0];
  const envOf = (color: string) =>
    Object.fromEntries(
      container(color).env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]),
    );
  const selector = (color: string) => ({ "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": `kong-${color}` });
  const cluster = (color: string, admin: boolean) => [
    `${CLUSTER} kong-${color}`,
    `${DEPLOYMENT} kong-${color}-deployment`,
    `${SERVICE} kong-${color}-proxy`,
    ...(admin ? [`${SERVICE} kong-${color}-admin`] : []),
  ];
  const upgradeChildren = (blueAdmin: boolean, greenAdmin: boolean) =>
    [
      `${COMPONENT} kong`,
      ...cluster("blue", blueAdmin),
      ...cluster("green", greenAdmin),
      `${MIGRATION} kong-blue-migration`,
      `${MIGRATION} kong-green-migration`,
      `${CLONE} kong-green-clone`,
      `${SECRET} kong-blue-pg-password`,
      `${SECRET} kong-green-pg-password`,
      `${SERVICE} kong-proxy`,
    ].sort();

  it("step 1, target = current: the live cluster on its database with the Admin API; no clone", async () => {
    const c = await deploy({});
    assert.equal(c.plan.phase, "steady");
    assert.deepEqual(
      children(),
      [
        `${COMPONENT} kong`,
        ...cluster("blue", true),
        `${MIGRATION} kong-blue-migration`,
        `${SECRET} kong-blue-pg-password`,
        `${SERVICE} kong-proxy`,
      ].sort(),
    );
    const m = get(MIGRATION, "kong-blue-migration").inputs!;
    assert.equal(m.kongVersion, "2.8.5");
    assert.equal(m.decommissionedOld, false);
    assert.deepEqual(m.database, { host: "pg.db.svc", port: 5432, user: "kong", database: "kong" });
    assert.equal(envOf("blue").KONG_ADMIN_LISTEN, "0.0.0.0:8001");
    assert.deepEqual(depsOf(DEPLOYMENT, "kong-blue-deployment"), [migrationUrn("blue"), secretUrn("blue")].sort());
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"));
    assert.deepEqual(warnings, []);
  });

  it("step 2: old Admin API off, then the clone, then up + finish on the clone, then the new cluster with its Admin API off", async () => {
    const c = await deploy(upgrade);
    assert.equal(c.plan.phase, "dualCluster");
    assert.deepEqual(children(), upgradeChildren(false, false));

    // Each cluster on its own database, with its own password Secret; both Admin APIs off.
    const blue = envOf("blue");
    const green = envOf("green");
    assert.equal(blue.KONG_PG_DATABASE, "kong");
    assert.equal(green.KONG_PG_DATABASE, "kong_34");
    assert.deepEqual(blue.KONG_PG_PASSWORD, { secretKeyRef: { name: "kong-blue-pg-password-6f1c2a", key: "password" } });
    assert.deepEqual(green.KONG_PG_PASSWORD, { secretKeyRef: { name: "kong-green-pg-password-6f1c2a", key: "password" } });
    assert.equal(blue.KONG_ADMIN_LISTEN, "off");
    assert.equal(green.KONG_ADMIN_LISTEN, "off");
    for (const color of ["blue", "green"]) {
      assert.deepEqual(
        container(color).ports.map((p: { name: string }) => p.name),
        ["proxy", "proxy-tls", "status"],
        `${color}: no admin port`,
      );
    }
    assert.equal(container("blue").image, "kong:2.8.5");
    assert.equal(container("green").image, "kong:3.4.2");
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.replicas, 3);
    assert.deepEqual(get(SECRET, "kong-green-pg-password").inputs!.stringData, secret({ password: "pw-new" }));
    assert.ok(!JSON.stringify(get(DEPLOYMENT, "kong-green-deployment").inputs).includes("pw-new"));

    // The clone: from the live database into the new one, passwords only as secrets, after blue's Admin API is off.
    const clone = get(CLONE, "kong-green-clone").inputs!;
    assert.deepEqual(clone.source, { host: "pg.db.svc", port: 5432, user: "kong", database: "kong" });
    assert.deepEqual(clone.target, { host: "pg.db.svc", port: 5432, user: "kong", database: "kong_34" });
    assert.deepEqual(clone.sourcePassword, secret("pw-old"));
    assert.deepEqual(clone.targetPassword, secret("pw-new"));
    assert.deepEqual(depsOf(CLONE, "kong-green-clone"), clusterChildren("blue").sort(), "the clone waits for blue's Admin-API-off rollout");

    // up + finish at once on the clone: no old node ever uses it.
    const m = get(MIGRATION, "kong-green-migration").inputs!;
    assert.equal(m.kongVersion, "3.4.2");
    assert.equal(m.decommissionedOld, true);
    assert.deepEqual(m.database, { host: "pg.db.svc", port: 5432, user: "kong", database: "kong_34" });
    assert.deepEqual(m.password, secret("pw-new"));
    assert.equal(m.backup, undefined, "no backup: the untouched old database is the way back");
    assert.deepEqual(depsOf(MIGRATION, "kong-green-migration"), [cloneUrn, secretUrn("green")].sort());
    assert.deepEqual(
      depsOf(DEPLOYMENT, "kong-green-deployment"),
      [migrationUrn("green"), secretUrn("green")].sort(),
      "green starts after up + finish",
    );
    // The live database's migration stays at the current version: it runs nothing.
    assert.equal(get(MIGRATION, "kong-blue-migration").inputs!.kongVersion, "2.8.5");
    assert.equal(get(MIGRATION, "kong-blue-migration").inputs!.decommissionedOld, false);

    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"), "traffic stays on blue");
    assert.deepEqual(warnings, [
      "Kong's dual-cluster rule: no Admin API writes on either side between the clone and the cut-over. blue (2.8.5) runs with its " +
        "Admin API off (KONG_ADMIN_LISTEN=off) from this step, before the clone is taken; green (3.4.2, on the clone) starts with it " +
        "off. Both stay off until retireOld. (Kong has no read-only Admin API mode to leave on: admin_listen is on or off, and " +
        "Enterprise RBAC read-only roles do not bind a super-admin.)",
      "Changes Kong itself writes on blue after the clone (rate-limiting counters, OAuth2 tokens, sessions) are not in the clone. " +
        "Rollback at any step before retireOld: newTrafficPercent 0; blue's database is never changed.",
    ]);
  });

  it("step 3: newTrafficPercent weighs an HTTPRoute, and at 100 switches the Service; both Admin APIs stay off", async () => {
    const gateway = { name: "public", namespace: "gateways" };
    await deploy({ ...upgrade, newTrafficPercent: 25, gateway });
    assert.deepEqual(get(ROUTE, "kong-route").inputs!.spec.rules, [
      {
        backendRefs: [
          { name: "kong-blue-proxy-6f1c2a", port: 80, weight: 75 },
          { name: "kong-green-proxy-6f1c2a", port: 80, weight: 25 },
        ],
      },
    ]);
    assert.ok(get(ROUTE, "kong-route").deps.includes(deploymentUrn("green")), "weights apply once green is ready");
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"));

    rec.reset();
    await deploy({ ...upgrade, newTrafficPercent: 100 });
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"));
    assert.ok(get(SERVICE, "kong-proxy").deps.includes(deploymentUrn("green")));
    assert.equal(envOf("green").KONG_ADMIN_LISTEN, "off");
    assert.equal(envOf("blue").KONG_ADMIN_LISTEN, "off");

    rec.reset();
    await deploy({ ...upgrade, newTrafficPercent: 0 });
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"), "rollback: traffic back on blue");
  });

  it("step 4, retireOld: blue scaled to zero, its pods waited for, then green's Admin API", async () => {
    const c = await deploy({ ...upgrade, newTrafficPercent: 100, retireOld: true });
    assert.equal(c.plan.phase, "cutOver");
    assert.deepEqual(children(), [...upgradeChildren(false, true), `${GONE} kong-blue-gone`].sort());
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.replicas, 0, "retired by an update, not a delete");
    assert.deepEqual(get(GONE, "kong-blue-gone").inputs!.selector, selector("blue"));
    assert.ok(get(GONE, "kong-blue-gone").deps.includes(deploymentUrn("blue")));
    assert.deepEqual(depsOf(DEPLOYMENT, "kong-green-deployment"), [goneUrn, migrationUrn("green"), secretUrn("green")].sort());
    assert.equal(envOf("green").KONG_ADMIN_LISTEN, "0.0.0.0:8001");
    assert.ok(get(SERVICE, "kong-green-admin").deps.includes(goneUrn), "the admin Service too comes after the old pods are gone");
    assert.equal(envOf("blue").KONG_ADMIN_LISTEN, "off");
    assert.deepEqual(warnings, [
      "Cut-over: blue (2.8.5) is scaled to zero and, once its pods are gone, green's Admin API comes on. Writes made through it " +
        "are not in blue's database: a rollback after this step (retireOld false, newTrafficPercent 0) loses them.",
    ]);
  });

  it("step 5, dropOldCluster: blue's objects go, its database is kept; only dropOldDatabase drops it; green keeps its Admin API", async () => {
    const c = await deploy({ ...upgrade, newTrafficPercent: 100, retireOld: true, dropOldCluster: true });
    assert.equal(c.plan.phase, "oldDropped");
    assert.deepEqual(
      children(),
      [
        `${COMPONENT} kong`,
        ...cluster("green", true),
        `${MIGRATION} kong-green-migration`,
        `${CLONE} kong-green-clone`,
        `${SECRET} kong-green-pg-password`,
        `${SERVICE} kong-proxy`,
      ].sort(),
    );
    assert.equal(c.blue, undefined);
    assert.equal(envOf("green").KONG_ADMIN_LISTEN, "0.0.0.0:8001");
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"));
    assert.deepEqual(warnings, [
      "blue's cluster objects are removed; its database is kept (nothing is dropped unless you set dropOldDatabase, in a later " +
        "pulumi up, once you are sure you will not go back).",
    ]);
    assert.ok(!rec.regs.some((r) => r.type === DROP), "no drop without dropOldDatabase");

    // dropOldDatabase, explicitly, in a later step: a KongDatabaseDrop of the old database after green.
    rec.reset();
    warnings.length = 0;
    await deploy({ ...upgrade, newTrafficPercent: 100, retireOld: true, dropOldCluster: true, dropOldDatabase: true });
    const drop = get(DROP, "kong-blue-database-drop");
    assert.deepEqual(drop.inputs!.database, { host: "pg.db.svc", port: 5432, user: "kong", database: "kong" });
    assert.deepEqual(drop.inputs!.password, secret("pw-old"));
    assert.ok(drop.deps.includes(deploymentUrn("green")), "dropped only once green runs on its own database");
    assert.deepEqual(warnings, [
      "dropOldDatabase: blue's database (2.8.5) is dropped in this step. This cannot be undone: it was the way back to 2.8.5. " +
        "The drop fails, dropping nothing, while any session (an old pod) still uses it.",
    ]);

    // Afterwards green is the live slot on the new database; the next upgrade starts in blue.
    rec.reset();
    warnings.length = 0;
    await deploy({ currentVersion: "3.4.2", liveColor: "green", database: newDatabase });
    assert.deepEqual(
      children(),
      [
        `${COMPONENT} kong`,
        ...cluster("green", true),
        `${MIGRATION} kong-green-migration`,
        `${SECRET} kong-green-pg-password`,
        `${SERVICE} kong-proxy`,
      ].sort(),
    );
    const m = get(MIGRATION, "kong-green-migration").inputs!;
    assert.deepEqual([m.kongVersion, m.decommissionedOld, m.database.database], ["3.4.2", false, "kong_34"]);
    assert.equal(envOf("green").KONG_PG_DATABASE, "kong_34");
  });

  it("the Kubernetes runner is filled in per database, without an old-pod selector on the clone's migration", async () => {
    await deploy({ ...upgrade, runner: { kind: "kubernetes" }, serviceAccountName: "kong" });
    assert.deepEqual(get(MIGRATION, "kong-green-migration").inputs!.runner, {
      kind: "kubernetes",
      namespace: "kong",
      image: "kong:3.4.2",
      passwordSecret: { name: "kong-green-pg-password-6f1c2a", key: "password" },
      serviceAccountName: "kong",
    });
    assert.deepEqual(get(MIGRATION, "kong-blue-migration").inputs!.runner, {
      kind: "kubernetes",
      namespace: "kong",
      image: "kong:2.8.5",
      passwordSecret: { name: "kong-blue-pg-password-6f1c2a", key: "password" },
      serviceAccountName: "kong",
    });
  });

  it("refuses combinations that would break the procedure, naming the input, before registering anything", async () => {
    const refused = (args: Partial<KongDualClusterUpgradeArgs>, code: string, property: string, message?: string) => {
      assert.throws(
        () => new KongDualClusterUpgrade("bad", { ...base, ...args }),
        (e: unknown) =>
          e instanceof KongKubernetesError &&
          e.code === code &&
          e.property === property &&
          (message === undefined || e.message === message),
      );
    };
    refused(
      { targetVersion: "3.4.2" },
      "NEW_DATABASE_REQUIRED",
      "newDatabase",
      "targetVersion 3.4.2 above currentVersion 2.8.5 starts a dual-cluster upgrade, which needs newDatabase: an existing, empty " +
        "database for the clone (create it owned by Kong's role, e.g. with @pulumi/postgresql), or keep targetVersion at 2.8.5.",
    );
    refused(
      { ...upgrade, newTrafficPercent: 90, retireOld: true, gateway: { name: "g" } },
      "CUT_OVER_WITH_TRAFFIC",
      "retireOld",
      "retireOld would take the blue cluster (2.8.5) away while it receives 10% of the traffic: move all of it to the new cluster " +
        "first (newTrafficPercent 100), in an earlier pulumi up.",
    );
    refused({ ...upgrade, newTrafficPercent: 100, dropOldCluster: true }, "DROP_BEFORE_CUT_OVER", "dropOldCluster");
    refused(
      { ...upgrade, newTrafficPercent: 100, retireOld: true, dropOldDatabase: true },
      "DROP_DATABASE_BEFORE_CLUSTER",
      "dropOldDatabase",
      "dropOldDatabase drops blue's database, which comes after its cluster is gone: set dropOldCluster (with retireOld) in " +
        "one pulumi up, and dropOldDatabase in a later one, once you are sure you will not go back.",
    );
    refused({ dropOldDatabase: true }, "UPGRADE_FLAG_WITHOUT_UPGRADE", "dropOldDatabase");
    refused({ ...upgrade, newTrafficPercent: 40 }, "WEIGHTED_TRAFFIC_NEEDS_GATEWAY", "newTrafficPercent");
    refused({ targetVersion: "2.8.4" }, "DOWNGRADE", "targetVersion");
    refused({ retireOld: true }, "UPGRADE_FLAG_WITHOUT_UPGRADE", "retireOld");
    refused({ newTrafficPercent: 100 }, "TRAFFIC_TO_MISSING_CLUSTER", "newTrafficPercent");
    await waitForRpcs();
    assert.deepEqual(children(), []);
  });
});
