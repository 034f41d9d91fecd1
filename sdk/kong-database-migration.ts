/**
 * `KongDatabaseMigration`: Kong's database migrations as a Pulumi resource. Create runs
 * `kong migrations bootstrap` (fresh database) or `up`; an update runs `up` when `kongVersion`
 * moves forward and `finish` only once `decommissionedOld` is true. `pulumi preview --diff` shows
 * the planned command and migrations in the `plan` input. Delete leaves the database as it is.
 */
import * as pulumi from "@pulumi/pulumi";
import { kongDatabaseMigrationProvider } from "../provider";
import { assertPeers } from "../provider/optional-peers";
import type { KongDatabaseMigrationArgs } from "./args";
import { warnFromPlan } from "./plan-warnings";
import { withoutPromiseStacks } from "./promise-stacks";

export const KONG_DATABASE_MIGRATION_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";

/** The last `kong migrations` command the resource ran. */
export interface LastRunOutput {
  /** e.g. `kong migrations up`. */
  readonly command: string;
  readonly exitCode: number | null;
  /**
   * Migration names per subsystem it ran, as Kong reported them (`<subsystem> migrated up to:
   * <name>`); empty when Kong found nothing left to run (another node ran it first).
   */
  readonly migrations: Record<string, string[]>;
  readonly durationMs: number;
  /** ISO time it ended. */
  readonly finishedAt: string;
  /** `local process`, or the Kubernetes Job's name. */
  readonly where: string;
  /** True when Kong aborted the command because another node held its lock (`migrations` is then empty). */
  readonly abortedOnLock?: boolean;
}

/** The backup taken before the last irreversible step. */
export interface LastBackupOutput {
  /** Absolute path of the dump (local), or its path inside the PersistentVolumeClaim. */
  readonly file: string;
  /** `local directory /x` or `PersistentVolumeClaim <namespace>/<claim>`. */
  readonly destination: string;
  readonly sizeBytes: number;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
  /** The PostgreSQL server's version: restore with `pg_restore` of this major version or newer. */
  readonly serverVersion: string;
  /** The schema dumped (Kong's). */
  readonly schema: string;
  /** ISO time the dump was complete. */
  readonly takenAt: string;
  /** e.g. `kong migrations finish`. */
  readonly beforeStep: string;
  readonly durationMs: number;
}

/** Present in the plan when the planned update runs a step that cannot be undone. */
export interface IrreversibleOutput {
  /** e.g. `kong migrations finish`. */
  readonly command: string;
  /** Where the backup goes first, or `none configured`. */
  readonly backup: string;
  /** For `finish`: the migrations whose teardown it runs, per subsystem (what it destroys). */
  readonly teardowns?: Readonly<Record<string, readonly string[]>>;
  /** The warning the preview shows. */
  readonly warning: string;
}

/** The provider's plan, recorded at check time (what `pulumi up` would run). */
export interface PlanOutput {
  /** `kong migrations bootstrap`, `... up`, `... finish`, or `none`. */
  readonly command: string;
  /** `{ "<command>": { <subsystem>: [migration names] } }`; empty when nothing runs. */
  readonly wouldRun: Record<string, Record<string, string[]>>;
  readonly reason: string;
  /** `database`, or `catalogue` when the database could not be reached while planning. */
  readonly source: string;
  readonly warnings?: string[];
  /** Set when the command (or the `finish` following `up`) cannot be undone. */
  readonly irreversible?: IrreversibleOutput;
}

/**
 * This resource's URN, computed without waiting for the parent's (the engine's rule: the types of
 * the parent chain, then this type). Read from the SDK's resource fields; when they are missing, no
 * URN is sent and the provider's lines go to the stack as before.
 */
