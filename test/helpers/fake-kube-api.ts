/**
 * A fake of the few Kubernetes API endpoints the Kubernetes Job runner and the pods-gone waiter use,
 * on 127.0.0.1 over plain HTTP. There is no cluster on this machine (no kubelet, no container
 * runtime, no network to pull images), so this stands in for the API server, the Job controller
 * and the kubelet at once:
 *
 * - `POST/GET/DELETE /apis/batch/v1/namespaces/{ns}/jobs[/{name}]`: Jobs are stored as sent. A
 *   created Job gets one pod, which "runs" the container's command as a local process: `kong` is
 *   mapped to kong-sim (`node dist/sim/cli.js`), `KONG_SIM_VERSION` comes from the image tag, and the
 *   environment is only the container's (each `secretKeyRef` resolved from Secrets stored in the
 *   fake, like the kubelet does), so the process really migrates the test PostgreSQL database.
 *   Its exit code goes into the pod's `containerStatuses[].state.terminated` and the Job's
 *   `Complete`/`Failed` condition; `activeDeadlineSeconds` kills it (`DeadlineExceeded`).
 * - `GET /api/v1/namespaces/{ns}/pods?labelSelector=`: Job pods plus pods a test puts in (the "old
 *   Kong version" pods), with `Ready` conditions. Equality selectors only.
 * - `GET /api/v1/namespaces/{ns}/pods/{name}/log[?follow=true]`: stdout and stderr interleaved as
 *   they arrive, streamed while the process runs; 400 while the container is waiting, as the API does.
 *
 * Not faked: watches, scheduling, image pulls (an image listed in `unpullableImages` shows
 * `ImagePullBackOff`), restarts, and everything else the API has. Requests must carry the bearer
 * token of `kubeconfig()`, so a test also proves the runner used the kubeconfig it was given.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { constants } from "node:os";
import * as path from "node:path";
import type { V1EnvVar, V1Job, V1Pod } from "@kubernetes/client-node";

const TOKEN = "fake-kube-api-token";

export interface FakeKubeApiOptions {
  /** What `kong` in a container command becomes. Default `[node, <repo>/dist/sim/cli.js]`. */
  readonly kongCommand?: readonly string[];
  /** How long a Job pod stays `ContainerCreating` before its process starts. Default 30 ms. */
  readonly podStartDelayMs?: number;
  /** Images whose pull fails (`ImagePullBackOff`). */
  readonly unpullableImages?: readonly string[];
  /**
   * PersistentVolumeClaims, by claim name, as host directories. A container whose command is `sh`
   * (the backup Job's PostgreSQL client image) runs as a local `sh` with the machine's tools when
   * this is given; every argument equal to a `volumeMount`'s `mountPath` is replaced by the host
   * directory of that mount's claim (the kubelet's mount, faked). A claim not listed leaves the
   * pod waiting (`ContainerCreating`), as a missing claim does.
   */
  readonly persistentVolumeClaims?: Readonly<Record<string, string>>;
}

interface PodRecord {
  pod: V1Pod;
  log: string;
  followers: http.ServerResponse[];
  child?: ChildProcess;
  exited: boolean;
}

export interface ApiCall {
  readonly method: string;
  readonly path: string;
}

