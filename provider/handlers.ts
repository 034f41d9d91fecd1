/**
 * The provider's methods. `./index.ts` is the thin object Pulumi serializes into state; it loads
 * this module inside each call, so that the serialized text stays small (design.md §4).
 */
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { assess, orRefuse, rowsAt } from "./kong/assess";
import { isKongMigrationError } from "./kong/errors";
import { describeMigrations } from "./kong/planner";
import { compareVersions, parseKongVersion } from "./kong/version";
import { databaseVersionLowerBound, knownMigrations } from "./kong/catalogue";
import { containsUnknown, databaseSettings, normalizeInputs, targetOf, type Failure, type Inputs, type PlanSummary } from "./inputs";
import { USER_KEYS } from "./input-keys";
import { withLockContext } from "./lock-aware";
import { log } from "./log";
import { buildOutputs, phaseOf, summarize, type Outputs } from "./outputs";
import { observeDatabase } from "./postgres/schema-meta";
import { communityNotReady, communityPlan, communityStepDue } from "./community-step";
import { migrateCommunityInputRefusal } from "./kong/community-to-enterprise";
import { observeForCheck } from "./postgres/observe-for-check";
import { missingForWrite } from "./postgres/privileges";
import { CheckFailure, isCheckFailure } from "./check-failure";
import { askKongVersion, kongListFor, kongRelease, rememberListing } from "./kong-preflight";
import { disagreement } from "./kong/kong-answer";
import { checkVersion } from "./kong/catalogue";
import { catalogued } from "./plan-with";
import { reconcile } from "./reconcile";
import { redact } from "./runners/types";
import { withIrreversibleNotice } from "./backup/preview-notice";
import { localDestinationFailure } from "./backup/local-destination";

function message(e: unknown, inputs: Inputs): string {
  const text = e instanceof Error ? e.message : String(e);
  return inputs.password ? redact(text, [inputs.password]) : text;
}

/** Plans without the database: assume it is exactly where the previous inputs left it. */
function planFromCatalogue(inputs: Inputs, olds: Record<string, unknown>, why: string): PlanSummary {
  const prevVersion = typeof olds.kongVersion === "string" && parseKongVersion(olds.kongVersion) ? olds.kongVersion : undefined;
  const prefix = `database unreachable (${why}); planned from the catalogue assuming the database is `;
  const warning = `${idOf(inputs)} could not be reached (${why}): this plan comes from the catalogue, not from the database; pulumi up reads the database again before running anything.`;
  if (!prevVersion) {
    return {
      command: "kong migrations bootstrap or up",
      wouldRun: {},
      reason: `${prefix}unknown: create runs bootstrap if it is empty, else up`,
      source: "catalogue",
      warnings: [warning],
    };
  }
  const prev = {
    version: prevVersion,
    edition: inputs.edition,
    plugins: Array.isArray(olds.plugins) ? (olds.plugins as string[]) : inputs.plugins,
  };
  const a = orRefuse(assess(rowsAt(prev), false, targetOf(inputs), inputs.decommissionedOld));
  const plan = summarize(a.plan, "catalogue", `${prefix}at Kong ${prevVersion}. `);
  return { ...plan, warnings: [warning, ...(plan.warnings ?? [])] };
}

