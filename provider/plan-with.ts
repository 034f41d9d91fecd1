/**
 * `planWith`: who answers "what would run" at preview. Pure.
 *
 * - `kong`: the runner's own Kong (`kong version`, then `kong migrations list`, both read-only)
 *   confirms the plan; the catalogue cross-checks it. The default for the local runner, where
 *   asking costs a local process.
 * - `catalogue`: the bundled catalogue and the database's `schema_meta` alone, nothing executed.
 *   The default for the Kubernetes runner: asking Kong there means creating a Job in the cluster at
 *   every preview, a side effect (pods scheduled, images pulled, quota used) that a preview must not
 *   have unless the user opts in.
 */
import type { Edition } from "./kong/catalogue-types";
import { checkVersion } from "./kong/catalogue";
import { parseKongVersion } from "./kong/version";

export type PlanWith = "kong" | "catalogue";

export interface PlanWithFailure {
  readonly property: string;
  readonly reason: string;
}

/** The checked `planWith`: the given value, else the runner kind's default. */
export function planWithOf(raw: unknown, runnerKind: "local" | "kubernetes", failures: PlanWithFailure[]): PlanWith {
  if (raw === undefined || raw === null) return runnerKind === "kubernetes" ? "catalogue" : "kong";
  if (raw === "kong" || raw === "catalogue") return raw;
  failures.push({ property: "planWith", reason: `planWith must be "kong" or "catalogue" (got ${JSON.stringify(raw)}).` });
  return runnerKind === "kubernetes" ? "catalogue" : "kong";
}

/**
 * True when `version` is well formed for `edition` but not catalogued: with `planWith: "kong"` the
 * runner's Kong answers for it instead of the catalogue (the preflight fails if it cannot).
 */
export function answerableByKongOnly(version: string, edition: Edition): boolean {
  const v = parseKongVersion(version);
  if (!v) return false;
  if (edition === "oss" && version.split(".").length !== 3) return false;
  return !checkVersion(version, edition).ok;
}

/** True when the catalogue knows the release (its plan and cross-check are available). */
export function catalogued(version: string, edition: Edition): boolean {
  return checkVersion(version, edition).ok;
}
