/**
 * The migration catalogue: which migrations a Kong version knows, per edition and plugin list.
 * Pure (data in `./catalogue-data/`, no I/O). Reference: kong-migrations.md §4 (how Kong builds its
 * list of known migrations), §5 (the names), §5.3 (patch releases with migrations).
 */
import type { Edition, KongTarget, Migration, Subsystem } from "./catalogue-types";
import { ENTERPRISE } from "./catalogue-data/enterprise";
import type { CatalogueEntry, EditionData } from "./catalogue-data/entry";
import { OSS } from "./catalogue-data/oss";
import { compareVersions, minorSeries, parseKongVersion, type KongVersion } from "./version";

const DATA: Readonly<Record<Edition, EditionData>> = { oss: OSS, enterprise: ENTERPRISE };

/** Subsystems that are not plugins, in the order Kong loads them (`kong/db/migrations/subsystems.lua`). */
const BASE_SUBSYSTEMS = ["core", "enterprise"] as const;

const isPlugin = (subsystem: string): boolean => !(BASE_SUBSYSTEMS as readonly string[]).includes(subsystem);

const hasAt = (m: CatalogueEntry, v: KongVersion): boolean =>
  compareVersions(v, m.since) >= 0 && (m.until === undefined || compareVersions(v, m.until) < 0);

const introducedBy = (m: CatalogueEntry, v: KongVersion): boolean => compareVersions(v, m.since) >= 0;

const toMigration = (m: CatalogueEntry): Migration => ({ name: m.name, teardown: m.teardown });

/** `["all"]` exactly: the reference list, not a Kong value (see `KongTarget.plugins`). */
const isAll = (plugins: readonly string[] | undefined): boolean => plugins?.length === 1 && plugins[0] === "all";

/** Negative, zero or positive: the version's minor series against `major.minor`. */
function compareSeries(v: KongVersion, series: string): number {
  const [major, minor] = series.split(".").map(Number);
  return v.major - major || v.minor - minor;
}

/** `1.0-1.5, 2.0-2.8, 3.0-3.9` for the catalogued series: runs of consecutive minors (`0.36, 1.3, 1.5, 2.1-2.8`). */
function describeSeries(series: readonly string[]): string {
  const runs: string[][] = [];
  for (const s of series) {
    const last = runs.at(-1)?.at(-1);
    const [major, minor] = s.split(".").map(Number);
    const [lastMajor, lastMinor] = (last ?? "-1.-1").split(".").map(Number);
    if (last !== undefined && major === lastMajor && minor === lastMinor + 1) runs[runs.length - 1].push(s);
    else runs.push([s]);
  }
  return runs.map((g) => (g.length === 1 ? g[0] : `${g[0]}-${g[g.length - 1]}`)).join(", ");
}

function versionShape(text: string, edition: Edition): string | undefined {
  const example = edition === "oss" ? "MAJOR.MINOR.PATCH, e.g. 3.9.0" : "MAJOR.MINOR.PATCH[.BUILD], e.g. 3.4.3.12";
  // Kong Enterprise 0.3x was published as `0.36-2` (package and `kong version`); the catalogue
  // writes it with four components like every later Enterprise release.
  const dashed = /^0\.(3\d)-(\d{1,4})$/.exec(text);
  if (dashed && edition === "enterprise") {
    return `"${text}": write Kong Enterprise ${text} with four components, "0.${dashed[1]}.0.${dashed[2]}"`;
  }
  const stripped = text.replace(/^v(?=\d)/, "");
  if (stripped !== text && parseKongVersion(stripped)) {
    return `"${text}" is not a Kong version: drop the "v" prefix ("${stripped}")`;
  }
  if (!parseKongVersion(text)) return `"${text}" is not a Kong version (expected ${example})`;
  if (edition === "oss" && text.split(".").length === 4) {
    return (
      `"${text}" has four components, which only Kong Enterprise versions have: set edition to ` +
      `"enterprise", or give the Kong OSS version as MAJOR.MINOR.PATCH`
    );
  }
  return undefined;
}

/**
 * Whether this package can manage `version` of `edition`: it must parse (OSS: `MAJOR.MINOR.PATCH`;
 * Enterprise: `MAJOR.MINOR.PATCH.BUILD`) and fall in a catalogued minor series (OSS 1.0-3.9,
 * Enterprise 0.36, 1.3, 1.5, 2.1-3.9). The reason names the catalogue's range and the next step.
 */
