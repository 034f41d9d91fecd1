/**
 * Runs one property sequence (issue 10, item 3) on its own real database: the user's actions
 * through the provider object as the engine calls it (check, create or diff + update, read), Kong
 * played by kong-sim, and after every action the invariants:
 *
 * 1. `finish` never runs while decommissionedOld is false (except the documented case where
 *    schema_meta recorded no migration before the run, so no Kong node can have used the database);
 * 2. every version whose nodes may still be running passes `kong-sim check-compat`;
 * 3. after every successful `pulumi up`, the outputs equal a refresh (`read`);
 * 4. every refusal (a check failure or a typed error) names a next step (`next-step.ts`) that, taken,
 *    makes progress: the run then succeeds, or fails with another refusal, within four steps.
 *
 * Which nodes may run (the model): a successful `pulumi up` at version V starts V's nodes (blue/green:
 * the old ones keep running); setting decommissionedOld true states that every node but the target
 * version's is gone; a refusal's step says which nodes it needs gone ("no node older than X"); an
 * operator who runs `finish` by hand has retired every node but the version that ran it.
 */
import { strict as assert } from "node:assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { isKongMigrationError } from "../../provider/kong/errors";
import { compareVersions } from "../../provider/kong/version";
import { setLogSink, type LogSink } from "../../provider/log";
import { metaRows, tableNames } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, query, type TestDatabase } from "../helpers/postgres";
import { inputsFor, kongSim, provider, type Deployed, type Raw } from "../helpers/provider-fixture";
import { describeAction, type Action, type FaultSwitch, type Sequence } from "./actions";
import { nextStepOf, type NextStep } from "./next-step";

export interface Counts {
  sequences: number;
  actions: number;
  refusals: number;
  /** Next steps taken after a refusal. */
  nextSteps: number;
  /** Runs in which the provider ran `finish`. */
  finishes: number;
  faults: number;
  compatChecks: number;
  /** Refusals by code (a check failure counts as `check:<property>`). */
  byCode: Record<string, number>;
}

export function newCounts(): Counts {
  return { sequences: 0, actions: 0, refusals: 0, nextSteps: 0, finishes: 0, faults: 0, compatChecks: 0, byCode: {} };
}

/** An invariant broken; the message carries the trace of the sequence so far. */
export class Violation extends Error {
  override readonly name = "Violation";
}

/** Lock timeout of every run: a crashed kong-sim's lock row expires after it. */
const LOCK_TIMEOUT_SECONDS = 2;
const MAX_NEXT_STEPS = 4;

// Provider log lines of concurrent sequences go to the sequence whose call produced them.
const lineScope = new AsyncLocalStorage<string[]>();
const routeLines: LogSink = (line) => lineScope.getStore()?.push(line);

/** Installs the routing log sink for the duration of a property run; returns the restore function. */
export function routeProviderLogs(): () => void {
  const prev = setLogSink(routeLines);
  return () => setLogSink(prev);
}

// check-compat reads only which tables exist: one answer per (version, tables), for every sequence.
const compatCache = new Map<string, Promise<{ code: number | null; stderr: string }>>();

type Outcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

interface World {
  readonly db: TestDatabase;
  readonly planWith: Sequence["planWith"];
  readonly counts: Counts;
  readonly trace: string[];
  /** The declared configuration. */
  config: { version: string; decommissionedOld: boolean };
  /** Pulumi's state of the resource (undefined until a create succeeded). */
  state?: Deployed;
  /** Versions whose nodes may be running on the database. */
  mayRun: Set<string>;
}

function violation(w: World, what: string): Violation {
  return new Violation(`${what}\n  trace:\n${w.trace.map((l) => `    ${l}`).join("\n")}`);
}

const recordedCount = (rows: Awaited<ReturnType<typeof metaRows>> | undefined) =>
  (rows ?? []).reduce((n, r) => n + (r.executed?.length ?? 0) + (r.pending?.length ?? 0), 0);

function faultEnv(fault: FaultSwitch | undefined): Record<string, string> {
  if (!fault) return {};
  return { [fault.kind === "fail" ? "KONG_SIM_FAIL_AT" : "KONG_SIM_CRASH_AFTER_SQL"]: String(fault.at) };
}

