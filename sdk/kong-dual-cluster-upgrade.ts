/**
 * `KongDualClusterUpgrade`: Kong's dual-cluster upgrade for traditional mode
 * (developer.konghq.com/gateway/upgrade/dual-cluster; the strategy Kong's LTS guides recommend for
 * jumps such as 2.8 -> 3.4 and 3.4 -> 3.10) as one component whose inputs select the step, so
 * that each `pulumi up` performs one step:
 *
 * 1. `targetVersion` = `currentVersion`: the live cluster on `database`, Admin API on.
 * 2. `targetVersion` above `currentVersion`, with `newDatabase` (an existing, empty database): the
 *    live cluster's Admin API goes off (a rolling update), then `KongDatabaseClone` copies
 *    `database` into `newDatabase` with `pg_dump`/`pg_restore`, then a `KongDatabaseMigration` on
 *    the clone runs `kong migrations up` and `finish` at the target version in one go, then the new
 *    cluster starts on the clone with its Admin API off.
 * 3. `newTrafficPercent` moves proxy traffic (the `<name>-proxy` Service switches at 0 and 100;
 *    with `gateway` an HTTPRoute carries the weights in between).
 * 4. `retireOld: true` (with all traffic on the new cluster): the old cluster is scaled to zero,
 *    `<name>-<color>-gone` waits until its pods are gone, then the new cluster's Admin API comes on.
 * 5. `dropOldCluster: true` (keeping `retireOld`): the old cluster's objects are removed. Its
 *    database is kept: nothing drops it (`KongDatabaseClone`'s delete drops nothing either) unless
 *    you set `dropOldDatabase: true`, an explicit input of its own, in a later `pulumi up`; a
 *    `KongDatabaseDrop` then runs `DROP DATABASE`, refused while any session still uses it. Afterwards set
 *    `currentVersion` to the new version, `liveColor` to the new slot, `database` to the new
 *    database, and drop `newDatabase` and the flags; the next upgrade starts in the other slot.
 *
 * Why `finish` runs at once on the clone: no node of the old version ever uses the clone (the old
 * cluster stays on `database`), so the migration's `decommissionedOld` is true from the start.
 *
 * Kong's rule for this strategy is that no Admin API writes happen on either side between the clone
 * and the cut-over: a write to the old cluster would be missing from the clone, a write to the new
 * one from the old database that a rollback returns to. The component enforces it with both Admin
 * APIs off (`KONG_ADMIN_LISTEN=off`, no admin port, no admin Service) from step 2 until step 4, and
 * the preview says so as warnings on the component. A read-only Admin API would be kinder, but Kong
 * has none to switch on: open-source Kong's `admin_listen` is on or off, and Kong Enterprise's RBAC
 * `read-only` role restricts an admin's token, not the listener (a super-admin can still write).
 *
 * Rollback at any step before the cut-over is `newTrafficPercent: 0`: the old cluster never left
 * its database, which nothing here changes. Abandoning the upgrade (`targetVersion` back to
 * `currentVersion`) removes the new cluster, the clone resource and its migration, and turns the old
 * Admin API back on; the cloned database is kept.
 *
 * Why a component of its own and not `strategy: "dualCluster"` on `KongBlueGreenUpgrade`: the two
 * differ in what they need and what they promise, not only in their steps. Dual-cluster needs a
 * second database (`newDatabase`, and its own password Secret), runs `finish` at once instead of
 * gating it on `retireBlue`, turns the *live* cluster's Admin API off, and has no `backup` input
 * (the untouched old database is the way back); blue/green shares one database and must never run
 * `finish` before the old pods are gone. As a strategy option, half of each component's arguments
 * would be refused in the other's mode; as two components, each argument list is exactly what its
 * strategy uses. They share the parts: `KongCluster`, the traffic objects, `KubernetesPodsGone`,
 * the runner defaults and the password Secret.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { DatabaseArgs } from "./args";
import type { KongComponentArgs } from "./k8s-component-args";
import { componentMigration } from "./k8s-component-migration";
import type { KongCluster, SecretKeyRefArgs } from "./kong-cluster";
import { KongDatabaseClone } from "./kong-database-clone";
import { KongDatabaseDrop } from "./kong-database-drop";
import type { KongDatabaseMigration } from "./kong-database-migration";
import { clusterSelector } from "./k8s-kong-container";
import { KubernetesPodsGone } from "./k8s-pods-gone";
import { slotCluster } from "./k8s-slot-cluster";
import { componentPasswordSecret } from "./k8s-password-secret";
import type { ComponentRunnerArgs } from "./k8s-runner-defaults";
import { proxyService, weightedRoute, type WeightedTrafficArgs } from "./k8s-traffic";
import { planDualCluster, type DualClusterPlan, type DualClusterSlot } from "./k8s-dual-cluster-plan";
import type { Color } from "./k8s-upgrade-plan";

export const KONG_DUAL_CLUSTER_UPGRADE_TYPE = "kong-migrations:index:KongDualClusterUpgrade";

export interface KongDualClusterUpgradeArgs extends KongComponentArgs, WeightedTrafficArgs {
  /**
   * The live cluster's database: the clone's source, only ever read by this component. Its pods get
   * the settings as `KONG_PG_*`, the password only through `passwordSecret`.
   */
  readonly database: pulumi.Input<DatabaseArgs>;
  /**
   * An existing Secret key holding `database`'s password. Default: the component creates Secret
   * `<name>-<liveColor>-pg-password` (key `password`) from `database.password`.
   */
  readonly passwordSecret?: pulumi.Input<SecretKeyRefArgs>;
  /**
   * The database the upgrade clones into and the new cluster runs on: it must exist and be empty
   * (checked at preview; a non-empty one is refused, naming `target.database` of
   * `<name>-<color>-clone`). Create it owned by the role Kong uses (e.g. `@pulumi/postgresql`), with
   * the same `schema` as `database`. Required while `targetVersion` is above `currentVersion`;
   * ignored otherwise. Changing it during an upgrade takes a new clone (a replacement).
   */
  readonly newDatabase?: pulumi.Input<DatabaseArgs>;
  /**
   * An existing Secret key holding `newDatabase`'s password. Default: the component creates Secret
   * `<name>-<new slot>-pg-password` from `newDatabase.password`.
   */
  readonly newPasswordSecret?: pulumi.Input<SecretKeyRefArgs>;
  /** The version the live cluster runs, e.g. `2.8.5`. Plain, because it decides which objects exist. */
  readonly currentVersion: string;
  /**
   * The version to upgrade to, e.g. `3.4.2`. Default `currentVersion`. Raising it starts the upgrade
   * (step 2: Admin APIs off, clone, up + finish on the clone, new cluster). Lowering it below
   * `currentVersion` is refused (Kong cannot downgrade); setting it back to `currentVersion`
   * abandons an upgrade (the new cluster goes; no database is dropped).
   */
  readonly targetVersion?: string;
  /**
   * The slot (`blue` or `green`) that runs `currentVersion` on `database`. Default `blue`. The new
   * cluster goes into the other slot. After an upgrade, set it to the new slot (with
   * `currentVersion` and `database`).
   */
  readonly liveColor?: Color;
  /**
   * Share (0-100) of proxy traffic sent to the new cluster. Default 0. 0 and 100 switch the
   * `<name>-proxy` Service's selector; values in between need `gateway`. Changing it moves traffic;
   * it never touches a database. Back to 0 is the rollback before `retireOld`.
   */
  readonly newTrafficPercent?: number;
  /**
   * The cut-over (step 4). Default `false`. Requires `newTrafficPercent` 100. Scales the old cluster
   * to zero, waits until its pods are gone, then turns the new cluster's Admin API on. Writes made
   * through it afterwards are not in the old database: a rollback from here loses them.
   */
  readonly retireOld?: boolean;
  /**
   * Remove the old cluster's objects (step 5). Default `false`. Requires `retireOld` (kept true) and
   * `newTrafficPercent` 100. The old database is never dropped by this component.
   */
  readonly dropOldCluster?: boolean;
  /**
   * Drop the old database (`DROP DATABASE`, through `KongDatabaseDrop` `<name>-<color>-database-drop`).
   * Default `false`: never implied by any other input. Requires `dropOldCluster`; set it in a later
   * `pulumi up` than `dropOldCluster` (Pulumi deletes the old pods last, and PostgreSQL refuses the
   * drop while a session uses the database: the update then fails, naming them, with nothing
   * dropped). Irreversible: the old database was the way back to `currentVersion`. Remove it again
   * together with the flags when the new cluster becomes the live one.
   */
  readonly dropOldDatabase?: boolean;
  /** `KONG_PLUGINS` of both clusters and the migrations. Default `["bundled"]`. */
  readonly plugins?: pulumi.Input<pulumi.Input<string>[]>;
  /** Extra `KONG_*` environment of both clusters (and of the migration Jobs). May not set `KONG_ADMIN_LISTEN`. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Service account of the Kong pods (and of the migration Jobs). */
  readonly serviceAccountName?: pulumi.Input<string>;
  /**
   * How the migrations run `kong migrations`. Default: a local process (`kong` on the machine
   * running Pulumi). For `{ kind: "kubernetes" }` the component fills in what is not given (its
   * namespace, the version's image, the database's password Secret, `env`, service account,
   * `kubeconfig`); no old-pod selector on the clone's migration, since no old pod uses the clone.
   * The clone itself always runs `pg_dump`/`pg_restore` on the machine running Pulumi.
   */
  readonly runner?: pulumi.Input<ComponentRunnerArgs>;
  /** The migrations' `--lock-timeout` in seconds. Default 60. Changing it alone runs nothing. */
  readonly lockTimeoutSeconds?: pulumi.Input<number>;
  /** The migrations' `--db-timeout` in seconds. Default 60. Changing it alone runs nothing. */
  readonly dbTimeoutSeconds?: pulumi.Input<number>;
  /** Kill a `kong migrations` command after this many seconds. Default 1800. Changing it alone runs nothing. */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /** Kill `pg_dump` or `pg_restore` of the clone after this many seconds. Default 1800. Changing it alone runs nothing. */
  readonly cloneTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Kubeconfig the Pulumi process uses to watch the old cluster's pods go (and the Kubernetes
   * runner's default). Default: in-cluster, then `$KUBECONFIG`/`~/.kube/config`.
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** How long step 4 waits for the old cluster's pods to be gone before failing. Default 600. */
  readonly retireTimeoutSeconds?: pulumi.Input<number>;
}

