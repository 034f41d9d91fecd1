/** Shapes shared by the migration catalogue and everything that reads it. Pure. */

/** `oss` is Kong Gateway (open source); `enterprise` is Kong Gateway Enterprise. */
export type Edition = "oss" | "enterprise";

/** One migration as a Kong version knows it. */
export interface Migration {
  readonly name: string;
  /** True when the postgres block has a `teardown`: `up` records it as pending until `finish`. */
  readonly teardown: boolean;
}

/** The ordered migrations of one subsystem (`core`, `enterprise`, or a plugin name). */
export interface Subsystem {
  readonly subsystem: string;
  readonly migrations: readonly Migration[];
}

/** The Kong nodes that will run against the database. */
export interface KongTarget {
  /** Kong version, e.g. `2.1.4` (OSS) or `2.8.4.2` (Enterprise). */
  readonly version: string;
  readonly edition: Edition;
  /**
   * What `KONG_PLUGINS` will be: plugin names, where `bundled` expands to the version's bundled
   * plugins and `off` alone means none. Undefined means `["bundled"]` (Kong's default).
   * `["all"]` is not a Kong value: it asks for every catalogued plugin (used to detect a database
   * newer than the target whatever the plugin list).
   */
  readonly plugins?: readonly string[];
}
