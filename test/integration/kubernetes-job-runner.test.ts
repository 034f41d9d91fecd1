/**
 * The Kubernetes Job runner (and the pods-gone wait) against a FAKE Kubernetes API.
 *
 * What is faked, and why: this machine has no Kubernetes cluster (no API server, kubelet or
 * container runtime, and no network to pull the Kong image), so `test/helpers/fake-kube-api.ts`
 * serves the few endpoints the runner uses (create/get/delete Job, list pods, read/follow a pod's
 * log) on 127.0.0.1 and plays the Job controller and kubelet: a created Job's container command runs
 * as a local process, with `kong` mapped to kong-sim and `KONG_SIM_VERSION` taken from the image
 * tag, with only the container's environment (the password resolved from a Secret stored in the
 * fake through the Job's `secretKeyRef`). What is real: the runner code and `@kubernetes/client-node`
 * speaking HTTP to that server through a kubeconfig, kong-sim, and the test PostgreSQL that the
 * Job's process really migrates (asserted through `schema_meta`).
 */
import { strict as assert } from "node:assert";
import { FakeKubeApi } from "../helpers/fake-kube-api";
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

const NS = "kong";
const CORE_205 = ["000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140", "007_140_to_150", "008_150_to_200"];
const BLUE = { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": "kong-blue" };

describe("Kubernetes Job runner (fake Kubernetes API, real kong-sim and PostgreSQL)", function () {
  this.timeout(30_000);
  const db = useFreshDatabase();
  let fake: FakeKubeApi;

  beforeEach(async () => {
    fake = await FakeKubeApi.start();
    fake.putSecret(NS, "kong-pg", { password: db().password });
  });
  afterEach(async () => fake.close());

  const config = (over: Partial<KubernetesJobRunnerConfig> = {}): KubernetesJobRunnerConfig => ({
    namespace: NS,
    image: "kong:2.0.5",
    kubeconfig: fake.kubeconfig(),
    passwordSecret: { name: "kong-pg", key: "password" },
    pollIntervalMs: 25,
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
  const postJobs = () => fake.calls.filter((c) => c.method === "POST");

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
    assert.deepEqual(await metaRows(db()), [{ subsystem: "core", last_executed: "008_150_to_200", executed: CORE_205, pending: [] }]);

    const [job] = fake.createdJobs;
    const name = job.metadata!.name!;
    assert.match(name, /^kong-migrations-bootstrap-[0-9a-z]+-[0-9a-f]{4}$/);
    assert.equal(result.where, `Job ${NS}/${name}`);
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
    assert.ok(!JSON.stringify(job).includes(db().password), "the password is nowhere in the Job spec");
    assert.deepEqual(
      { backoffLimit: job.spec!.backoffLimit, deadline: job.spec!.activeDeadlineSeconds, restart: job.spec!.template.spec!.restartPolicy },
      { backoffLimit: 0, deadline: 60, restart: "Never" },
    );
    assert.equal(fake.job(NS, name), undefined, "a successful Job is deleted");
    assert.deepEqual(fake.podsOfJob(NS, name), [], "with its pod");
    assert.deepEqual(
      fake.calls.filter((c) => c.method !== "GET").map((c) => `${c.method} ${c.path}`),
      [`POST /apis/batch/v1/namespaces/${NS}/jobs`, `DELETE /apis/batch/v1/namespaces/${NS}/jobs/${name}?propagationPolicy=Background`],
    );
  });

  it("runs up with the target image, then refuses finish while an old pod is ready, naming it, and finishes once it is gone", async () => {
    await kubernetesJobRunner(config()).run(request(db(), "bootstrap"));
    const up = await kubernetesJobRunner(config({ image: "kong:2.1.4" })).run(request(db(), "up"));
    assert.equal(up.exitCode, 0, up.stdout);
    assert.match(up.stdout, /core migrated up to: 009_200_to_210 \(pending\)/);
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"]);

    fake.putPod(NS, "kong-blue-7d9f-abcde", BLUE, true);
    fake.putPod(NS, "kong-blue-7d9f-fghij", BLUE, true);
    fake.putPod(NS, "kong-blue-7d9f-klmno", BLUE, false);
    fake.putPod(NS, "kong-green-5c6b-pqrst", { ...BLUE, "app.kubernetes.io/instance": "kong-green" }, true);
    const finishing = config({ image: "kong:2.1.4", oldPodSelector: BLUE });
    const jobsBefore = postJobs().length;
    await assert.rejects(kubernetesJobRunner(finishing).run(request(db(), "finish")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "OLD_PODS_READY"));
      assert.equal(
        e.message,
        "kong migrations finish refused: 2 pods of the old Kong version are still ready in namespace kong " +
          "(selector app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong): kong-blue-7d9f-abcde, " +
          "kong-blue-7d9f-fghij. finish removes what the old version needs; scale the old cluster to zero, wait " +
          "until its pods are gone, then run pulumi up again.",
      );
      return true;
    });
    assert.equal(postJobs().length, jobsBefore, "no Job was created");
    assert.deepEqual((await metaRows(db()))[0].pending, ["009_200_to_210"], "nothing finished");
    await assert.rejects(assertOldPodsGone(finishing), (e: unknown) => isKubernetesRunnerError(e, "OLD_PODS_READY"));

    fake.removePod(NS, "kong-blue-7d9f-abcde");
    fake.removePod(NS, "kong-blue-7d9f-fghij");
    await new Promise((r) => setTimeout(r, 5));
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
    const name = fake.createdJobs[1].metadata!.name!;
    assert.equal(viaJob.where, `Job ${NS}/${name} (left in place: kubectl -n ${NS} logs job/${name})`);
    assert.ok(fake.job(NS, name), "the failed Job is kept");
    assert.equal(fake.job(NS, name)!.status!.conditions![0].type, "Failed");

    // `list` exit codes (0/3/4/5) pass through unchanged: 5 = new migrations.
    const list = await kubernetesJobRunner(config({ image: "kong:2.1.4" })).run(request(db(), "list"));
    assert.equal(list.exitCode, 5);
  });

  it("times out through activeDeadlineSeconds: timedOut, no exit code, the Job kept", async () => {
    const slow = config({ env: { KONG_SIM_SLEEP_SECONDS: "20" } });
    const result = await kubernetesJobRunner(slow).run(request(db(), "bootstrap", { timeoutSeconds: 1 }));
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    const name = fake.createdJobs[0].metadata!.name!;
    assert.equal(fake.job(NS, name)!.status!.conditions![0].reason, "DeadlineExceeded");
    assert.match(result.where, /left in place/);
  });

  it("refuses to put the password in a Job spec: no passwordSecret means no API call at all", async () => {
    await assert.rejects(
      kubernetesJobRunner(config({ passwordSecret: undefined })).run(request(db(), "bootstrap")),
      (e: unknown) => isKubernetesRunnerError(e, "PASSWORD_SECRET_REQUIRED") && /runner\.passwordSecret/.test(e.message),
    );
    await assert.rejects(kubernetesJobRunner(config({ env: { KONG_PG_PASSWORD: "x" } })).run(request(db(), "bootstrap")), (e: unknown) =>
      isKubernetesRunnerError(e, "PASSWORD_IN_ENV"),
    );
    assert.deepEqual(fake.calls, []);
  });

  it("fails fast, naming the Job, when its pod cannot start (missing Secret)", async () => {
    const missing = config({ passwordSecret: { name: "no-such-secret", key: "password" } });
    await assert.rejects(kubernetesJobRunner(missing).run(request(db(), "bootstrap")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "JOB_POD_FAILED_TO_START"));
      const name = fake.createdJobs[0].metadata!.name!;
      assert.equal(e.job, `${NS}/${name}`);
      assert.match(e.message, /CreateContainerConfigError: secret "no-such-secret" not found/);
      assert.ok(fake.job(NS, name), "left in place");
      return true;
    });
  });

  it("reports API errors with the status (a kubeconfig the server rejects)", async () => {
    const bad = config({ kubeconfig: fake.kubeconfig().replace(/token: .*/, "token: wrong") });
    await assert.rejects(kubernetesJobRunner(bad).run(request(db(), "bootstrap")), (e: unknown) => {
      assert.ok(isKubernetesRunnerError(e, "KUBE_API_ERROR"));
      assert.match(e.message, /^Creating Job kong\/kong-migrations-bootstrap-\S+ failed: HTTP 401/);
      return true;
    });
  });

  it("waits until no pod matches (terminating ones included), and gives up with the names after its timeout", async () => {
    fake.putPod(NS, "kong-blue-1", BLUE, true);
    fake.putPod(NS, "kong-blue-2", BLUE, false);
    fake.terminatePod(NS, "kong-blue-1");
    fake.removePod(NS, "kong-blue-1", 150);
    fake.removePod(NS, "kong-blue-2", 300);
    const progress: string[] = [];
    const started = Date.now();
    await waitForPodsGone({
      namespace: NS,
      selector: BLUE,
      kubeconfig: fake.kubeconfig(),
      timeoutSeconds: 10,
      pollIntervalMs: 20,
      onProgress: (l) => progress.push(l),
    });
    assert.ok(Date.now() - started >= 290);
    assert.deepEqual(progress, [
      "waiting for 2 pods to be gone: kong-blue-1 (terminating), kong-blue-2",
      "waiting for 1 pod to be gone: kong-blue-2",
      "no pod left matching app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong in kong",
    ]);

    fake.putPod(NS, "kong-blue-3", BLUE, false);
    await assert.rejects(
      waitForPodsGone({ namespace: NS, selector: BLUE, kubeconfig: fake.kubeconfig(), timeoutSeconds: 0.2, pollIntervalMs: 20 }),
      (e: unknown) => isKubernetesRunnerError(e, "OLD_PODS_REMAIN") && e.message.includes(": kong-blue-3."),
    );
  });

  it("KubernetesPodsGone handlers: create waits for the pods, outputs gone, and keeps the kubeconfig out of the outputs", async () => {
    fake.putPod(NS, "kong-blue-1", BLUE, true);
    fake.removePod(NS, "kong-blue-1", 100);
    const checked = await podsGone.check({}, { namespace: NS, selector: BLUE, kubeconfig: fake.kubeconfig(), pollIntervalMs: 20 });
    assert.deepEqual(checked.failures, []);
    const logged: string[] = [];
    const previous = setLogSink((l) => logged.push(l));
    const created = await podsGone.create(checked.inputs as podsGone.PodsGoneInputs).finally(() => setLogSink(previous));
    assert.deepEqual(logged, [
      "[kong-migrations] waiting for 1 pod to be gone: kong-blue-1",
      "[kong-migrations] no pod left matching app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong in kong",
    ]);
    assert.equal(created.id, "kong/app.kubernetes.io/instance=kong-blue,app.kubernetes.io/name=kong");
    assert.equal(created.outs!.gone, true);
    assert.equal(created.outs!.timeoutSeconds, 600);
    assert.ok(!JSON.stringify(created.outs).includes("fake-kube-api-token"));
    assert.deepEqual(
      (await podsGone.check({}, { namespace: NS, selector: {} })).failures!.map((f) => f.property),
      ["selector"],
    );
    const d = await podsGone.diff("id", { namespace: NS, selector: BLUE }, { namespace: NS, selector: BLUE, kubeconfig: "other" });
    assert.equal(d.changes, false);
  });
});
