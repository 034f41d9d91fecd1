/**
 * `KongDatabase`: Kong's PostgreSQL role and database, provisioned with `@pulumi/postgresql` the way
 * Kong's install guide creates them by hand (`CREATE USER kong WITH PASSWORD …; CREATE DATABASE kong
 * OWNER kong;`), and the connection settings Kong needs as one output, `connection`, to pass as
 * `database` to `KongDatabaseMigration` or a Kubernetes component.
 *
 * Children (named after the component): `<name>-role` (unless `createRole` is false), `<name>-database`
 * owned by the role, `<name>-schema` owned by the role when `schema` is set, and
 * `<name>-revoke-public` (unless `revokePublic` is false): `REVOKE ALL ON DATABASE … FROM PUBLIC`,
 * so other login roles on the server cannot connect to Kong's database.
 *
 * Ordering comes from the data: `connection` is built from the children's outputs, so whatever
 * takes it (the migration, the Deployments' environment) waits until every child is created, with
 * no `dependsOn` to remember. The PostgreSQL server connection (an admin role) is the
 * `@pulumi/postgresql` provider's: pass it as `{ provider }` (or `providers`) in the options.
 *
 * Ownership is what lets Kong run its migrations: the owner of a database can create its tables,
 * and on PostgreSQL 15+ the `public` schema belongs to `pg_database_owner` (the database's owner);
 * before 15 every role may create in `public`. A `schema` other than `public` is created owned by
 * the role (Kong's own bootstrap would try `CREATE SCHEMA … AUTHORIZATION CURRENT_USER`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import type { DatabaseArgs } from "./args";

export const KONG_DATABASE_TYPE = "kong-migrations:index:KongDatabase";

export interface KongDatabaseArgs {
  /**
   * `KONG_PG_HOST` in `connection`: the host Kong and the migration reach the server by (which may
   * differ from the address the `@pulumi/postgresql` provider uses). Changing it changes only `connection`.
   */
  readonly host: pulumi.Input<string>;
  /** `KONG_PG_PORT` in `connection`. Default 5432. */
  readonly port?: pulumi.Input<number>;
  /**
   * Name of Kong's login role (`KONG_PG_USER`). Default `kong`. Role names are global to the server.
   * Changing it replaces the role (and the database's owner changes with it).
   */
  readonly user?: pulumi.Input<string>;
  /**
   * The role's password (`KONG_PG_PASSWORD`). Pass a secret (`config.requireSecret`): it stays
   * encrypted in state and reaches `connection` as a secret. Changing it sets the role's new
   * password (`ALTER ROLE`); Kong nodes need a restart to use it. Ignored when `createRole` is false
   * (then it must be the existing role's password).
   */
  readonly password: pulumi.Input<string>;
  /**
   * Create the role. Default `true`. `false` uses an existing role named `user` (e.g. another
   * `KongDatabase`'s, for the clone target of a dual-cluster upgrade): only the database is created,
   * owned by it.
   */
  readonly createRole?: boolean;
  /** Name of the database (`KONG_PG_DATABASE`). Default `kong`. Changing it replaces the database: a new, empty one. */
  readonly database?: pulumi.Input<string>;
  /**
   * `KONG_PG_SCHEMA`: Kong's tables go into this schema, created owned by the role. Default: none
   * (Kong uses the server's current schema, usually `public`). Changing it creates the new schema;
   * Kong's tables stay in the old one.
   */
  readonly schema?: pulumi.Input<string>;
  /** `KONG_PG_SSL` in `connection`. Default `false`. */
  readonly ssl?: pulumi.Input<boolean>;
  /** `KONG_PG_SSL_VERIFY` in `connection`. Default `false`. */
  readonly sslVerify?: pulumi.Input<boolean>;
  /** The role's connection limit. Default: none (-1). Changing it alters the role. */
  readonly connectionLimit?: pulumi.Input<number>;
  /**
   * Revoke every privilege of `PUBLIC` on the database (by default any role may connect to a new
   * database). Default `true`. Kong's role keeps its access as the owner.
   */
  readonly revokePublic?: boolean;
}

export class KongDatabase extends pulumi.ComponentResource {
  /** Kong's login role (absent when `createRole` is false). */
  readonly role?: postgresql.Role;
  /** Kong's database, owned by the role. */
  readonly database: postgresql.Database;
  /** The schema for Kong's tables, when `schema` is set. */
  readonly schema?: postgresql.Schema;
  /** `REVOKE ALL ON DATABASE … FROM PUBLIC` (absent when `revokePublic` is false). */
  readonly publicRevoked?: postgresql.Grant;
  /**
   * What Kong needs to connect, as `DatabaseArgs` (the password secret): pass it as `database` to
   * `KongDatabaseMigration`, `KongCluster` or an upgrade component. Resolves only once every child
   * exists, so its users wait for them.
   */
  readonly connection: pulumi.Output<DatabaseArgs>;

  constructor(name: string, args: KongDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KONG_DATABASE_TYPE, name, {}, opts);
    const user = args.user ?? "kong";
    if (args.createRole !== false) {
      this.role = new postgresql.Role(
        `${name}-role`,
        {
          name: user,
          login: true,
          password: pulumi.secret(args.password),
          connectionLimit: args.connectionLimit,
        },
        { parent: this },
      );
    }
    const owner = this.role ? this.role.name : pulumi.output(user);
    this.database = new postgresql.Database(`${name}-database`, { name: args.database ?? "kong", owner }, { parent: this });
    if (args.schema !== undefined) {
      this.schema = new postgresql.Schema(
        `${name}-schema`,
        { name: args.schema, database: this.database.name, owner, ifNotExists: true },
        { parent: this },
      );
    }
    if (args.revokePublic !== false) {
      this.publicRevoked = new postgresql.Grant(
        `${name}-revoke-public`,
        { database: this.database.name, role: "public", objectType: "database", privileges: [] },
        { parent: this },
      );
    }

    const settled = pulumi.all([
      owner,
      this.database.name,
      this.schema ? this.schema.name : undefined,
      this.publicRevoked ? this.publicRevoked.id : undefined,
    ]);
    this.connection = pulumi
      .all([settled, args.host, args.port, args.ssl, args.sslVerify, pulumi.secret(args.password)])
      .apply(([[roleName, database, schema], host, port, ssl, sslVerify, password]) => ({
        host,
        port: port ?? 5432,
        user: roleName,
        password,
        database,
        ...(schema !== undefined ? { schema } : {}),
        ...(ssl !== undefined ? { ssl } : {}),
        ...(sslVerify !== undefined ? { sslVerify } : {}),
      }));

    this.registerOutputs({ user: owner, database: this.database.name, schema: this.schema?.name });
  }
}
