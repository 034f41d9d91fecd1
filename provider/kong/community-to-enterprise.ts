/**
 * Kong Community (OSS) -> Kong Enterprise on the same database, as Kong's guides describe it
 * (kong-migrations.md §2.8; Kong/docs.konghq.com `app/enterprise/1.5.x/deployment/migrations.md`,
 * `app/enterprise/2.1.x/deployment/upgrades/migrations.md`): point Kong Enterprise of the **same**
 * version at the Community database, run `up` and `finish` (after which Community nodes cannot run
 * on it), then, up to Enterprise 1.5, `kong migrations migrate-community-to-enterprise` once (from
 * Enterprise 2.1 `up`/`finish` do that themselves). A Community database older than 1.5 is upgraded
 * to Community 1.5 first. Pure.
 */
import type { KongTarget } from "./catalogue-types";
import { compareVersions, minorSeries } from "./version";

export const MIGRATE_COMMUNITY_COMMAND = "migrate-community-to-enterprise";

/**
 * Why an Enterprise `target` may not take over a Community database whose Kong version is at least
 * `communityVersion` (a lower bound read from its migrations); undefined when it may.
 */
export function communityToEnterpriseRefusal(communityVersion: string, target: KongTarget): string | undefined {
  const ce = minorSeries(communityVersion);
  const ee = minorSeries(target.version);
  const guide =
    `Kong's guide: Kong Community moves to Kong Enterprise only at the same version, from Community 1.5 or later ` +
    `(point Kong Enterprise of that version at the database, run up and finish, then, for 1.5, migrate-community-to-enterprise)`;
  if (compareVersions(communityVersion, "1.5.0") < 0) {
    return (
      `The database is a Kong Community database at ${ce}.x and kongVersion is Kong Enterprise ${target.version}. ${guide}. ` +
      `Upgrade it as Community first (edition "oss", kongVersion 1.5.x, up and finish), then set edition to ` +
      `"enterprise" with a Kong Enterprise 1.5.0.x kongVersion.`
    );
  }
  if (ce !== ee) {
    return (
      `The database is a Kong Community database at ${ce}.x and kongVersion is Kong Enterprise ${target.version}. ${guide}. ` +
      `Set kongVersion to a Kong Enterprise ${ce}.x release (or upgrade the Community database to ${ee}.x first, with ` +
      `edition "oss"), then upgrade Kong Enterprise from there.`
    );
  }
  return undefined;
}

/**
 * Why `migrateCommunityEntities: true` cannot apply to `target`; undefined when it can. Only Kong
 * Enterprise 1.5 needs the explicit command on the guide's path (older Community is upgraded to 1.5
 * first; from Enterprise 2.1 `up` and `finish` migrate the entities themselves).
 */
export function migrateCommunityInputRefusal(target: KongTarget): string | undefined {
  if (target.edition !== "enterprise") {
    return `migrateCommunityEntities runs Kong Enterprise's kong migrations ${MIGRATE_COMMUNITY_COMMAND}: set edition to "enterprise" (or remove migrateCommunityEntities).`;
  }
  const series = minorSeries(target.version);
  if (compareVersions(target.version, "2.1.0.0") >= 0) {
    return (
      `Kong Enterprise ${target.version} migrates Community entities during up and finish (from Enterprise 2.1, Kong's guide: ` +
      `"it is no longer necessary to explicitly run the migrate-community-to-enterprise command"): remove migrateCommunityEntities.`
    );
  }
  if (series !== "1.5") {
    return (
      `migrateCommunityEntities is for Kong Enterprise 1.5 (kongVersion is ${target.version}): Kong's guide moves Community ` +
      `to Enterprise from 1.5 or later; upgrade the Community database to 1.5 first.`
    );
  }
  return undefined;
}
