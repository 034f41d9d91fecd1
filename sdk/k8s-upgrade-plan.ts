/**
 * What a `KongBlueGreenUpgrade` deploys for its inputs: which clusters exist, in which role, with
 * which version, Admin API and replica count, where proxy traffic goes, and what the migration
 * does. Pure; the component only turns this plan into resources.
 *
 * Clusters live in two fixed slots, `blue` and `green`, so that their names never change across
 * steps. `liveColor` is the slot that runs `currentVersion`; an upgrade starts the other slot at
 * `targetVersion`. After an upgrade is finished, the next program sets `currentVersion` to the new
 * version and `liveColor` to the other slot.
 */
import { minorSeries } from "../provider/kong/version";
import { checkedVersions } from "./k8s-checked-versions";
import { KongKubernetesError } from "./k8s-errors";
import type { KongBlueGreenUpgradeArgs } from "./kong-blue-green-upgrade";

export type Color = "blue" | "green";
export const otherColor = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** The component arguments that decide the step (documented on `KongBlueGreenUpgradeArgs`). */
export type UpgradeInputs = Pick<
  KongBlueGreenUpgradeArgs,
  "currentVersion" | "targetVersion" | "liveColor" | "greenTrafficPercent" | "retireBlue" | "retireGreen" | "strategy"
> & {
  /** Whether a Gateway API parent is configured (the weighted form of traffic splitting). */
  readonly hasGateway: boolean;
};

/**
 * - `steady`: target = current; one cluster, the migration at the current version (on a fresh
 *   database it bootstraps before the cluster starts).
 * - `inPlace`: a patch release without migrations; the live cluster is rolled to the target image
 *   after the migration resource has confirmed nothing needs to run.
 * - `blueGreen`: a second cluster at the target version, started after `kong migrations up`.
 */
export type UpgradeShape = "steady" | "inPlace" | "blueGreen";

export interface ClusterPlan {
  readonly color: Color;
  /** `current` runs currentVersion (the live slot); `target` runs targetVersion (the new slot). */
  readonly role: "current" | "target";
  readonly version: string;
  readonly adminApi: boolean;
  /** Scaled to zero (being retired before `finish`). */
  readonly retired: boolean;
  /** Its Deployment waits for the migration (bootstrap, up, or finish). */
  readonly dependsOnMigration: boolean;
}

export interface UpgradePlan {
  readonly shape: UpgradeShape;
  readonly live: Color;
  /** The version the migration resource targets. */
  readonly migrationVersion: string;
  readonly clusters: readonly ClusterPlan[];
  /** The slot retired before `finish` (its pods must be gone first), if any. */
  readonly retiring?: Color;
  /** Share of proxy traffic per existing slot (sums to 100). */
  readonly weights: Readonly<Partial<Record<Color, number>>>;
  /** The slot the proxy Service selects: the one with 100%, or the live one while traffic is split. */
  readonly serviceColor: Color;
}

/**
 * @param newMigrations how many migrations `to` has that `from` has not (from the catalogue), or
 *   undefined when the catalogue cannot tell (an unknown version): then blue/green, the safe shape.
 */
