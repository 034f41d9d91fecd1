/**
 * The Kubernetes Job runner: runs `kong migrations <command>` as a Job with the target Kong image.
 *
 * One attempt = one Job with a fresh name (Job specs are immutable). The runner creates it, waits
 * for its pod to start, streams the pod's log as progress lines, waits for the container to
 * terminate, and reports its exit code exactly as the local runner reports a process's. A Job that
 * succeeded is deleted; a Job that failed (or timed out) is left in place, named in `where`, so its
 * pod and log can be inspected.
 *
 * Heavy clients are required inside the functions (pulumi-dynamic-providers.md §1.6).
 */
import type { BatchV1Api, CoreV1Api, KubeConfig, V1Job, V1Pod } from "@kubernetes/client-node";
import { redact, type KongRunner, type RunRequest, type RunResult } from "./types";
import { loadKubeConfig, type KubernetesJobRunnerConfig } from "./kubernetes-config";
import { describeApiError, KubernetesRunnerError } from "./kubernetes-errors";
import { buildMigrationJob, MIGRATIONS_CONTAINER, newJobName } from "./kubernetes-job-spec";
import { followLog } from "./kubernetes-log";
import { containerPhase, exitOf, FATAL_WAITING_REASONS } from "./kubernetes-pod-status";
import { assertOldPodsGone } from "./kubernetes-pods";

export type { KubernetesJobRunnerConfig } from "./kubernetes-config";
export { assertOldPodsGone } from "./kubernetes-pods";

const DEFAULT_POLL_MS = 1000;
const DEFAULT_GRACE_SECONDS = 120;

export function kubernetesJobRunner(config: KubernetesJobRunnerConfig): KongRunner {
  return { run: (request) => runJob(config, request) };
}

interface Clients {
  readonly kc: KubeConfig;
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
}

function clients(config: KubernetesJobRunnerConfig): Clients {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const kc = loadKubeConfig(config.kubeconfig);
  return { kc, batch: kc.makeApiClient(k8s.BatchV1Api), core: kc.makeApiClient(k8s.CoreV1Api) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `Complete`/`Failed` condition of a Job, if it has reached one. Since Kubernetes 1.31 the Job
 * controller first sets the interim `FailureTarget` (with the final reason, e.g. `DeadlineExceeded`),
 * deletes the Job's pods, and adds `Failed` only once they are gone (pkg/controller/job/
 * job_controller.go, "transform FailureTarget to Failed"): the outcome is decided from `FailureTarget` on.
 */
function finalCondition(job: V1Job): { type: "Complete" | "Failed"; reason?: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== "True") continue;
    if (c.type === "Complete" || c.type === "Failed") return { type: c.type, reason: c.reason };
    if (c.type === "FailureTarget") return { type: "Failed", reason: c.reason };
  }
  return undefined;
}

/**
 * How long to wait, after a container ended with a non-zero exit, for the Job's own verdict: a
 * container killed because the Job passed its deadline also ends non-zero (143/137), and only the
 * Job's condition says it was a timeout. The Job controller decides within moments.
 */
const VERDICT_WAIT_MS = 10_000;

async function runJob(config: KubernetesJobRunnerConfig, request: RunRequest): Promise<RunResult> {
  const started = Date.now();
  const name = newJobName(request.command, started);
  // Built before any API call: a spec that would leak the password is refused without side effects.
  const job = buildMigrationJob(config, request, name);
  if (request.command === "finish" && config.oldPodSelector) await assertOldPodsGone(config);
  return executeJob(
    config,
    {
      name,
      job,
      container: MIGRATIONS_CONTAINER,
      timeoutSeconds: request.timeoutSeconds,
      secrets: request.secrets,
      onLine: request.onLine,
    },
    started,
  );
}

