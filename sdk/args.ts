/**
 * Arguments of `KongDatabaseMigration`: the public contract. Every field is a `pulumi.Input`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** How to reach Kong's PostgreSQL database; the same meaning and defaults as Kong's `KONG_PG_*`. */
export interface DatabaseArgs {
  /** `KONG_PG_HOST`. Default `127.0.0.1`. Changing it points the resource at another database (an update that re-reads it). */
  readonly host?: pulumi.Input<string>;
  /** `KONG_PG_PORT`, 1-65535. Default `5432`. */
  readonly port?: pulumi.Input<number>;
  /** `KONG_PG_USER`. Default `kong`. */
  readonly user?: pulumi.Input<string>;
  /**
   * `KONG_PG_PASSWORD`. Pass a secret (`pulumi.secret(...)` or `config.requireSecret`): it is stored
   * encrypted, reaches Kong only through its environment, and is redacted from every log line.
   */
  readonly password?: pulumi.Input<string>;
  /** `KONG_PG_DATABASE`. Default `kong`. */
  readonly database?: pulumi.Input<string>;
  /** `KONG_PG_SCHEMA`. Default: the server's current schema (`search_path`), usually `public`. */
  readonly schema?: pulumi.Input<string>;
  /** `KONG_PG_SSL`. Default `false`. */
  readonly ssl?: pulumi.Input<boolean>;
  /** `KONG_PG_SSL_VERIFY`. Default `false`. */
  readonly sslVerify?: pulumi.Input<boolean>;
}