/** check, then create, or diff and update when diff says so: `pulumi up`. Checks invariant 1. */
async function pulumiUp(w: World, fault?: FaultSwitch): Promise<Outcome> {
  const { version, decommissionedOld } = w.config;
  const news = inputsFor(
    w.db,
    version,
    { decommissionedOld, planWith: w.planWith, lockTimeoutSeconds: LOCK_TIMEOUT_SECONDS },
    faultEnv(fault),
  );
  const started = Date.now();
  const rowsBefore = await metaRows(w.db).catch(() => undefined);
  const lines: string[] = [];
  const outcome = await lineScope.run(lines, async (): Promise<Outcome> => {
    const checked = await provider.check!(w.state?.inputs ?? {}, news);
    if (checked.failures?.length) {
      assert.equal(checked.failures.length, 1, JSON.stringify(checked.failures));
      return { ok: false, code: `check:${checked.failures[0].property}`, message: checked.failures[0].reason };
    }
    try {
      if (!w.state) {
        const created = await provider.create(checked.inputs);
        w.state = { id: created.id, outs: created.outs as Raw, inputs: checked.inputs };
      } else {
        const d = await provider.diff!(w.state.id, w.state.outs, checked.inputs);
        if (d.changes) {
          const updated = await provider.update!(w.state.id, w.state.outs, checked.inputs);
          w.state = { id: w.state.id, outs: updated.outs as Raw, inputs: checked.inputs };
        } else w.state = { ...w.state, inputs: checked.inputs };
      }
      return { ok: true };
    } catch (e) {
      if (!isKongMigrationError(e)) throw violation(w, `pulumi up threw an untyped error: ${String((e as Error)?.stack ?? e)}`);
      return { ok: false, code: e.code, message: e.message };
    }
  });
  const ran = lines.filter((l) => /\] ran kong migrations \w+/.test(l)).map((l) => l.match(/ran (kong migrations \w+)/)![1]);
  const finishStarted = lines.some((l) => l.includes("running kong migrations finish"));
  w.trace.push(
    `  -> ${outcome.ok ? "ok" : `refused ${outcome.code}: ${outcome.message.split("\n")[0]}`}` +
      `${ran.length ? ` (ran ${ran.join(", ")})` : ""}${finishStarted && !ran.includes("kong migrations finish") ? " (finish started)" : ""}` +
      ` [${Date.now() - started} ms]`,
  );
  if (finishStarted) {
    w.counts.finishes++;
    // Invariant 1. The one exception is the provider's documented noOldNodes path.
    if (!decommissionedOld && recordedCount(rowsBefore) > 0) {
      throw violation(w, "invariant 1: the provider ran finish while decommissionedOld is false");
    }
  }
  if (fault) w.counts.faults++;
  return outcome;
}

/** Invariant 2: every version whose nodes may run passes `kong-sim check-compat`. */
async function checkCompat(w: World): Promise<void> {
  const tables = (await tableNames(w.db)).join(",");
  for (const v of [...w.mayRun].sort(compareVersions)) {
    const key = `${v}|${tables}`;
    let answer = compatCache.get(key);
    if (!answer) {
      w.counts.compatChecks++;
      answer = kongSim(w.db, v, ["check-compat"]).then((r) => ({ code: r.code, stderr: r.stderr }));
      compatCache.set(key, answer);
    }
    const r = await answer;
    if (r.code !== 0) {
      throw violation(w, `invariant 2: Kong ${v} nodes may still be running, but check-compat exits ${r.code}:\n${r.stderr}`);
    }
  }
}

/** Invariant 3: the state's outputs equal what a refresh reads now. */
async function checkOutputsEqualRefresh(w: World): Promise<void> {
  if (!w.state) return;
  const read = await provider.read!(w.state.id, w.state.outs);
  if (!isDeepStrictEqual(read.props, w.state.outs)) {
    const props = (read.props ?? {}) as Raw;
    const keys = [...new Set([...Object.keys(props), ...Object.keys(w.state.outs)])].filter(
      (k) => !isDeepStrictEqual(props[k], w.state!.outs[k]),
    );
    throw violation(
      w,
      `invariant 3: the outputs differ from a refresh in ${keys.join(", ")}:\n` +
        keys.map((k) => `  ${k}: outputs ${JSON.stringify(w.state!.outs[k])}, refresh ${JSON.stringify(props[k])}`).join("\n"),
    );
  }
}

/** Setting decommissionedOld true: every node but the target version's (or those a refusal names) is gone. */
function decommission(w: World, keep: (v: string) => boolean): void {
  w.mayRun = new Set([...w.mayRun].filter(keep));
}

async function lockGone(db: TestDatabase): Promise<void> {
  while ((await query(db, "SELECT 1 FROM locks WHERE ttl >= CURRENT_TIMESTAMP AT TIME ZONE 'UTC'").catch(() => [])).length) {
    await sleep(200);
  }
}

