/**
 * `KongBlueGreenUpgrade`: Kong's blue/green upgrade procedure (Kong's UPGRADE.md, kong-migrations.md
 * §6) as one component whose inputs select the step, so that each `pulumi up` performs one step:
 *
 * 1. `targetVersion` = `currentVersion`: the live cluster only. On a fresh database the migration
 *    bootstraps it before the cluster starts (the Deployment depends on the migration).
 * 2. `targetVersion` above `currentVersion`: the migration runs `kong migrations up` with the target
 *    version, then the new cluster starts (its Deployment depends on the migration) with its Admin
 *    API off; the live cluster keeps the only Admin API.
 * 3. `greenTrafficPercent` moves proxy traffic: the `<name>-proxy` Service selects one cluster
 *    (switching at 0 and 100); with `gateway`, an HTTPRoute carries the weights in between.
 * 4. `retireBlue: true` (or `retireGreen`, when green is the live slot): the live cluster is scaled
 *    to zero by an update, `<name>-<color>-gone` waits until none of its pods is left, and only
 *    then is `decommissionedOld` true and the migration runs `kong migrations finish`; then the new
 *    cluster's Admin API comes on. A later step (`currentVersion` = the new version, `liveColor` =
 *    the new slot, no retire flag) removes the old cluster's objects.
 *
 * A patch upgrade without migrations (per the catalogue) is instead an in-place rolling update of
 * the live cluster, after the migration resource has confirmed there is nothing to run.
 *
 * Rolling back: before `finish`, send the traffic back to the live cluster (`greenTrafficPercent`);
 * the new cluster can stay, without traffic, until you decide. After `finish` the old version can no
 * longer run on this database: only restoring a backup taken before the upgrade brings it back.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { BackupArgs } from "./args";
import type { KongComponentArgs } from "./k8s-component-args";
import { componentMigration } from "./k8s-component-migration";
import { componentPasswordSecret } from "./k8s-password-secret";
import type { ComponentRunnerArgs } from "./k8s-runner-defaults";
import type { KongCluster } from "./kong-cluster";
import type { KongDatabaseMigration } from "./kong-database-migration";
import { clusterSelector } from "./k8s-kong-container";
import { countNewMigrations } from "./k8s-new-migrations";
import { KubernetesPodsGone } from "./k8s-pods-gone";
import { slotCluster } from "./k8s-slot-cluster";
import { proxyService, weightedRoute, type WeightedTrafficArgs } from "./k8s-traffic";
import { planUpgrade, type ClusterPlan, type Color, type UpgradePlan } from "./k8s-upgrade-plan";

export const KONG_BLUE_GREEN_UPGRADE_TYPE = "kong-migrations:index:KongBlueGreenUpgrade";

/** The migration's runner: local, or a Kubernetes Job whose unset fields the component fills in. */
export type BlueGreenRunnerArgs = ComponentRunnerArgs;

export interface KongBlueGreenUpgradeArgs extends KongComponentArgs, WeightedTrafficArgs {
  /** The version the live cluster runs, e.g. `2.0.5`. Plain, because it decides which objects exist. */
  readonly currentVersion: string;
  /**
   * The version to upgrade to. Default `currentVersion`. Raising it starts step 2 (or an in-place
   * rolling update for a patch release without migrations). Lowering it below `currentVersion` is
   * refused: Kong cannot downgrade a database.
   */
  readonly targetVersion?: string;
  /**
   * The slot (`blue` or `green`) that runs `currentVersion`. Default `blue`. After an upgrade is
   * finished, set it to the slot that now runs the new version (together with `currentVersion`),
   * which removes the old slot's objects; the next upgrade then starts in the other slot.
   */
  readonly liveColor?: Color;
  /**
   * Share (0-100) of proxy traffic sent to the green slot. Default: all traffic on the live slot.
   * 0 and 100 switch the `<name>-proxy` Service's selector; values in between need `gateway` (an
   * HTTPRoute carries the weights). Changing it moves traffic; it never touches the database.
   */
  readonly greenTrafficPercent?: number;
  /**
   * Retire the blue slot before `finish` (step 4, when blue is the live slot). Default `false`.
   * Requires an upgrade in progress and no traffic on blue. Scales blue to zero, waits until none of
   * its pods is left, then runs `kong migrations finish` and turns green's Admin API on.
   * After this, blue cannot run on the database again (only a restore brings it back).
   */
  readonly retireBlue?: boolean;
  /** The same as `retireBlue`, for an upgrade whose live slot is green. */
  readonly retireGreen?: boolean;
  /**
   * `auto` (default): a patch release without migrations is upgraded in place (rolling update),
   * anything else blue/green. `blueGreen`: always blue/green.
   */
  readonly strategy?: "auto" | "blueGreen";
  /**
   * How the migration runs `kong migrations`. Default: a local process (`kong` on the machine
   * running Pulumi). For `{ kind: "kubernetes" }` the component fills in what is not given: its
   * namespace, the target version's image, the password Secret, its `env`, service account and
   * `kubeconfig`, and the live slot's pod selector (so `finish` is refused while an old pod is ready).
   */
  readonly runner?: pulumi.Input<BlueGreenRunnerArgs>;
  /**
   * Kubeconfig the Pulumi process uses to watch the retired slot's pods go (and the Kubernetes
   * runner's default). Default: in-cluster, then `$KUBECONFIG`/`~/.kube/config`. Pass it when your
   * `@pulumi/kubernetes` provider is configured with an explicit kubeconfig.
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** How long step 4 waits for the retired slot's pods to be gone before failing. Default 600. */
  readonly retireTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Where the migration puts the `pg_dump` of Kong's schema it takes right before `finish` (step 4),
   * after which the old slot's version can no longer run on the database. Default: none (the
   * preview of step 4 then warns that `finish` runs without a backup). `{ kind: "kubernetes",
   * persistentVolumeClaim }` needs `runner: { kind: "kubernetes" }` and runs in its namespace, with
   * its password Secret. If the backup fails, `finish` does not run. See `KongDatabaseMigrationArgs.backup`.
   */
  readonly backup?: pulumi.Input<BackupArgs>;
}

