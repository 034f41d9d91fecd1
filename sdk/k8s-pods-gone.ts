/**
 * `KubernetesPodsGone`: a step that completes only when no pod matches `selector` in `namespace`
 * (terminating pods included), polling the Kubernetes API from the Pulumi process.
 *
 * Why it exists: `KongBlueGreenUpgrade` retires the old cluster by an update (replicas 0), because
 * Pulumi runs deletes after creates and updates, so nothing could wait on a delete. But Pulumi's
 * await logic for a Deployment does not wait for the old pods to be gone: for a change that does
 * not roll out a new ReplicaSet it is satisfied once the ReplicaSet's ready replicas reach the
 * (now zero) spec (pulumi-kubernetes `provider/pkg/await/deployment.go`, `checkReplicaSetStatus`),
 * and Kubernetes' own replica counts leave terminating pods out. A terminating Kong pod still serves
 * its requests and can still write to the database, so `kong migrations finish` must wait for this
 * resource instead.
 *
 * Creating or updating it waits (up to `timeoutSeconds`) and fails with the remaining pod names.
 * Deleting it does nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { assertPeers } from "../provider/optional-peers";
import { kubernetesPodsGoneProvider } from "../provider/runners/kubernetes-pods-gone-provider";

export const KUBERNETES_PODS_GONE_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KubernetesPodsGone";

export interface KubernetesPodsGoneArgs {
  /** Namespace of the pods. Changing it waits again (an update). */
  readonly namespace: pulumi.Input<string>;
  /** Labels of the pods that must be gone; must not be empty. Changing it waits again. */
  readonly selector: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Kubeconfig contents used by the Pulumi process to reach the API. Default: in-cluster
   * configuration, then `$KUBECONFIG`/`~/.kube/config` (the same default as `@pulumi/kubernetes`'s
   * default provider). Stored as a secret. Changing it does not wait again.
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** How long to wait before failing with the names of the pods left. Default 600. */
  readonly timeoutSeconds?: pulumi.Input<number>;
  /** Poll interval in milliseconds. Default 2000. */
  readonly pollIntervalMs?: pulumi.Input<number>;
}

export class KubernetesPodsGone extends pulumi.dynamic.Resource {
  /** True once no matching pod was left (set by create/update; unknown during a preview). */
  declare readonly gone: pulumi.Output<boolean>;
  /** When the last wait ended (ISO time). */
  declare readonly checkedAt: pulumi.Output<string>;

  constructor(name: string, args: KubernetesPodsGoneArgs, opts?: pulumi.CustomResourceOptions) {
    // At program time (the provider's check says the same), before anything is registered.
    assertPeers(["@kubernetes/client-node"], "KubernetesPodsGone");
    super(
      kubernetesPodsGoneProvider,
      name,
      {
        namespace: args.namespace,
        selector: args.selector,
        kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
        timeoutSeconds: args.timeoutSeconds,
        pollIntervalMs: args.pollIntervalMs,
        gone: undefined,
        checkedAt: undefined,
      },
      opts,
      "kong-migrations",
      "KubernetesPodsGone",
    );
  }
}
