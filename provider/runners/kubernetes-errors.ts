/**
 * Typed errors of the Kubernetes Job runner and the pods-gone waiter. `code` is stable API: callers
 * and tests match on it, never on the message. Messages name the input or object involved and the
 * next step.
 */
export type KubernetesRunnerErrorCode =
  /** `KONG_PG_PASSWORD` would have to go into the Job spec in plaintext: no `passwordSecret`. */
  | "PASSWORD_SECRET_REQUIRED"
  /** `env` tries to set `KONG_PG_PASSWORD` directly. */
  | "PASSWORD_IN_ENV"
  /** `finish` refused: pods of the old Kong version are still ready. */
  | "OLD_PODS_READY"
  /** The waiter gave up: pods matching the selector still exist. */
  | "OLD_PODS_REMAIN"
  /** No `oldPodSelector`/selector was given where one is required. */
  | "NO_POD_SELECTOR"
  /** The Job's pod cannot start (image pull, missing Secret, ...); the Job is left for inspection. */
  | "JOB_POD_FAILED_TO_START"
  /** The Job did not reach a final state in time (the API stopped answering or the pod never ran). */
  | "JOB_WAIT_TIMEOUT"
  /** The backup Job before an irreversible step failed or printed no result (`../backup/kubernetes-backup.ts`). */
  | "BACKUP_JOB_FAILED"
  /** A call to the Kubernetes API failed. */
  | "KUBE_API_ERROR"
  /** No usable kubeconfig: neither `kubeconfig`, nor in-cluster, nor `$KUBECONFIG`/`~/.kube/config`. */
  | "NO_KUBECONFIG";

export class KubernetesRunnerError extends Error {
  override readonly name = "KubernetesRunnerError";
  constructor(
    readonly code: KubernetesRunnerErrorCode,
    message: string,
    /** The Job involved, `namespace/name`, when there is one (it is left in the cluster). */
    readonly job?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isKubernetesRunnerError(e: unknown, code?: KubernetesRunnerErrorCode): e is KubernetesRunnerError {
  return e instanceof KubernetesRunnerError && (code === undefined || e.code === code);
}

/** One line describing a failed Kubernetes API call: status code and the API's own message. */
export function describeApiError(e: unknown): string {
  const x = e as { code?: number; body?: unknown; message?: string };
  let detail = x?.message ?? String(e);
  if (typeof x?.body === "string") {
    try {
      const status = JSON.parse(x.body) as { message?: string };
      if (status.message) detail = status.message;
    } catch {
      detail = x.body || detail;
    }
  } else if (x?.body && typeof x.body === "object" && "message" in x.body) {
    detail = String((x.body as { message: unknown }).message);
  }
  return typeof x?.code === "number" ? `HTTP ${x.code}: ${detail}` : detail;
}
