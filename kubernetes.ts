/**
 * pulumi-kong-migrations/kubernetes: Kong on Kubernetes around the database migration (clusters,
 * upgrade strategies, the wait for retired pods). Needs the optional peer dependencies
 * `@pulumi/kubernetes` and `@kubernetes/client-node`; importing this entry point without them fails
 * with the package to install. The root entry point (`pulumi-kong-migrations`) never loads them.
 */
import "./sdk/kubernetes-peers";

export { KongCluster, KONG_CLUSTER_TYPE } from "./sdk/kong-cluster";
export type { KongClusterArgs, SecretKeyRefArgs } from "./sdk/kong-cluster";
export { KongBlueGreenUpgrade, KONG_BLUE_GREEN_UPGRADE_TYPE } from "./sdk/kong-blue-green-upgrade";
export type { KongBlueGreenUpgradeArgs, BlueGreenRunnerArgs } from "./sdk/kong-blue-green-upgrade";
export { KongInPlaceUpgrade, KONG_IN_PLACE_UPGRADE_TYPE } from "./sdk/kong-in-place-upgrade";
export type { KongInPlaceUpgradeArgs } from "./sdk/kong-in-place-upgrade";
export type { ComponentRunnerArgs } from "./sdk/k8s-runner-defaults";
export { KubernetesPodsGone, KUBERNETES_PODS_GONE_TYPE } from "./sdk/k8s-pods-gone";
export type { KubernetesPodsGoneArgs } from "./sdk/k8s-pods-gone";
export { KongKubernetesError } from "./sdk/k8s-errors";
export type { KongKubernetesErrorCode } from "./sdk/k8s-errors";
export { KongDualClusterUpgrade, KONG_DUAL_CLUSTER_UPGRADE_TYPE } from "./sdk/kong-dual-cluster-upgrade";
export type { KongDualClusterUpgradeArgs } from "./sdk/kong-dual-cluster-upgrade";
export type { DualClusterPlan, DualClusterPhase, DualClusterSlot } from "./sdk/k8s-dual-cluster-plan";