async function takeStep(w: World, step: NextStep): Promise<void> {
  w.counts.nextSteps++;
  switch (step.kind) {
    case "decommission":
      if (step.value && !w.config.decommissionedOld) {
        const older = step.olderThan;
        decommission(w, older ? (v) => compareVersions(v, older) >= 0 : (v) => v === w.config.version);
      }
      w.config.decommissionedOld = step.value;
      w.trace.push(`  next step: decommissionedOld ${step.value}${step.olderThan ? ` (nodes older than ${step.olderThan} gone)` : ""}`);
      return;
    case "version":
      w.config.version = step.version;
      w.trace.push(`  next step: kongVersion ${step.version}`);
      return;
    case "up-again":
      if (step.waitForLock) await lockGone(w.db);
      w.trace.push(`  next step: pulumi up again${step.waitForLock ? " once the lock is gone" : ""}`);
  }
}

/** `pulumi up`; then, for as long as it is refused, the step the refusal names (invariant 4). */
async function upAndFollow(w: World, fault?: FaultSwitch): Promise<void> {
  let outcome = await pulumiUp(w, fault);
  const seen = new Set<string>();
  for (let taken = 0; !outcome.ok; taken++) {
    w.counts.refusals++;
    w.counts.byCode[outcome.code] = (w.counts.byCode[outcome.code] ?? 0) + 1;
    if (outcome.code === "VERIFICATION_FAILED") throw violation(w, `the provider could not verify its own run: ${outcome.message}`);
    await checkCompat(w); // a failed run must not break the running nodes either
    const step = nextStepOf(outcome.message);
    if (!step) throw violation(w, `invariant 4: the refusal names no next step: ${outcome.code}: ${outcome.message}`);
    const key = `${outcome.code} ${JSON.stringify(step)}`;
    if (seen.has(key) || taken >= MAX_NEXT_STEPS) {
      throw violation(w, `invariant 4: taking the refusal's next step made no progress: ${outcome.code}: ${outcome.message}`);
    }
    seen.add(key);
    await takeStep(w, step);
    outcome = await pulumiUp(w);
  }
  w.mayRun.add(w.config.version);
  await checkOutputsEqualRefresh(w);
}

async function perform(w: World, a: Action): Promise<void> {
  w.counts.actions++;
  w.trace.push(describeAction(a));
  switch (a.kind) {
    case "version":
      w.config.version = a.version;
      return upAndFollow(w, a.fault);
    case "decommission":
      if (a.value && !w.config.decommissionedOld) decommission(w, (v) => v === w.config.version);
      w.config.decommissionedOld = a.value;
      return upAndFollow(w, a.fault);
    case "in-place":
      decommission(w, (v) => v === a.version);
      w.config = { version: a.version, decommissionedOld: true };
      return upAndFollow(w, a.fault);
    case "up":
      return upAndFollow(w, a.fault);
    case "refresh": {
      if (!w.state) return;
      const read = await provider.read!(w.state.id, w.state.outs);
      w.state = { id: w.state.id, outs: read.props as Raw, inputs: { ...w.state.inputs, ...(read.inputs as Raw) } };
      w.trace.push(`  -> phase ${String(w.state.outs.phase)}`);
      return;
    }
    case "manual-finish": {
      if (!w.state) return;
      const deployed = String(w.state.outs.kongVersion);
      const r = await kongSim(w.db, deployed, ["migrations", "finish", "--lock-timeout", String(LOCK_TIMEOUT_SECONDS)]);
      w.trace.push(`  -> kong-sim ${deployed} migrations finish exited ${r.code}`);
      // The operator retired every node but the deployed version's first.
      decommission(w, (v) => v === deployed);
      return;
    }
  }
}

/** Runs one sequence on a fresh database; throws a Violation naming the invariant and the trace. */
export async function runSequence(seq: Sequence, counts: Counts): Promise<void> {
  const db = await createDatabase();
  const w: World = {
    db,
    planWith: seq.planWith,
    counts,
    trace: [`planWith ${seq.planWith}`],
    config: { version: seq.first, decommissionedOld: false },
    mayRun: new Set(),
  };
  try {
    counts.sequences++;
    await perform(w, { kind: "version", version: seq.first });
    await checkCompat(w);
    for (const a of seq.actions) {
      await perform(w, a);
      await checkCompat(w);
    }
  } finally {
    if (process.env.PROPERTY_TRACE === "1") console.log(w.trace.join("\n"));
    await dropDatabase(db.database);
  }
}