function urnOf(name: string, parent: pulumi.Resource | undefined): string | undefined {
  const types: string[] = [KONG_DATABASE_MIGRATION_TYPE];
  for (let p = parent as { __pulumiType?: unknown; __parentResource?: unknown } | undefined; p;) {
    if (typeof p.__pulumiType !== "string") return undefined;
    if (p.__pulumiType === "pulumi:pulumi:Stack") break;
    types.unshift(p.__pulumiType);
    p = p.__parentResource as typeof p;
  }
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${types.join("$")}::${name}`;
}

/** The outputs, declared so that the SDK makes them properties of the resource. */
const OUTPUTS = {
  phase: undefined,
  databaseVersion: undefined,
  executed: undefined,
  pending: undefined,
  lastRun: undefined,
  lastBackup: undefined,
  reloadRequired: undefined,
  plan: undefined,
  finished: undefined,
  communityMigration: undefined,
} as const;

/**
 * The inputs without those left undefined: the engine never receives those, and the SDK makes four
 * promises for each key it is given (see `./promise-stacks.ts`).
 */
function definedInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
}

export class KongDatabaseMigration extends pulumi.dynamic.Resource {
  /**
   * `up-to-date`, or `pending-finish` while migrations wait for `decommissionedOld`. A refresh
   * may also show `new-migrations` or `needs-bootstrap` when the database changed behind Pulumi, and
   * `newer-than-target` when the database has migrations `kongVersion` does not know (a downgrade,
   * refused at the next preview). `mid-upgrade-old-version`: `kongVersion` names the older version
   * of an upgrade whose `up` ran and whose `finish` did not; its nodes still work, nothing runs.
   */
  declare readonly phase: pulumi.Output<
    "up-to-date" | "pending-finish" | "new-migrations" | "needs-bootstrap" | "mid-upgrade-old-version" | "newer-than-target"
  >;
  /** Lower bound of the database's Kong version, read from its executed migrations. */
  declare readonly databaseVersion: pulumi.Output<string>;
  /** Executed migrations per subsystem (those the target version knows). */
  declare readonly executed: pulumi.Output<Record<string, string[]>>;
  /** Migrations whose `up` ran and whose teardown waits for `finish`, per subsystem. */
  declare readonly pending: pulumi.Output<Record<string, string[]>>;
  /** The last command run (absent when the resource adopted a database without running anything). */
  declare readonly lastRun: pulumi.Output<LastRunOutput | undefined>;
  /** The backup taken before the last irreversible step (absent until one was taken). */
  declare readonly lastBackup: pulumi.Output<LastBackupOutput | undefined>;
  /** True after a version change that ran no migration: nodes only need a reload or rolling restart. */
  declare readonly reloadRequired: pulumi.Output<boolean>;
  /**
   * True once the database has run everything `kongVersion` needs, teardowns included (`finish`
   * ran at the target when its `up` left pending migrations); false while anything is new or
   * pending. The hook for steps that belong after `finish`, such as Kong Enterprise 2.1's Dev Portal
   * templates: `migration.finished.apply((f) => f && ...)`, or pass it to the later resource.
   */
  declare readonly finished: pulumi.Output<boolean>;
  /** The one run of `kong migrations migrate-community-to-enterprise` (`migrateCommunityEntities`), once it ran. */
  declare readonly communityMigration: pulumi.Output<LastRunOutput | undefined>;
  /** What the provider planned at the last check. */
  declare readonly plan: pulumi.Output<PlanOutput>;
  declare readonly kongVersion: pulumi.Output<string>;
  declare readonly decommissionedOld: pulumi.Output<boolean>;

  constructor(name: string, args: KongDatabaseMigrationArgs, opts?: pulumi.CustomResourceOptions) {
    // A plain Kubernetes runner without its client library fails here, at program time; a runner
    // given as an Output is checked by the provider's check (preview) instead.
    const runner = args.runner as { kind?: unknown } | undefined;
    if (runner !== undefined && !pulumi.Output.isInstance(runner) && runner.kind === "kubernetes") {
      assertPeers(["@kubernetes/client-node"], 'runner { kind: "kubernetes" }');
    }
    const database = pulumi.output(args.database);
    // The password travels as its own top-level input, always secret, so that no other input or
    // output (database settings, plan, logs) ever holds it and the engine encrypts it in state.
    const password = database.apply((d) => d.password);
    const restoreStacks = withoutPromiseStacks();
    try {
      super(
        kongDatabaseMigrationProvider,
        name,
        {
          ...definedInputs({
            // Keys the class does not know (a misspelled `decomissionedOld` from JavaScript) reach the
            // provider, whose check refuses them with a suggestion; every known key is set below.
            ...(args as object),
            // Unsecret only the projection without the password, so a secret password does not hide the rest.
            database: pulumi.unsecret(database.apply(({ password: _p, ...rest }) => rest)),
            password: pulumi.secret(password),
            kongVersion: args.kongVersion,
            edition: args.edition,
            plugins: args.plugins,
            decommissionedOld: args.decommissionedOld,
            runner: args.runner,
            planWith: args.planWith,
            lockTimeoutSeconds: args.lockTimeoutSeconds,
            dbTimeoutSeconds: args.dbTimeoutSeconds,
            commandTimeoutSeconds: args.commandTimeoutSeconds,
            migrateCommunityEntities: args.migrateCommunityEntities,
            // The resource's own URN, so the provider attributes its log lines to this resource (an
            // internal `__` key: never shown in diffs, never a reason to update).
            __urn: urnOf(name, opts?.parent),
            backup: args.backup,
          }),
          ...OUTPUTS,
        },
        pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
        "kong-migrations",
        "KongDatabaseMigration",
      );
    } finally {
      restoreStacks();
    }
    // The encrypted password stays in state (refresh needs it) but is not a property of the resource.
    delete (this as unknown as Record<string, unknown>).password;
    warnFromPlan(this, this.plan);
    // A preview that would run an irreversible step (finish, migrate-community-to-enterprise) says so
    // (the provider's own output is only info lines, pulumi-dynamic-providers.md §1.8).
    this.plan.apply((p) => {
      if (p?.irreversible?.warning) void pulumi.log.warn(p.irreversible.warning, this);
    });
  }
}
