/**
 * Configuration of the Kubernetes Job runner: the plain (resolved) form of `KubernetesJobRunnerArgs`
 * (`sdk/args.ts`) with the image decided (`provider/runners/index.ts` fills in `kong:<kongVersion>`),
 * and how the API client is built from it.
 *
 * `@kubernetes/client-node` is required inside the functions, never at module level: this module is
 * reachable from the dynamic provider, whose code Pulumi serializes by value when it lives outside
 * `node_modules` (pulumi-dynamic-providers.md §1.6).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { KubernetesRunnerError } from "./kubernetes-errors";

/** A key of a Kubernetes Secret in the Job's namespace. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface KubernetesJobRunnerConfig {
  /** Namespace of the Job (and of the old pods checked before `finish`). */
  readonly namespace: string;
  /** Kong image of the Job, e.g. `kong:2.1.4`: the target version's image. */
  readonly image: string;
  /** Kubeconfig contents. Default: in-cluster configuration, then `$KUBECONFIG`/`~/.kube/config`. */
  readonly kubeconfig?: string;
  /** Secret holding the database password; the Job reads `KONG_PG_PASSWORD` from it via `secretKeyRef`. */
  readonly passwordSecret?: SecretKeyRef;
  /** Labels of the old Kong version's pods: `finish` is refused while any of them is ready. */
  readonly oldPodSelector?: Readonly<Record<string, string>>;
  /** Extra container environment; overrides the request's (e.g. an in-cluster `KONG_PG_HOST`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Service account of the Job's pod. */
  readonly serviceAccountName?: string;
  /** How often the Job and its pod are polled. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * How long to wait beyond the command's own timeout for the Job to reach a final state (image
   * pull, scheduling, a slow API). Default 120 s.
   */
  readonly graceSeconds?: number;
}

/**
 * Loads the client configuration: the given kubeconfig text; else the in-cluster service account
 * (when `KUBERNETES_SERVICE_HOST` is set, as in every pod); else `$KUBECONFIG` or `~/.kube/config`.
 */
export function loadKubeConfig(kubeconfig: string | undefined): KubeConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  try {
    if (kubeconfig) kc.loadFromString(kubeconfig);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubernetesRunnerError("NO_KUBECONFIG", `Cannot load the kubeconfig: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
  if (!kc.getCurrentCluster()) {
    throw new KubernetesRunnerError(
      "NO_KUBECONFIG",
      "No Kubernetes cluster configured: pass the runner's kubeconfig, run inside a cluster, or set $KUBECONFIG.",
    );
  }
  return kc;
}

/** `app=kong,color=blue`: a label selector from labels, sorted for stable output. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
