/**
 * Kong Enterprise's own `up` guard (kong-migrations.md §2.8): from Kong Enterprise 2.1, `up` refuses
 * a database on which neither `enterprise 006_1301_to_1500` (Enterprise 1.5.0) nor `core
 * 011_212_to_213` (the 2.1.3 core step a same-version Community database has) is executed, with
 * `EE_NEEDS_UPGRADE("1.5.0")`. Read in the Enterprise `kong/cmd/utils/migrations.lua` (the check
 * sits inside `up`'s cluster mutex, after the state is re-read; comment "detect broken migration
 * path from < 1.5 to 2.1"). That it starts exactly at 2.1.0.0 is UNVERIFIED (EE 2.1 source not
 * read; EE 1.5 cannot have it: its own `up` is what runs `006_1301_to_1500`). Pure.
 */
import type { Edition } from "./catalogue-types";
import type { MigrationsBySubsystem } from "./state";
import { compareVersions } from "./version";

/** The migrations Kong's guard looks for, as `[subsystem, name]`: either one executed passes. */
export const ENTERPRISE_UP_GUARD: readonly (readonly [string, string])[] = [
  ["enterprise", "006_1301_to_1500"],
  ["core", "011_212_to_213"],
];

/** The release the guard demands (`EE_NEEDS_UPGRADE("1.5.0")`). */
export const ENTERPRISE_UP_GUARD_VERSION = "1.5.0";

/** Kong Enterprise's `EE_NEEDS_UPGRADE(version)`, verbatim. */
export function enterpriseNeedsUpgradeMessage(version = ENTERPRISE_UP_GUARD_VERSION): string {
  return (
    `Database is older than Kong Enterprise ${version}.\n\n` +
    `To migrate from a version older than Enterprise ${version}, migrate to Kong Enterprise ${version} first.\n\n` +
    `To migrate from Kong Community Edition, versions should be the same`
  );
}

/** Whether the `up` of `version` of `edition` has the guard (Kong Enterprise 2.1 and later). */
export function hasEnterpriseUpGuard(version: string, edition: Edition): boolean {
  return edition === "enterprise" && compareVersions(version, "2.1.0.0") >= 0;
}

/**
 * Whether Kong's guard lets `up` run: `executed` is what the running version knows to be executed
 * (Kong's `schema_state:is_migration_executed` looks only at the migrations that version knows).
 */
export function passesEnterpriseUpGuard(executed: MigrationsBySubsystem): boolean {
  return ENTERPRISE_UP_GUARD.some(([subsystem, name]) => executed[subsystem]?.includes(name) === true);
}
