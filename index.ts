/** pulumi-kong-migrations: Kong Gateway database migrations as previewable, gated Pulumi resources. */
export { KongDatabaseMigration, KONG_DATABASE_MIGRATION_TYPE } from "./sdk/kong-database-migration";
export type { LastRunOutput, PlanOutput } from "./sdk/kong-database-migration";
export type * from "./sdk/args";
export { kongDatabaseMigrationProvider } from "./provider";
