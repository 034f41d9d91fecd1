/**
 * The arguments every Kubernetes upgrade component (`KongBlueGreenUpgrade`, `KongInPlaceUpgrade`,
 * `KongDualClusterUpgrade`) shares: where the Kong pods run, what they run, and how the migration
 * runs. Each component's Args extends this interface and redeclares a field only where its meaning
 * (and so its TSDoc) differs for that strategy. `componentImage` applies the image default.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { kongImageRepository } from "../provider/kong/image";
import type { DatabaseArgs } from "./args";
import type { SecretKeyRefArgs } from "./kong-cluster";
import type { ComponentRunnerArgs } from "./k8s-runner-defaults";

/** The shared part of `KongBlueGreenUpgradeArgs`, `KongInPlaceUpgradeArgs` and `KongDualClusterUpgradeArgs`. */
export interface KongComponentArgs {
  /** Namespace of every Kubernetes object (and of the migration Jobs). Changing it replaces them. */
  readonly namespace: pulumi.Input<string>;
  /**
   * Kong's database. The migration connects with it (from where Pulumi runs, or from its Job); the
   * pods get the same settings as `KONG_PG_*`, the password only through `passwordSecret`.
   */
  readonly database: pulumi.Input<DatabaseArgs>;
  /**
   * An existing Secret key holding the database password. Default: the component creates Secret
   * `<name>-pg-password` (key `password`) from `database.password`.
   */
  readonly passwordSecret?: pulumi.Input<SecretKeyRefArgs>;
  /** `oss` (default) or `enterprise`: the migration catalogue and the default image repository. */
  readonly edition?: "oss" | "enterprise";
  /** Image repository; images are `<imageRepository>:<version>`. Default `kong` (`kong/kong-gateway` for Enterprise). */
  readonly imageRepository?: string;
  /** `KONG_PLUGINS` of both clusters and the migration. Default `["bundled"]`. */
  readonly plugins?: pulumi.Input<pulumi.Input<string>[]>;
  /** Pods per running cluster. Default 2. */
  readonly replicas?: pulumi.Input<number>;
  /** Container resources of the Kong pods. */
  readonly resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
  /** Extra `KONG_*` environment of both clusters (and of the migration Job). */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Service account of the Kong pods (and of the migration Job). */
  readonly serviceAccountName?: pulumi.Input<string>;
  /** Type of the `<name>-proxy` Service. Default `ClusterIP`. */
  readonly proxyServiceType?: pulumi.Input<string>;
  /**
   * How the migration runs `kong migrations`. Default: a local process (`kong` on the machine
   * running Pulumi). For `{ kind: "kubernetes" }` the component fills in what is not given.
   */
  readonly runner?: pulumi.Input<ComponentRunnerArgs>;
  /** The migration's `--lock-timeout` in seconds. Default 60. Changing it alone runs nothing. */
  readonly lockTimeoutSeconds?: pulumi.Input<number>;
  /** The migration's `--db-timeout` in seconds. Default 60. Changing it alone runs nothing. */
  readonly dbTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Kill a `kong migrations` command (and, with the Kubernetes runner, its Job through
   * `activeDeadlineSeconds`) after this many seconds. Default 1800. Changing it alone runs nothing.
   */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Kubeconfig the Pulumi process uses to watch pods go (and the Kubernetes runner's default).
   * Default: in-cluster, then `$KUBECONFIG`/`~/.kube/config`.
   */
  readonly kubeconfig?: pulumi.Input<string>;
}

/** The image of `version` for a component: `<imageRepository>:<version>`, the edition's repository by default. */
export function componentImage(args: Pick<KongComponentArgs, "imageRepository" | "edition">, version: string): string {
  return `${args.imageRepository ?? kongImageRepository(args.edition ?? "oss")}:${version}`;
}
