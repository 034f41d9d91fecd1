/** pulumi-kong-migrations: Kong Gateway database migrations as previewable, gated Pulumi resources. */
export { KongDatabaseMigration, KONG_DATABASE_MIGRATION_TYPE } from "./sdk/kong-database-migration";
export type { LastRunOutput, PlanOutput } from "./sdk/kong-database-migration";
export type * from "./sdk/args";
export { KongCluster, KONG_CLUSTER_TYPE } from "./sdk/kong-cluster";
export type { KongClusterArgs, SecretKeyRefArgs } from "./sdk/kong-cluster";
export { KongBlueGreenUpgrade, KONG_BLUE_GREEN_UPGRADE_TYPE } from "./sdk/kong-blue-green-upgrade";
export type { KongBlueGreenUpgradeArgs, BlueGreenRunnerArgs } from "./sdk/kong-blue-green-upgrade";
export { KubernetesPodsGone, KUBERNETES_PODS_GONE_TYPE } from "./sdk/k8s-pods-gone";
export { KongKubernetesError } from "./sdk/k8s-errors";
export { KongMigrationError } from "./provider/kong/errors";
export { kongDatabaseMigrationProvider } from "./provider";
