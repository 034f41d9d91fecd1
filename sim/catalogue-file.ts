/**
 * `KONG_SIM_CATALOGUE_FILE`: kong-sim impersonates a release the bundled catalogue does not know
 * (a newer Kong, an Enterprise build, a custom plugin's migrations), so that planning from Kong's
 * own `kong migrations list` can be tested against releases the catalogue cannot answer for.
 *
 * The file is JSON:
 *
 *   { "version": "3.10.0", "edition": "oss",
 *     "subsystems": [ { "subsystem": "core", "migrations": [ { "name": "000_base", "teardown": false }, … ] }, … ] }
 *
 * `subsystems` is the release's whole list in Kong's order (`core`, `enterprise`, then plugins);
 * `version` and `edition` are the defaults of `KONG_SIM_VERSION` and `KONG_SIM_EDITION` (when both
 * are given they must agree). `KONG_PLUGINS` selects plugin subsystems as Kong does: unset or
 * `bundled` keeps every plugin in the file, `off` none, names keep those. Teardowns drop their
 * predecessor in the file's list (`lineageOfList`, migration-sql.ts).
 */
import * as fs from "node:fs";
import type { Edition, KongTarget, Migration, Subsystem } from "../provider/kong/catalogue-types";
import { parseKongVersion } from "../provider/kong/version";
import { ConfigError } from "./config";

export interface CatalogueFile {
  readonly version?: string;
  readonly edition?: Edition;
  readonly subsystems: readonly Subsystem[];
}

const BASE = new Set(["core", "enterprise"]);

function fail(file: string, what: string): never {
  throw new ConfigError(`KONG_SIM_CATALOGUE_FILE ${file}: ${what}`);
}

export function readCatalogueFile(file: string): CatalogueFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(file, (e as Error).message);
  }
  const o = raw as { version?: unknown; edition?: unknown; subsystems?: unknown };
  if (!o || typeof o !== "object") fail(file, "not a JSON object");
  if (o.version !== undefined && (typeof o.version !== "string" || !parseKongVersion(o.version)))
    fail(file, `version ${JSON.stringify(o.version)} is not a Kong version`);
  if (o.edition !== undefined && o.edition !== "oss" && o.edition !== "enterprise") fail(file, `edition must be "oss" or "enterprise"`);
  if (!Array.isArray(o.subsystems) || !o.subsystems.length) fail(file, "subsystems must be a non-empty list");
  const subsystems: Subsystem[] = o.subsystems.map((s: unknown, i: number) => {
    const x = s as { subsystem?: unknown; migrations?: unknown };
    if (typeof x?.subsystem !== "string" || !x.subsystem) fail(file, `subsystems[${i}].subsystem must be a name`);
    if (!Array.isArray(x.migrations)) fail(file, `subsystems[${i}].migrations must be a list`);
    const migrations: Migration[] = x.migrations.map((m: unknown, j: number) => {
      const y = m as { name?: unknown; teardown?: unknown };
      if (typeof y?.name !== "string" || !y.name) fail(file, `subsystems[${i}].migrations[${j}].name must be a name`);
      return { name: y.name, teardown: y.teardown === true };
    });
    return { subsystem: x.subsystem, migrations };
  });
  return {
    ...(typeof o.version === "string" ? { version: o.version } : {}),
    ...(o.edition === "oss" || o.edition === "enterprise" ? { edition: o.edition } : {}),
    subsystems,
  };
}

/** The version and edition impersonated with a catalogue file (the file's, unless the environment says). */
export function fileTarget(env: NodeJS.ProcessEnv, file: CatalogueFile, path: string): { version: string; edition: Edition } {
  const version = env.KONG_SIM_VERSION?.trim() || file.version;
  if (!version) throw new ConfigError(`KONG_SIM_VERSION is not set and ${path} names no version`);
  if (!parseKongVersion(version)) throw new ConfigError(`KONG_SIM_VERSION ${version} is not a Kong version`);
  if (file.version && file.version !== version) {
    throw new ConfigError(`KONG_SIM_VERSION ${version} disagrees with ${path}, which lists Kong ${file.version}`);
  }
  const edition = ((env.KONG_SIM_EDITION ?? "").trim() || file.edition || "oss") as Edition;
  if (edition !== "oss" && edition !== "enterprise")
    throw new ConfigError(`KONG_SIM_EDITION must be 'oss' or 'enterprise' (got '${edition}')`);
  if (file.edition && file.edition !== edition)
    throw new ConfigError(`KONG_SIM_EDITION ${edition} disagrees with ${path} (${file.edition})`);
  return { version, edition };
}

/** The file's migrations as the target's `KONG_PLUGINS` selects them (see the module comment). */
export function knownFromFile(file: CatalogueFile, target: KongTarget): Subsystem[] {
  const plugins = target.plugins?.map((p) => p.trim()).filter((p) => p !== "");
  const keepAll = plugins === undefined || plugins.includes("bundled");
  const none = plugins !== undefined && plugins[0] === "off";
  return file.subsystems.filter((s) => BASE.has(s.subsystem) || (!none && (keepAll || (plugins ?? []).includes(s.subsystem))));
}

/**
 * The release kong-sim impersonates: from `KONG_SIM_CATALOGUE_FILE` when set, else from the bundled
 * catalogue (which must know `KONG_SIM_VERSION`). `env` gets the effective version and edition, so
 * that `readConfig` reads them as usual.
 */
export interface SimRelease {
  readonly version: string;
  readonly edition: Edition;
  /** The file's list, or undefined: use the catalogue. */
  readonly file?: CatalogueFile;
}

export function simRelease(
  env: NodeJS.ProcessEnv,
  fromCatalogue: (env: NodeJS.ProcessEnv) => { version: string; edition: Edition },
): SimRelease {
  const path = env.KONG_SIM_CATALOGUE_FILE?.trim();
  if (!path) return fromCatalogue(env);
  const file = readCatalogueFile(path);
  const t = fileTarget(env, file, path);
  env.KONG_SIM_VERSION = t.version;
  env.KONG_SIM_EDITION = t.edition;
  return { ...t, file };
}