export class KongBlueGreenUpgrade extends pulumi.ComponentResource {
  /** What this step deploys (shape, clusters, weights). */
  readonly plan: UpgradePlan;
  /** The cluster in the blue slot, when it exists in this step. */
  readonly blue?: KongCluster;
  /** The cluster in the green slot, when it exists in this step. */
  readonly green?: KongCluster;
  readonly migration: KongDatabaseMigration;
  /** The stable proxy Service `<name>-proxy`. */
  readonly proxyService: k8s.core.v1.Service;
  /** The weighted HTTPRoute, when `gateway` is set. */
  readonly route?: k8s.apiextensions.CustomResource;
  /** The Secret the component created for the password (absent when `passwordSecret` was given). */
  readonly passwordSecretResource?: k8s.core.v1.Secret;
  /** The wait for the retired slot's pods (step 4 only). */
  readonly podsGone?: KubernetesPodsGone;

  constructor(name: string, args: KongBlueGreenUpgradeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Planned before anything is registered: an invalid combination of inputs leaves no trace.
    const edition = args.edition ?? "oss";
    const pluginsKnown = Array.isArray(args.plugins) && args.plugins.every((p) => typeof p === "string");
    const plan = planUpgrade(
      {
        currentVersion: args.currentVersion,
        targetVersion: args.targetVersion,
        liveColor: args.liveColor,
        greenTrafficPercent: args.greenTrafficPercent,
        retireBlue: args.retireBlue,
        retireGreen: args.retireGreen,
        strategy: args.strategy,
        hasGateway: args.gateway !== undefined,
      },
      countNewMigrations(edition, pluginsKnown ? (args.plugins as string[]) : ["all"]),
    );
    super(KONG_BLUE_GREEN_UPGRADE_TYPE, name, {}, opts);
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
    const passwordSecret = secret.ref;

    const cluster = (c: ClusterPlan, dependsOn?: pulumi.Resource[]) =>
      slotCluster(name, args, c, { settings: databaseSettings, passwordSecret }, { parent: this, dependsOn });
    const liveSelector = clusterSelector(`${name}-${plan.live}`);

    const migration = (waitFor?: KubernetesPodsGone) =>
      componentMigration(
        `${name}-migration`,
        args,
        {
          database: args.database,
          kongVersion: plan.migrationVersion,
          // `finish` only after the wait for the old pods has completed: an output of that step.
          decommissionedOld: waitFor ? waitFor.gone : false,
          passwordSecret,
          oldPodSelector: plan.shape === "blueGreen" ? liveSelector : undefined,
          backup: args.backup,
          dependsOn: [this.passwordSecretResource, waitFor],
        },
        this,
      );

    const byColor: Partial<Record<Color, KongCluster>> = {};
    const [livePlan, nextPlan] = plan.clusters;
    if (plan.shape === "blueGreen") {
      const live = cluster(livePlan);
      byColor[livePlan.color] = live;
      if (plan.retiring) {
        this.podsGone = new KubernetesPodsGone(
          `${name}-${plan.retiring}-gone`,
          { namespace: args.namespace, selector: liveSelector, kubeconfig: args.kubeconfig, timeoutSeconds: args.retireTimeoutSeconds },
          { parent: this, dependsOn: [live] },
        );
      }
      this.migration = migration(this.podsGone);
      byColor[nextPlan.color] = cluster(nextPlan, [this.migration]);
    } else {
      this.migration = migration();
      byColor[livePlan.color] = cluster(livePlan, [this.migration]);
    }
    this.blue = byColor.blue;
    this.green = byColor.green;

    // Traffic moves only once the clusters that receive it are ready (Pulumi awaits Deployments).
    const receiving = (Object.keys(plan.weights) as Color[]).filter((c) => plan.weights[c]! > 0).map((c) => byColor[c]!);
    this.proxyService = proxyService(
      `${name}-proxy`,
      { namespace: args.namespace, selector: clusterSelector(`${name}-${plan.serviceColor}`), type: args.proxyServiceType, labels },
      { parent: this, dependsOn: [byColor[plan.serviceColor]!] },
    );
    if (args.gateway) {
      this.route = weightedRoute(
        `${name}-route`,
        {
          namespace: args.namespace,
          gateway: args.gateway,
          hostnames: args.hostnames,
          backends: (Object.keys(plan.weights) as Color[]).map((c) => ({ service: byColor[c]!.proxyService, weight: plan.weights[c]! })),
          labels,
        },
        { parent: this, dependsOn: receiving },
      );
    }

    this.registerOutputs({
      shape: plan.shape,
      liveColor: plan.live,
      migrationVersion: plan.migrationVersion,
      weights: plan.weights,
      proxyServiceName: this.proxyService.metadata.name,
    });
  }
}
