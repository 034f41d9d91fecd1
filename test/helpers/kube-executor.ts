/**
 * The test cluster's stand-in for the kubelet and the container runtime, for the pods of Jobs
 * (`./kube-cluster.ts`). SIMULATED, and why: this machine has no container runtime and cannot pull
 * images, and Kong itself is not installable, so no real kubelet could run a Kong container. Every
 * other part of a Job's life is the real thing: the API server stores and validates the Job, the
 * real Job controller creates its pod and later decides Complete/Failed (backoffLimit,
 * activeDeadlineSeconds), the real scheduler binds the pod to the node, the real garbage collector
 * deletes the pod of a deleted Job, and clients read the pod's log through the API server's
 * `pods/log` subresource, which the API server proxies to this node's kubelet endpoint: this file.
 *
 * What it does, like a kubelet for the pods bound to its node that carry the label
 * `batch.kubernetes.io/job-name` (kwok's stages leave exactly those out, see
 * `test/fixtures/kube/kwok-stages.yaml`):
 *
 * 1. Resolves the container's environment the way the kubelet does: `value`, and `secretKeyRef`
 *    read from the Secret through the API. A missing Secret or key leaves the container waiting
 *    with `CreateContainerConfigError` and the kubelet's message; the pod stays Pending.
 * 2. Resolves the image to a local program: `kong:<tag>` (and `kong/kong-gateway:<tag>`) run
 *    `kong ...` as kong-sim (`node dist/sim/cli.js ...`) with `KONG_SIM_VERSION=<tag>` (and
 *    `KONG_SIM_EDITION=enterprise` for kong-gateway); `postgres:<major>` runs its `sh` command with
 *    this machine's `sh` and PostgreSQL client tools. A PersistentVolumeClaim volume must be bound to
 *    a `hostPath` PersistentVolume; since nothing can mount it, each argument equal to the mount
 *    path is replaced by the host path. Any other image waits in `ImagePullBackOff`.
 * 3. Writes the pod's status as the kubelet would: Running (Ready, a fake pod IP) when the process
 *    starts; on exit, phase Succeeded/Failed with `state.terminated.exitCode` (128 + signal when
 *    killed). The Job controller takes it from there.
 * 4. Serves `GET /containerLogs/<ns>/<pod>/<container>` (with `follow`, `timestamps`, `tailLines`,
 *    `limitBytes`) over HTTPS: stdout and stderr interleaved as they arrive, and a followed stream
 *    ends when the process exits, as the kubelet's does (kwok's own log server keeps it open,
 *    real-kubernetes.md problem 2, which is why kwok does not serve these pods).
 * 5. When the pod is deleted (the Job controller past `activeDeadlineSeconds`, or the garbage
 *    collector after the Job's deletion): SIGTERM, SIGKILL after the grace period (at most 2 s
 *    here), then removes the pod object (grace 0), as the kubelet does once the container is gone.
 *
 * The process gets the container's environment only (plus a PATH to find node and the tools), so a
 * variable the Job does not set is not there. Its network is the host's: `KONG_PG_HOST=127.0.0.1`
 * reaches the test PostgreSQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as https from "node:https";
import { constants } from "node:os";
import * as path from "node:path";
import type { CoreV1Api, KubeConfig, V1ContainerStatus, V1EnvVar, V1Pod, V1PodStatus } from "@kubernetes/client-node";

const SIM_CLI = path.resolve(__dirname, "../../dist/sim/cli.js");
const POLL_MS = 200;
const MAX_GRACE_MS = 2000;

export interface ExecutorOptions {
  readonly kubeConfig: KubeConfig;
  readonly nodeName: string;
  /** Port of the kubelet endpoint (HTTPS on 127.0.0.1). */
  readonly port: number;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

/** One process the executor ran, for tests that assert how a pod was run. */
export interface ExecutedContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly image: string;
  readonly argv: readonly string[];
  /** The environment the process got (secrets resolved), without PATH. */
  readonly env: Readonly<Record<string, string>>;
  exitCode?: number;
}

export interface JobExecutor {
  /** Every container the executor started, in order. */
  readonly executed: readonly ExecutedContainer[];
  stop(): Promise<void>;
  kill(): void;
}

interface Chunk {
  readonly at: Date;
  readonly text: string;
}