export class FakeKubeApi {
  /** Every request, in order. */
  readonly calls: ApiCall[] = [];
  /** Every Job ever created, exactly as the client sent it (deleted ones included). */
  readonly createdJobs: V1Job[] = [];
  private readonly jobs = new Map<string, V1Job>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly secrets = new Map<string, Record<string, string>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeKubeApiOptions,
  ) {}

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const server = http.createServer();
    const fake = new FakeKubeApi(server, options);
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      fake.handle(req, res).catch((e: Error) => fake.status(res, 500, "InternalError", e.message));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig for this server (YAML), with a bearer token the server checks. */
  kubeconfig(): string {
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: ${this.url}`,
      // client-node refuses plain http unless TLS verification is declared off.
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: fake",
      "  user:",
      `    token: ${TOKEN}`,
      "contexts:",
      "- name: fake",
      "  context:",
      "    cluster: fake",
      "    user: fake",
      "current-context: fake",
      "",
    ].join("\n");
  }

  putSecret(namespace: string, name: string, data: Record<string, string>): void {
    this.secrets.set(`${namespace}/${name}`, { ...data });
  }

  /** Adds a pod that is not a Job's (e.g. a Kong pod of the old version). */
  putPod(namespace: string, name: string, labels: Record<string, string>, ready: boolean): void {
    const pod: V1Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: { ...labels }, creationTimestamp: new Date() },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      },
    };
    this.pods.set(`${namespace}/${name}`, { pod, log: "", followers: [], exited: false });
  }

  /** Marks a pod as terminating (it keeps matching selectors until removed). */
  terminatePod(namespace: string, name: string): void {
    const rec = this.pods.get(`${namespace}/${name}`);
    if (rec) rec.pod.metadata!.deletionTimestamp = new Date();
  }

  removePod(namespace: string, name: string, afterMs = 0): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.pods.delete(`${namespace}/${name}`);
    }, afterMs);
    this.timers.add(t);
  }

  /** The stored Job, or undefined once deleted. */
  job(namespace: string, name: string): V1Job | undefined {
    return this.jobs.get(`${namespace}/${name}`);
  }

  jobNames(namespace: string): string[] {
    return [...this.jobs.keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1));
  }

  podsOfJob(namespace: string, job: string): V1Pod[] {
    return [...this.pods.values()]
      .map((r) => r.pod)
      .filter((p) => p.metadata?.namespace === namespace && p.metadata?.labels?.["job-name"] === job);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const rec of this.pods.values()) {
      if (rec.child && !rec.exited) rec.child.kill("SIGKILL");
      for (const f of rec.followers) f.end();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    if (res.headersSent) return void res.end();
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code }));
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.calls.push({ method: req.method ?? "GET", path: url.pathname + url.search });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return this.status(res, 401, "Unauthorized", "Unauthorized");
    const body = await new Promise<string>((resolve) => {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (text += c));
      req.on("end", () => resolve(text));
    });
    let m: RegExpMatchArray | null;
    if ((m = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/)) && req.method === "POST") {
      return this.createJob(res, m[1], JSON.parse(body) as V1Job);
    }
    if ((m = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/))) {
      const job = this.jobs.get(`${m[1]}/${m[2]}`);
      if (!job) return this.status(res, 404, "NotFound", `jobs.batch "${m[2]}" not found`);
      if (req.method === "GET") return this.json(res, 200, job);
      if (req.method === "DELETE") return this.deleteJob(res, m[1], m[2], url.searchParams.get("propagationPolicy"));
    }
    if ((m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/)) && req.method === "GET") {
      return this.json(res, 200, {
        apiVersion: "v1",
        kind: "PodList",
        metadata: {},
        items: this.listPods(m[1], url.searchParams.get("labelSelector")),
      });
    }
    if ((m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/)) && req.method === "GET") {
      return this.podLog(res, m[1], m[2], url.searchParams.get("follow") === "true");
    }
    this.status(res, 404, "NotFound", `the fake Kubernetes API does not serve ${req.method} ${url.pathname}`);
  }

  private listPods(namespace: string, selector: string | null): V1Pod[] {
    const wanted = (selector ?? "")
      .split(",")
      .filter(Boolean)
      .map((kv) => kv.split("=") as [string, string]);
    return [...this.pods.values()]
      .map((r) => r.pod)
      .filter((p) => p.metadata?.namespace === namespace && wanted.every(([k, v]) => p.metadata?.labels?.[k] === v));
  }

  private createJob(res: http.ServerResponse, namespace: string, job: V1Job): void {
    const name = job.metadata?.name;
    if (!name) return this.status(res, 422, "Invalid", "Job.batch is invalid: metadata.name: Required value");
    const key = `${namespace}/${name}`;
    if (this.jobs.has(key)) return this.status(res, 409, "AlreadyExists", `jobs.batch "${name}" already exists`);
    this.createdJobs.push(JSON.parse(JSON.stringify(job)) as V1Job);
    const stored: V1Job = {
      ...job,
      metadata: { ...job.metadata, namespace, uid: randomBytes(8).toString("hex"), creationTimestamp: new Date() },
      status: { active: 1, startTime: new Date() },
    };
    this.jobs.set(key, stored);
    const container = job.spec!.template.spec!.containers[0];
    const podName = `${name}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    const pod: V1Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName,
        namespace,
        labels: { ...job.spec?.template.metadata?.labels, "job-name": name, "batch.kubernetes.io/job-name": name },
      },
      spec: job.spec!.template.spec,
      status: {
        phase: "Pending",
        containerStatuses: [
          {
            name: container.name,
            image: container.image!,
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "ContainerCreating" } },
          },
        ],
      },
    };
    const rec: PodRecord = { pod, log: "", followers: [], exited: false };
    this.pods.set(`${namespace}/${podName}`, rec);
    this.json(res, 201, stored);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.startContainer(namespace, stored, rec);
    }, this.options.podStartDelayMs ?? 30);
    this.timers.add(t);
  }

  private setWaiting(rec: PodRecord, reason: string, message: string): void {
    rec.pod.status!.containerStatuses![0].state = { waiting: { reason, message } };
  }

  private startContainer(namespace: string, job: V1Job, rec: PodRecord): void {
    const container = job.spec!.template.spec!.containers[0];
    const image = container.image ?? "";
    if (this.options.unpullableImages?.includes(image)) {
      return this.setWaiting(rec, "ImagePullBackOff", `Back-off pulling image "${image}"`);
    }
    const env: Record<string, string> = {};
    for (const e of container.env ?? ([] as V1EnvVar[])) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const value = this.secrets.get(`${namespace}/${ref.name}`)?.[ref.key];
        if (value === undefined) {
          return this.setWaiting(rec, "CreateContainerConfigError", `secret "${ref.name}" not found`);
        }
        env[e.name] = value;
      } else env[e.name] = e.value ?? "";
    }
    const tag = image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : "latest";
    const [cmd, ...args] = container.command ?? [];
    const claims = this.options.persistentVolumeClaims;
    let argv: string[];
    if (cmd === "sh" && claims) {
      const mounted = new Map<string, string>();
      for (const m of container.volumeMounts ?? []) {
        const claim = job.spec!.template.spec!.volumes?.find((v) => v.name === m.name)?.persistentVolumeClaim?.claimName;
        if (!claim || claims[claim] === undefined) {
          return this.setWaiting(rec, "ContainerCreating", `persistentvolumeclaim "${claim}" not found`);
        }
        mounted.set(m.mountPath, claims[claim]);
      }
      argv = ["sh", ...args.map((a) => mounted.get(a) ?? a)];
    } else if (cmd === "kong") {
      const kong = this.options.kongCommand ?? [process.execPath, path.resolve(__dirname, "../../dist/sim/cli.js")];
      argv = [...kong, ...args];
    } else {
      return this.exit(namespace, job, rec, 127, null, `exec: "${cmd}": executable file not found in $PATH`);
    }
    const child = spawn(argv[0], argv.slice(1), {
      // The container's environment only (no test-runner variables leak in), plus a PATH to run node.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, KONG_SIM_VERSION: tag },
      stdio: ["ignore", "pipe", "pipe"],
    });
    rec.child = child;
    rec.pod.status = {
      ...rec.pod.status,
      phase: "Running",
      startTime: new Date(),
      conditions: [{ type: "Ready", status: "True" }],
    };
    rec.pod.status.containerStatuses![0].state = { running: { startedAt: new Date() } };
    rec.pod.status.containerStatuses![0].ready = true;
    const append = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      rec.log += text;
      for (const f of rec.followers) f.write(text);
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    const deadline = job.spec?.activeDeadlineSeconds;
    let t: NodeJS.Timeout | undefined;
    if (deadline) {
      t = setTimeout(() => {
        this.timers.delete(t!);
        if (rec.exited) return;
        this.markJob(job, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
        child.kill("SIGKILL");
      }, deadline * 1000);
      this.timers.add(t);
    }
    child.once("close", (code, signal) => {
      if (t) {
        clearTimeout(t);
        this.timers.delete(t);
      }
      this.exit(namespace, job, rec, code, signal, undefined);
    });
    child.once("error", (e) => append(Buffer.from(`${e.message}\n`)));
  }

  private markJob(job: V1Job, type: "Complete" | "Failed", reason?: string, message?: string): void {
    if (job.status?.conditions?.some((c) => c.status === "True")) return;
    job.status = {
      ...job.status,
      active: 0,
      ...(type === "Complete" ? { succeeded: 1, completionTime: new Date() } : { failed: 1 }),
      conditions: [
        { type, status: "True", lastTransitionTime: new Date(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) },
      ],
    };
  }

  private exit(namespace: string, job: V1Job, rec: PodRecord, code: number | null, signal: NodeJS.Signals | null, message?: string): void {
    rec.exited = true;
    // Like a container runtime: a signalled process is reported as 128 + the signal's number.
    const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 9);
    if (message) rec.log += `${message}\n`;
    rec.pod.status = {
      ...rec.pod.status,
      phase: exitCode === 0 ? "Succeeded" : "Failed",
      conditions: [{ type: "Ready", status: "False", reason: "PodCompleted" }],
    };
    rec.pod.status.containerStatuses![0].ready = false;
    rec.pod.status.containerStatuses![0].state = {
      terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", finishedAt: new Date(), ...(message ? { message } : {}) },
    };
    for (const f of rec.followers) f.end();
    rec.followers = [];
    const deadlineHit = job.status?.conditions?.some((c) => c.reason === "DeadlineExceeded");
    if (deadlineHit) {
      // The Job controller deletes the active pods of a Job past its deadline.
      this.pods.delete(`${namespace}/${rec.pod.metadata!.name}`);
      return;
    }
    if (exitCode === 0) this.markJob(job, "Complete");
    else this.markJob(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  }

  private deleteJob(res: http.ServerResponse, namespace: string, name: string, policy: string | null): void {
    const job = this.jobs.get(`${namespace}/${name}`)!;
    this.jobs.delete(`${namespace}/${name}`);
    if (policy === "Background" || policy === "Foreground") {
      for (const [key, rec] of this.pods) {
        if (rec.pod.metadata?.namespace === namespace && rec.pod.metadata?.labels?.["job-name"] === name) {
          if (rec.child && !rec.exited) rec.child.kill("SIGKILL");
          this.pods.delete(key);
        }
      }
    }
    this.json(res, 200, job);
  }

  private podLog(res: http.ServerResponse, namespace: string, name: string, follow: boolean): void {
    const rec = this.pods.get(`${namespace}/${name}`);
    if (!rec) return this.status(res, 404, "NotFound", `pods "${name}" not found`);
    const state = rec.pod.status?.containerStatuses?.[0]?.state;
    if (state?.waiting) {
      return this.status(
        res,
        400,
        "BadRequest",
        `container "${rec.pod.status!.containerStatuses![0].name}" in pod "${name}" is waiting to start: ${state.waiting.reason}`,
      );
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.write(rec.log);
    if (!follow || rec.exited || !rec.child) return void res.end();
    rec.followers.push(res);
    res.on("close", () => (rec.followers = rec.followers.filter((f) => f !== res)));
  }
}
