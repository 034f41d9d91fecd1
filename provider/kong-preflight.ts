/**
 * The preflight through the runner, read-only (issue 9): `kong version`, then `kong migrations
 * list`, exactly as `pulumi up` would run Kong (same runner, same environment, same plugins). Used
 * by `check` (preview) and by create/update to plan, when `planWith` is `kong`.
 *
 * Neither command writes: `version` does not touch the database, and `list` only reads
 * `schema_meta` (kong-migrations.md §2.4; it does not take the migrations lock).
 */
import { CheckFailure } from "./check-failure";
import type { Inputs } from "./inputs";
import { databaseSettings, targetOf } from "./inputs";
import { parseKongList, type KongListing } from "./kong/list-output";
import { parseKongVersionOutput, type ReportedVersion } from "./kong/version-output";
import { listsFromKong, versionMismatch } from "./kong/kong-answer";
import type { KnownLists } from "./kong/assess";
import { catalogued } from "./plan-with";
import { cachedRelease, cachedVersion, listingFor, rememberRelease, rememberVersion } from "./preflight-cache";
import type { SchemaMetaSnapshot } from "./postgres/schema-meta";
import { kongEnvironment } from "./postgres/settings";
import { runnerFor } from "./runners";
import { kongErrorMessage } from "./runners/outcome";
import type { RunResult } from "./runners/types";

/** `kong version` starts no nginx and reads no database; a minute covers a cold container start. */
const VERSION_TIMEOUT_SECONDS = 60;

function commandText(inputs: Inputs): string {
  return inputs.runner.kind === "local" ? inputs.runner.command.join(" ") : `the Job's image`;
}

/** Runs one read-only command through the runner; a runner that cannot start Kong is a CheckFailure. */
async function runReadOnly(inputs: Inputs, command: "version" | "list"): Promise<RunResult> {
  const settings = databaseSettings(inputs);
  const secrets = settings.password ? [settings.password] : [];
  const result = await runnerFor(inputs).run({
    command,
    flags: command === "list" ? ["--db-timeout", String(Math.min(inputs.dbTimeoutSeconds, 60))] : [],
    env: command === "list" ? { ...kongEnvironment(settings), KONG_PLUGINS: inputs.plugins.join(",") } : {},
    secrets,
    timeoutSeconds: command === "list" ? inputs.dbTimeoutSeconds + VERSION_TIMEOUT_SECONDS : VERSION_TIMEOUT_SECONDS,
  });
  const notStarted = /^could not start (.*?): (.*)$/m.exec(result.stderr);
  if (result.exitCode === 127 && notStarted) {
    throw new CheckFailure(
      "runner.command",
      `The runner could not start Kong (${notStarted[1]}: ${notStarted[2]}), so neither the preview nor pulumi up can run ` +
        `kong migrations. Install Kong where the provider runs (the kong CLI on PATH), set runner.command to your Kong ` +
        `(e.g. ["docker", "run", "--rm", "--network", "host", "kong:${inputs.kongVersion}", "kong"]), or use the Kubernetes runner. ` +
        `planWith: "catalogue" previews without Kong, but up still needs it.`,
    );
  }
  if (result.timedOut) {
    throw new CheckFailure(
      "runner",
      `kong ${command === "list" ? "migrations list" : "version"} (${result.where}) did not end within ${command === "list" ? inputs.dbTimeoutSeconds + VERSION_TIMEOUT_SECONDS : VERSION_TIMEOUT_SECONDS} s and was killed. Check the runner (${commandText(inputs)}), or set planWith: "catalogue".`,
    );
  }
  return result;
}

/**
 * `kong version` through the runner, checked against `kongVersion` and `edition`. Asked once per
 * runner identity and provider process (`./preflight-cache.ts`); a failure is never remembered.
 */
export async function askKongVersion(inputs: Inputs): Promise<ReportedVersion> {
  let answer = cachedVersion(inputs);
  if (!answer) {
    const result = await runReadOnly(inputs, "version");
    const reported = result.exitCode === 0 ? parseKongVersionOutput(result.stdout) : undefined;
    if (!reported) {
      throw new CheckFailure(
        "runner",
        `kong version (${result.where}, ${commandText(inputs)}) ${result.exitCode === 0 ? "printed no Kong version" : `exited ${result.exitCode}`}: ` +
          `${kongErrorMessage(result)}. Fix the runner so that it runs Kong ${inputs.kongVersion}, or set planWith: "catalogue".`,
      );
    }
    answer = { reported, where: result.where };
    rememberVersion(inputs, answer);
  }
  const mismatch = versionMismatch(answer.reported, inputs, answer.where);
  if (mismatch) throw new CheckFailure(mismatch.property, mismatch.reason);
  return answer.reported;
}

/** `kong migrations list` through the runner: Kong's own view of the database. */
export async function askKongList(inputs: Inputs): Promise<KongListing> {
  const result = await runReadOnly(inputs, "list");
  const listing = parseKongList(result.exitCode, result.stdout);
  if (!listing) {
    throw new CheckFailure(
      "runner",
      `kong migrations list (${result.where}) exited ${result.exitCode}: ${kongErrorMessage(result)}. pulumi up would run ` +
        `Kong the same way and fail too: fix the cause (database settings, KONG_PLUGINS, runner.env), or set planWith: "catalogue".`,
    );
  }
  return listing;
}

/**
 * Kong's `list` answer for the state the provider has just read (`snapshot`): asked once per
 * distinct state, runner and target in this process (`./preflight-cache.ts`).
 */
export function kongListFor(inputs: Inputs, snapshot: SchemaMetaSnapshot): Promise<KongListing> {
  return listingFor(inputs, snapshot, () => askKongList(inputs));
}

/**
 * The target release's migration lists as its Kong knows them: from this process's earlier answer
 * when there is one (the lists are the release's, not the database's: `./preflight-cache.ts`), else
 * from `kong migrations list` (remembered unless Kong listed nothing because the database needs a
 * bootstrap and the catalogue does not know the release either).
 */
export async function kongRelease(inputs: Inputs): Promise<KnownLists> {
  const cached = cachedRelease(inputs);
  if (cached) return cached;
  return rememberListing(inputs, await askKongList(inputs));
}

/** Turns a listing into the release's lists, remembering them when they are complete. */
export function rememberListing(inputs: Inputs, listing: KongListing): KnownLists {
  const known = catalogued(inputs.kongVersion, inputs.edition);
  const lists = listsFromKong(listing, targetOf(inputs), known);
  if (!listing.needsBootstrap || known) rememberRelease(inputs, lists);
  return lists;
}
