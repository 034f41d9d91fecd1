/**
 * pulumi-kong-migrations: Kong Gateway database migrations as previewable, gated Pulumi resources.
 * This entry point loads no Kubernetes package; the Kubernetes components are in
 * `pulumi-kong-migrations/kubernetes` (see kubernetes.ts).
 */
export { KongDatabaseMigration, KONG_DATABASE_MIGRATION_TYPE } from "./sdk/kong-database-migration";
export type { LastRunOutput, PlanOutput } from "./sdk/kong-database-migration";
export type * from "./sdk/args";
export { KongMigrationError } from "./provider/kong/errors";
export { kongDatabaseMigrationProvider } from "./provider";
export { KongDatabaseClone, KONG_DATABASE_CLONE_TYPE } from "./sdk/kong-database-clone";
export type { KongDatabaseCloneArgs, CloneSourceStateOutput, CloneSubsystemOutput, ClonePlanOutput } from "./sdk/kong-database-clone";
export { kongDatabaseCloneProvider } from "./provider/clone";
export { KongDatabaseDrop, KONG_DATABASE_DROP_TYPE } from "./sdk/kong-database-drop";
export type { KongDatabaseDropArgs } from "./sdk/kong-database-drop";
export { kongDatabaseDropProvider } from "./provider/drop";