interface Tracked {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  phase: "starting" | "waiting" | "running" | "exited" | "deleted";
  child?: ChildProcess;
  chunks: Chunk[];
  followers: Set<{ write(c: Chunk): void; end(): void }>;
  startedAt?: Date;
  killTimer?: NodeJS.Timeout;
  /** When a container that could not start is tried again (the kubelet retries with a back-off). */
  retryAt?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function kubeApi(kc: KubeConfig): CoreV1Api {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  return kc.makeApiClient(k8s.CoreV1Api);
}

function httpStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

export async function startExecutor(options: ExecutorOptions): Promise<JobExecutor> {
  const core = kubeApi(options.kubeConfig);
  const tracked = new Map<string, Tracked>();
  const executed: ExecutedContainer[] = [];
  let stopped = false;
  let podIp = 1;

  /** Read-modify-write of the pod's status (retried on conflicts, like the kubelet's status manager). */
  const writeStatus = async (t: Tracked, update: (s: V1PodStatus, pod: V1Pod) => V1PodStatus): Promise<void> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      let pod: V1Pod;
      try {
        pod = await core.readNamespacedPod({ name: t.name, namespace: t.namespace });
      } catch (e) {
        if (httpStatus(e) === 404) return;
        throw e;
      }
      if (pod.metadata?.uid !== t.uid) return;
      pod.status = update(pod.status ?? {}, pod);
      try {
        await core.replaceNamespacedPodStatus({ name: t.name, namespace: t.namespace, body: pod });
        return;
      } catch (e) {
        if (httpStatus(e) === 404) return;
        if (httpStatus(e) !== 409) throw e;
      }
    }
  };

  const condition = (type: string, status: boolean, reason?: string) => ({
    type,
    status: status ? "True" : "False",
    lastTransitionTime: new Date(),
    ...(reason ? { reason } : {}),
  });
  const withConditions = (s: V1PodStatus, ready: boolean, reason?: string): V1PodStatus["conditions"] => [
    ...(s.conditions ?? []).filter((c) => c.type === "PodScheduled"),
    condition("Initialized", true),
    condition("Ready", ready, reason),
    condition("ContainersReady", ready, reason),
  ];

  const waiting = async (t: Tracked, pod: V1Pod, reason: string, message: string) => {
    t.phase = "waiting";
    t.retryAt = Date.now() + 2000;
    const c = pod.spec!.containers[0];
    await writeStatus(t, (s) => ({
      ...s,
      phase: "Pending",
      conditions: withConditions(s, false, "ContainersNotReady"),
      containerStatuses: [
        {
          name: c.name,
          image: c.image ?? "",
          imageID: "",
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason, message } },
        },
      ],
    }));
  };

  /** The container's environment as the kubelet builds it, or the reason it cannot start. */
  const resolveEnv = async (namespace: string, vars: readonly V1EnvVar[]): Promise<Record<string, string> | { error: string }> => {
    const env: Record<string, string> = {};
    for (const v of vars) {
      const ref = v.valueFrom?.secretKeyRef;
      if (ref) {
        let data: Record<string, string> | undefined;
        try {
          data = (await core.readNamespacedSecret({ name: ref.name!, namespace })).data;
        } catch (e) {
          if (httpStatus(e) !== 404) throw e;
          if (ref.optional) continue;
          return { error: `secret "${ref.name}" not found` };
        }
        const value = data?.[ref.key];
        if (value === undefined) {
          if (ref.optional) continue;
          return { error: `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}` };
        }
        env[v.name] = Buffer.from(value, "base64").toString("utf8");
      } else if (v.valueFrom) {
        return { error: `the test executor does not resolve ${Object.keys(v.valueFrom).join(", ")} (variable ${v.name})` };
      } else {
        env[v.name] = v.value ?? "";
      }
    }
    return env;
  };

  /** Host directories of the pod's PersistentVolumeClaim volumes, by mount path. */
  const resolveMounts = async (pod: V1Pod): Promise<Map<string, string> | { error: string }> => {
    const mounts = new Map<string, string>();
    for (const m of pod.spec!.containers[0].volumeMounts ?? []) {
      const volume = pod.spec!.volumes?.find((v) => v.name === m.name);
      const claim = volume?.persistentVolumeClaim?.claimName;
      if (!claim) continue; // the service-account token volume: nothing reads it here
      const pvc = await core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: pod.metadata!.namespace! });
      const pv = pvc.spec?.volumeName ? await core.readPersistentVolume({ name: pvc.spec.volumeName }) : undefined;
      const hostPath = pv?.spec?.hostPath?.path;
      if (!hostPath) return { error: `persistentvolumeclaim "${claim}" is not bound to a hostPath volume` };
      mounts.set(m.mountPath, hostPath);
    }
    return mounts;
  };

  const program = (image: string, command: readonly string[], mounts: Map<string, string>) => {
    const colon = image.lastIndexOf(":");
    const repo = colon > image.lastIndexOf("/") ? image.slice(0, colon) : image;
    const tag = colon > image.lastIndexOf("/") ? image.slice(colon + 1) : "latest";
    const base = repo.replace(/^docker\.io\//, "").replace(/^library\//, "");
    if (base === "kong" || base === "kong/kong-gateway") {
      if (command[0] !== "kong")
        return { exit: `exec: "${command[0] ?? "(image entrypoint)"}": the test executor runs only kong commands in Kong images` };
      return {
        argv: [process.execPath, SIM_CLI, ...command.slice(1)],
        env: { KONG_SIM_VERSION: tag, ...(base === "kong/kong-gateway" ? { KONG_SIM_EDITION: "enterprise" } : {}) },
      };
    }
    if (base === "postgres") {
      if (command[0] !== "sh")
        return { exit: `exec: "${command[0] ?? "(image entrypoint)"}": the test executor runs only sh in postgres images` };
      return { argv: command.map((a) => mounts.get(a) ?? a), env: {} };
    }
    return { pull: `Back-off pulling image "${image}": the test executor runs only kong, kong/kong-gateway and postgres images` };
  };

  const start = async (pod: V1Pod) => {
    const uid = pod.metadata!.uid!;
    const c = pod.spec!.containers[0];
    const t: Tracked = {
      uid,
      namespace: pod.metadata!.namespace!,
      name: pod.metadata!.name!,
      container: c.name,
      phase: "starting",
      chunks: [],
      followers: new Set(),
    };
    tracked.set(uid, t);
    const env = await resolveEnv(t.namespace, c.env ?? []);
    if ("error" in env) return waiting(t, pod, "CreateContainerConfigError", env.error);
    const mounts = await resolveMounts(pod);
    if ("error" in mounts) return waiting(t, pod, "ContainerCreating", mounts.error);
    const prog = program(c.image ?? "", [...(c.command ?? []), ...(c.args ?? [])], mounts);
    if ("pull" in prog) return waiting(t, pod, "ImagePullBackOff", prog.pull!);
    if (t.phase !== "starting") return; // deleted meanwhile
    const record: ExecutedContainer = {
      namespace: t.namespace,
      pod: t.name,
      image: c.image ?? "",
      argv: "argv" in prog ? prog.argv! : [],
      env: { ...env, ...("env" in prog ? prog.env : {}) },
    };
    executed.push(record);
    t.startedAt = new Date();
    const ip = `10.244.0.${(podIp++ % 250) + 2}`;
    await writeStatus(t, (s) => ({
      ...s,
      phase: "Running",
      hostIP: "127.0.0.1",
      hostIPs: [{ ip: "127.0.0.1" }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: s.startTime ?? t.startedAt,
      conditions: withConditions(s, true),
      containerStatuses: [
        {
          name: c.name,
          image: c.image ?? "",
          imageID: `simulated://${c.image}`,
          containerID: `simulated://${uid}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t.startedAt } },
        },
      ],
    }));
    t.phase = "running";
    const append = (text: string) => {
      const chunk = { at: new Date(), text };
      t.chunks.push(chunk);
      for (const f of t.followers) f.write(chunk);
    };
    const finish = async (exitCode: number, message?: string) => {
      if (t.phase === "exited") return;
      record.exitCode = exitCode;
      if (message) append(`${message}\n`);
      const deleted = t.phase === "deleted";
      t.phase = "exited";
      if (t.killTimer) clearTimeout(t.killTimer);
      for (const f of t.followers) f.end();
      t.followers.clear();
      const finishedAt = new Date();
      await writeStatus(t, (s) => ({
        ...s,
        phase: exitCode === 0 ? "Succeeded" : "Failed",
        conditions: withConditions(s, false, "PodCompleted"),
        containerStatuses: [
          {
            name: c.name,
            image: c.image ?? "",
            imageID: `simulated://${c.image}`,
            containerID: `simulated://${uid}`,
            ready: false,
            started: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode,
                reason: exitCode === 0 ? "Completed" : "Error",
                startedAt: t.startedAt,
                finishedAt,
                ...(message ? { message } : {}),
              },
            },
          } as V1ContainerStatus,
        ],
      })).catch(() => undefined);
      if (deleted) await removePod(t);
    };
    if ("exit" in prog) return void finish(127, prog.exit);
    const [cmd, ...args] = record.argv;
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...record.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.child = child;
    child.stdout!.setEncoding("utf8").on("data", append);
    child.stderr!.setEncoding("utf8").on("data", append);
    child.once("error", (e) => void finish(127, e.message));
    child.once("close", (code, signal) => void finish(code ?? 128 + (signal ? constants.signals[signal] : 9)));
  };

  const removed = new Set<string>();
  const removePod = async (t: Pick<Tracked, "uid" | "name" | "namespace">) => {
    if (removed.has(t.uid)) return;
    removed.add(t.uid);
    try {
      await core.deleteNamespacedPod({
        name: t.name,
        namespace: t.namespace,
        gracePeriodSeconds: 0,
        body: { preconditions: { uid: t.uid } },
      });
    } catch (e) {
      if (httpStatus(e) !== 404 && httpStatus(e) !== 409) throw e;
    }
  };

  /** The pod is being deleted: stop its process (SIGTERM, then SIGKILL), then remove the object. */
  const terminate = async (t: Tracked, pod: V1Pod) => {
    if (t.phase === "deleted") return;
    if (t.phase === "running" && t.child) {
      t.phase = "deleted";
      t.child.kill("SIGTERM");
      const grace = Math.min((pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000, MAX_GRACE_MS);
      t.killTimer = setTimeout(() => t.child?.kill("SIGKILL"), grace);
      return; // finish() removes the pod once the process is gone
    }
    if (t.phase === "starting") return; // start() is still resolving; the next poll sees it again
    t.phase = "deleted";
    await removePod(t);
  };

  const sync = async () => {
    const list = await core.listPodForAllNamespaces({
      labelSelector: "batch.kubernetes.io/job-name",
      fieldSelector: `spec.nodeName=${options.nodeName}`,
    });
    const seen = new Set<string>();
    for (const pod of list.items) {
      const uid = pod.metadata!.uid!;
      seen.add(uid);
      const t = tracked.get(uid);
      if (pod.metadata?.deletionTimestamp) {
        if (t) await terminate(t, pod);
        else await removePod({ uid, namespace: pod.metadata.namespace!, name: pod.metadata.name! });
        continue;
      }
      if (!t && (pod.status?.phase ?? "Pending") === "Pending") void start(pod).catch((e) => process.stderr.write(`kube-executor: ${e}\n`));
      else if (t?.phase === "waiting" && Date.now() >= (t.retryAt ?? 0)) {
        // The kubelet retries a container that could not start (e.g. a Secret created later).
        tracked.delete(uid);
      }
    }
    for (const uid of removed) if (!seen.has(uid)) removed.delete(uid);
    for (const [uid, t] of tracked) {
      if (seen.has(uid)) continue;
      // The pod object is gone (deleted with grace 0 by someone else): kill what still runs.
      if (t.child && t.phase !== "exited") t.child.kill("SIGKILL");
      for (const f of t.followers) f.end();
      if (t.phase === "exited" || t.phase === "waiting" || !t.child) tracked.delete(uid);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await sync();
      } catch (e) {
        if (!stopped) process.stderr.write(`kube-executor: ${(e as Error).message}\n`);
      }
      await sleep(POLL_MS);
    }
  })();

  const server = https.createServer({ cert: options.tlsCert, key: options.tlsKey }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const m = url.pathname.match(/^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/);
    const t = m ? [...tracked.values()].find((x) => x.namespace === m[1] && x.name === m[2] && x.container === m[3]) : undefined;
    if (!m || !t || !t.startedAt) {
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end(m ? `the test executor keeps no log for ${m[1]}/${m[2]}/${m[3]} (only Job pods it ran have logs)` : "not found");
    }
    const timestamps = url.searchParams.get("timestamps") === "true";
    const follow = url.searchParams.get("follow") === "true";
    let budget = Number(url.searchParams.get("limitBytes") ?? Infinity);
    const format = (c: Chunk) =>
      timestamps
        ? c.text
            .split(/(?<=\n)/)
            .map((l) => `${c.at.toISOString()} ${l}`)
            .join("")
        : c.text;
    const write = (text: string) => {
      if (budget <= 0) return;
      const part = Buffer.from(text).subarray(0, budget);
      budget -= part.length;
      res.write(part);
    };
    res.writeHead(200, { "content-type": "text/plain" });
    let past = t.chunks.map(format).join("");
    const tail = url.searchParams.get("tailLines");
    if (tail !== null) {
      const lines = past.split(/(?<=\n)/);
      past = lines.slice(Math.max(0, lines.length - Number(tail))).join("");
    }
    write(past);
    if (!follow || t.phase === "exited" || t.phase === "deleted" || !t.child) return void res.end();
    const follower = { write: (c: Chunk) => write(format(c)), end: () => res.end() };
    t.followers.add(follower);
    res.on("close", () => t.followers.delete(follower));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });

  const killAll = () => {
    for (const t of tracked.values()) if (t.child && t.phase !== "exited") t.child.kill("SIGKILL");
  };
  return {
    executed,
    async stop() {
      stopped = true;
      killAll();
      await loop;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    kill() {
      stopped = true;
      killAll();
    },
  };
}