export function planUpgrade(inputs: UpgradeInputs, newMigrations: (from: string, to: string) => number | undefined): UpgradePlan {
  const { current, target, upgrading } = checkedVersions(inputs, {
    example: "2.1.4",
    rollback: () =>
      `To roll back an upgrade that is not finished, send the traffic back to the current cluster ` +
      `(greenTrafficPercent); after finish only a database restore brings the old version back.`,
  });
  const live: Color = inputs.liveColor ?? "blue";
  const next = otherColor(live);
  let shape: UpgradeShape = "steady";
  if (upgrading) {
    const samePatchSeries = minorSeries(current) === minorSeries(target);
    shape = inputs.strategy !== "blueGreen" && samePatchSeries && newMigrations(current, target) === 0 ? "inPlace" : "blueGreen";
  }

  const percent = inputs.greenTrafficPercent ?? (live === "green" ? 100 : 0);
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new KongKubernetesError(
      "TRAFFIC_OUT_OF_RANGE",
      `greenTrafficPercent must be an integer from 0 to 100 (got ${percent}).`,
      "greenTrafficPercent",
    );
  }
  const weights: Partial<Record<Color, number>> = { blue: 100 - percent, green: percent };
  const exists = (c: Color) => c === live || shape === "blueGreen";
  for (const c of ["blue", "green"] as const) {
    if (!exists(c)) {
      if (weights[c]! > 0) {
        throw new KongKubernetesError(
          "TRAFFIC_TO_MISSING_CLUSTER",
          `greenTrafficPercent ${percent} sends ${weights[c]}% of the traffic to the ${c} cluster, which does not exist ` +
            `(${shape === "inPlace" ? `${current} -> ${target} is a patch upgrade without migrations, done in place in ${live}` : `no upgrade is in progress; ${live} runs ${current}`}). ` +
            `Set greenTrafficPercent to ${live === "green" ? 100 : 0}.`,
          "greenTrafficPercent",
        );
      }
      delete weights[c];
    }
  }
  if (percent > 0 && percent < 100 && !inputs.hasGateway) {
    throw new KongKubernetesError(
      "WEIGHTED_TRAFFIC_NEEDS_GATEWAY",
      `greenTrafficPercent ${percent} splits traffic between both clusters, which a Service cannot do: set gateway ` +
        `(a Gateway API Gateway; an HTTPRoute then carries the weights), or use 0 or 100.`,
      "greenTrafficPercent",
    );
  }

  const retire = { blue: inputs.retireBlue === true, green: inputs.retireGreen === true };
  let retiring: Color | undefined;
  for (const c of ["blue", "green"] as const) {
    if (!retire[c]) continue;
    const flag = c === "blue" ? "retireBlue" : "retireGreen";
    if (shape !== "blueGreen") {
      throw new KongKubernetesError(
        "RETIRE_WITHOUT_UPGRADE",
        `${flag} is set but no blue/green upgrade is in progress (${shape === "inPlace" ? `${current} -> ${target} runs in place` : `targetVersion equals currentVersion ${current}`}). ` +
          `Once an upgrade is finished, set currentVersion to the new version and liveColor to the new cluster, and drop ${flag}.`,
        flag,
      );
    }
    if (c === next) {
      throw new KongKubernetesError(
        "RETIRE_NEW_CLUSTER",
        `${flag} would retire the ${c} cluster, which runs the target version ${target}. Only the cluster running ` +
          `currentVersion (${live}) can be retired before finish; to abandon the upgrade, send the traffic back to ${live}.`,
        flag,
      );
    }
    if (weights[c]! > 0) {
      throw new KongKubernetesError(
        "RETIRE_WITH_TRAFFIC",
        `${flag} would scale the ${c} cluster to zero while it receives ${weights[c]}% of the traffic: move all of it ` +
          `to ${next} first (greenTrafficPercent ${next === "green" ? 100 : 0}), in an earlier pulumi up.`,
        flag,
      );
    }
    retiring = c;
  }

  const clusters: ClusterPlan[] = [];
  if (shape === "blueGreen") {
    clusters.push({
      color: live,
      role: "current",
      version: current,
      adminApi: true,
      retired: retiring === live,
      dependsOnMigration: false,
    });
    // The new cluster's Admin API stays off until finish: Kong's blue/green rule is that nobody
    // writes through the new version's Admin API while both versions share the database.
    clusters.push({ color: next, role: "target", version: target, adminApi: retiring === live, retired: false, dependsOnMigration: true });
  } else {
    clusters.push({ color: live, role: "current", version: target, adminApi: true, retired: false, dependsOnMigration: true });
  }
  const serviceColor: Color = percent === 100 ? "green" : percent === 0 ? "blue" : live;
  return { shape, live, migrationVersion: target, clusters, retiring, weights, serviceColor };
}
