/**
 * The Kubernetes Job runner (and the pods-gone wait) against a REAL Kubernetes API server.
 *
 * The cluster is `test/helpers/kube-cluster.ts`: real etcd, kube-apiserver, controller manager
 * (Job controller, garbage collector) and scheduler, built from Go modules. Simulated, because this
 * machine has no container runtime and cannot pull the Kong image: the kubelet. kwok takes the "old
 * Kong" pods to Ready; the harness's executor (`test/helpers/kube-executor.ts`) runs each Job pod's
 * `kong` command as kong-sim (`KONG_SIM_VERSION` from the image tag) with the container's
 * environment only (the password resolved from the Secret through the Job's `secretKeyRef`), writes
 * its exit into the pod status for the real Job controller, and serves its log behind the API
 * server's `pods/log`. Real: the runner code, `@kubernetes/client-node` over TLS with a token, the
 * API server's validation and defaults, the Job controller's Complete/Failed/DeadlineExceeded,
 * kong-sim, and the test PostgreSQL that the Job's process really migrates (asserted through
 * `schema_meta`). Each test works in its own namespace.
 */
import { strict as assert } from "node:assert";
import { useKubeCluster } from "../helpers/kube-cluster";
import { eventually, useKubeNamespace } from "../helpers/kube-objects";
import { metaRows, SIM_CLI } from "../helpers/kong-sim";
import { useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { kubernetesJobRunner, assertOldPodsGone } from "../../provider/runners/kubernetes-job";
import { isKubernetesRunnerError } from "../../provider/runners/kubernetes-errors";
import { waitForPodsGone } from "../../provider/runners/kubernetes-pods";
import { localRunner } from "../../provider/runners/local";
import * as podsGone from "../../provider/runners/kubernetes-pods-gone-handlers";
import { setLogSink } from "../../provider/log";
import type { KubernetesJobRunnerConfig } from "../../provider/runners/kubernetes-config";
import type { MigrationCommand, RunRequest } from "../../provider/runners/types";

const CORE_205 = ["000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140", "007_140_to_150", "008_150_to_200"];
const BLUE = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-blue" };

describe("Kubernetes Job runner (real Kubernetes API server, simulated kubelet, real kong-sim and PostgreSQL)", function () {
  this.timeout(60_000);
  const db = useFreshDatabase();
  const cluster = useKubeCluster();
  const ns = useKubeNamespace(cluster);

  beforeEach(async () => {
    await ns().putSecret("kong-pg", { password: db().password });
  });

  const config = (over: Partial<KubernetesJobRunnerConfig> = {}): KubernetesJobRunnerConfig => ({
    namespace: ns().name,
    image: "kong:2.0.5",
    kubeconfig: cluster().kubeconfig,
    passwordSecret: { name: "kong-pg", key: "password" },
    pollIntervalMs: 100,
    graceSeconds: 30,
    ...over,
  });
  /** A request as the provider makes it: Kong's settings (with the password) in env. */
  const request = (d: TestDatabase, command: MigrationCommand, over: Partial<RunRequest> = {}): RunRequest => ({
    command,
    flags: ["--db-timeout", "60", "--lock-timeout", "60"],
    env: {
      KONG_PG_HOST: d.host,
      KONG_PG_PORT: String(d.port),
      KONG_PG_USER: d.user,
      KONG_PG_PASSWORD: d.password,
      KONG_PG_DATABASE: d.database,
      KONG_PLUGINS: "off",
    },
    secrets: [d.password],
    timeoutSeconds: 60,
    ...over,
  });

  it("bootstraps a fresh database from a Job: streams the log, reads the password from the Secret, deletes the Job", async () => {
    const lines: [string, string][] = [];
    const result = await kubernetesJobRunner(config()).run(request(db(), "bootstrap", { onLine: (l, s) => lines.push([l, s]) }));

    const expected =
      "Bootstrapping database...\n" +
      `migrating core on database '${db().database}'...\n` +
      CORE_205.map((m) => `core migrated up to: ${m} (executed)\n`).join("") +
      "7 migrations processed\n7 executed\nDatabase is up-to-date";
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false);
    assert.equal(result.stdout, expected);
    assert.equal(result.stderr, expected, "one container log: both fields hold it");
    assert.deepEqual(
      lines,
      expected.split("\n").map((l) => [l, "stdout"]),
    );
    assert.ok(result.durationMs < 20_000, `the log stream ended with the process (took ${result.durationMs} ms)`);
    assert.deepEqual(await metaRows(db()), [{ subsystem: "core", last_executed: "008_150_to_200", executed: CORE_205, pending: [] }]);

    const [job] = ns().createdJobs;
    const name = job.metadata!.name!;
    assert.match(name, /^kong-migrations-bootstrap-[0-9a-z]+-[0-9a-f]{4}$/);
    assert.equal(result.where, `Job ${ns().name}/${name}`);
    const container = job.spec!.template.spec!.containers[0];
    assert.equal(container.image, "kong:2.0.5");
    assert.deepEqual(container.command, ["kong", "migrations", "bootstrap", "--db-timeout", "60", "--lock-timeout", "60"]);
    assert.deepEqual(container.env, [
      { name: "KONG_PG_HOST", value: db().host },
      { name: "KONG_PG_PORT", value: String(db().port) },
      { name: "KONG_PG_USER", value: db().user },
      { name: "KONG_PG_DATABASE", value: db().database },
      { name: "KONG_PLUGINS", value: "off" },
      { name: "KONG_PG_PASSWORD", valueFrom: { secretKeyRef: { name: "kong-pg", key: "password" } } },
    ]);
    assert.ok(!JSON.stringify(job).includes(db().password), "the password is nowhere in the Job as stored");
    assert.deepEqual(
      { backoffLimit: job.spec!.backoffLimit, deadline: job.spec!.activeDeadlineSeconds, restart: job.spec!.template.spec!.restartPolicy },
      { backoffLimit: 0, deadline: 60, restart: "Never" },
    );
    // The pod really got the password, from the Secret, and only the container's variables.
    const run = cluster().executor.executed.find((e) => e.namespace === ns().name)!;
    assert.equal(run.env.KONG_PG_PASSWORD, db().password);
    assert.deepEqual(Object.keys(run.env).sort(), [
      "KONG_PG_DATABASE",
      "KONG_PG_HOST",
      "KONG_PG_PASSWORD",
      "KONG_PG_PORT",
      "KONG_PG_USER",
      "KONG_PLUGINS",
      "KONG_SIM_VERSION",
    ]);
    assert.equal(run.env.KONG_SIM_VERSION, "2.0.5", "the image tag selects the version");

    assert.equal(await ns().job(name), undefined, "a successful Job is deleted");
    assert.deepEqual(ns().deletedJobs, [name]);
    await eventuallyNoPods(name);
  });

  const eventuallyNoPods = async (job: string) => {
    const deadline = Date.now() + 20_000;
    while ((await ns().podsOfJob(job)).length > 0) {
      assert.ok(Date.now() < deadline, `the pods of ${job} are still there`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it("runs up with the target image, then refuses finish while an old pod is ready, naming it, and finishes once it is gone", async () => {
    await kubernetesJobRunner(config()).run(request(db(), "bootstrap"));
    const up = await kubernetesJobRunner(config({ image: "kong:2.1.4" })).run(request(db(), "up"));
    assert.equal(up.exitCode, 0, up.stdout);
    assert.match(up.stdout, /core migrated up to: 009_200_to_210 \(pending\)/);
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"]);

    await Promise.all([
      ns().putPod("kong-blue-7d9f-abcde", BLUE, { ready: true }),
      ns().putPod("kong-blue-7d9f-fghij", BLUE, { ready: true }),
      ns().putPod("kong-blue-7d9f-klmno", BLUE, { ready: false }),
      ns().putPod("kong-green-5c6b-pqrst", { ...BLUE, "app.kubernetes.io/instance": "kong-green" }, { ready: true }),
    ]);
    const finishing = config({ image: "kong:2.1.4", oldPodSelector: BLUE });
    const jobsBefore = ns().createdJobs.length;
    await assert.rejects(kubernetesJobRunner(finishing).run(request(db(), "finish")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "OLD_PODS_READY"));
      assert.equal(
        e.message,
        `kong migrations finish refused: 2 pods of the old Kong version are still ready in namespace ${ns().name} ` +
          "(selector app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong): kong-blue-7d9f-abcde, " +
          "kong-blue-7d9f-fghij. finish removes what the old version needs; scale the old cluster to zero, wait " +
          "until its pods are gone, then run pulumi up again.",
      );
      return true;
    });
    assert.equal(ns().createdJobs.length, jobsBefore, "no Job was created");
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"], "nothing finished");
    await assert.rejects(assertOldPodsGone(finishing), (e: unknown) => isKubernetesRunnerError(e, "OLD_PODS_READY"));

    await Promise.all([ns().deletePod("kong-blue-7d9f-abcde"), ns().deletePod("kong-blue-7d9f-fghij")]);
    await Promise.all([ns().waitPodGone("kong-blue-7d9f-abcde"), ns().waitPodGone("kong-blue-7d9f-fghij")]);
    const finish = await kubernetesJobRunner(finishing).run(request(db(), "finish"));
    assert.equal(finish.exitCode, 0, finish.stdout);
    const [row] = await metaRows(db());
    assert.deepEqual(row.pending, []);
    assert.ok(row.executed!.includes("009_200_to_210"));
  });

  it("reports a failed command's exit code exactly as the local runner does, and leaves the Job in place", async () => {
    await kubernetesJobRunner(config()).run(request(db(), "bootstrap"));
    const failing = { env: { KONG_SIM_FAIL_AT: "1" } };
    const viaJob = await kubernetesJobRunner(config({ image: "kong:2.1.4", ...failing })).run(request(db(), "up"));
    const viaLocal = await localRunner({ command: [process.execPath, SIM_CLI], env: { KONG_SIM_VERSION: "2.1.4", ...failing.env } }).run(
      request(db(), "up"),
    );
    assert.equal(viaLocal.exitCode, 1);
    assert.equal(viaJob.exitCode, viaLocal.exitCode);
    assert.equal(viaJob.signal, undefined);
    assert.equal(viaJob.timedOut, false);
    // The container log interleaves both streams: every line the local process printed is in it.
    for (const line of [...viaLocal.stdout.split("\n"), ...viaLocal.stderr.split("\n")].filter(Boolean)) {
      assert.ok(viaJob.stdout.split("\n").includes(line), `missing line: ${line}`);
    }
    assert.match(viaJob.stderr, /failed to run migration '009_200_to_210' up: ERROR: division by zero/);
    const name = ns().createdJobs[1].metadata!.name!;
    assert.equal(viaJob.where, `Job ${ns().name}/${name} (left in place: kubectl -n ${ns().name} logs job/${name})`);
    // The Job controller's verdict (Failed follows the interim FailureTarget once the pod is accounted for).
    const failed = await eventually("the Job's Failed condition", async () =>
      (await ns().job(name))?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True"),
    );
    assert.equal(failed.reason, "BackoffLimitExceeded");
    assert.ok(await ns().job(name), "the failed Job is kept");
    const [pod] = await ns().podsOfJob(name);
    assert.equal(pod.status!.phase, "Failed");
    assert.equal(pod.status!.containerStatuses![0].state!.terminated!.exitCode, 1);

    // `list` exit codes (0/3/4/5) pass through unchanged: 5 = new migrations.
    const list = await kubernetesJobRunner(config({ image: "kong:2.1.4" })).run(request(db(), "list"));
    assert.equal(list.exitCode, 5);
  });

  it("times out through activeDeadlineSeconds: timedOut, no exit code, the Job kept", async () => {
    const slow = config({ env: { KONG_SIM_SLEEP_SECONDS: "20" } });
    const result = await kubernetesJobRunner(slow).run(request(db(), "bootstrap", { timeoutSeconds: 2 }));
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    const name = ns().createdJobs[0].metadata!.name!;
    const failed = await eventually("the Job's Failed condition", async () =>
      (await ns().job(name))?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True"),
    );
    assert.equal(failed.reason, "DeadlineExceeded");
    assert.match(result.where, /left in place/);
  });

  it("refuses to put the password in a Job spec: no passwordSecret means no Job at all", async () => {
    await assert.rejects(
      kubernetesJobRunner(config({ passwordSecret: undefined })).run(request(db(), "bootstrap")),
      (e: unknown) => isKubernetesRunnerError(e, "PASSWORD_SECRET_REQUIRED") && /runner\.passwordSecret/.test(e.message),
    );
    await assert.rejects(kubernetesJobRunner(config({ env: { KONG_PG_PASSWORD: "x" } })).run(request(db(), "bootstrap")), (e: unknown) =>
      isKubernetesRunnerError(e, "PASSWORD_IN_ENV"),
    );
    assert.deepEqual(ns().jobEvents, []);
    assert.deepEqual(await ns().jobNames(), []);
  });

  it("fails fast, naming the Job, when its pod cannot start (missing Secret)", async () => {
    const missing = config({ passwordSecret: { name: "no-such-secret", key: "password" } });
    await assert.rejects(kubernetesJobRunner(missing).run(request(db(), "bootstrap")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "JOB_POD_FAILED_TO_START"));
      const name = ns().createdJobs[0].metadata!.name!;
      assert.equal(e.job, `${ns().name}/${name}`);
      assert.match(e.message, /CreateContainerConfigError: secret "no-such-secret" not found/);
      return true;
    });
    assert.deepEqual(await ns().jobNames(), [ns().createdJobs[0].metadata!.name!], "left in place");
  });

  it("reports API errors with the status (a kubeconfig the server rejects)", async () => {
    const bad = config({ kubeconfig: cluster().kubeconfig.replace(/token: .*/, "token: wrong") });
    await assert.rejects(kubernetesJobRunner(bad).run(request(db(), "bootstrap")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "KUBE_API_ERROR"));
      assert.match(e.message, new RegExp(`^Creating Job ${ns().name}/kong-migrations-bootstrap-\\S+ failed: HTTP 401`));
      return true;
    });
  });

  it("waits until no pod matches (terminating ones included), and gives up with the names after its timeout", async () => {
    await Promise.all([
      ns().putPod("kong-blue-1", BLUE, { ready: true, finalizer: true }),
      ns().putPod("kong-blue-2", BLUE, { ready: false }),
    ]);
    await ns().deletePod("kong-blue-1"); // terminating: held by the test's finalizer
    const progress: string[] = [];
    const waiting = waitForPodsGone({
      namespace: ns().name,
      selector: BLUE,
      kubeconfig: cluster().kubeconfig,
      timeoutSeconds: 30,
      pollIntervalMs: 100,
      onProgress: (l) => progress.push(l),
    });
    await new Promise((r) => setTimeout(r, 500));
    await ns().release("kong-blue-1");
    await ns().waitPodGone("kong-blue-1");
    await new Promise((r) => setTimeout(r, 500));
    await ns().deletePod("kong-blue-2");
    await waiting;
    // The API server may show kong-blue-2 terminating for one poll before it is gone (a real, brief
    // state; seen under load): that line is allowed, not required.
    const transient = "waiting for 1 pod to be gone: kong-blue-2 (terminating)";
    assert.deepEqual(
      progress.filter((l) => l !== transient),
      [
        "waiting for 2 pods to be gone: kong-blue-1 (terminating), kong-blue-2",
        "waiting for 1 pod to be gone: kong-blue-2",
        `no pod left matching app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong in ${ns().name}`,
      ],
    );

    await ns().putPod("kong-blue-3", BLUE, { ready: false });
    await assert.rejects(
      waitForPodsGone({ namespace: ns().name, selector: BLUE, kubeconfig: cluster().kubeconfig, timeoutSeconds: 0.3, pollIntervalMs: 100 }),
      (e: unknown) => isKubernetesRunnerError(e, "OLD_PODS_REMAIN") && e.message.includes(": kong-blue-3."),
    );
  });

  it("KubernetesPodsGone handlers: create waits for the pods, outputs gone, and keeps the kubeconfig out of the outputs", async () => {
    await ns().putPod("kong-blue-1", BLUE, { ready: true });
    const checked = await podsGone.check(
      {},
      { namespace: ns().name, selector: BLUE, kubeconfig: cluster().kubeconfig, pollIntervalMs: 100 },
    );
    assert.deepEqual(checked.failures, []);
    const logged: string[] = [];
    const previous = setLogSink((l) => logged.push(l));
    const deleting = new Promise((r) => setTimeout(r, 300)).then(() => ns().deletePod("kong-blue-1"));
    const created = await podsGone.create(checked.inputs as podsGone.PodsGoneInputs).finally(() => setLogSink(previous));
    await deleting;
    assert.deepEqual(logged, [
      "[kong-migrations] waiting for 1 pod to be gone: kong-blue-1",
      `[kong-migrations] no pod left matching app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong in ${ns().name}`,
    ]);
    assert.equal(created.id, `${ns().name}/app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong`);
    assert.equal(created.outs!.gone, true);
    assert.equal(created.outs!.timeoutSeconds, 600);
    assert.ok(!JSON.stringify(created.outs).includes("kong-migrations-test-admin-token"));
    assert.deepEqual(
      (await podsGone.check({}, { namespace: ns().name, selector: {} })).failures!.map((f) => f.property),
      ["selector"],
    );
    const d = await podsGone.diff(
      "id",
      { namespace: ns().name, selector: BLUE },
      { namespace: ns().name, selector: BLUE, kubeconfig: "other" },
    );
    assert.equal(d.changes, false);
  });
});
