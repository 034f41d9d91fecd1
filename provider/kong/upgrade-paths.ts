/**
 * The upgrade paths Kong supports (kong-migrations.md §6). Kong's own code enforces none of them
 * (beyond the Enterprise 1.5 guard of §2.8); the provider refuses the paths Kong's upgrade guides
 * rule out and warns about the ones they do not guarantee. Pure.
 */
import type { Edition } from "./catalogue-types";
import { compareVersions, minorSeries, requireKongVersion } from "./version";

export interface PathVerdict {
  /** Set when Kong does not support going straight from the database's version to the target. */
  readonly refusal?: string;
  /** Supported but not guaranteed, or with a caveat worth reading in a preview. */
  readonly warnings: readonly string[];
}

const below = (a: string, b: string) => compareVersions(a, b) < 0;

/**
 * @param from a lower bound of the database's Kong version (from its executed migrations)
 * @param to the target Kong version
 * @param oldNodesRun whether nodes of the older version may still use the database while `up` runs
 *   (false once `decommissionedOld` is true, e.g. on a dual-cluster clone): the warning about
 *   sharing one database between both versions is then moot
 */
export function checkUpgradePath(from: string, to: string, edition: Edition, oldNodesRun = true): PathVerdict {
  const warnings: string[] = [];
  if (compareVersions(to, from) <= 0) return { warnings };
  const f = requireKongVersion(from);
  const t = requireKongVersion(to);
  const fromSeries = `${minorSeries(f)}.x`;

  if (edition === "enterprise" && !below(to, "2.1.0") && below(from, below(to, "2.2.0") ? "1.5.0" : "2.1.0")) {
    // EE 2.1 needs 1.5.x (and < 1.3 goes through 1.3 first); EE 2.8 upgrades directly from 2.1.x+
    // only, so a 1.x database goes to 2.1 first.
    const hops = [
      ...(below(from, "1.3.0") ? ["1.3.x"] : []),
      ...(below(from, "1.5.0") ? ["1.5.x"] : []),
      "2.1.x",
      ...(t.major >= 3 ? ["2.8.x"] : []), // 3.x upgrades only from 2.8.x (below)
    ]
      .filter((h) => h !== `${minorSeries(t)}.x`)
      .join(", then ");
    return {
      refusal:
        `Kong Enterprise ${to} cannot upgrade a database at ${fromSeries} directly: Kong Enterprise 2.1 ` +
        `requires 1.5.x first, and later 2.x releases upgrade only from 2.1.x or newer. Upgrade through ${hops} ` +
        `(one kongVersion change, up and finish each), then to ${to}.`,
      warnings,
    };
  }
  if (edition === "enterprise" && minorSeries(t) === "1.5" && below(from, "1.3.0")) {
    // The guide's path (EE 2.1.x "Migrating from 1.5.x to 2.1.x"): 0.36 -> 1.3 -> 1.5 -> 2.1.
    return {
      refusal:
        `Kong Enterprise ${to} cannot upgrade a database at ${fromSeries} directly: Kong's Enterprise upgrade path ` +
        `is 0.36 -> 1.3 -> 1.5 -> 2.1. Upgrade through 1.3.x (one kongVersion change, up and finish), then to ${to}.`,
      warnings,
    };
  }
  if (t.major >= 3 && below(from, "2.8.0")) {
    const hops = f.major < 2 ? "2.8.x (from 1.x, Kong 2.8 accepts any 1.0+ database), then 3.x" : "2.8.x, then 3.x";
    return {
      refusal:
        `Kong ${to} cannot upgrade a database at ${fromSeries} directly: Kong 3.x upgrades only from 2.8.x. ` +
        `Upgrade to ${hops}: set kongVersion to the newest 2.8 release, run up and finish, then set it to ${to}.`,
      warnings,
    };
  }
  if (f.major === 2 && t.major === 3) {
    if (oldNodesRun) {
      warnings.push(
        `Kong's guide for 2.8 -> 3.x in traditional mode clones the database and runs up and finish on the clone ` +
          `instead of sharing one database between both versions (KongDualClusterUpgrade in pulumi-kong-migrations/kubernetes ` +
          `does that); check that your 2.8 nodes tolerate ${to}'s up.`,
      );
    }
    const guaranteed = ["3.0", "3.1", "3.4"];
    if (!guaranteed.includes(minorSeries(t))) {
      warnings.push(`${fromSeries} -> ${to} is not one of Kong's guaranteed paths (2.8 -> 3.0, 3.1, or 3.4 LTS).`);
    }
  } else if (f.major === 3 && t.major === 3 && t.minor - f.minor > 1 && !(f.minor === 4 && t.minor === 10)) {
    warnings.push(
      `${fromSeries} -> ${minorSeries(t)}.x skips minor versions: Kong guarantees patch releases, adjacent minors ` +
        `and LTS to LTS. (The database's version is read as a lower bound from its migrations.)`,
    );
  }
  return { warnings };
}
