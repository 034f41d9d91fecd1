/**
 * What the runner's Kong answered that cannot change while this provider process lives, so that it
 * is asked once per process instead of once per call (issue 9's preflight started Kong twice per
 * check; a `pulumi up` then started it twice more to plan and verify):
 *
 * - `kong version`, per runner identity (command or image, runner env): it reads no database.
 * - The release's migration lists (the union of what `kong migrations list` names per subsystem,
 *   see `./kong/kong-answer.ts`), per runner identity, target and database: they are the release's,
 *   not the database's. The database's state is always read fresh (`schema_meta`), so a plan built
 *   from them is never stale. `kong migrations list` itself is never cached: every `check` asks it
 *   (its executed/pending/new answer is the database's, and the preview shows it).
 *
 * The Pulumi engine starts one provider process per deployment (preview, up, refresh), so nothing
 * here outlives one `pulumi` command. Keys are hashes; no secret is kept here.
 */
import { createHash } from "node:crypto";
import type { KnownLists } from "./kong/assess";
import type { ReportedVersion } from "./kong/version-output";
import type { Inputs } from "./inputs";

const versions = new Map<string, { reported: ReportedVersion; where: string }>();
const releases = new Map<string, KnownLists>();

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** The runner as it starts Kong: command or image, cluster, environment. */
function runnerKey(inputs: Inputs): string {
  return hash(inputs.runner);
}

/** Runner, target (version, edition, plugins) and database (Kong's settings decide which subsystems load). */
function releaseKey(inputs: Inputs): string {
  return hash([inputs.runner, inputs.kongVersion, inputs.edition, inputs.plugins, inputs.database]);
}

export function cachedVersion(inputs: Inputs): { reported: ReportedVersion; where: string } | undefined {
  return versions.get(runnerKey(inputs));
}

export function rememberVersion(inputs: Inputs, answer: { reported: ReportedVersion; where: string }): void {
  versions.set(runnerKey(inputs), answer);
}

export function cachedRelease(inputs: Inputs): KnownLists | undefined {
  return releases.get(releaseKey(inputs));
}

export function rememberRelease(inputs: Inputs, lists: KnownLists): void {
  releases.set(releaseKey(inputs), lists);
}

/** Forgets everything (tests that change what a runner answers under the same identity). */
export function forgetPreflight(): void {
  versions.clear();
  releases.clear();
}
