/**
 * What a `KongDualClusterUpgrade` deploys for its inputs: which clusters exist on which database,
 * with which version, Admin API and replica count; whether the clone and the clone's migration
 * exist; where proxy traffic goes; and the preview notes that state Kong's rule for this strategy.
 * Pure; the component only turns this plan into resources.
 *
 * Slots: as in `KongBlueGreenUpgrade`, the clusters live in two fixed slots, `blue` and `green`, so
 * their names never change across steps. `liveColor` runs `currentVersion` on `database`; the
 * upgrade starts the other slot at `targetVersion` on `newDatabase` (the clone).
 */
import { checkedVersions } from "./k8s-checked-versions";
import { KongKubernetesError } from "./k8s-errors";
import type { KongDualClusterUpgradeArgs } from "./kong-dual-cluster-upgrade";
import { otherColor, type Color } from "./k8s-upgrade-plan";

/** The component arguments that decide the step (documented on `KongDualClusterUpgradeArgs`). */
export type DualClusterInputs = Pick<
  KongDualClusterUpgradeArgs,
  "currentVersion" | "targetVersion" | "liveColor" | "newTrafficPercent" | "retireOld" | "dropOldCluster" | "dropOldDatabase"
> & {
  /** Whether `newDatabase` was given. */
  readonly hasNewDatabase: boolean;
  /** Whether a Gateway API parent is configured (the weighted form of traffic splitting). */
  readonly hasGateway: boolean;
};

/**
 * - `steady`: target = current; the live cluster and its database's migration only.
 * - `dualCluster`: the clone, its migration (`up` and `finish`), the new cluster, both Admin APIs
 *   off; traffic moves by `newTrafficPercent`.
 * - `cutOver`: `retireOld`; the old cluster scaled to zero, its pods waited for, then the new
 *   cluster's Admin API on.
 * - `oldDropped`: `dropOldCluster`; the old cluster's objects removed (the old database stays unless
 *   `dropOldDatabase`, a separate, explicit flag, drops it).
 */
export type DualClusterPhase = "steady" | "dualCluster" | "cutOver" | "oldDropped";

export interface DualClusterSlot {
  readonly color: Color;
  /** `old` runs currentVersion on `database`; `new` runs targetVersion on the clone. */
  readonly role: "old" | "new";
  readonly version: string;
  readonly database: "database" | "newDatabase";
  readonly adminApi: boolean;
  /** Scaled to zero (retired at the cut-over). */
  readonly retired: boolean;
}

export interface DualClusterPlan {
  readonly phase: DualClusterPhase;
  readonly live: Color;
  /** The slot of the new cluster (the other one). */
  readonly next: Color;
  readonly clusters: readonly DualClusterSlot[];
  /** The `KongDatabaseMigration` on `database` at currentVersion (absent once the old cluster is dropped). */
  readonly liveMigration: boolean;
  /** The `KongDatabaseClone` and the `KongDatabaseMigration` on the clone (up + finish at targetVersion). */
  readonly clone: boolean;
  /** `DROP DATABASE` of `database` (the explicit `dropOldDatabase`; only once the old cluster is dropped). */
  readonly dropOldDatabase: boolean;
  /** The slot whose pods are waited for before the new Admin API comes on. */
  readonly retiring?: Color;
  /** Share of proxy traffic per existing slot (sums to 100). */
  readonly weights: Readonly<Partial<Record<Color, number>>>;
  /** The slot the proxy Service selects: the one with 100 %, or the old one while traffic is split. */
  readonly serviceColor: Color;
  /** What the preview says about this step (logged as warnings on the component). */
  readonly notes: readonly string[];
}

const flagRefusal = (flag: string, current: string) =>
  new KongKubernetesError(
    "UPGRADE_FLAG_WITHOUT_UPGRADE",
    `${flag} is set but no dual-cluster upgrade is in progress (targetVersion equals currentVersion ${current}). ` +
      `Once an upgrade is done, set currentVersion to the new version, liveColor to its slot and database to its database, and drop ${flag}.`,
    flag,
  );