export class KongDualClusterUpgrade extends pulumi.ComponentResource {
  /** What this step deploys (phase, clusters, weights, preview notes). */
  readonly plan: DualClusterPlan;
  /** The cluster in the blue slot, when it exists in this step. */
  readonly blue?: KongCluster;
  /** The cluster in the green slot, when it exists in this step. */
  readonly green?: KongCluster;
  /** The migration on `database` at `currentVersion` (bootstraps a fresh one; absent once the old cluster is dropped). */
  readonly liveMigration?: KongDatabaseMigration;
  /** The copy of `database` in `newDatabase` (during an upgrade). */
  readonly clone?: KongDatabaseClone;
  /** `up` and `finish` on the clone at `targetVersion` (during an upgrade). */
  readonly newMigration?: KongDatabaseMigration;
  /** The stable proxy Service `<name>-proxy`. */
  readonly proxyService: k8s.core.v1.Service;
  /** The weighted HTTPRoute, when `gateway` is set. */
  readonly route?: k8s.apiextensions.CustomResource;
  /** The wait for the old cluster's pods (step 4 only). */
  readonly podsGone?: KubernetesPodsGone;
  /** The drop of the old database (`dropOldDatabase` only). */
  readonly oldDatabaseDrop?: KongDatabaseDrop;

