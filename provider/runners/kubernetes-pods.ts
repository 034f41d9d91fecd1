/**
 * The old Kong version's pods, seen through the Kubernetes API: the check that gates `finish`, and
 * the wait used when the old cluster is retired.
 */
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { labelSelector, loadKubeConfig } from "./kubernetes-config";
import { describeApiError, KubernetesRunnerError } from "./kubernetes-errors";
import { isPodReady } from "./kubernetes-pod-status";

export interface PodQuery {
  readonly namespace: string;
  /** Labels the pods must all carry. Must not be empty (an empty selector matches every pod). */
  readonly selector: Readonly<Record<string, string>>;
  /** Kubeconfig text; default in-cluster, then `$KUBECONFIG`/`~/.kube/config`. */
  readonly kubeconfig?: string;
}

function coreApi(kubeconfig: string | undefined): CoreV1Api {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  return loadKubeConfig(kubeconfig).makeApiClient(k8s.CoreV1Api);
}

/** Lists the pods matching `query.selector` (any phase, including terminating ones). */
export async function listPods(query: PodQuery, core: CoreV1Api = coreApi(query.kubeconfig)): Promise<V1Pod[]> {
  if (Object.keys(query.selector).length === 0) {
    throw new KubernetesRunnerError("NO_POD_SELECTOR", "The pod selector is empty: it would match every pod in the namespace.");
  }
  try {
    const list = await core.listNamespacedPod({ namespace: query.namespace, labelSelector: labelSelector(query.selector) });
    return list.items;
  } catch (e) {
    throw new KubernetesRunnerError(
      "KUBE_API_ERROR",
      `Listing pods in namespace ${query.namespace} (selector ${labelSelector(query.selector)}) failed: ${describeApiError(e)}`,
      undefined,
      { cause: e },
    );
  }
}

/**
 * Refuses (`OLD_PODS_READY`, with the pod names) while any pod of the old Kong version is ready.
 * `kong migrations finish` removes what the old version needs (kong-migrations.md §3): a ready old
 * pod would serve traffic against a schema it no longer understands.
 */
export async function assertOldPodsGone(config: {
  readonly namespace: string;
  readonly kubeconfig?: string;
  readonly oldPodSelector?: Readonly<Record<string, string>>;
}): Promise<void> {
  if (!config.oldPodSelector || Object.keys(config.oldPodSelector).length === 0) {
    throw new KubernetesRunnerError(
      "NO_POD_SELECTOR",
      "runner.oldPodSelector is not set: cannot check that the old Kong version's pods are gone before finish.",
    );
  }
  const selector = config.oldPodSelector;
  const pods = await listPods({ namespace: config.namespace, selector, kubeconfig: config.kubeconfig });
  const ready = pods
    .filter(isPodReady)
    .map((p) => p.metadata?.name ?? "?")
    .sort();
  if (ready.length > 0) {
    throw new KubernetesRunnerError(
      "OLD_PODS_READY",
      `kong migrations finish refused: ${ready.length} pod${ready.length === 1 ? "" : "s"} of the old Kong version ` +
        `${ready.length === 1 ? "is" : "are"} still ready in namespace ${config.namespace} (selector ${labelSelector(selector)}): ` +
        `${ready.join(", ")}. finish removes what the old version needs; scale the old cluster to zero, wait ` +
        `until its pods are gone, then run pulumi up again.`,
    );
  }
}

export interface WaitForPodsGoneOptions extends PodQuery {
  /** Give up after this long. */
  readonly timeoutSeconds: number;
  /** Default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Progress lines ("waiting for 2 pods: a, b"). */
  readonly onProgress?: (line: string) => void;
}

/**
 * Waits until no pod matches the selector at all, terminating ones included: a terminating Kong
 * pod still serves the requests it has and may still write to the database until it exits.
 */
export async function waitForPodsGone(options: WaitForPodsGoneOptions): Promise<void> {
  const core = coreApi(options.kubeconfig);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const interval = options.pollIntervalMs ?? 2000;
  let last = "";
  for (;;) {
    const pods = await listPods(options, core);
    if (pods.length === 0) {
      options.onProgress?.(`no pod left matching ${labelSelector(options.selector)} in ${options.namespace}`);
      return;
    }
    const names = pods.map((p) => `${p.metadata?.name ?? "?"}${p.metadata?.deletionTimestamp ? " (terminating)" : ""}`).sort();
    const line = `waiting for ${pods.length} pod${pods.length === 1 ? "" : "s"} to be gone: ${names.join(", ")}`;
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (Date.now() >= deadline) {
      throw new KubernetesRunnerError(
        "OLD_PODS_REMAIN",
        `After ${options.timeoutSeconds}s, ${pods.length} pod${pods.length === 1 ? "" : "s"} matching ` +
          `${labelSelector(options.selector)} still exist in namespace ${options.namespace}: ${names.join(", ")}. ` +
          `Check why they do not terminate (finalizers, a long terminationGracePeriodSeconds, an unreachable node), ` +
          `then run pulumi up again.`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()) + 10)));
  }
}
