/**
 * `KongDatabaseDrop`: drops a database, once, as an explicit step of its own. Made for the old
 * database a dual-cluster upgrade leaves behind (`KongDualClusterUpgrade`'s `dropOldDatabase`),
 * which nothing else ever drops.
 *
 * Preview reads (from the maintenance database) whether the database exists, its size and who is
 * connected, and warns that the drop is irreversible. Create runs `DROP DATABASE` without `FORCE`:
 * while any session uses the database (an old Kong pod that is not gone yet) PostgreSQL refuses,
 * and the update fails naming the sessions with nothing dropped. A database that is already gone
 * is recorded as such. Update, refresh and delete run nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { kongDatabaseDropProvider } from "../provider/drop";
import type { DatabaseArgs } from "./args";

export const KONG_DATABASE_DROP_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseDrop";

export interface KongDatabaseDropArgs {
  /**
   * The database to drop, and how to reach its server (the role must own the database or be a
   * superuser). Changing it (another host, port or name) drops that other database: a replacement.
   */
  readonly database: pulumi.Input<DatabaseArgs>;
  /** The database to connect to for the drop (PostgreSQL cannot drop the database it is connected to). Default `postgres`. */
  readonly maintenanceDatabase?: pulumi.Input<string>;
}

export class KongDatabaseDrop extends pulumi.dynamic.Resource {
  /** When the database was dropped (ISO time), or `already gone` when it did not exist any more. */
  declare readonly droppedAt: pulumi.Output<string>;
  /** Its size just before the drop, bytes. */
  declare readonly sizeBytes: pulumi.Output<number>;
  /** What the provider planned at the last check (`drop`, `none`), with the irreversible warning. */
  declare readonly plan: pulumi.Output<{ action: string; description: string; warnings?: string[] }>;

  constructor(name: string, args: KongDatabaseDropArgs, opts?: pulumi.CustomResourceOptions) {
    const database = pulumi.output(args.database);
    super(
      kongDatabaseDropProvider,
      name,
      {
        ...(args as object),
        database: pulumi.unsecret(database.apply(({ password: _p, ...rest }) => rest)),
        password: pulumi.secret(database.apply((d) => d.password)),
        maintenanceDatabase: args.maintenanceDatabase,
        droppedAt: undefined,
        sizeBytes: undefined,
        plan: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
      "kong-migrations",
      "KongDatabaseDrop",
    );
    delete (this as unknown as Record<string, unknown>).password;
    this.plan.apply((p) => {
      for (const w of p?.warnings ?? []) void pulumi.log.warn(w, this);
    });
  }
}