/** A version bump while decommissionedOld stays true would let finish run with the new old cluster still up. */
function staleDecommission(olds: Record<string, unknown>, inputs: Inputs, plan: PlanSummary): Failure | undefined {
  if (olds.decommissionedOld !== true || !inputs.decommissionedOld) return;
  if (typeof olds.kongVersion !== "string" || !parseKongVersion(olds.kongVersion)) return;
  if (compareVersions(inputs.kongVersion, olds.kongVersion) <= 0) return;
  if (plan.command === "kong migrations finish") {
    const finishing = plan.wouldRun[plan.command] ?? {};
    const raising =
      `decommissionedOld is still true from before, but raising kongVersion from ${olds.kongVersion} to ${inputs.kongVersion} ` +
      `would run kong migrations finish (${describeMigrations(finishing)})`;
    const breaks = `which breaks the Kong ${olds.kongVersion} nodes: they are the old cluster now.`;
    if (plan.phase === "pending-finish") {
      // Pending migrations the previous version does not run past (a rollback before finish, or an
      // up run by hand): raising kongVersion would finish them at once, under the running nodes
      // (found by test/properties).
      return {
        property: "decommissionedOld",
        reason:
          `${raising} at once, ${breaks} Set decommissionedOld to false for this upgrade, and ` +
          `back to true once the ${olds.kongVersion} nodes are gone.`,
      };
    }
    // Pending and new migrations: finish, up (and finish again) in one update. The first finish is
    // safe only if the previous version's up left them (its old cluster is the one declared gone);
    // pending migrations of a newer version's up (a rollback before finish) break its nodes at once
    // (found by the 1,000-sequence soak). Either way the last finish would break them too.
    const leftBy = databaseVersionLowerBound(finishing, inputs.edition);
    const previousUp = leftBy !== undefined && compareVersions(leftBy, olds.kongVersion) <= 0;
    const next = previousUp
      ? `Finish the earlier upgrade first: first set kongVersion to ${olds.kongVersion} (decommissionedOld true runs its ` +
        `finish only), then raise kongVersion to ${inputs.kongVersion} with decommissionedOld false, and set it back to ` +
        `true once the ${olds.kongVersion} nodes are gone.`
      : `Continue the upgrade that left them pending: first set kongVersion to ${leftBy ?? "the release whose up left them pending"} ` +
        `(decommissionedOld false: nothing runs while the ${olds.kongVersion} nodes serve), set decommissionedOld back to ` +
        `true once they are gone (finish runs), then raise kongVersion to ${inputs.kongVersion}.`;
    return {
      property: "decommissionedOld",
      reason: `${raising}, up and finish at once, ${breaks} ${next} Or restore a backup taken before that up.`,
    };
  }
  if (plan.command !== "kong migrations up") return;
  if (!catalogued(inputs.kongVersion, inputs.edition)) return; // teardowns known only to Kong: not checked
  const known = knownMigrations(targetOf(inputs));
  const teardowns: Record<string, string[]> = {};
  for (const s of known) {
    const planned = new Set(plan.wouldRun[plan.command]?.[s.subsystem] ?? []);
    const names = s.migrations.filter((m) => m.teardown && planned.has(m.name)).map((m) => m.name);
    if (names.length) teardowns[s.subsystem] = names;
  }
  if (!Object.keys(teardowns).length) return;
  return {
    property: "decommissionedOld",
    reason:
      `decommissionedOld is still true from the previous upgrade, but Kong ${inputs.kongVersion}'s up leaves ` +
      `${describeMigrations(teardowns)} pending, and the Kong ${olds.kongVersion} nodes are now the old cluster. ` +
      `Set decommissionedOld to false for this upgrade, and back to true once the ${olds.kongVersion} nodes are gone.`,
  };
}

/**
 * The plan, read-only: `kong version` and `kong migrations list` through the runner when
 * `planWith` is `kong` (a version mismatch or a runner that cannot start Kong fails check), the
 * database's `schema_meta` with the catalogue otherwise or as the cross-check, and the catalogue
 * alone when the server cannot be reached. Throws refusals, and a `CheckFailure` for a definite
 * answer (password, database, privilege, TLS: see `postgres/db-errors.ts`).
 */
