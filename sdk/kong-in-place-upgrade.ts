/**
 * `KongInPlaceUpgrade`: Kong's in-place upgrade strategy for traditional mode (developer.konghq.com
 * "Upgrade Kong Gateway": in-place — reuse the database, with downtime) as one component with one
 * Kong slot, for teams without the capacity to run two clusters side by side. Each `pulumi up`
 * performs one step (the pure plan is `sdk/k8s-in-place-plan.ts`):
 *
 * 1. `targetVersion` absent or = `currentVersion`: the slot `<name>-kong` runs `currentVersion`. On
 *    a fresh database the migration bootstraps it before the pods start.
 * 2. `targetVersion` above `currentVersion`: the slot's Deployment is scaled to zero by an update
 *    (same object, still at `currentVersion`), `<name>-gone` waits until none of its pods is left
 *    (terminating ones included: they still serve and write), and only then does the migration run
 *    `kong migrations up` and `kong migrations finish` with `targetVersion` in one update
 *    (`decommissionedOld: true`: no old node remains to break). Kong is down from
 *    here until step 3.
 * 3. `currentVersion` = the version just migrated to (and `targetVersion` with it, or absent): the
 *    same Deployment scales up at the new image (step 1's shape). The migration has nothing to run.
 *
 * Steps 2 and 3 are two `pulumi up`s because a Deployment is updated once per deployment: "scale
 * to zero" and "start at the new image" cannot both be updates of the one object in one run. Run
 * them back to back to keep the downtime to the migration plus a pod start.
 *
 * Why a component of its own and not a `strategy` of `KongBlueGreenUpgrade`: none of blue/green's
 * inputs (slots, traffic share, retire flags) has a meaning here, and its names would change
 * (`<name>-blue`), so a strategy switch would have had to refuse most of that component's inputs.
 *
 * Rolling back: if step 2 failed before `finish` (its `up` may have run; Kong's `up` only adds),
 * set `targetVersion` back to `currentVersion`: the slot starts the old version again and the
 * migration leaves the pending migrations for the next attempt. After `finish` the old version can
 * no longer run on this database: only restoring the backup taken before it (`backup`) brings it back.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { BackupArgs, DatabaseArgs } from "./args";
import { componentImage, type KongComponentArgs } from "./k8s-component-args";
import { componentMigration } from "./k8s-component-migration";
import { KongCluster } from "./kong-cluster";
import type { KongDatabaseMigration } from "./kong-database-migration";
import { clusterSelector } from "./k8s-kong-container";
import { inPlaceDowntimeWarning, planInPlace, type InPlacePlan } from "./k8s-in-place-plan";
import { componentPasswordSecret } from "./k8s-password-secret";
import { KubernetesPodsGone } from "./k8s-pods-gone";
import type { ComponentRunnerArgs } from "./k8s-runner-defaults";

export const KONG_IN_PLACE_UPGRADE_TYPE = "kong-migrations:index:KongInPlaceUpgrade";

export interface KongInPlaceUpgradeArgs extends KongComponentArgs {
  /**
   * Kong's database. The migration connects with it (from where Pulumi runs, or from its Job); the
   * pods get the same settings as `KONG_PG_*`, the password only through `passwordSecret`.
   * Changing it points the slot and the migration at another database.
   */
  readonly database: pulumi.Input<DatabaseArgs>;
  /**
   * The version the slot runs, e.g. `2.8.5`. Plain, because it decides the step. After the step that
   * migrated to `targetVersion`, set it to that version: the slot starts the new version (step 3).
   */
  readonly currentVersion: string;
  /**
   * The version to upgrade to. Default `currentVersion`. Raising it above `currentVersion` is step
   * 2: every pod stops (downtime), then `up` and `finish` run with it. Lowering it below
   * `currentVersion` is refused: Kong cannot downgrade a database.
   */
  readonly targetVersion?: string;
  /** `KONG_PLUGINS` of the slot and the migration. Default `["bundled"]`. Changing it rolls the pods. */
  readonly plugins?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Pods while the slot runs (steps 1 and 3). Default 2. Plain, because step 2 replaces it with 0.
   * Changing it in step 1 scales the Deployment.
   */
  readonly replicas?: number;
  /** Container resources of the Kong pods. Changing it rolls the pods. */
  readonly resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
  /** Extra `KONG_*` environment of the slot (and of the migration Job). Changing it rolls the pods. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Type of the slot's proxy Service `<name>-kong-proxy`. Default `ClusterIP`. */
  readonly proxyServiceType?: pulumi.Input<string>;
  /**
   * How the migration runs `kong migrations`. Default: a local process (`kong` on the machine
   * running Pulumi). For `{ kind: "kubernetes" }` the component fills in what is not given: its
   * namespace, the target version's image, the password Secret, its `env`, service account and
   * `kubeconfig`, and (in step 2) the slot's pod selector, so `finish` is refused while a pod is ready.
   */
  readonly runner?: pulumi.Input<ComponentRunnerArgs>;
  /**
   * Kubeconfig the Pulumi process uses to watch the slot's pods go (and the Kubernetes runner's
   * default). Default: in-cluster, then `$KUBECONFIG`/`~/.kube/config`. Pass it when your
   * `@pulumi/kubernetes` provider is configured with an explicit kubeconfig.
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** How long step 2 waits for the slot's pods to be gone before failing (nothing has run then). Default 600. */
  readonly stopTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Where the migration puts the `pg_dump` of Kong's schema it takes right before `finish` (step
   * 2), after which `currentVersion` can no longer run on the database. Default: none (the preview
   * then warns that `finish` runs without a backup). If the backup fails, `finish` does not run.
   * See `KongDatabaseMigrationArgs.backup`.
   */
  readonly backup?: pulumi.Input<BackupArgs>;
}

