/**
 * The `KongDatabaseMigration` a Kubernetes upgrade component creates: the component's migration
 * settings (edition, plugins, timeouts) with its runner filled in from the component
 * (`fillRunner`: namespace, the target version's image, the password Secret, env, service account,
 * kubeconfig). The components differ only in the step: which database, which version, when
 * `finish` may run, the backup before it, and what the migration waits for.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BackupArgs, DatabaseArgs } from "./args";
import { componentImage, type KongComponentArgs } from "./k8s-component-args";
import { fillRunner } from "./k8s-runner-defaults";
import type { SecretKeyRefArgs } from "./kong-cluster";
import { KongDatabaseMigration } from "./kong-database-migration";

/** What one migration of a component does in this step. */
export interface ComponentMigrationStep {
  /** The database it migrates (`KongDatabaseMigrationArgs.database`). */
  readonly database: pulumi.Input<DatabaseArgs>;
  /** The version it targets; the Kubernetes runner's image is `<imageRepository>:<kongVersion>`. */
  readonly kongVersion: string;
  /** `KongDatabaseMigrationArgs.decommissionedOld`: whether `finish` may run. */
  readonly decommissionedOld: pulumi.Input<boolean>;
  /** The Secret key with that database's password (the Kubernetes runner's default). */
  readonly passwordSecret: pulumi.Input<SecretKeyRefArgs>;
  /** The old pods that must not be ready when `finish` runs (the Kubernetes runner's default). Default: none. */
  readonly oldPodSelector?: Record<string, string>;
  /** `KongDatabaseMigrationArgs.backup`: where the dump before `finish` goes. Default: none. */
  readonly backup?: pulumi.Input<BackupArgs>;
  /** What it waits for; absent entries (a Secret the user gave, no wait in this step) are skipped. */
  readonly dependsOn: readonly (pulumi.Resource | undefined)[];
}

/**
 * @param name the migration's resource name.
 * @param args the component's arguments.
 * @param step what this migration does in this step.
 * @param parent the component.
 */
export function componentMigration(
  name: string,
  args: KongComponentArgs,
  step: ComponentMigrationStep,
  parent: pulumi.Resource,
): KongDatabaseMigration {
  return new KongDatabaseMigration(
    name,
    {
      database: step.database,
      kongVersion: step.kongVersion,
      edition: args.edition,
      plugins: args.plugins,
      decommissionedOld: step.decommissionedOld,
      runner: fillRunner(args.runner, {
        namespace: args.namespace,
        image: componentImage(args, step.kongVersion),
        passwordSecret: step.passwordSecret,
        env: args.env,
        serviceAccountName: args.serviceAccountName,
        kubeconfig: args.kubeconfig,
        oldPodSelector: step.oldPodSelector,
      }),
      lockTimeoutSeconds: args.lockTimeoutSeconds,
      dbTimeoutSeconds: args.dbTimeoutSeconds,
      commandTimeoutSeconds: args.commandTimeoutSeconds,
      backup: step.backup,
    },
    { parent, dependsOn: step.dependsOn.filter((r): r is pulumi.Resource => r !== undefined) },
  );
}