async function planFor(inputs: Inputs, olds: Record<string, unknown>): Promise<PlanSummary> {
  const settings = databaseSettings(inputs);
  const known = catalogued(inputs.kongVersion, inputs.edition);
  const askKong = inputs.planWith === "kong";
  // Kong's version, the database and then Kong's list of what was read are read-only: all three
  // overlap (a first preview starts Kong twice at once). The version's failure is reported first,
  // as when they ran one after the other; a failure waited on later is not an unhandled rejection.
  const version = askKong ? askKongVersion(inputs) : undefined;
  version?.catch(() => undefined);
  const seen = await observeForCheck(settings, inputs.dbTimeoutSeconds);
  const listing = askKong && seen.ok ? kongListFor(inputs, seen.snapshot) : undefined;
  listing?.catch(() => undefined);
  await version;
  if (!seen.ok) {
    if (seen.problem.kind === "definite") throw new CheckFailure(seen.problem.property, seen.problem.reason);
    if (!known) {
      const verdict = checkVersion(inputs.kongVersion, inputs.edition);
      throw new CheckFailure(
        "kongVersion",
        `${verdict.ok ? "" : `${verdict.reason}. `}Only Kong itself can plan it, and the database could not be reached for ` +
          `kong migrations list (${seen.problem.detail}). Preview again once the database is reachable.`,
      );
    }
    return planFromCatalogue(inputs, olds, seen.problem.detail);
  }
  const { snapshot, privileges } = seen;
  const target = targetOf(inputs);
  let plan: PlanSummary;
  if (listing) {
    const listed = await listing;
    const a = withLockContext(snapshot, () =>
      orRefuse(assess(snapshot.rows, snapshot.legacyTables, target, inputs.decommissionedOld, rememberListing(inputs, listed))),
    );
    const prefix = known
      ? ""
      : `Kong ${inputs.kongVersion} is not in this package's catalogue: planned from its own kong migrations list. `;
    plan = { ...summarize(a.plan, "kong", prefix), phase: phaseOf(a) };
    if (known) {
      const c = assess(snapshot.rows, snapshot.legacyTables, target, inputs.decommissionedOld);
      const differs = disagreement(listed, c.state, inputs.kongVersion);
      if (differs) plan = { ...plan, warnings: [differs, ...(plan.warnings ?? [])] };
    } else if (a.plan.step === "bootstrap") {
      plan = {
        ...plan,
        reason: `${plan.reason} Kong lists no names before a bootstrap: it runs every migration Kong ${inputs.kongVersion} knows.`,
      };
    }
  } else {
    const a = withLockContext(snapshot, () => orRefuse(assess(snapshot.rows, snapshot.legacyTables, target, inputs.decommissionedOld)));
    plan = { ...summarize(a.plan, "database"), phase: phaseOf(a) };
  }
  const missing = plan.command === "none" ? undefined : missingForWrite(privileges, settings.user);
  if (missing) {
    throw new CheckFailure(
      settings.schema ? "database.schema" : "database.user",
      `${plan.command} would fail at ${idOf(inputs)}: ${missing}. Grant it (GRANT USAGE, CREATE ON SCHEMA "${privileges.schema}" ` +
        `TO "${settings.user}"), make the role the owner of that schema, or use the role that owns Kong's tables.`,
    );
  }
  return plan;
}

