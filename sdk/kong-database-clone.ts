/**
 * `KongDatabaseClone`: a copy of Kong's live database in a new, empty database, taken once with
 * the real `pg_dump` and `pg_restore` (the first step of Kong's dual-cluster upgrade, see
 * `KongDualClusterUpgrade` in `pulumi-kong-migrations/kubernetes`).
 *
 * - Preview reads the source's `schema_meta` and the target's contents (read-only) and fails when
 *   the target is not empty, naming `target.database`: a clone never overwrites a database.
 * - Create dumps Kong's schema from the source and restores it into the target in one transaction,
 *   and records what was cloned (source, target, sizes, durations, the source's migration state).
 *   It is refused while a `kong migrations` command holds Kong's lock on the source.
 * - The source is only ever read. An update runs nothing; another source or target is a new clone
 *   (a replacement). Delete drops nothing: neither the clone nor the source.
 *
 * The machine running Pulumi needs the PostgreSQL client tools (`pg_dump`, `pg_restore`) of the
 * server's major version or newer on `PATH`. Passwords reach them only through a private password
 * file (never arguments or logs), and are stored encrypted in state.
 */
import * as pulumi from "@pulumi/pulumi";
import { kongDatabaseCloneProvider } from "../provider/clone";
import type { DatabaseArgs } from "./args";

export const KONG_DATABASE_CLONE_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseClone";

export interface KongDatabaseCloneArgs {
  /**
   * The live Kong database to copy (Kong's `KONG_PG_*` meanings and defaults). Only read: `pg_dump`
   * of Kong's schema (`schema`, else the server's current schema), in one consistent snapshot.
   * Changing it (another host, port, database or schema) takes a new clone: a replacement.
   */
  readonly source: pulumi.Input<DatabaseArgs>;
  /**
   * The database the copy goes into: it must exist and be empty (no table, view or sequence
   * outside PostgreSQL's own schemas), or the preview fails naming `target.database`. Create it
   * beforehand, owned by the role Kong uses (e.g. with `@pulumi/postgresql`'s `Database`). Its
   * `schema` must equal the source's. Changing it takes a new clone (a replacement); the previous
   * target is left as it is.
   */
  readonly target: pulumi.Input<DatabaseArgs>;
  /**
   * `oss` (default) or `enterprise`: the catalogue that reads the source's Kong version for the
   * `sourceState` output. Changing it runs nothing.
   */
  readonly edition?: pulumi.Input<"oss" | "enterprise">;
  /** Kill `pg_dump` or `pg_restore` after this many seconds. Default 1800. Changing it runs nothing. */
  readonly timeoutSeconds?: pulumi.Input<number>;
}

/** The source's migration state per subsystem, as the clone holds it. */
export interface CloneSubsystemOutput {
  /** `last_executed` as Kong recorded it (null when only a pending migration was recorded). */
  readonly lastExecuted: string | null;
  /** How many migrations are executed. */
  readonly executed: number;
  /** Migrations waiting for `finish`. */
  readonly pending: string[];
}

/** `schema_meta` of the source at clone time (read from the clone: pg_dump's snapshot). */
export interface CloneSourceStateOutput {
  /** The schema cloned (Kong's `pg_schema`, else the server's current schema). */
  readonly schema: string;
  /** Lower bound of the Kong version that wrote the source, or `unknown`. */
  readonly databaseVersion: string;
  /** True when some migration waited for `finish` on the source (an earlier upgrade never finished). */
  readonly hasPending: boolean;
  /** Per subsystem (`core`, plugin names). */
  readonly subsystems: Record<string, CloneSubsystemOutput>;
}

/** What check found (`pulumi preview --diff` shows it). */
export interface ClonePlanOutput {
  /** `clone`, `none` (cloned already), or `unknown until apply`. */
  readonly action: string;
  /** One line: what would happen. */
  readonly description: string;
  /** The source's migration state as read at preview. */
  readonly source?: string;
  /** Shown as warnings on the resource (source or target not readable at preview, Kong's lock held). */
  readonly warnings?: string[];
}

export class KongDatabaseClone extends pulumi.dynamic.Resource {
  /** The source's migration state at clone time. */
  declare readonly sourceState: pulumi.Output<CloneSourceStateOutput>;
  /** Size of the `pg_dump` (custom format), bytes. */
  declare readonly dumpSizeBytes: pulumi.Output<number>;
  /** SHA-256 of the dump, hex. */
  declare readonly dumpSha256: pulumi.Output<string>;
  /** `pg_database_size` of the target after the restore, bytes. */
  declare readonly targetSizeBytes: pulumi.Output<number>;
  /** Dump plus restore, milliseconds. */
  declare readonly durationMs: pulumi.Output<number>;
  /** `pg_dump` alone, milliseconds. */
  declare readonly dumpDurationMs: pulumi.Output<number>;
  /** `pg_restore` alone, milliseconds. */
  declare readonly restoreDurationMs: pulumi.Output<number>;
  /** The `pg_dump` that ran, e.g. `15.18`. */
  declare readonly pgDumpVersion: pulumi.Output<string>;
  /** The source server's version. */
  declare readonly serverVersion: pulumi.Output<string>;
  /** ISO time the clone was complete. */
  declare readonly clonedAt: pulumi.Output<string>;
  /** What the provider planned at the last check. */
  declare readonly plan: pulumi.Output<ClonePlanOutput>;
  /** The source's settings (no password). */
  declare readonly source: pulumi.Output<Omit<DatabaseArgs, "password">>;
  /** The target's settings (no password). */
  declare readonly target: pulumi.Output<Omit<DatabaseArgs, "password">>;

  constructor(name: string, args: KongDatabaseCloneArgs, opts?: pulumi.CustomResourceOptions) {
    const source = pulumi.output(args.source);
    const target = pulumi.output(args.target);
    const withoutPassword = (d: pulumi.Output<DatabaseArgs>) => pulumi.unsecret(d.apply(({ password: _p, ...rest }) => rest));
    super(
      kongDatabaseCloneProvider,
      name,
      {
        ...(args as object), // unknown keys reach check, which refuses them with a suggestion
        source: withoutPassword(source),
        sourcePassword: pulumi.secret(source.apply((d) => d.password)),
        target: withoutPassword(target),
        targetPassword: pulumi.secret(target.apply((d) => d.password)),
        edition: args.edition,
        timeoutSeconds: args.timeoutSeconds,
        plan: undefined,
        sourceState: undefined,
        dumpSizeBytes: undefined,
        dumpSha256: undefined,
        targetSizeBytes: undefined,
        durationMs: undefined,
        dumpDurationMs: undefined,
        restoreDurationMs: undefined,
        pgDumpVersion: undefined,
        serverVersion: undefined,
        clonedAt: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["sourcePassword", "targetPassword"] }),
      "kong-migrations",
      "KongDatabaseClone",
    );
    delete (this as unknown as Record<string, unknown>).sourcePassword;
    delete (this as unknown as Record<string, unknown>).targetPassword;
    this.plan.apply((p) => {
      for (const w of p?.warnings ?? []) void pulumi.log.warn(w, this);
    });
  }
}
