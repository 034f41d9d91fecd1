/**
 * The migration runner a Kubernetes component passes to its `KongDatabaseMigration`: a local runner
 * as given, or a Kubernetes Job runner whose unset fields are filled in from the component (its
 * namespace, the target version's image, the password Secret, env, service account, kubeconfig
 * and the old pods' selector). Shared by the upgrade components so they fill in the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesJobRunnerArgs, LocalRunnerArgs } from "./args";
import type { SecretKeyRefArgs } from "./kong-cluster";

/** The migration's runner: local, or a Kubernetes Job whose unset fields the component fills in. */
export type ComponentRunnerArgs =
  LocalRunnerArgs | (Omit<KubernetesJobRunnerArgs, "namespace"> & { readonly namespace?: pulumi.Input<string> });

/** What the component knows and the runner may lack. */
export interface RunnerDefaults {
  /** The component's namespace: the Job's when the runner gives none. */
  readonly namespace: pulumi.Input<string>;
  /** The image of the version the migration targets, e.g. `kong:3.4.2`. */
  readonly image: string;
  /** The Secret key with the database password (the component's own, or the user's). */
  readonly passwordSecret: pulumi.Input<SecretKeyRefArgs>;
  /** The component's extra `KONG_*` environment. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The Kong pods' service account. */
  readonly serviceAccountName?: pulumi.Input<string>;
  /** The component's kubeconfig. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** The selector of the pods that must not be ready when `finish` runs (the old version's). */
  readonly oldPodSelector?: Record<string, string>;
}

/** `runner` with the component's defaults filled in; undefined (the local default) when not given. */
export function fillRunner(
  runner: pulumi.Input<ComponentRunnerArgs> | undefined,
  d: RunnerDefaults,
): pulumi.Input<LocalRunnerArgs | KubernetesJobRunnerArgs> | undefined {
  if (runner === undefined) return undefined;
  return pulumi
    .all([runner, d.namespace, d.passwordSecret, d.env, d.serviceAccountName, d.kubeconfig])
    .apply(([r, namespace, secret, env, serviceAccountName, kubeconfig]) => {
      if (r.kind !== "kubernetes") return r as LocalRunnerArgs;
      const filled: KubernetesJobRunnerArgs = {
        ...r,
        kind: "kubernetes",
        namespace: r.namespace ?? namespace,
        image: r.image ?? d.image,
        passwordSecret: r.passwordSecret ?? secret,
        ...((r.env ?? env) ? { env: r.env ?? env } : {}),
        ...((r.serviceAccountName ?? serviceAccountName) ? { serviceAccountName: r.serviceAccountName ?? serviceAccountName } : {}),
        ...((r.kubeconfig ?? kubeconfig) ? { kubeconfig: r.kubeconfig ?? kubeconfig } : {}),
        ...((r.oldPodSelector ?? d.oldPodSelector) ? { oldPodSelector: r.oldPodSelector ?? d.oldPodSelector } : {}),
      };
      return filled;
    });
}