/** One Job to run to completion: its manifest, and how to watch it. */
export interface JobExecution {
  /** The Job's name (`job.metadata.name`). */
  readonly name: string;
  readonly job: V1Job;
  /** The container whose exit code and log are the result. */
  readonly container: string;
  /** The Job's own deadline; the runner waits this long plus `config.graceSeconds`. */
  readonly timeoutSeconds: number;
  /** Values to redact from every line reported or kept. */
  readonly secrets: readonly string[];
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/**
 * Creates the Job, follows its container's log, and reports its exit like a local process's:
 * the machinery every Job of this package runs through (migration Jobs, and the backup Job before
 * an irreversible step, `../backup/kubernetes-backup.ts`).
 */
export async function executeJob(config: KubernetesJobRunnerConfig, exec: JobExecution, started = Date.now()): Promise<RunResult> {
  const { name, job, container } = exec;
  const request = { secrets: exec.secrets, onLine: exec.onLine, timeoutSeconds: exec.timeoutSeconds };
  const { namespace } = config;
  const id = `${namespace}/${name}`;
  const api = clients(config);
  const poll = config.pollIntervalMs ?? DEFAULT_POLL_MS;
  const deadline = started + (request.timeoutSeconds + (config.graceSeconds ?? DEFAULT_GRACE_SECONDS)) * 1000;
  const apiError = (what: string, e: unknown) =>
    new KubernetesRunnerError("KUBE_API_ERROR", `${what} Job ${id} failed: ${describeApiError(e)}`, id, { cause: e });

  const lines: string[] = [];
  const emit = (raw: string) => {
    const line = redact(raw, request.secrets);
    lines.push(line);
    request.onLine?.(line, "stdout");
  };

  try {
    await api.batch.createNamespacedJob({ namespace, body: job });
  } catch (e) {
    throw apiError("Creating", e);
  }

  const readJob = async (): Promise<V1Job> => {
    try {
      return await api.batch.readNamespacedJob({ name, namespace });
    } catch (e) {
      throw apiError("Reading", e);
    }
  };
  const readPod = async (): Promise<V1Pod | undefined> => {
    try {
      const list = await api.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      return list.items[0];
    } catch (e) {
      throw apiError("Listing the pods of", e);
    }
  };
  const waitTimeout = (what: string) =>
    new KubernetesRunnerError(
      "JOB_WAIT_TIMEOUT",
      `Job ${id} did not ${what} within ${Math.round((deadline - started) / 1000)}s (commandTimeoutSeconds plus ` +
        `${config.graceSeconds ?? DEFAULT_GRACE_SECONDS}s); it is left in place: kubectl -n ${namespace} describe job ${name}`,
      id,
    );

  // 1. Wait until the container runs (or already ended), the Job failed, or the pod cannot start.
  let pod: V1Pod | undefined;
  for (;;) {
    const [j, p] = await Promise.all([readJob(), readPod()]);
    pod = p;
    if (finalCondition(j)) break;
    const phase = p ? containerPhase(p, container) : { kind: "absent" as const };
    if (phase.kind === "running" || phase.kind === "terminated") break;
    if (phase.kind === "waiting" && phase.reason && FATAL_WAITING_REASONS.includes(phase.reason)) {
      throw new KubernetesRunnerError(
        "JOB_POD_FAILED_TO_START",
        `The pod ${p?.metadata?.name} of Job ${id} cannot start: ${phase.reason}` +
          `${phase.message ? `: ${redact(phase.message, request.secrets)}` : ""}. The Job is left in place; ` +
          `fix the cause (image ${config.image}, Secret ${config.passwordSecret?.name ?? "-"}) and run pulumi up again.`,
        id,
      );
    }
    if (Date.now() > deadline) throw waitTimeout("start");
    await sleep(poll);
  }

  // 2. Stream the log while the container runs.
  const podName = pod?.metadata?.name;
  if (podName) {
    try {
      const follow = await followLog(api.kc, namespace, podName, container, emit);
      const stop = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([follow.done, new Promise<void>((r) => (timer = setTimeout(r, stop)))]);
      clearTimeout(timer);
      follow.abort();
    } catch {
      // The log could not be followed (e.g. the pod ended in between): the full log is read below.
    }
  }

  // 3. Wait for the final state: the container's exit, or the Job's Failed condition (deadline).
  let exit: { exitCode: number | null; signal?: string } | undefined;
  let condition: ReturnType<typeof finalCondition>;
  let exitedAt: number | undefined;
  for (;;) {
    const [j, p] = await Promise.all([readJob(), readPod()]);
    condition = finalCondition(j);
    pod = p ?? pod;
    const phase = p ? containerPhase(p, container) : undefined;
    if (phase?.kind === "terminated") exit = exitOf(phase.terminated);
    if (exit && exitedAt === undefined) exitedAt = Date.now();
    const awaitingVerdict = exit !== undefined && exit.exitCode !== 0 && !condition && Date.now() - exitedAt! < VERDICT_WAIT_MS;
    if ((exit || condition) && !awaitingVerdict) break;
    if (Date.now() > deadline) throw waitTimeout("finish");
    await sleep(poll);
  }
  const timedOut = condition?.type === "Failed" && condition.reason === "DeadlineExceeded";
  if (!exit) exit = { exitCode: condition?.type === "Complete" ? 0 : null };

  // 4. The complete log: lines the stream missed (it may close early) are reported now.
  if (pod?.metadata?.name) {
    try {
      const full = await api.core.readNamespacedPodLog({ name: pod.metadata.name, namespace, container });
      const all = String(full ?? "").split("\n");
      if (all[all.length - 1] === "") all.pop();
      for (const raw of all.slice(lines.length)) emit(raw.replace(/\r$/, ""));
    } catch {
      // The pod is gone (a deadline deletes it): what was streamed is all there is.
    }
  }

  const succeeded = exit.exitCode === 0 && !timedOut;
  let where = `Job ${id}`;
  if (succeeded) {
    try {
      await api.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" });
    } catch (e) {
      request.onLine?.(redact(`could not delete Job ${id}: ${describeApiError(e)}`, request.secrets), "stderr");
    }
  } else {
    where += ` (left in place: kubectl -n ${namespace} logs job/${name})`;
  }
  const log = lines.join("\n");
  return {
    exitCode: timedOut ? null : exit.exitCode,
    ...(exit.signal ? { signal: exit.signal } : {}),
    timedOut,
    // One log per container: both fields hold it, so that readers of either find Kong's messages.
    stdout: log,
    stderr: log,
    durationMs: Date.now() - started,
    where,
  };
}
