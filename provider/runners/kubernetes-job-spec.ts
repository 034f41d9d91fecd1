/**
 * The Job that runs one `kong migrations <command>`: a pure function of the runner configuration
 * and the request, so that tests can assert it field by field.
 *
 * Choices, and why:
 * - `backoffLimit: 0`, `restartPolicy: Never`: one attempt, one exit code. A retried `up` would not
 *   repeat the first attempt (Kong's `up` refuses while migrations are pending), so retries are the
 *   provider's decision, made after it has re-read the database.
 * - `activeDeadlineSeconds` = the request's timeout: Kubernetes kills the pod itself if the runner
 *   process dies or loses the API, so a hung `kong` never outlives its timeout.
 * - `sidecar.istio.io/inject: "false"`: a sidecar would keep the pod running after Kong exits (the
 *   Kong Helm chart's migration Jobs carry the same default, kong-migrations.md §7.1).
 * - `KONG_PG_PASSWORD` only as a `secretKeyRef`: Job specs are readable by anyone who can list Jobs
 *   and end up in audit logs; the password never appears in the spec.
 */
import { randomBytes } from "node:crypto";
import type { V1EnvVar, V1Job, V1PodSpec } from "@kubernetes/client-node";
import { kongArguments, type RunRequest } from "./types";
import type { KubernetesJobRunnerConfig } from "./kubernetes-config";
import { KubernetesRunnerError } from "./kubernetes-errors";

/** Name of the Job's only container. */
export const MIGRATIONS_CONTAINER = "kong-migrations";

/** Labels on every migration Job and its pod. */
export const MIGRATION_JOB_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "kong-migrations",
  "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
};

/**
 * A fresh name per attempt (Job specs are immutable, and a failed Job is kept for inspection):
 * `kong-migrations-up-lq2x9k-3fa1`. At most 63 characters, the limit of the `job-name` label.
 */
export function newJobName(command: string, now: number = Date.now()): string {
  return `kong-migrations-${command}-${now.toString(36)}-${randomBytes(2).toString("hex")}`.slice(0, 63);
}

/** The container environment: request env, then `config.env`, with the password as a Secret reference. */
export function jobEnv(config: KubernetesJobRunnerConfig, request: RunRequest): V1EnvVar[] {
  if (config.env && "KONG_PG_PASSWORD" in config.env) {
    throw new KubernetesRunnerError(
      "PASSWORD_IN_ENV",
      "runner.env sets KONG_PG_PASSWORD: it would be stored in the Job spec in plaintext. Put the password in a " +
        "Kubernetes Secret and name it in runner.passwordSecret.",
    );
  }
  const merged: Record<string, string> = { ...request.env, ...config.env };
  const hasPassword = merged.KONG_PG_PASSWORD !== undefined && merged.KONG_PG_PASSWORD !== "";
  delete merged.KONG_PG_PASSWORD;
  if (hasPassword && !config.passwordSecret) {
    throw new KubernetesRunnerError(
      "PASSWORD_SECRET_REQUIRED",
      "The database has a password but runner.passwordSecret is not set: the Kubernetes Job runner never puts " +
        "KONG_PG_PASSWORD in a Job spec. Create a Secret holding the password in namespace " +
        `${config.namespace} and set runner.passwordSecret to { name, key }.`,
    );
  }
  const env: V1EnvVar[] = Object.keys(merged).map((name) => ({ name, value: merged[name] }));
  if (config.passwordSecret) {
    env.push({
      name: "KONG_PG_PASSWORD",
      valueFrom: { secretKeyRef: { name: config.passwordSecret.name, key: config.passwordSecret.key } },
    });
  }
  return env;
}

/** The Job manifest for one attempt of `kong migrations <request.command> <request.flags>`. */
/**
 * A run-once Job (no retries, killed after `timeoutSeconds`, no service-mesh sidecar) labelled as
 * this provider's, whose pod runs `containers` (and mounts `volumes`). The migration and the
 * backup Jobs share it.
 */
export function oneShotJob(
  config: KubernetesJobRunnerConfig,
  job: { name: string; command: string; timeoutSeconds: number },
  pod: Pick<V1PodSpec, "containers" | "volumes">,
): V1Job {
  const labels = { ...MIGRATION_JOB_LABELS, "kong-migrations/command": job.command };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: job.name, namespace: config.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(job.timeoutSeconds)),
      template: {
        metadata: { labels, annotations: { "sidecar.istio.io/inject": "false" } },
        spec: {
          restartPolicy: "Never",
          ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
          ...pod,
        },
      },
    },
  };
}

export function buildMigrationJob(config: KubernetesJobRunnerConfig, request: RunRequest, name: string): V1Job {
  return oneShotJob(
    config,
    { name, command: request.command, timeoutSeconds: request.timeoutSeconds },
    {
      containers: [
        {
          name: MIGRATIONS_CONTAINER,
          image: config.image,
          command: ["kong", ...kongArguments(request)],
          env: jobEnv(config, request),
        },
      ],
    },
  );
}