/** Runs `kong` as a local process (also `docker run ... kong` or `kong-sim`, through `command`). */
export interface LocalRunnerArgs {
  readonly kind: "local";
  /** The command prefix placed before `migrations <command>`. Default `["kong"]`. */
  readonly command?: pulumi.Input<pulumi.Input<string>[]>;
  /** Extra environment for the process (e.g. `KONG_LUA_PACKAGE_PATH`). Never put the password here: use `database.password`. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Runs `kong migrations <command>` as a Kubernetes Job with the target Kong image. */
export interface KubernetesJobRunnerArgs {
  readonly kind: "kubernetes";
  /** Namespace of the Job. */
  readonly namespace: pulumi.Input<string>;
  /** Kong image, e.g. `kong:2.1.4`. Default `kong:<kongVersion>` (`kong/kong-gateway:<kongVersion>` for Enterprise). */
  readonly image?: pulumi.Input<string>;
  /** Kubeconfig contents (a secret). Default: in-cluster configuration, then `$KUBECONFIG`/`~/.kube/config`. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** The Kubernetes Secret holding the database password, used through `secretKeyRef`. */
  readonly passwordSecret?: pulumi.Input<{ name: pulumi.Input<string>; key: pulumi.Input<string> }>;
  /** Labels selecting the pods of the old Kong version: `finish` is refused while any of them is ready. */
  readonly oldPodSelector?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Extra environment for the Job's container. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Service account of the Job's pod. */
  readonly serviceAccountName?: pulumi.Input<string>;
}

export type RunnerArgs = LocalRunnerArgs | KubernetesJobRunnerArgs;

/**
 * A backup into a directory on the machine that runs Pulumi: the machine's real `pg_dump`
 * (custom format; the PostgreSQL client tools of the server's major version or newer must be on
 * `PATH`) writes `kong-<database>-<schema>-before-<step>-<UTC time>.dump` there. The directory must
 * exist and be writable; a dump never replaces a file.
 */
export interface LocalBackupArgs {
  readonly kind: "local";
  /**
   * Absolute path of the directory, e.g. `path.resolve("backups")`. Refused at preview when relative,
   * and, in a preview that would run an irreversible step, when it does not exist, is not a directory
   * or does not accept a new file (probed with a private entry, removed at once).
   */
  readonly directory: pulumi.Input<string>;
}

/**
 * A backup onto a PersistentVolumeClaim, taken by a Job in the Kubernetes runner's namespace
 * (requires `runner: { kind: "kubernetes" }`; the password comes from its `passwordSecret`
 * through `secretKeyRef`, never in the Job spec). The Job runs `pg_dump` (custom format) and
 * writes the file at the root of the claim.
 */
export interface KubernetesBackupArgs {
  readonly kind: "kubernetes";
  /** Name of an existing, writable PersistentVolumeClaim in the runner's namespace. */
  readonly persistentVolumeClaim: pulumi.Input<string>;
  /**
   * PostgreSQL client image. Default `postgres:<server major version>` (read from the server
   * when the provider can reach it, else `postgres:15`): its `pg_dump` must be the server's
   * major version or newer, and the same major keeps the dump readable by that version's `pg_restore`.
   */
  readonly image?: pulumi.Input<string>;
}

/**
 * Where the `pg_dump` taken before every irreversible step goes: before `kong migrations finish`
 * (and `migrate-community-to-enterprise`), after which the old version can no longer run on the
 * database and only a restore brings it back. If the backup fails, the step does not run and the
 * update fails saying why (tool missing, destination not writable, ...); the database is unchanged.
 * What was taken is in the `lastBackup` output. Restoring: see the README ("Restoring a backup").
 */
export type BackupArgs = LocalBackupArgs | KubernetesBackupArgs;

export interface KongDatabaseMigrationArgs {
  /** Where Kong's database is. */
  readonly database: pulumi.Input<DatabaseArgs>;
  /**
   * The Kong version the new nodes run, e.g. `"2.1.4"`; Kong Enterprise versions have four
   * components (`"2.1.4.1"`, `"1.5.0.11"`; Enterprise 0.36-N is `"0.36.0.N"`). Catalogued: OSS
   * 1.0-3.9, Enterprise 0.36, 1.3, 1.5 and 2.1-3.9. Raising it runs `kong migrations up` (or nothing,
   * for a patch release without migrations: then `reloadRequired` is true). Lowering it below what
   * the database has executed is refused at preview: Kong cannot downgrade. A jump Kong's upgrade
   * guides rule out (Enterprise 0.36 -> 2.1, OSS 2.3 -> 3.x) or Kong Enterprise 2.1's own `up`
   * guard refuses (a database older than Enterprise 1.5) is refused at preview, naming the hops.
   */
  readonly kongVersion: pulumi.Input<string>;
  /**
   * `"oss"` (default) or `"enterprise"`: selects the migration catalogue. Changing it from `"oss"`
   * to `"enterprise"` on a Kong Community database is Kong's Community -> Enterprise procedure: it
   * is accepted only at the same version (Community 1.5 -> Enterprise 1.5.0.x, 2.1 -> 2.1.x.x, ...;
   * Community older than 1.5 is refused: upgrade it as `"oss"` first), then runs `up`, and `finish`
   * once `decommissionedOld` is true (after which Community nodes cannot use the database).
   */
  readonly edition?: pulumi.Input<"oss" | "enterprise">;
  /**
   * What `KONG_PLUGINS` will be on the new nodes. Default `["bundled"]`. Adding a plugin with
   * migrations runs `up` for it.
   */
  readonly plugins?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Your statement that no node of the old Kong version uses the database any more. Default
   * `false`. While false, pending migrations wait; setting it true runs `kong migrations finish`,
   * after which the old version can no longer run on this database (only a restore brings it back).
   */
  readonly decommissionedOld?: pulumi.Input<boolean>;
  /**
   * Run Kong Enterprise's `kong migrations migrate-community-to-enterprise -y` (the last step of
   * Kong's Community -> Enterprise 1.5 procedure: it puts the Community entities into the default
   * workspace). Default `false`. Irreversible, so it is explicit: set it to `true` after the
   * Community -> Enterprise `up` and `finish` have run (refused at preview before that, with the
   * next step). It runs once, in the update that sets it; the run is recorded in the
   * `communityMigration` output and never repeated. Only for Kong Enterprise 1.5 (from Enterprise
   * 2.1, `up` and `finish` migrate the entities themselves, and the input is refused).
   */
  readonly migrateCommunityEntities?: pulumi.Input<boolean>;
  /** How `kong` is executed. Default `{ kind: "local", command: ["kong"] }`. */
  readonly runner?: pulumi.Input<RunnerArgs>;
  /**
   * Who tells the preview what would run.
   *
   * - `"kong"`: the runner's own Kong, read-only. `check` runs `kong version` (a version or edition
   *   other than `kongVersion`/`edition` fails the preview, naming both; so does a runner that
   *   cannot start Kong) and `kong migrations list` against the database, and the plan shows
   *   Kong's answer. The bundled catalogue cross-checks it: where they disagree the preview warns
   *   and follows Kong. A `kongVersion` the catalogue does not know (a newer release) is accepted
   *   and planned from Kong alone. `up` re-plans from Kong's list before and after each step.
   * - `"catalogue"`: the database's `schema_meta` and the bundled catalogue only; nothing is
   *   executed at preview, and `kongVersion` must be catalogued.
   *
   * Either way an unreachable database previews from the catalogue with a warning.
   *
   * Default: `"kong"` for the local runner (a local process per preview). `"catalogue"` for the
   * Kubernetes runner, because asking Kong there creates a Job in the cluster at every preview:
   * a side effect (a pod scheduled, an image pulled, quota used) that a preview should only have
   * when you opt in. Changing it is an update that runs nothing.
   */
  readonly planWith?: pulumi.Input<"kong" | "catalogue">;
  /** `--lock-timeout` in seconds: how long Kong waits for and holds its migrations lock. Default 60. */
  readonly lockTimeoutSeconds?: pulumi.Input<number>;
  /** `--db-timeout` in seconds. Default 60. */
  readonly dbTimeoutSeconds?: pulumi.Input<number>;
  /** Kill a `kong migrations` command that runs longer than this. Default 1800. */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Take a `pg_dump` of Kong's schema here before every irreversible step (`finish`). Default: no
   * backup (the preview then warns that the step runs without one). Changing it is an update that
   * runs nothing by itself; the pg_dump is also killed after `commandTimeoutSeconds`.
   */
  readonly backup?: pulumi.Input<BackupArgs>;
}
