/**
 * `KongBlueGreenUpgrade` and `KongCluster` under `pulumi.runtime.setMocks` (the shared helper in
 * `test/helpers/pulumi-mocks.ts`): the exact children, names, images, environment, Secret
 * references, Admin API switch, traffic objects and `dependsOn` ordering at each step of the
 * blue/green procedure, and the in-place patch path.
 *
 * Each resource's parent, dependency URNs and inputs are recorded by `test/helpers/registrations.ts`
 * (installed for this file only, removed afterwards).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { secretInput } from "../helpers/pulumi-mocks";
import { KongBlueGreenUpgrade, type KongBlueGreenUpgradeArgs } from "../../sdk/kong-blue-green-upgrade";
import { KongCluster } from "../../sdk/kong-cluster";
import { KUBERNETES_PODS_GONE_TYPE } from "../../sdk/k8s-pods-gone";
import { KongKubernetesError } from "../../sdk/k8s-errors";
import { mockedRegistrations, mockUrn, URN_PREFIX, waitForRpcs } from "../helpers/registrations";

const PREFIX = URN_PREFIX;
const COMPONENT = "kong-migrations:index:KongBlueGreenUpgrade";
const CLUSTER = "kong-migrations:index:KongCluster";
const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

describe("Kubernetes components (under setMocks)", () => {
  const rec = mockedRegistrations();
  const regs = rec.regs;

  const base: KongBlueGreenUpgradeArgs = {
    namespace: "kong",
    database: { host: "pg.db.svc", port: 5432, user: "kong", password: pulumi.secret("pw-123"), database: "kong" },
    currentVersion: "2.0.5",
    replicas: 3,
  };

  async function deploy(args: Partial<KongBlueGreenUpgradeArgs>): Promise<KongBlueGreenUpgrade> {
    const c = new KongBlueGreenUpgrade("kong", { ...base, ...args });
    await waitForRpcs();
    return c;
  }
  const urn = mockUrn;
  const { get, children } = rec;
  const deploymentUrn = (color: string) => urn([COMPONENT, CLUSTER, DEPLOYMENT], `kong-${color}-deployment`);
  const migrationUrn = urn([COMPONENT, MIGRATION], "kong-migration");
  const secretUrn = urn([COMPONENT, SECRET], "kong-pg-password");
  const depsOf = rec.depsOf;
  const env = (color: string) => get(DEPLOYMENT, `kong-${color}-deployment`).inputs!.spec.template.spec.containers[0].env;
  const envValue = (color: string, name: string) => env(color).find((e: { name: string }) => e.name === name)?.value;
  const kongEnv = (adminListen: string) => [
    { name: "KONG_DATABASE", value: "postgres" },
    { name: "KONG_PG_HOST", value: "pg.db.svc" },
    { name: "KONG_PG_PORT", value: "5432" },
    { name: "KONG_PG_USER", value: "kong" },
    { name: "KONG_PG_DATABASE", value: "kong" },
    { name: "KONG_PG_PASSWORD", valueFrom: { secretKeyRef: { name: "kong-pg-password-6f1c2a", key: "password" } } },
    { name: "KONG_PLUGINS", value: "bundled" },
    { name: "KONG_PROXY_LISTEN", value: "0.0.0.0:8000, 0.0.0.0:8443 ssl" },
    { name: "KONG_ADMIN_LISTEN", value: adminListen },
    { name: "KONG_STATUS_LISTEN", value: "0.0.0.0:8100" },
    { name: "KONG_PROXY_ACCESS_LOG", value: "/dev/stdout" },
    { name: "KONG_ADMIN_ACCESS_LOG", value: "/dev/stdout" },
    { name: "KONG_PROXY_ERROR_LOG", value: "/dev/stderr" },
    { name: "KONG_ADMIN_ERROR_LOG", value: "/dev/stderr" },
  ];
  const selector = (color: string) => ({ "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": `kong-${color}` });
  const clusterChildren = (color: string, admin: boolean) => [
    `${CLUSTER} kong-${color}`,
    `${DEPLOYMENT} kong-${color}-deployment`,
    `${SERVICE} kong-${color}-proxy`,
    ...(admin ? [`${SERVICE} kong-${color}-admin`] : []),
  ];
  const common = [`${COMPONENT} kong`, `${MIGRATION} kong-migration`, `${SECRET} kong-pg-password`, `${SERVICE} kong-proxy`];

  it("step 1, target = current: blue only, with the Admin API; on a fresh database the migration runs before blue starts", async () => {
    const c = await deploy({});
    assert.equal(c.plan.shape, "steady");
    assert.deepEqual(children(), [...common, ...clusterChildren("blue", true)].sort());
    assert.equal(c.green, undefined);

    const migration = get(MIGRATION, "kong-migration");
    assert.equal(migration.parent, urn([COMPONENT], "kong"));
    assert.equal(migration.inputs!.kongVersion, "2.0.5");
    // The real engine's URN (the whole parent chain), so the provider's lines are attributed to it.
    assert.equal(migration.inputs!.__urn, `${PREFIX}${COMPONENT}$${MIGRATION}::kong-migration`);
    assert.equal(migration.inputs!.decommissionedOld, false);
    assert.equal(migration.inputs!.runner, undefined, "the local runner by default");
    assert.deepEqual(migration.inputs!.password, secretInput("pw-123"));
    assert.ok(migration.deps.includes(urn([COMPONENT, SECRET], "kong-pg-password")));

    const secret = get(SECRET, "kong-pg-password").inputs!;
    assert.deepEqual(secret.metadata.namespace, "kong");
    assert.deepEqual(secret.stringData, secretInput({ password: "pw-123" }));

    const deployment = get(DEPLOYMENT, "kong-blue-deployment");
    assert.deepEqual(
      [...deployment.deps].sort(),
      [migrationUrn, secretUrn].sort(),
      "blue's Deployment waits for the bootstrap (and the Secret)",
    );
    assert.equal(deployment.parent, urn([COMPONENT, CLUSTER], "kong-blue"));
    const spec = deployment.inputs!.spec;
    assert.equal(spec.replicas, 3);
    assert.deepEqual(spec.selector, { matchLabels: selector("blue") });
    assert.deepEqual(spec.template.metadata.labels, {
      ...selector("blue"),
      "app.kubernetes.io/version": "2.0.5",
      "app.kubernetes.io/component": "gateway",
      "kong-migrations/color": "blue",
    });
    const container = spec.template.spec.containers[0];
    assert.equal(container.image, "kong:2.0.5");
    assert.deepEqual(container.env, kongEnv("0.0.0.0:8001"));
    assert.deepEqual(
      container.ports.map((p: { name: string; containerPort: number }) => `${p.name}:${p.containerPort}`),
      ["proxy:8000", "proxy-tls:8443", "admin:8001", "status:8100"],
    );
    assert.deepEqual(container.readinessProbe.httpGet, { path: "/status", port: "status", scheme: "HTTP" });
    assert.deepEqual(container.livenessProbe.httpGet, { path: "/status", port: "status", scheme: "HTTP" });
    assert.ok(!JSON.stringify(deployment.inputs).includes("pw-123"), "the password is not in the Deployment");

    assert.deepEqual(get(SERVICE, "kong-blue-admin").inputs!.spec.ports, [
      { name: "admin", port: 8001, targetPort: "admin", protocol: "TCP" },
    ]);
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"));
  });

  it("step 2, target above current: up runs before green starts; green has no Admin API, blue keeps the only one", async () => {
    const c = await deploy({ targetVersion: "2.1.4" });
    assert.equal(c.plan.shape, "blueGreen");
    assert.deepEqual(children(), [...common, ...clusterChildren("blue", true), ...clusterChildren("green", false)].sort());
    assert.equal(get(MIGRATION, "kong-migration").inputs!.kongVersion, "2.1.4");
    assert.equal(get(MIGRATION, "kong-migration").inputs!.decommissionedOld, false);

    assert.deepEqual(depsOf(DEPLOYMENT, "kong-green-deployment"), [migrationUrn, secretUrn].sort(), "green starts after up");
    assert.deepEqual(depsOf(DEPLOYMENT, "kong-blue-deployment"), [secretUrn], "blue does not wait for up");
    const green = get(DEPLOYMENT, "kong-green-deployment").inputs!.spec.template.spec.containers[0];
    assert.equal(green.image, "kong:2.1.4");
    assert.deepEqual(green.env, kongEnv("off"));
    assert.ok(!green.ports.some((p: { name: string }) => p.name === "admin"));
    assert.equal(envValue("blue", "KONG_ADMIN_LISTEN"), "0.0.0.0:8001");
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.template.spec.containers[0].image, "kong:2.0.5");
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("blue"), "traffic stays on blue");
  });

  it("step 3: greenTrafficPercent switches the Service at 100 and weighs an HTTPRoute in between", async () => {
    const gateway = { name: "public", namespace: "gateways", sectionName: "https" };
    await deploy({ targetVersion: "2.1.4", greenTrafficPercent: 30, gateway, hostnames: ["api.example.com"] });
    const route = get(ROUTE, "kong-route");
    assert.deepEqual(route.inputs!.spec, {
      parentRefs: [gateway],
      hostnames: ["api.example.com"],
      rules: [
        {
          backendRefs: [
            { name: "kong-blue-proxy-6f1c2a", port: 80, weight: 70 },
            { name: "kong-green-proxy-6f1c2a", port: 80, weight: 30 },
          ],
        },
      ],
    });
    assert.equal(route.inputs!.apiVersion, "gateway.networking.k8s.io/v1");
    assert.equal(route.inputs!.kind, "HTTPRoute");
    assert.deepEqual(
      [...route.deps].sort(),
      [
        urn([COMPONENT, CLUSTER, SERVICE], "kong-blue-proxy"),
        urn([COMPONENT, CLUSTER, SERVICE], "kong-green-proxy"),
        deploymentUrn("blue"),
        deploymentUrn("green"),
        urn([COMPONENT, CLUSTER, SERVICE], "kong-blue-admin"),
      ].sort(),
      "dependsOn a component means on its resources: both clusters are ready before the weights apply",
    );
    assert.deepEqual(
      get(SERVICE, "kong-proxy").inputs!.spec.selector,
      selector("blue"),
      "the Service stays on the live cluster while split",
    );

    rec.reset();
    await deploy({ targetVersion: "2.1.4", greenTrafficPercent: 100 });
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"));
    assert.ok(get(SERVICE, "kong-proxy").deps.includes(deploymentUrn("green")), "the switch waits for green to be ready");
    assert.equal(envValue("green", "KONG_ADMIN_LISTEN"), "off", "moving traffic does not turn green's Admin API on");
    assert.ok(!regs.some((r) => r.type === ROUTE), "no HTTPRoute without a gateway");

    assert.throws(
      () => new KongBlueGreenUpgrade("kong-split", { ...base, targetVersion: "2.1.4", greenTrafficPercent: 30 }),
      (e: unknown) =>
        e instanceof KongKubernetesError && e.code === "WEIGHTED_TRAFFIC_NEEDS_GATEWAY" && e.property === "greenTrafficPercent",
    );
  });

  it("step 4, retireBlue: blue scaled to zero, its pods waited for, then finish, then green's Admin API", async () => {
    const c = await deploy({
      targetVersion: "2.1.4",
      greenTrafficPercent: 100,
      retireBlue: true,
      kubeconfig: pulumi.secret("kubeconfig-text-xyz"),
      backup: { kind: "local", directory: "/var/backups/kong" },
    });
    assert.deepEqual(
      children(),
      [
        ...common,
        ...clusterChildren("blue", true),
        ...clusterChildren("green", true),
        `${KUBERNETES_PODS_GONE_TYPE} kong-blue-gone`,
      ].sort(),
    );
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.replicas, 0, "retired by an update, not a delete");

    const gone = get(KUBERNETES_PODS_GONE_TYPE, "kong-blue-gone");
    assert.deepEqual(gone.inputs!.selector, selector("blue"));
    assert.equal(gone.inputs!.namespace, "kong");
    assert.deepEqual(gone.inputs!.kubeconfig, secretInput("kubeconfig-text-xyz"));
    const provider = String(gone.inputs!.__provider);
    assert.ok(provider.length > 0 && provider.length < 16_000, `serialized provider: ${provider.length} chars`);
    assert.ok(!provider.includes("kubeconfig-text-xyz"), "the kubeconfig is not captured in the provider's code");
    assert.ok(gone.deps.includes(deploymentUrn("blue")), "the wait starts after blue's scale-to-zero update");

    const migration = get(MIGRATION, "kong-migration");
    assert.equal(migration.inputs!.decommissionedOld, true, "decommissionedOld comes from the finished wait");
    assert.deepEqual(
      migration.inputs!.backup,
      { kind: "local", directory: "/var/backups/kong" },
      "the backup before finish is passed through",
    );
    assert.ok(
      migration.deps.includes(urn([COMPONENT, KUBERNETES_PODS_GONE_TYPE], "kong-blue-gone")),
      "finish waits for the pods to be gone",
    );
    assert.ok(!migration.deps.includes(deploymentUrn("green")));

    assert.deepEqual(
      depsOf(DEPLOYMENT, "kong-green-deployment"),
      [migrationUrn, secretUrn].sort(),
      "green's Admin API comes on after finish",
    );
    assert.deepEqual(env("green"), kongEnv("0.0.0.0:8001"));
    assert.ok(get(SERVICE, "kong-green-admin").deps.includes(migrationUrn));
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"));
    assert.equal(c.podsGone !== undefined, true);

    assert.throws(
      () =>
        new KongBlueGreenUpgrade("kong-early", {
          ...base,
          targetVersion: "2.1.4",
          greenTrafficPercent: 90,
          retireBlue: true,
          gateway: { name: "g" },
        }),
      (e: unknown) => e instanceof KongKubernetesError && e.code === "RETIRE_WITH_TRAFFIC",
    );
  });

  it("after finish: liveColor green at the new version removes every blue object; the next upgrade starts in blue", async () => {
    await deploy({ currentVersion: "2.1.4", liveColor: "green" });
    assert.deepEqual(children(), [...common, ...clusterChildren("green", true)].sort());
    assert.equal(get(MIGRATION, "kong-migration").inputs!.decommissionedOld, false);
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"));
    assert.deepEqual(env("green"), kongEnv("0.0.0.0:8001"), "green is unchanged from step 4: no rollout");

    rec.reset();
    await deploy({ currentVersion: "2.1.4", liveColor: "green", targetVersion: "2.2.0" });
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.template.spec.containers[0].image, "kong:2.2.0");
    assert.equal(envValue("blue", "KONG_ADMIN_LISTEN"), "off");
    assert.deepEqual(depsOf(DEPLOYMENT, "kong-blue-deployment"), [migrationUrn, secretUrn].sort());
    assert.deepEqual(get(SERVICE, "kong-proxy").inputs!.spec.selector, selector("green"), "default traffic: the live slot");
  });

  it("patch release without migrations: an in-place rolling update of blue after the migration, no green", async () => {
    const c = await deploy({ currentVersion: "2.1.3", targetVersion: "2.1.4" });
    assert.equal(c.plan.shape, "inPlace");
    assert.deepEqual(children(), [...common, ...clusterChildren("blue", true)].sort());
    const spec = get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec;
    assert.equal(spec.template.spec.containers[0].image, "kong:2.1.4");
    assert.equal(spec.template.metadata.labels["app.kubernetes.io/version"], "2.1.4");
    assert.deepEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    assert.deepEqual(depsOf(DEPLOYMENT, "kong-blue-deployment"), [migrationUrn, secretUrn].sort(), "rolled only after the migration");
    assert.equal(get(MIGRATION, "kong-migration").inputs!.kongVersion, "2.1.4");

    rec.reset();
    const withMigrations = await deploy({ currentVersion: "2.1.2", targetVersion: "2.1.3" });
    assert.equal(withMigrations.plan.shape, "blueGreen", "2.1.3 has migrations (core 011_212_to_213, acl 004_212_to_213)");
    rec.reset();
    const forced = await deploy({ currentVersion: "2.1.3", targetVersion: "2.1.4", strategy: "blueGreen" });
    assert.equal(forced.plan.shape, "blueGreen");
  });

  it("fills in the Kubernetes Job runner: namespace, target image, password Secret, env, old pods' selector", async () => {
    await deploy({
      targetVersion: "2.1.4",
      runner: { kind: "kubernetes" },
      env: { KONG_LUA_PACKAGE_PATH: "/opt/?.lua" },
      serviceAccountName: "kong",
    });
    assert.deepEqual(get(MIGRATION, "kong-migration").inputs!.runner, {
      kind: "kubernetes",
      namespace: "kong",
      image: "kong:2.1.4",
      passwordSecret: { name: "kong-pg-password-6f1c2a", key: "password" },
      env: { KONG_LUA_PACKAGE_PATH: "/opt/?.lua" },
      serviceAccountName: "kong",
      oldPodSelector: selector("blue"),
    });
    assert.equal(envValue("blue", "KONG_LUA_PACKAGE_PATH"), "/opt/?.lua");
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs!.spec.template.spec.serviceAccountName, "kong");

    rec.reset();
    await deploy({ passwordSecret: { name: "existing", key: "pg" }, runner: { kind: "local", command: ["kong-sim"] } });
    assert.ok(!regs.some((r) => r.type === SECRET), "an existing Secret is used, none is created");
    assert.deepEqual(
      env("blue").find((e: { name: string }) => e.name === "KONG_PG_PASSWORD"),
      {
        name: "KONG_PG_PASSWORD",
        valueFrom: { secretKeyRef: { name: "existing", key: "pg" } },
      },
    );
    assert.deepEqual(get(MIGRATION, "kong-migration").inputs!.runner, { kind: "local", command: ["kong-sim"] });
  });

  it("KongCluster alone: the Admin API switch removes the listener, the port and the admin Service; dependsOn reaches the children", async () => {
    const dep = new KongCluster("dep", { namespace: "kong", kongVersion: "3.4.0", database: { host: "db" } });
    const off = new KongCluster(
      "edge",
      {
        namespace: "edge",
        kongVersion: "3.4.0",
        edition: "enterprise",
        database: { host: "db", ssl: true, sslVerify: false, schema: "kong" },
        adminApi: false,
        plugins: ["bundled", "my-plugin"],
        resources: { requests: { cpu: "500m" } },
      },
      { dependsOn: [dep] },
    );
    await waitForRpcs();
    assert.equal(off.adminService, undefined);
    assert.deepEqual(
      regs
        .filter((r) => r.name.startsWith("edge"))
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
      [`${CLUSTER} edge`, `${DEPLOYMENT} edge-deployment`, `${SERVICE} edge-proxy`],
    );
    const container = get(DEPLOYMENT, "edge-deployment").inputs!.spec.template.spec.containers[0];
    assert.equal(container.image, "kong/kong-gateway:3.4.0");
    assert.deepEqual(container.resources, { requests: { cpu: "500m" } });
    assert.deepEqual(container.readinessProbe.httpGet.path, "/status/ready");
    assert.deepEqual(
      container.env.filter((e: { name: string }) => /^KONG_(PG_S|PLUGINS|ADMIN_LISTEN)/.test(e.name)),
      [
        { name: "KONG_PG_SCHEMA", value: "kong" },
        { name: "KONG_PG_SSL", value: "on" },
        { name: "KONG_PG_SSL_VERIFY", value: "off" },
        { name: "KONG_PLUGINS", value: "bundled,my-plugin" },
        { name: "KONG_ADMIN_LISTEN", value: "off" },
      ],
    );
    assert.ok(!container.env.some((e: { name: string }) => e.name === "KONG_PG_PASSWORD"), "no password without passwordSecret");
    for (const child of ["edge-deployment", "edge-proxy"]) {
      const r = regs.find((x) => x.name === child)!;
      assert.ok(r.deps.includes(`${PREFIX}${CLUSTER}$${DEPLOYMENT}::dep-deployment`), `${child} waits for the component's dependsOn`);
    }
  });
});
