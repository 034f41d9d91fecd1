/**
 * The `KongCluster` in one slot of a two-slot component (`KongBlueGreenUpgrade`,
 * `KongDualClusterUpgrade`): named `<name>-<color>`, at the slot's version and image, scaled to zero
 * while retired, its pods labelled with the color (the traffic objects select by it), with the
 * component's pod settings.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseArgs } from "./args";
import { componentImage, type KongComponentArgs } from "./k8s-component-args";
import type { Color } from "./k8s-upgrade-plan";
import { KongCluster, type SecretKeyRefArgs } from "./kong-cluster";

/** What the component's plan says of the slot in this step. */
export interface SlotPlan {
  readonly color: Color;
  /** The Kong version it runs. */
  readonly version: string;
  /** Whether its Admin API listens. */
  readonly adminApi: boolean;
  /** Scaled to zero (retired). */
  readonly retired: boolean;
}

/** The database the slot's pods use: its settings without the password, and the password's Secret key. */
export interface SlotDatabase {
  readonly settings: pulumi.Input<Omit<DatabaseArgs, "password">>;
  readonly passwordSecret: pulumi.Input<SecretKeyRefArgs>;
}

/**
 * @param name the component's name; the cluster is `<name>-<color>`.
 * @param args the component's arguments (image, replicas, plugins, env, resources, service account).
 * @param slot the slot in this step.
 * @param db the database its pods use.
 * @param opts the component as parent, and what the cluster waits for. Default: nothing.
 */
export function slotCluster(
  name: string,
  args: KongComponentArgs,
  slot: SlotPlan,
  db: SlotDatabase,
  opts: { readonly parent: pulumi.Resource; readonly dependsOn?: pulumi.Resource[] },
): KongCluster {
  return new KongCluster(
    `${name}-${slot.color}`,
    {
      namespace: args.namespace,
      kongVersion: slot.version,
      edition: args.edition ?? "oss",
      image: componentImage(args, slot.version),
      replicas: slot.retired ? 0 : (args.replicas ?? 2),
      database: db.settings,
      passwordSecret: db.passwordSecret,
      plugins: args.plugins,
      adminApi: slot.adminApi,
      env: args.env,
      resources: args.resources,
      serviceAccountName: args.serviceAccountName,
      podLabels: { "kong-migrations/color": slot.color },
    },
    { parent: opts.parent, ...(opts.dependsOn ? { dependsOn: opts.dependsOn } : {}) },
  );
}
