/**
 * Which versions inside a catalogued series were really released: the catalogue (`./catalogue.ts`)
 * knows series (`2.1`), not releases, so without this `2.1.99` would be planned as if it existed.
 * Pure data and one check.
 *
 * OSS: the newest patch release of each series, from the Kong/kong release tags (rc/alpha/beta
 * excluded) as of the newest catalogued release 3.9.3 (kong-migrations.md §0). Patch releases of a
 * series are numbered without gaps, so `patch <= newest` is the rule.
 * Enterprise: versions have four components (`2.8.4.2`: OSS base `x.y.z` plus a build). The newest
 * `x.y.z` base per series is taken from Kong Enterprise's changelog as remembered (UNVERIFIED: not
 * read from a source here); build numbers keep growing on supported series (3.4.3.21 exists), so
 * they are bounded only by a plausibility limit. A series missing from these tables is not checked
 * here (the catalogue's series check still applies).
 */
import type { Edition } from "./catalogue-types";
import { parseKongVersion } from "./version";

/** Newest OSS patch release per series. */
const OSS_NEWEST_PATCH: Readonly<Record<string, number>> = {
  "1.0": 4, "1.1": 3, "1.2": 3, "1.3": 1, "1.4": 3, "1.5": 1,
  "2.0": 5, "2.1": 4, "2.2": 2, "2.3": 3, "2.4": 1, "2.5": 2, "2.6": 1, "2.7": 2, "2.8": 5,
  "3.0": 2, "3.1": 1, "3.2": 2, "3.3": 1, "3.4": 2, "3.5": 0, "3.6": 1, "3.7": 1, "3.8": 1, "3.9": 3,
}; // prettier-ignore

/** Newest Enterprise `x.y.z` base per series (UNVERIFIED, see the header). */
const ENTERPRISE_NEWEST_PATCH: Readonly<Record<string, number>> = {
  "2.1": 4, "2.2": 1, "2.3": 3, "2.4": 1, "2.5": 1, "2.6": 1, "2.7": 2, "2.8": 4,
  "3.0": 2, "3.1": 1, "3.2": 2, "3.3": 1, "3.4": 3, "3.5": 0, "3.6": 1, "3.7": 1, "3.8": 1, "3.9": 1,
}; // prettier-ignore

/** Enterprise build numbers above this are not plausible (UNVERIFIED bound, see the header). */
export const ENTERPRISE_MAX_BUILD = 99;

/**
 * Whether `version` (already accepted by `checkVersion`) names a release that exists. The reason
 * names the newest known release of the series and the next step.
 */
export function checkRelease(version: string, edition: Edition): { ok: true } | { ok: false; reason: string } {
  const v = parseKongVersion(version);
  if (!v) return { ok: true }; // checkVersion reports the shape
  const series = `${v.major}.${v.minor}`;
  const parts = version.split(".").length;
  if (edition === "enterprise" && parts === 3) {
    return {
      ok: false,
      reason:
        `"${version}" has three components, but Kong Enterprise versions have four (MAJOR.MINOR.PATCH.BUILD, ` +
        `e.g. ${version}.0): give the full Enterprise version your nodes run (\`kong version\` prints it), ` +
        `or set edition to "oss" for Kong OSS ${version}`,
    };
  }
  const newest = (edition === "oss" ? OSS_NEWEST_PATCH : ENTERPRISE_NEWEST_PATCH)[series];
  const label = edition === "oss" ? "Kong" : "Kong Enterprise";
  if (newest !== undefined && v.patch > newest) {
    const example = edition === "oss" ? `${series}.${newest}` : `${series}.${newest}.x`;
    return {
      ok: false,
      reason:
        `${label} ${version} is not a release: the newest ${series} release this package knows is ${example}. ` +
        `Check the version your nodes run (\`kong version\`); if Kong released it since, upgrade pulumi-kong-migrations`,
    };
  }
  if (edition === "enterprise" && v.build > ENTERPRISE_MAX_BUILD) {
    return {
      ok: false,
      reason:
        `${label} ${version} is not a release: its build number ${v.build} is implausible (builds so far stay ` +
        `below ${ENTERPRISE_MAX_BUILD + 1}). Check the version your nodes run (\`kong version\`)`,
    };
  }
  return { ok: true };
}