export function checkVersion(version: string, edition: Edition): { ok: true } | { ok: false; reason: string } {
  const data = DATA[edition];
  const newest = `${data.series[data.series.length - 1]}.x`;
  const oldest = `${data.series[0]}.x`;
  const shape = versionShape(version, edition);
  if (shape) return { ok: false, reason: `${shape}; newest catalogued: ${newest}` };
  const v = parseKongVersion(version) as KongVersion;
  const name = `${data.label} ${version}`;
  if (data.series.includes(minorSeries(v))) return { ok: true };
  if (compareSeries(v, data.series[data.series.length - 1]) > 0) {
    return { ok: false, reason: `${name} is newer than this package's catalogue (newest: ${newest}); upgrade pulumi-kong-migrations` };
  }
  if (compareSeries(v, data.series[0]) < 0) {
    const firstStep =
      edition === "oss"
        ? `Kong < 1.0 keeps its migrations in the legacy schema_migrations table: upgrade the database with ` +
          `Kong's own tools first (to 0.14.1, then 1.5.x with kong migrations migrate-apis)`
        : `Kong Enterprise before 0.36 is not catalogued: upgrade the database to Kong Enterprise 0.36 with Kong's own tools first`;
    return { ok: false, reason: `${name} is older than this package's catalogue (oldest: ${oldest}, newest: ${newest}); ${firstStep}` };
  }
  return {
    ok: false,
    reason: `${name} is not a release series this package catalogues (${describeSeries(data.series)}); check the version`,
  };
}

/** The parsed version, or a plain Error with `checkVersion`'s reason. */
function requireCatalogued(version: string, edition: Edition): KongVersion {
  const verdict = checkVersion(version, edition);
  if (!verdict.ok) throw new Error(verdict.reason);
  return parseKongVersion(version) as KongVersion;
}

/** The newest catalogued minor series as `MAJOR.MINOR.x` (`3.9.x`). */
export function newestCataloguedVersion(edition: Edition): string {
  const series = DATA[edition].series;
  return `${series[series.length - 1]}.x`;
}

/**
 * Plugins with migrations that `version` bundles (what `bundled` in `KONG_PLUGINS` contributes to
 * the migration list), sorted. OSS: the 1.0 auth/rate-limiting plugins, `session` from 1.3.0 (a
 * bundled rock until 2.6.0), `acme` from 2.0.0 (likewise), `bot-detection` and `ip-restriction`
 * from 2.1.0, `http-log`/`pre-function`/`post-function` from 3.0.0, `opentelemetry` from 3.6.1,
 * `ai-proxy` from 3.7.0. Enterprise: the same OSS plugins only (Enterprise-only plugins are not
 * catalogued). Throws when the version is not catalogued (see `checkVersion`).
 */
export function bundledPlugins(version: string, edition: Edition): string[] {
  const v = requireCatalogued(version, edition);
  return Object.entries(DATA[edition].subsystems)
    .filter(([subsystem, entries]) => isPlugin(subsystem) && entries.some((m) => hasAt(m, v)))
    .map(([subsystem]) => subsystem)
    .sort();
}

/**
 * The plugin names `KONG_PLUGINS` loads, as `kong/conf_loader` merges them: undefined means
 * `bundled`; a list starting with `off` loads nothing; `off` elsewhere is skipped; `bundled`
 * expands; names are trimmed.
 */
function loadedPlugins(target: KongTarget): string[] {
  const list = (target.plugins ?? ["bundled"]).map((p) => p.trim());
  if (list.length === 0 || list[0] === "off") return [];
  const out = new Set<string>();
  for (const name of list) {
    if (name === "off" || name === "") continue;
    if (name === "bundled") for (const p of bundledPlugins(target.version, target.edition)) out.add(p);
    else out.add(name);
  }
  return [...out];
}

/**
 * The migrations `target` knows, as Kong lists them (§4): `core`, then `enterprise` (Enterprise),
 * then plugin subsystems sorted by name — Kong's order since 2.4.0 (commit f835892635); 2.1.x-2.3.x
 * iterate plugins in Lua hash order, so their log lines may come in another order, but the sets
 * are the same. Each subsystem's migrations are in its `init.lua` order.
 *
 * Plugins follow `KONG_PLUGINS` (`target.plugins`): undefined is `["bundled"]`, `["off"]` is none,
 * names not in the catalogue (custom plugins) contribute nothing — `uncataloguedPlugins` returns
 * them — and plugin subsystems without a migration at that version are left out, as Kong does.
 *
 * `plugins: ["all"]` is not a Kong value: it returns the reference for detecting a database newer
 * than the target (`computeState`'s `reference`): every subsystem the edition's catalogue has, even
 * with no migration at that version, with every name introduced at or before the version —
 * including names the version has retired (the 1.x-only `001_14_to_15`), which a database that
 * came from 1.x still records and which are older, not newer.
 *
 * Throws a plain Error with `checkVersion`'s reason when the version is not catalogued.
 */