export function planDualCluster(inputs: DualClusterInputs): DualClusterPlan {
  const { current, target, upgrading } = checkedVersions(inputs, {
    example: "3.4.2",
    rollback: () =>
      `To roll back a dual-cluster upgrade, send the traffic back to the old cluster (newTrafficPercent 0): its database ` +
      `was never changed.`,
  });
  const live: Color = inputs.liveColor ?? "blue";
  const next = otherColor(live);
  const percent = inputs.newTrafficPercent ?? 0;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new KongKubernetesError(
      "TRAFFIC_OUT_OF_RANGE",
      `newTrafficPercent must be an integer from 0 to 100 (got ${percent}).`,
      "newTrafficPercent",
    );
  }
  const retire = inputs.retireOld === true;
  const drop = inputs.dropOldCluster === true;
  const dropDatabase = inputs.dropOldDatabase === true;
  if (!upgrading) {
    if (percent > 0) {
      throw new KongKubernetesError(
        "TRAFFIC_TO_MISSING_CLUSTER",
        `newTrafficPercent ${percent} sends traffic to a new cluster, but no upgrade is in progress (targetVersion equals ` +
          `currentVersion ${current}; ${live} runs it). Set newTrafficPercent to 0 or leave it out.`,
        "newTrafficPercent",
      );
    }
    if (retire) throw flagRefusal("retireOld", current);
    if (drop) throw flagRefusal("dropOldCluster", current);
    if (dropDatabase) throw flagRefusal("dropOldDatabase", current);
    return {
      phase: "steady",
      live,
      next,
      clusters: [{ color: live, role: "old", version: current, database: "database", adminApi: true, retired: false }],
      liveMigration: true,
      clone: false,
      dropOldDatabase: false,
      weights: { [live]: 100 },
      serviceColor: live,
      notes: [],
    };
  }
  if (!inputs.hasNewDatabase) {
    throw new KongKubernetesError(
      "NEW_DATABASE_REQUIRED",
      `targetVersion ${target} above currentVersion ${current} starts a dual-cluster upgrade, which needs newDatabase: an ` +
        `existing, empty database for the clone (create it owned by Kong's role, e.g. with @pulumi/postgresql), or keep ` +
        `targetVersion at ${current}.`,
      "newDatabase",
    );
  }
  if (percent > 0 && percent < 100 && !inputs.hasGateway) {
    throw new KongKubernetesError(
      "WEIGHTED_TRAFFIC_NEEDS_GATEWAY",
      `newTrafficPercent ${percent} splits traffic between both clusters, which a Service cannot do: set gateway (a Gateway ` +
        `API Gateway; an HTTPRoute then carries the weights), or use 0 or 100.`,
      "newTrafficPercent",
    );
  }
  if ((retire || drop) && percent !== 100) {
    const flag = retire ? "retireOld" : "dropOldCluster";
    throw new KongKubernetesError(
      "CUT_OVER_WITH_TRAFFIC",
      `${flag} would take the ${live} cluster (${current}) away while it receives ${100 - percent}% of the traffic: move all ` +
        `of it to the new cluster first (newTrafficPercent 100), in an earlier pulumi up.`,
      flag,
    );
  }
  if (drop && !retire) {
    throw new KongKubernetesError(
      "DROP_BEFORE_CUT_OVER",
      `dropOldCluster removes the ${live} cluster's objects, which comes after the cut-over: set retireOld true first (its ` +
        `pods are then waited for and the new cluster's Admin API comes on), and keep it true in the step that sets dropOldCluster.`,
      "dropOldCluster",
    );
  }
  if (dropDatabase && !drop) {
    throw new KongKubernetesError(
      "DROP_DATABASE_BEFORE_CLUSTER",
      `dropOldDatabase drops ${live}'s database, which comes after its cluster is gone: set dropOldCluster (with retireOld) ` +
        `in one pulumi up, and dropOldDatabase in a later one, once you are sure you will not go back.`,
      "dropOldDatabase",
    );
  }
  const phase: DualClusterPhase = drop ? "oldDropped" : retire ? "cutOver" : "dualCluster";
  const weights: Partial<Record<Color, number>> = drop ? { [next]: 100 } : { [live]: 100 - percent, [next]: percent };
  const clusters: DualClusterSlot[] = [];
  if (!drop) clusters.push({ color: live, role: "old", version: current, database: "database", adminApi: false, retired: retire });
  clusters.push({ color: next, role: "new", version: target, database: "newDatabase", adminApi: retire, retired: false });
  const notes: string[] = [];
  if (phase === "dualCluster") {
    notes.push(
      `Kong's dual-cluster rule: no Admin API writes on either side between the clone and the cut-over. ${live} (${current}) ` +
        `runs with its Admin API off (KONG_ADMIN_LISTEN=off) from this step, before the clone is taken; ${next} (${target}, ` +
        `on the clone) starts with it off. Both stay off until retireOld. (Kong has no read-only Admin API mode to leave on: ` +
        `admin_listen is on or off, and Enterprise RBAC read-only roles do not bind a super-admin.)`,
      `Changes Kong itself writes on ${live} after the clone (rate-limiting counters, OAuth2 tokens, sessions) are not in ` +
        `the clone. Rollback at any step before retireOld: newTrafficPercent 0; ${live}'s database is never changed.`,
    );
  } else if (phase === "cutOver") {
    notes.push(
      `Cut-over: ${live} (${current}) is scaled to zero and, once its pods are gone, ${next}'s Admin API comes on. Writes made ` +
        `through it are not in ${live}'s database: a rollback after this step (retireOld false, newTrafficPercent 0) loses them.`,
    );
  } else if (!dropDatabase) {
    notes.push(
      `${live}'s cluster objects are removed; its database is kept (nothing is dropped unless you set dropOldDatabase, ` +
        `in a later pulumi up, once you are sure you will not go back).`,
    );
  } else {
    notes.push(
      `dropOldDatabase: ${live}'s database (${current}) is dropped in this step. This cannot be undone: it was the way back ` +
        `to ${current}. The drop fails, dropping nothing, while any session (an old pod) still uses it.`,
    );
  }
  return {
    phase,
    live,
    next,
    clusters,
    liveMigration: !drop,
    clone: true,
    dropOldDatabase: dropDatabase,
    retiring: retire && !drop ? live : undefined,
    weights,
    serviceColor: percent === 100 ? next : live,
    notes,
  };
}
