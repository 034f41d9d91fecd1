/**
 * What a `KongInPlaceUpgrade` deploys for its inputs (Kong's in-place strategy for traditional
 * mode: stop every node, run `up` and `finish` with the new version, start the new version on the
 * same database). Pure; the component only turns this plan into resources.
 *
 * One slot, whose Kubernetes objects keep their names across every step:
 *
 * - `steady` (`targetVersion` absent or equal to `currentVersion`): the slot runs `currentVersion`
 *   with its replicas; the migration targets `currentVersion` (a fresh database is bootstrapped
 *   before the pods start; after an upgrade it has nothing to run).
 * - `stopAndMigrate` (`targetVersion` above `currentVersion`): the slot is scaled to zero (an update
 *   of the same Deployment, still at `currentVersion`: nothing rolls out), the wait for its pods to
 *   be gone completes, and only then does the migration run `up` and `finish` with `targetVersion`,
 *   `decommissionedOld` true (no old node remains). The cluster is down from here until the next step.
 *
 * Starting the new version is the next step: `currentVersion` set to the version just migrated to
 * (steady again), which scales the same Deployment up at the new image. A Deployment is updated at
 * most once per `pulumi up`, so "scale to zero" and "start at the new image" cannot both be updates
 * of that one object in one deployment; that is why the in-place strategy takes two `pulumi up`s,
 * and why they are best run back to back (examples/kubernetes-in-place/README.md).
 */
import { checkedVersions } from "./k8s-checked-versions";

/** The component arguments that decide the step (documented on `KongInPlaceUpgradeArgs`). */
export interface InPlaceInputs {
  readonly currentVersion: string;
  readonly targetVersion?: string;
  /** Pods while the slot runs. */
  readonly replicas: number;
}

export type InPlaceShape = "steady" | "stopAndMigrate";

export interface InPlacePlan {
  readonly shape: InPlaceShape;
  /** The version of the slot's Deployment (image, labels, readiness path). */
  readonly clusterVersion: string;
  /** The slot's replicas: 0 while stopped for the migration. */
  readonly replicas: number;
  /** The version the migration resource targets. */
  readonly migrationVersion: string;
  /**
   * The slot's pods must be gone before the migration runs (`stopAndMigrate`); the migration's
   * `decommissionedOld` is then true, so `up` and `finish` run in one update.
   */
  readonly stopFirst: boolean;
  /** The slot's Deployment waits for the migration (steady: bootstrap on a fresh database). */
  readonly clusterAfterMigration: boolean;
}

export function planInPlace(inputs: InPlaceInputs): InPlacePlan {
  const { current, target, upgrading } = checkedVersions(inputs, {
    example: "3.4.2",
    rollback: (from, to) =>
      `If the in-place step ran finish, only restoring the backup taken before it (backup) brings ${to} back; ` +
      `if it stopped before finish, set targetVersion to ${from} to start ${from} again.`,
  });
  if (!upgrading) {
    return {
      shape: "steady",
      clusterVersion: current,
      replicas: inputs.replicas,
      migrationVersion: current,
      stopFirst: false,
      clusterAfterMigration: true,
    };
  }
  return {
    shape: "stopAndMigrate",
    clusterVersion: current,
    replicas: 0,
    migrationVersion: target,
    stopFirst: true,
    clusterAfterMigration: false,
  };
}

/** The warning a program prints for the `stopAndMigrate` step (the preview shows it). */
export function inPlaceDowntimeWarning(name: string, plan: InPlacePlan, current: string): string | undefined {
  if (plan.shape !== "stopAndMigrate") return undefined;
  return (
    `${name}: in-place upgrade ${current} -> ${plan.migrationVersion}: this step scales every Kong ${current} pod to zero ` +
    `(downtime starts now), then runs kong migrations up and finish with ${plan.migrationVersion}; after finish ${current} ` +
    `can no longer run on this database. Kong ${plan.migrationVersion} starts in the next step: set currentVersion to ` +
    `${plan.migrationVersion} and run pulumi up again.`
  );
}