export class KongInPlaceUpgrade extends pulumi.ComponentResource {
  /** What this step deploys. */
  readonly plan: InPlacePlan;
  /** The one Kong slot, `<name>-kong` (its Deployment, proxy and admin Services keep their names in every step). */
  readonly cluster: KongCluster;
  readonly migration: KongDatabaseMigration;
  /** The Secret the component created for the password (absent when `passwordSecret` was given). */
  readonly passwordSecretResource?: k8s.core.v1.Secret;
  /** The wait for the slot's pods to be gone (step 2 only). */
  readonly podsGone?: KubernetesPodsGone;

  constructor(name: string, args: KongInPlaceUpgradeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Planned before anything is registered: an invalid combination of inputs leaves no trace.
    const plan = planInPlace({ currentVersion: args.currentVersion, targetVersion: args.targetVersion, replicas: args.replicas ?? 2 });
    super(KONG_IN_PLACE_UPGRADE_TYPE, name, {}, opts);
    this.plan = plan;
    const labels = {
      "app.kubernetes.io/name": "kong",
      "app.kubernetes.io/part-of": name,
      "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
    };
    const database = pulumi.output(args.database);
    // Unsecret only the projection without the password, so the pods' settings stay readable in previews.
    const databaseSettings = pulumi.unsecret(database.apply(({ password: _p, ...rest }) => rest));
    const secret = componentPasswordSecret(name, args.passwordSecret, { namespace: args.namespace, database, labels }, this);
    this.passwordSecretResource = secret.resource;

    const warning = inPlaceDowntimeWarning(name, plan, args.currentVersion);
    if (warning) void pulumi.log.warn(warning, this);

    const slot = `${name}-kong`;
    const clusterArgs = {
      namespace: args.namespace,
      kongVersion: plan.clusterVersion,
      edition: args.edition ?? "oss",
      image: componentImage(args, plan.clusterVersion),
      replicas: plan.replicas,
      database: databaseSettings,
      passwordSecret: secret.ref,
      plugins: args.plugins,
      env: args.env,
      resources: args.resources,
      serviceAccountName: args.serviceAccountName,
      proxyServiceType: args.proxyServiceType,
    };
    const migration = (waitFor?: KubernetesPodsGone) =>
      componentMigration(
        `${name}-migration`,
        args,
        {
          database: args.database,
          kongVersion: plan.migrationVersion,
          // up and finish in one update. A plain true (not the wait's `gone` output, unknown in a
          // preview) so that the preview shows both commands, the teardowns and the backup; the
          // migration still runs only after the wait succeeded: it depends on it (dependsOn), and
          // the wait fails, naming the pods left, rather than complete with pods remaining.
          decommissionedOld: waitFor !== undefined,
          passwordSecret: secret.ref,
          oldPodSelector: plan.stopFirst ? clusterSelector(slot) : undefined,
          backup: args.backup,
          dependsOn: [secret.resource, waitFor],
        },
        this,
      );

    if (plan.stopFirst) {
      this.cluster = new KongCluster(slot, clusterArgs, { parent: this });
      this.podsGone = new KubernetesPodsGone(
        `${name}-gone`,
        {
          namespace: args.namespace,
          selector: this.cluster.selector,
          kubeconfig: args.kubeconfig,
          timeoutSeconds: args.stopTimeoutSeconds,
        },
        { parent: this, dependsOn: [this.cluster] },
      );
      this.migration = migration(this.podsGone);
    } else {
      this.migration = migration();
      this.cluster = new KongCluster(slot, clusterArgs, { parent: this, dependsOn: [this.migration] });
    }

    this.registerOutputs({
      shape: plan.shape,
      clusterVersion: plan.clusterVersion,
      migrationVersion: plan.migrationVersion,
      replicas: plan.replicas,
      deploymentName: this.cluster.deployment.metadata.name,
      proxyServiceName: this.cluster.proxyService.metadata.name,
    });
  }
}
