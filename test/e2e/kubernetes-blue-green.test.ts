/**
 * `examples/kubernetes-blue-green`, step by step, through the real Pulumi CLI and the REAL Pulumi
 * Kubernetes provider (`pulumi-resource-kubernetes`, built from Go modules by
 * `scripts/ensure-kubernetes.sh`) against the test cluster of `test/helpers/kube-cluster.ts` (real
 * API server, controllers and scheduler; kwok and the harness's executor stand in for the kubelet,
 * see those files) and a real PostgreSQL. The Gateway API CRDs are the vendored standard-channel
 * v1.3.0 ones (`test/fixtures/kube/gateway-api-v1.3.0`), so the API server validates the HTTPRoute.
 *
 * After each `pulumi up` the test reads the real objects (Deployments, pods, Services, the
 * HTTPRoute, Jobs) and the database (`schema_meta`, `check-compat` of both versions).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AppsV1Api, CustomObjectsApi, V1Deployment, V1Service } from "@kubernetes/client-node";
import { pulumiBaseEnv, REPO_ROOT, stack, type Stack } from "../../scripts/lib/pulumi-cli";
import { kubernetesToolchain, sharedKubeCluster, type KubeCluster } from "../helpers/kube-cluster";
import { createGateway, installGatewayApi } from "../helpers/gateway-api";
import { KubeNamespace } from "../helpers/kube-objects";
import { metaRows } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, type TestDatabase } from "../helpers/postgres";
import { kongSim } from "../helpers/provider-fixture";
import { ok } from "../helpers/pulumi-stack";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const k8s = () => require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");

const EXAMPLE = path.join(REPO_ROOT, "examples/kubernetes-blue-green");
const BLUE = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-blue" };
const GREEN = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-green" };
const selector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

describe("end to end: examples/kubernetes-blue-green with the real Pulumi CLI and Kubernetes provider on a real API server", function () {
  this.timeout(300_000);
  let cluster: KubeCluster;
  let ns: KubeNamespace;
  let db: TestDatabase;
  let s: Stack;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;
  const timings: string[] = [];
  let started = 0;

  before(async function () {
    this.timeout(90 * 60_000); // a fresh machine builds the CLI, the control plane and the plugin from Go modules
    const base = pulumiBaseEnv();
    const toolchain = kubernetesToolchain("all");
    cluster = await sharedKubeCluster();
    started = Date.now();
    const kc = cluster.kubeConfig();
    await installGatewayApi(kc);
    apps = kc.makeApiClient(k8s().AppsV1Api);
    custom = kc.makeApiClient(k8s().CustomObjectsApi);
    ns = new KubeNamespace(kc, `kong-e2e-${Date.now().toString(36)}`);
    await ns.create();
    // The Gateway the HTTPRoute attaches to (no controller programs it: there is no data plane).
    await createGateway(kc, ns.name, "public-gateway");
    db = await createDatabase();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-k8s-e2e-state-"));
    // The provider plugin is found on PATH; both it and the migration's Kubernetes calls use KUBECONFIG.
    s = stack("k8se2e", stateDir, EXAMPLE, { PATH: `${toolchain}:${base.PATH}`, KUBECONFIG: cluster.kubeconfigPath });
    ok(await s.run(["stack", "init"]), "stack init");
    for (const [k, v] of [
      ["namespace", ns.name],
      ["dbHost", db.host],
      ["dbPort", String(db.port)],
      ["dbUser", db.user],
      ["dbName", db.database],
      ["gatewayName", "public-gateway"],
      ["currentVersion", "2.0.4"],
    ]) {
      ok(await s.run(["config", "set", k, v]), `config set ${k}`);
    }
    ok(await s.run(["config", "set", "--secret", "dbPassword"], { input: db.password }), "config set dbPassword");
  });

  after(async function () {
    this.timeout(120_000);
    if (s) {
      const destroyed = await s.run(["destroy", "--yes", "--skip-preview"]);
      if (destroyed.code !== 0) process.stderr.write(destroyed.stdout + destroyed.stderr);
      await s.run(["stack", "rm", "--yes", "--force"]);
      fs.rmSync(s.stateDir, { recursive: true, force: true });
    }
    await ns?.remove();
    if (db) await dropDatabase(db.database);
    if (started)
      process.stderr.write(`kubernetes-blue-green e2e: ${timings.join(", ")}; total ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
  });

  const up = async (what: string) => {
    const t = Date.now();
    const r = await s.run(["up", "--yes", "--skip-preview"]);
    timings.push(`${what} ${((Date.now() - t) / 1000).toFixed(0)}s`);
    return r;
  };
  const config = async (pairs: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(pairs)) {
      ok(await s.run(v === undefined ? ["config", "rm", k] : ["config", "set", k, v]), `config ${k}`);
    }
  };
  const deployment = async (labels: Record<string, string>): Promise<V1Deployment | undefined> => {
    const list = await apps.listNamespacedDeployment({ namespace: ns.name, labelSelector: selector(labels) });
    assert.ok(list.items.length <= 1, `one Deployment for ${selector(labels)}`);
    return list.items[0];
  };
  const services = async (): Promise<Map<string, V1Service>> => {
    const list = await ns.core.listNamespacedService({ namespace: ns.name });
    // Keyed by the Pulumi name: the Kubernetes name is it plus Pulumi's random suffix.
    return new Map(list.items.map((svc) => [svc.metadata!.name!.replace(/-[0-9a-z]{8}$/, ""), svc]));
  };
  const pods = async (labels: Record<string, string>) =>
    (await ns.core.listNamespacedPod({ namespace: ns.name, labelSelector: selector(labels) })).items;
  const readyPods = async (labels: Record<string, string>) =>
    (await pods(labels)).filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
  const envOf = (d: V1Deployment) =>
    Object.fromEntries(d.spec!.template.spec!.containers[0].env!.map((e) => [e.name, e.value ?? e.valueFrom]));
  const route = async () => {
    const list = (await custom.listNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace: ns.name,
      plural: "httproutes",
    })) as { items: { spec: { parentRefs: unknown[]; rules: { backendRefs: { name: string; weight: number }[] }[] } }[] };
    assert.equal(list.items.length, 1);
    return list.items[0].spec;
  };
  const weights = async () => {
    const svc = await services();
    const nameOf = (n: string) => svc.get(n)?.metadata?.name;
    return Object.fromEntries(
      (await route()).rules[0].backendRefs.map((b) => [
        b.name === nameOf("kong-blue-proxy") ? "blue" : b.name === nameOf("kong-green-proxy") ? "green" : b.name,
        b.weight,
      ]),
    );
  };
  /** `<command> <image>` of each migration Job the executor ran in the namespace (the read-only `list` and `version` left out). */
  const migrationsRun = () =>
    cluster.executor.executed
      .filter((e) => e.namespace === ns.name)
      .map((e) => `${e.argv[e.argv.indexOf("migrations") + 1]} ${e.image}`)
      .filter((c) => /^(bootstrap|up|finish) /.test(c));
  const pending = async () => (await metaRows(db)).find((r) => r.subsystem === "core")!.pending ?? [];
  const compat = async (version: string) => (await kongSim(db, version, ["check-compat"])).code;

  it("step 1: bootstraps the database from a Job with kong:2.0.4, then starts blue (2 pods Ready) behind kong-proxy", async () => {
    ok(await up("step 1"), "step 1");
    assert.deepEqual(migrationsRun(), ["bootstrap kong:2.0.4"]);
    assert.deepEqual(await pending(), []);
    assert.equal(await compat("2.0.4"), 0);

    const blue = (await deployment(BLUE))!;
    assert.equal(blue.spec!.replicas, 2);
    assert.equal(blue.status!.readyReplicas, 2, "kwok made both pods Ready; the provider waited for them");
    assert.equal(blue.spec!.template.spec!.containers[0].image, "kong:2.0.4");
    const env = envOf(blue);
    assert.deepEqual(
      [env.KONG_DATABASE, env.KONG_PG_HOST, env.KONG_PG_PORT, env.KONG_PG_DATABASE, env.KONG_ADMIN_LISTEN],
      ["postgres", db.host, String(db.port), db.database, "0.0.0.0:8001"],
    );
    const secrets = (await ns.core.listNamespacedSecret({ namespace: ns.name })).items.filter((x) =>
      x.metadata!.name!.startsWith("kong-pg-password-"),
    );
    assert.equal(secrets.length, 1);
    assert.deepEqual(JSON.parse(JSON.stringify(env.KONG_PG_PASSWORD)), {
      secretKeyRef: { name: secrets[0].metadata!.name, key: "password" },
    });
    assert.equal(Buffer.from(secrets[0].data!.password, "base64").toString(), db.password);
    assert.ok(!JSON.stringify(blue).includes(db.password), "the password only in the Secret");

    const svc = await services();
    assert.deepEqual([...svc.keys()].sort(), ["kong-blue-admin", "kong-blue-proxy", "kong-proxy"]);
    assert.deepEqual(svc.get("kong-proxy")!.spec!.selector, BLUE);
    assert.deepEqual(await weights(), { blue: 100 });
    assert.deepEqual(await ns.jobNames(), [], "the successful bootstrap Job was deleted");
  });

  it("a patch release without migrations (2.0.4 -> 2.0.5) rolls blue in place: no Job, no green, the database untouched", async () => {
    const before = (await deployment(BLUE))!;
    const rows = await metaRows(db);
    await config({ targetVersion: "2.0.5" });
    const preview = ok(await s.run(["preview", "--diff"]), "preview of the patch release");
    assert.doesNotMatch(preview.stdout, /kong-green/, "no green slot for a patch release");
    ok(await up("patch release"), "patch release");
    const blue = (await deployment(BLUE))!;
    assert.equal(blue.metadata!.uid, before.metadata!.uid, "the same Deployment, updated");
    assert.equal(blue.spec!.strategy!.type, "RollingUpdate");
    assert.equal(blue.spec!.template.spec!.containers[0].image, "kong:2.0.5");
    assert.equal(blue.status!.updatedReplicas, 2);
    assert.equal(blue.status!.readyReplicas, 2);
    const images = (await pods(BLUE)).filter((p) => !p.metadata!.deletionTimestamp).map((p) => p.spec!.containers[0].image);
    assert.deepEqual(images, ["kong:2.0.5", "kong:2.0.5"]);
    assert.equal(await deployment(GREEN), undefined);
    assert.deepEqual(migrationsRun(), ["bootstrap kong:2.0.4"], "no migration Job for a release without migrations");
    assert.deepEqual(await metaRows(db), rows, "schema_meta untouched");
    assert.equal(await compat("2.0.5"), 0);

    // The patched cluster becomes the current version: nothing changes.
    await config({ currentVersion: "2.0.5", targetVersion: undefined });
    ok(await s.run(["preview", "--expect-no-changes"]), "2.0.5 declared as current: no change");
  });

  it("step 2: a failing `up` Job names itself and is kept; a second pulumi up repairs it; green starts with its Admin API off", async () => {
    await config({ targetVersion: "2.1.4" });
    ok(await s.run(["config", "set", "--path", "runnerEnv.KONG_SIM_FAIL_AT", "1"]), "config runnerEnv");
    const failed = await up("step 2 (fault)");
    assert.notEqual(failed.code, 0);
    const failedJobs = await ns.jobNames();
    assert.equal(failedJobs.length, 1, failedJobs.join(", "));
    assert.match(failedJobs[0], /^kong-migrations-up-/);
    const out = failed.stdout + failed.stderr;
    assert.ok(out.includes(`Job ${ns.name}/${failedJobs[0]}`), `the error names the Job:\n${out}`);
    assert.match(out, /division by zero/);
    assert.equal((await ns.job(failedJobs[0]))!.status!.conditions!.find((c) => c.type === "Failed")?.status, "True");
    assert.equal(await deployment(GREEN), undefined, "green waits for the migration");
    assert.deepEqual(await pending(), [], "kong-sim's failed migration left nothing pending");

    await config({ runnerEnv: undefined });
    ok(await up("step 2"), "step 2 repaired");
    assert.deepEqual(migrationsRun(), ["bootstrap kong:2.0.4", "up kong:2.1.4", "up kong:2.1.4"]);
    assert.deepEqual(await pending(), ["009_200_to_210"]);
    assert.equal(await compat("2.0.5"), 0, "2.0.5 still runs after up");
    assert.equal(await compat("2.1.4"), 0);

    const green = (await deployment(GREEN))!;
    assert.equal(green.spec!.template.spec!.containers[0].image, "kong:2.1.4");
    assert.equal(green.status!.readyReplicas, 2);
    assert.equal(envOf(green).KONG_ADMIN_LISTEN, "off");
    assert.deepEqual(
      green.spec!.template.spec!.containers[0].ports!.map((p) => p.name).sort(),
      ["proxy", "proxy-tls", "status"],
      "no admin port",
    );
    const svc = await services();
    assert.ok(!svc.has("kong-green-admin"), "no Admin API Service for green");
    assert.ok(svc.has("kong-green-proxy"));
    assert.deepEqual(svc.get("kong-proxy")!.spec!.selector, BLUE, "traffic stays on blue");
    assert.deepEqual(await weights(), { blue: 100, green: 0 });
    assert.deepEqual(await ns.jobNames(), failedJobs, "the failed Job is still there for kubectl logs; the good one is gone");
  });

  it("step 3: moves traffic 0 -> 50 -> 100 with HTTPRoute weights, and the proxy Service's selector at 100", async () => {
    await config({ greenTrafficPercent: "50" });
    ok(await up("step 3 (50%)"), "50%");
    assert.deepEqual(await weights(), { blue: 50, green: 50 });
    assert.deepEqual((await services()).get("kong-proxy")!.spec!.selector, BLUE);

    await config({ greenTrafficPercent: "100" });
    ok(await up("step 3 (100%)"), "100%");
    assert.deepEqual(await weights(), { blue: 0, green: 100 });
    assert.deepEqual((await services()).get("kong-proxy")!.spec!.selector, GREEN);
    assert.deepEqual(await pending(), ["009_200_to_210"], "moving traffic never touches the database");
  });

  it("step 4: retires blue (scaled to zero, its pods really gone), then runs finish as a Job; green's Admin API comes on", async () => {
    await config({ retireBlue: "true" });
    const r = ok(await up("step 4"), "step 4");
    assert.equal((await deployment(BLUE))!.spec!.replicas, 0);
    assert.deepEqual(await pods(BLUE), [], "no blue pod left");
    assert.deepEqual(migrationsRun().at(-1), "finish kong:2.1.4");
    assert.match(r.stdout, /no pod left matching/);
    assert.deepEqual(await pending(), []);
    assert.equal(await compat("2.0.5"), 1, "after finish 2.0.5 can no longer run");
    assert.equal(await compat("2.1.4"), 0);
    const green = (await deployment(GREEN))!;
    assert.equal(envOf(green).KONG_ADMIN_LISTEN, "0.0.0.0:8001");
    assert.ok((await services()).has("kong-green-admin"));
    assert.equal(await readyPods(GREEN), 2);
  });

  it("step 5: green becomes the live cluster; blue's objects are deleted, green is not restarted", async () => {
    const greenBefore = (await deployment(GREEN))!;
    await config({
      currentVersion: "2.1.4",
      liveColor: "green",
      targetVersion: undefined,
      retireBlue: undefined,
      greenTrafficPercent: undefined,
    });
    ok(await up("step 5"), "step 5");
    assert.equal(await deployment(BLUE), undefined);
    const svc = await services();
    assert.deepEqual([...svc.keys()].sort(), ["kong-green-admin", "kong-green-proxy", "kong-proxy"]);
    assert.deepEqual(svc.get("kong-proxy")!.spec!.selector, GREEN);
    const green = (await deployment(GREEN))!;
    assert.equal(green.metadata!.generation, greenBefore.metadata!.generation, "green's Deployment unchanged");
    assert.deepEqual(await weights(), { green: 100 });
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });
});