export function knownMigrations(target: KongTarget): Subsystem[] {
  const v = requireCatalogued(target.version, target.edition);
  const { subsystems } = DATA[target.edition];
  const all = isAll(target.plugins);
  const keep = all ? (m: CatalogueEntry) => introducedBy(m, v) : (m: CatalogueEntry) => hasAt(m, v);
  const plugins = all ? Object.keys(subsystems).filter(isPlugin) : loadedPlugins(target).filter((p) => p in subsystems);

  const out: Subsystem[] = [];
  for (const subsystem of [...BASE_SUBSYSTEMS.filter((s) => s in subsystems), ...plugins.sort()]) {
    const migrations = subsystems[subsystem].filter(keep).map(toMigration);
    if (all || !isPlugin(subsystem) || migrations.length > 0) out.push({ subsystem, migrations });
  }
  return out;
}

/**
 * Names in `target.plugins` that the catalogue does not know (custom plugins; Enterprise-only
 * plugins): they contribute no migrations to `knownMigrations`, so their migrations are neither
 * planned nor checked — callers should warn. Bundled plugins known to have no migrations are not
 * reported. Empty for `["all"]`, `["off"]` and `bundled`. Throws like `knownMigrations`.
 */
export function uncataloguedPlugins(target: KongTarget): string[] {
  requireCatalogued(target.version, target.edition);
  if (isAll(target.plugins)) return [];
  const { subsystems, pluginsWithoutMigrations } = DATA[target.edition];
  // `bundled` expands to catalogued names only, so what is left is what the user named.
  return loadedPlugins(target).filter((p) => !(p in subsystems) && !pluginsWithoutMigrations.includes(p));
}

/**
 * The release that introduced `name` in `subsystem` (`2.1.3`; Enterprise `1.5.0.0`), or undefined
 * when the catalogue does not have it. Enterprise answers are derived (UNVERIFIED, see
 * `catalogue-data/enterprise.ts`).
 */
export function introducedIn(edition: Edition, subsystem: string, name: string): string | undefined {
  return DATA[edition].subsystems[subsystem]?.find((m) => m.name === name)?.since;
}

/**
 * A lower bound of the Kong version that last migrated the database: the newest release that
 * introduced any catalogued name recorded in `schema_meta`. Pass executed **and** pending names
 * (Kong's `executed` and `pending` columns): a pending migration's `up` has run, so the database has
 * seen that version. Unknown subsystems and names are ignored; undefined when nothing catalogued is
 * recorded. Examples: a 2.0.x database bootstrapped with bundled plugins -> `2.0.0`; after `up` with
 * 2.1.4 -> `2.1.3` (its newest migrations came with 2.1.3). Not a version check: any string works.
 */
export function databaseVersionLowerBound(recorded: Readonly<Record<string, readonly string[]>>, edition: Edition): string | undefined {
  let best: string | undefined;
  for (const [subsystem, names] of Object.entries(recorded)) {
    for (const name of names) {
      const since = introducedIn(edition, subsystem, name);
      if (since !== undefined && (best === undefined || compareVersions(since, best) > 0)) best = since;
    }
  }
  return best;
}

/**
 * Whether the catalogue's `name` in `subsystem` has a teardown (undefined when the catalogue does
 * not have it): a migration without one is recorded `executed` by `up` and leaves the tables the
 * older version reads alone (kong-migrations.md §3.1).
 */
export function hasTeardown(edition: Edition, subsystem: string, name: string): boolean | undefined {
  return DATA[edition].subsystems[subsystem]?.find((m) => m.name === name)?.teardown;
}

/**
 * The names in `migrations` whose catalogue entry is `verified: false` (UNVERIFIED: the Kong source
 * that would settle it was not read), per subsystem; names the catalogue lacks are left out.
 */
export function unverifiedMigrations(edition: Edition, migrations: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [subsystem, names] of Object.entries(migrations)) {
    const entries = DATA[edition].subsystems[subsystem] ?? [];
    const list = names.filter((n) => entries.find((m) => m.name === n)?.verified === false);
    if (list.length) out[subsystem] = list;
  }
  return out;
}