  constructor(name: string, args: KongDualClusterUpgradeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Planned before anything is registered: an invalid combination of inputs leaves no trace.
    const plan = planDualCluster({
      currentVersion: args.currentVersion,
      targetVersion: args.targetVersion,
      liveColor: args.liveColor,
      newTrafficPercent: args.newTrafficPercent,
      retireOld: args.retireOld,
      dropOldCluster: args.dropOldCluster,
      dropOldDatabase: args.dropOldDatabase,
      hasNewDatabase: args.newDatabase !== undefined,
      hasGateway: args.gateway !== undefined,
    });
    super(KONG_DUAL_CLUSTER_UPGRADE_TYPE, name, {}, opts);
    this.plan = plan;
    for (const note of plan.notes) void pulumi.log.warn(note, this);
    const labels = {
      "app.kubernetes.io/name": "kong",
      "app.kubernetes.io/part-of": name,
      "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
    };

    /** Each slot's database: its settings without the password, and the Secret the pods read it from. */
    const slotDatabase = (color: Color, which: DualClusterSlot["database"]) => {
      const database = pulumi.output(which === "database" ? args.database : args.newDatabase!);
      const given = which === "database" ? args.passwordSecret : args.newPasswordSecret;
      const secret = componentPasswordSecret(`${name}-${color}`, given, { namespace: args.namespace, database, labels }, this);
      // Unsecret only the projection without the password, so the pods' settings stay readable in previews.
      return { database, settings: pulumi.unsecret(database.apply(({ password: _p, ...rest }) => rest)), secret };
    };
    const cluster = (c: DualClusterSlot, db: ReturnType<typeof slotDatabase>, dependsOn: pulumi.Resource[]) =>
      slotCluster(name, args, c, { settings: db.settings, passwordSecret: db.secret.ref }, { parent: this, dependsOn });

    const byColor: Partial<Record<Color, KongCluster>> = {};
    const oldSlot = plan.clusters.find((c) => c.role === "old");
    const newSlot = plan.clusters.find((c) => c.role === "new");
    let old: KongCluster | undefined;
    if (oldSlot) {
      const db = slotDatabase(oldSlot.color, "database");
      // On a fresh database the migration bootstraps it before the cluster starts; otherwise it runs nothing.
      this.liveMigration = componentMigration(
        `${name}-${oldSlot.color}-migration`,
        args,
        {
          database: args.database,
          kongVersion: args.currentVersion,
          decommissionedOld: false,
          passwordSecret: db.secret.ref,
          dependsOn: [db.secret.resource],
        },
        this,
      );
      old = cluster(oldSlot, db, [this.liveMigration]);
      byColor[oldSlot.color] = old;
    }
    if (newSlot) {
      const db = slotDatabase(newSlot.color, "newDatabase");
      // The clone is taken only once the old cluster's Admin API is off (its rolling update done).
      this.clone = new KongDatabaseClone(
        `${name}-${newSlot.color}-clone`,
        { source: args.database, target: args.newDatabase!, edition: args.edition, timeoutSeconds: args.cloneTimeoutSeconds },
        { parent: this, dependsOn: old ? [old] : [] },
      );
      // The migration reads the clone only once it exists: its database is an output of the clone, so a
      // preview of the step that clones shows the migration's plan as unknown instead of a bootstrap of
      // the still-empty target.
      const cloned = pulumi.all([pulumi.output(args.newDatabase!), this.clone.clonedAt]).apply(([d]) => d);
      this.newMigration = componentMigration(
        `${name}-${newSlot.color}-migration`,
        args,
        {
          database: cloned,
          kongVersion: newSlot.version,
          // No node of the old version ever uses the clone: up and finish run at once.
          decommissionedOld: true,
          passwordSecret: db.secret.ref,
          dependsOn: [this.clone, db.secret.resource],
        },
        this,
      );
      if (plan.retiring && old) {
        this.podsGone = new KubernetesPodsGone(
          `${name}-${plan.retiring}-gone`,
          {
            namespace: args.namespace,
            selector: clusterSelector(`${name}-${plan.retiring}`),
            kubeconfig: args.kubeconfig,
            timeoutSeconds: args.retireTimeoutSeconds,
          },
          { parent: this, dependsOn: [old] },
        );
      }
      // The new cluster starts after up + finish; its Admin API comes on only after the old pods are gone.
      byColor[newSlot.color] = cluster(newSlot, db, [this.newMigration, ...(this.podsGone ? [this.podsGone] : [])]);
    }
    this.blue = byColor.blue;
    this.green = byColor.green;
    if (plan.dropOldDatabase) {
      // Only after the new cluster runs on its own database.
      this.oldDatabaseDrop = new KongDatabaseDrop(
        `${name}-${plan.live}-database-drop`,
        { database: args.database },
        { parent: this, dependsOn: [byColor[plan.next]!] },
      );
    }

    // Traffic moves only once the clusters that receive it are ready (Pulumi awaits Deployments).
    const colors = Object.keys(plan.weights) as Color[];
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
          backends: colors.map((c) => ({ service: byColor[c]!.proxyService, weight: plan.weights[c]! })),
          labels,
        },
        { parent: this, dependsOn: colors.filter((c) => plan.weights[c]! > 0).map((c) => byColor[c]!) },
      );
    }

    this.registerOutputs({
      phase: plan.phase,
      liveColor: plan.live,
      weights: plan.weights,
      adminApi: Object.fromEntries(plan.clusters.map((c) => [c.color, c.adminApi])),
      proxyServiceName: this.proxyService.metadata.name,
      ...(this.clone ? { clonedAt: this.clone.clonedAt, cloneSourceState: this.clone.sourceState } : {}),
    });
  }
}
