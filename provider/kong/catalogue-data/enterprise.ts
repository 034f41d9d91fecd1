/**
 * Kong Gateway Enterprise migrations, catalogued for the series 0.36, 1.3, 1.5 (the EE 1.x line of
 * Kong's guide "Migrating from 1.5.x to 2.1.x": 0.36 -> 1.3 -> 1.5 -> 2.1; there was no EE 0.37,
 * 1.0-1.2, 1.4 or 2.0) and 2.1 through 3.9. Enterprise versions have four components (2.8.4.2,
 * 1.5.0.11, 1.3.0.2); EE 0.36 was published as `0.36-N`, written here `0.36.0.N`.
 *
 * Everything here is `verified: false` (UNVERIFIED): EE 2.x source was not read. What is known:
 * - kong-migrations.md §5.1: the `core` and `enterprise` lists of the `FTI-6378` branch (~EE 3.10)
 *   — names and list order. Versions are derived from the names (`006_1301_to_1500` => 1.5.0.0;
 *   shared core names map OSS x.y.z to EE x.y.z.0), so a migration Kong backported to an
 *   earlier EE patch release, or added later than its name says, is placed wrongly.
 * - Stored copies of the Lua files in Kong/kong (`kong/enterprise_edition/db/migrations/enterprise/`,
 *   `kong/db/migrations/core/014_230_to_260.lua` …) for the teardown flags; their tags are unknown.
 * - A stored EE `enterprise/init.lua` from the 2.2.1.x era lists 000_base … 010_2200_to_2211 without
 *   `010_1500_to_2100`, although its name says 2.1: it is placed at 2.3.0.0.
 * - EE 1.x names (retired when EE 2.1 dropped the pre-1.5 upgrade steps) are kept with `until`
 *   2.1.0.0 so that a database that came through EE 1.x is not mistaken for a newer one. Their
 *   `since` values are conservative lower bounds read from the names (`003_035-1_to_036-2` is
 *   placed at 0.36.0.0, not 0.36.0.2: a 0.36-1 database then merely looks "not up to date").
 * - The EE 1.x `core` list is the OSS one of the CE release each EE line was built on (EE 0.36 on
 *   CE 1.2, EE 1.3 on CE 1.3, EE 1.5 on CE 1.5: `003_100_to_110`/`004_110_to_120` at 0.36,
 *   `005_120_to_130` at 1.3, `006_130_to_140`/`007_140_to_150` at 1.5), plus the EE-only
 *   `001_13_to_14`. UNVERIFIED: EE 1.x `core/init.lua` was not read.
 * Not catalogued: the `enterprise.<plugin>` subsystems (e.g. `enterprise.acl`) and Enterprise-only
 * plugins with migrations (rate-limiting-advanced, openid-connect, key-auth-enc, …). Plugin
 * subsystems shared with OSS are assumed to carry the OSS migrations from the same x.y.z.
 */
import { entry, seriesRange, type CatalogueEntry, type EditionData } from "./entry";
import { OSS } from "./oss";

const ee = (name: string, since: string, teardown = false, until?: string): CatalogueEntry =>
  entry(name, since, teardown, until ? { until, verified: false } : { verified: false });
const TEARDOWN = true;
const BEFORE_2_1 = "2.1.0.0";

/**
 * The EE release that first carried an OSS migration of `x.y.z`: CE 1.0 -> EE 0.35, CE 1.1/1.2 ->
 * EE 0.36, CE 1.4 -> EE 1.5 (no EE 1.4), CE 2.0 -> EE 2.1 (no EE 2.0), otherwise `x.y.z.0`.
 * UNVERIFIED: which CE release each EE line was built on is read from the core lists above.
 */
function toEE(v: string): string {
  const [major, minor] = v.split(".").map(Number);
  if (major === 1 && minor === 0) return "0.35.0.0";
  if (major === 1 && minor <= 2) return "0.36.0.0";
  if (major === 1 && minor === 4) return "1.5.0.0";
  if (major === 2 && minor === 0) return "2.1.0.0";
  return `${v}.0`;
}

/** The OSS plugin subsystems with EE versions (UNVERIFIED, see the header). */
function sharedPlugins(): Record<string, readonly CatalogueEntry[]> {
  const out: Record<string, readonly CatalogueEntry[]> = {};
  for (const [subsystem, entries] of Object.entries(OSS.subsystems)) {
    if (subsystem === "core") continue;
    out[subsystem] = entries.map((m) => ee(m.name, toEE(m.since), m.teardown, m.until && toEE(m.until)));
  }
  return out;
}

