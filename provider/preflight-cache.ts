/**
 * What the runner's Kong answered that cannot change while this provider process lives, so that it
 * is asked once per process instead of once per call (issue 9's preflight started Kong twice per
 * check; a `pulumi up` then started it twice more to plan and verify):
 *
 * - `kong version`, per runner identity (command or image, runner env): it reads no database.
 * - The release's migration lists (the union of what `kong migrations list` names per subsystem,
 *   see `./kong/kong-answer.ts`), per runner identity, target and database: they are the release's,
 *   not the database's. The database's state is always read fresh (`schema_meta`), so a plan built
 *   from them is never stale.
 * - `kong migrations list`, per runner identity, target, Kong's connection settings other than the
 *   server's address (TLS) and the exact `schema_meta` content the provider has just read: Kong's
 *   executed/pending/new answer is a function of the release, the loaded plugins and those rows
 *   (kong-migrations.md §2.4), so an identical state gets Kong's identical answer. A preview of many
 *   databases at the same version asks Kong once (issue 10's benchmark (b)); any change of a row
 *   (an `up`, a `finish` by hand, a crash's leftovers) is a new key, so Kong is asked again. The
 *   provider's own connection, made for every resource with the same host, port, user, password,
 *   database, schema and TLS settings, is what proves each database reachable and readable.
 *
 * The Pulumi engine starts one provider process per deployment (preview, up, refresh), so nothing
 * here outlives one `pulumi` command. Keys are hashes; no secret is kept here.
 */
import { createHash } from "node:crypto";
import type { KnownLists } from "./kong/assess";
import type { KongListing } from "./kong/list-output";
import type { SchemaMetaSnapshot } from "./postgres/schema-meta";
import type { ReportedVersion } from "./kong/version-output";
import type { Inputs } from "./inputs";

const versions = new Map<string, { reported: ReportedVersion; where: string }>();
const releases = new Map<string, KnownLists>();
const listings = new Map<string, Promise<KongListing>>();

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

/** Runner, target, Kong's TLS settings and the rows Kong would read (not the server's address). */
function listingKey(inputs: Inputs, snapshot: SchemaMetaSnapshot): string {
  const { ssl, sslVerify } = inputs.database;
  return hash([
    inputs.runner,
    inputs.kongVersion,
    inputs.edition,
    inputs.plugins,
    ssl,
    sslVerify,
    snapshot.rows ?? null,
    snapshot.legacyTables,
  ]);
}

/**
 * Kong's `list` answer for this state: the answer already given (or being given) for an identical
 * one in this process, else `ask()`'s. A failed answer is not remembered.
 */
export function listingFor(inputs: Inputs, snapshot: SchemaMetaSnapshot, ask: () => Promise<KongListing>): Promise<KongListing> {
  const key = listingKey(inputs, snapshot);
  let answer = listings.get(key);
  if (!answer) {
    answer = ask();
    listings.set(key, answer);
    answer.catch(() => listings.delete(key));
  }
  return answer;
}

/** Forgets everything (tests that change what a runner answers under the same identity). */
export function forgetPreflight(): void {
  versions.clear();
  releases.clear();
  listings.clear();
}