export async function check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = normalizeInputs(news);
  if (failures.length) return { inputs: news, failures };
  if (containsUnknown(news)) {
    const plan: PlanSummary = {
      command: "unknown until apply",
      wouldRun: {},
      reason: "some inputs are not known until apply",
      source: "catalogue",
    };
    return { inputs: { ...news, ...inputs, plan } };
  }
  const inputRefusal = inputs.migrateCommunityEntities ? migrateCommunityInputRefusal(targetOf(inputs)) : undefined;
  if (inputRefusal) return { inputs: news, failures: [{ property: "migrateCommunityEntities", reason: inputRefusal }] };
  let plan: PlanSummary;
  try {
    plan = await planFor(inputs, olds);
  } catch (e) {
    if (isCheckFailure(e)) return { inputs: news, failures: [{ property: e.property, reason: message(e, inputs) }] };
    if (!isKongMigrationError(e)) throw e;
    return { inputs: news, failures: [{ property: e.property ?? "kongVersion", reason: message(e, inputs) }] };
  }
  const stale = staleDecommission(olds, inputs, plan);
  if (stale) return { inputs: news, failures: [stale] };
  if (communityStepDue(inputs, olds)) {
    const notReady = communityNotReady(inputs, plan);
    if (notReady) return { inputs: news, failures: [{ property: "migrateCommunityEntities", reason: notReady }] };
    plan = communityPlan(inputs, plan.source, plan.warnings);
  }
  plan = withIrreversibleNotice(plan, inputs, olds);
  if (plan.irreversible && inputs.backup?.kind === "local") {
    const unusable = localDestinationFailure(inputs.backup, plan.irreversible);
    if (unusable) return { inputs: news, failures: [unusable] };
  }
  return { inputs: { ...inputs, plan } };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  if (USER_KEYS.some((k) => containsUnknown(news[k]))) return { changes: true };
  const changed = USER_KEYS.filter((k) => !isDeepStrictEqual(olds[k], news[k])); // key order does not matter
  const plan = news.plan as PlanSummary | undefined;
  // Another host, port, database or schema is another database: a replacement (whose delete of the
  // old resource is still a no-op), so the id names the database the resource now manages.
  const where = (v: unknown) => {
    const d = (v ?? {}) as Record<string, unknown>;
    return [d.host, d.port, d.database, d.schema ?? null];
  };
  const replaces = isDeepStrictEqual(where(olds.database), where(news.database)) ? [] : ["database"];
  // The database moved since the outputs were recorded (a finish or up run by hand, another stack):
  // an update that runs nothing records what it holds now, so the outputs never lie until a refresh.
  const drifted = plan?.phase !== undefined && typeof olds.phase === "string" && plan.phase !== olds.phase;
  return {
    changes: changed.length > 0 || (plan !== undefined && plan.command !== "none") || drifted,
    ...(replaces.length ? { replaces } : {}),
  };
}

function idOf(inputs: Inputs): string {
  const d = inputs.database;
  return `${d.host}:${d.port}/${d.database}${d.schema ? `/${d.schema}` : ""}`;
}

export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const { inputs } = normalizeInputs(news);
  const outs = await reconcile(inputs, undefined);
  return { id: idOf(inputs), outs };
}

export async function update(
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  const { inputs } = normalizeInputs(news);
  return { outs: await reconcile(inputs, olds as unknown as Outputs) };
}

/**
 * Refresh: the outputs from the database, so a `finish` or `up` run by hand shows up as drift.
 * Reports, never refuses (design.md §7): a state the planner refuses to act on is returned as it
 * is, with the refusal in `plan.reason`; the next preview fails with it.
 */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const previous = props as unknown as Outputs;
  const { inputs } = normalizeInputs(props);
  const snapshot = await observeDatabase(databaseSettings(inputs), inputs.dbTimeoutSeconds).catch((e) => {
    throw new Error(`refresh could not read ${idOf(inputs)}: ${message(e, inputs)}`);
  });
  // A release the catalogue does not know can only be read against Kong's own list.
  const lists = inputs.planWith === "kong" && !catalogued(inputs.kongVersion, inputs.edition) ? await kongRelease(inputs) : undefined;
  const assessment = assess(snapshot.rows, snapshot.legacyTables, targetOf(inputs), inputs.decommissionedOld, lists);
  const outs = buildOutputs(inputs, assessment, previous.lastRun, previous.reloadRequired === true, previous.communityMigration);
  // The refreshed inputs carry the plan as of now (what an unchanged `pulumi up` would run), so the
  // next preview's diff shows only what it would run, not the plan of the run that already happened.
  const inputsNow: Record<string, unknown> = { plan: outs.plan };
  for (const k of USER_KEYS) if (props[k] !== undefined) inputsNow[k] = props[k];
  return { id, props: { ...outs, ...(previous.lastBackup ? { lastBackup: previous.lastBackup } : {}) }, inputs: inputsNow };
}

/** Delete never changes the database: it only forgets the resource. */
export async function remove(id: string): Promise<void> {
  log(`delete: left the database ${id} exactly as it is (Kong's tables and data stay; no reset runs)`);
}
