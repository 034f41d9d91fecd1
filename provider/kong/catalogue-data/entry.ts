/**
 * The shape of the catalogue data: one entry per migration name, with the versions that have it.
 * Pure data, read by `../catalogue.ts`. Sources and the UNVERIFIED rule: kong-migrations.md §0, §5.
 */

/** One migration name of one subsystem, over the life of the edition. */
export interface CatalogueEntry {
  readonly name: string;
  /** The postgres block has a `teardown`: `up` records the migration as pending until `finish`. */
  readonly teardown: boolean;
  /** First release that has it (`2.1.3`; Enterprise `2.8.0.0`). */
  readonly since: string;
  /** First release that no longer has it (the 1.x-only 0.14 upgrade steps). */
  readonly until?: string;
  /**
   * Present (always `false`) when a fact of the entry could not be checked against Kong's source
   * or kong-migrations.md. The comment next to the entry says UNVERIFIED and what is known.
   */
  readonly verified?: false;
}

/** Everything the catalogue knows about one edition. */
export interface EditionData {
  /** How messages name the edition: `Kong` or `Kong Enterprise`. */
  readonly label: string;
  /** Catalogued minor series, oldest first (`1.0` … `3.9`); only these versions are accepted. */
  readonly series: readonly string[];
  /** Subsystem -> entries in Kong's list order (`migrations/init.lua`), retired names included. */
  readonly subsystems: Readonly<Record<string, readonly CatalogueEntry[]>>;
  /**
   * Bundled plugins that have no migrations in any catalogued version: naming them in
   * `KONG_PLUGINS` is not a reason to warn about an uncatalogued plugin.
   */
  readonly pluginsWithoutMigrations: readonly string[];
}

/** Entry builder that keeps the data tables one line per migration. */
export function entry(
  name: string,
  since: string,
  teardown = false,
  more: { readonly until?: string; readonly verified?: false } = {},
): CatalogueEntry {
  return { name, since, teardown, ...more };
}

/** `1.0` … `1.5` for (1, 0, 5). */
export function seriesRange(major: number, fromMinor: number, toMinor: number): string[] {
  const out: string[] = [];
  for (let m = fromMinor; m <= toMinor; m++) out.push(`${major}.${m}`);
  return out;
}