export const ENTERPRISE: EditionData = {
  label: "Kong Enterprise",
  series: ["0.36", "1.3", "1.5", ...seriesRange(2, 1, 8), ...seriesRange(3, 0, 9)],
  subsystems: {
    core: [
      ee("000_base", "0.35.0.0"),
      ee("001_13_to_14", "0.35.0.0", TEARDOWN, BEFORE_2_1), // EE only (EE 1.x core/init.lua); teardown UNVERIFIED
      ee("001_14_to_15", "0.35.0.0", TEARDOWN, BEFORE_2_1),
      ee("002_15_to_1", "0.35.0.0", TEARDOWN, BEFORE_2_1),
      ee("003_100_to_110", "0.36.0.0"),
      ee("004_110_to_120", "0.36.0.0"),
      ee("005_120_to_130", "1.3.0.0", TEARDOWN),
      ee("006_130_to_140", "1.5.0.0"), // there was no EE 1.4
      ee("007_140_to_150", "1.5.0.0"),
      ee("008_150_to_200", "2.1.0.0", TEARDOWN), // there was no EE 2.0
      ee("009_200_to_210", "2.1.0.0", TEARDOWN),
      ee("010_210_to_211", "2.1.1.0"),
      ee("011_212_to_213", "2.1.3.0"),
      ee("012_213_to_220", "2.2.0.0", TEARDOWN),
      ee("013_220_to_230", "2.3.0.0"),
      // §5.1: from here the EE list differs from OSS (014_230_to_270, 015_270_to_280).
      ee("014_230_to_260", "2.6.0.0", TEARDOWN),
      ee("015_260_to_270", "2.7.0.0"),
      ee("016_270_to_280", "2.8.0.0"),
      ee("016_280_to_300", "3.0.0.0", TEARDOWN),
      ee("017_300_to_310", "3.1.0.0"),
      ee("018_310_to_320", "3.2.0.0"),
      ee("019_320_to_330", "3.3.0.0"),
      ee("020_330_to_340", "3.4.0.0"),
      ee("021_340_to_350", "3.5.0.0"),
      ee("022_350_to_360", "3.6.0.0"),
      ee("023_360_to_370", "3.7.0.0"),
      ee("024_380_to_390", "3.9.0.0"),
      ee("025_390_to_3100", "3.10.0.0"), // FTI-6378 (~3.10): beyond the catalogued series
    ],
    enterprise: [
      ee("000_base", "0.35.0.0"), // teardown UNVERIFIED (file not read: too large to check)
      // EE 0.3x/1.3 steps (stored files; absent from the 2.2.1-era list). Teardown UNVERIFIED.
      ee("001_034_to_035", "0.35.0.0", false, BEFORE_2_1),
      ee("002_035_to_035-1", "0.35.0.0", false, BEFORE_2_1),
      ee("003_035-1_to_036-2", "0.36.0.0", false, BEFORE_2_1),
      ee("004_036-2_to_037", "0.37.0.0", false, BEFORE_2_1),
      ee("005_037_to_1301", "1.3.0.1", false, BEFORE_2_1),
      // §5.1 list order from here.
      ee("006_1301_to_1500", "1.5.0.0", TEARDOWN),
      ee("006_1301_to_1302", "1.3.0.2"),
      ee("010_1500_to_2100", "2.3.0.0", TEARDOWN), // name says 2.1.0.0; see header
      ee("007_1500_to_1504", "1.5.0.4", TEARDOWN), // empty teardown function: still pending after up
      ee("008_1504_to_1505", "1.5.0.5", TEARDOWN),
      ee("007_1500_to_2100", "2.1.0.0", TEARDOWN),
      ee("009_1506_to_1507", "1.5.0.7", TEARDOWN),
      ee("009_2100_to_2200", "2.2.0.0", TEARDOWN),
      ee("010_2200_to_2211", "2.2.1.1", TEARDOWN),
      ee("010_2200_to_2300", "2.3.0.0"),
      ee("010_2200_to_2300_1", "2.3.0.0", TEARDOWN),
      ee("011_2300_to_2600", "2.6.0.0", TEARDOWN),
      ee("012_2600_to_2700", "2.7.0.0"),
      ee("012_2600_to_2700_1", "2.7.0.0", TEARDOWN),
      ee("013_2700_to_2800", "2.8.0.0", TEARDOWN), // teardown only
      ee("014_2800_to_3000", "3.0.0.0"),
      ee("015_3000_to_3100", "3.1.0.0"),
      ee("016_3100_to_3200", "3.2.0.0"),
      ee("017_3200_to_3300", "3.3.0.0"),
      ee("018_3300_to_3400", "3.4.0.0"),
      // No 3.4 -> 3.5 step in the list.
      ee("019_3500_to_3600", "3.6.0.0", TEARDOWN),
      ee("020_3600_to_3700", "3.7.0.0"),
      ee("021_3700_to_3800", "3.8.0.0", TEARDOWN),
      ee("021_3700_to_3800_1", "3.8.0.0"),
      ee("022_3800_to_3900", "3.9.0.0"),
    ],
    ...sharedPlugins(),
  },
  pluginsWithoutMigrations: OSS.pluginsWithoutMigrations,
};
