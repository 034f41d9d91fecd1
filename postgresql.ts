/**
 * pulumi-kong-migrations/postgresql: Kong's role and database provisioned with `@pulumi/postgresql`
 * (`KongDatabase`), whose `connection` is what `KongDatabaseMigration` and the Kubernetes components
 * take as `database`. Needs the optional peer dependency `@pulumi/postgresql`; importing this entry
 * point without it fails with the package to install. Neither the root entry point nor
 * `pulumi-kong-migrations/kubernetes` loads it.
 */
import "./sdk/postgresql-peers";

export { KongDatabase, KONG_DATABASE_TYPE } from "./sdk/kong-database";
export type { KongDatabaseArgs } from "./sdk/kong-database";
