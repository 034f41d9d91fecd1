/**
 * Issue 10, item 2, through the real Pulumi CLI: two stacks of the quickstart program manage the
 * same database and run `pulumi up` at the same moment, first for `up` (2.0.5 -> 2.1.4), then for
 * `finish`. Kong's cluster lock (kong-sim, real PostgreSQL) decides who runs.
 *
 * To make the two runs overlap on a loaded machine, each kong-sim holds Kong's lock a few seconds
 * after taking it (`KONG_SIM_HOLD_LOCK_SECONDS`, sim/faults.ts) before it migrates. Which
 * interleaving happens is then up to the scheduler, so the test classifies what it observed and
 * asserts the truth of each kind, and prints them:
 * - `aborted`: the loser's Kong found the lock taken (up waits for it, finish does not, and the
 *   provider retries finish), the lock went away, and the database had moved on: nothing ran there,
 *   and its outputs say so (`lastRun.abortedOnLock: true`, `migrations: {}`);
 * - `found-done`: the loser's Kong ran once the lock was free again and found the winner's work
 *   done ("No pending migrations to finish"): its `lastRun` says it ran nothing (`migrations: {}`);
 * - `lock-error`: the loser's retries all met the lock: `pulumi up` fails with the provider's
 *   LOCK_ABORTED message naming the next step;
 * - `refused`: the loser's check read the database mid-run (pending and new with a live lock):
 *   `pulumi up` fails naming the lock holder and "run pulumi up again once that node is done";
 * - `after`: the loser planned after the winner was done: nothing to run, its outputs unchanged.
 * In every case: `schema_meta` equals one clean run of Kong's commands, no row is left in `locks`,
 * and after a re-run both stacks are in the same phase with outputs equal to a refresh.
 */
import { strict as assert } from "node:assert";
import { isDeepStrictEqual } from "node:util";
import { pulumiBaseEnv, type CliResult, type Stack } from "../../scripts/lib/pulumi-cli";
import { lockRows, metaRows, runSim, simEnv, type MetaRow } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { newStack, ok, removeStack, resourceOutputs } from "../helpers/pulumi-stack";

/** Seconds each kong-sim holds Kong's lock before migrating: longer than the skew between the two CLIs. */
const HOLD_SECONDS = 8;

type Interleaving = "aborted" | "found-done" | "lock-error" | "refused" | "after";

interface CleanRun {
  /** schema_meta after each command. */
  readonly bootstrap: MetaRow[];
  readonly up: MetaRow[];
  readonly finish: MetaRow[];
  /** What up and finish ran, per subsystem. */
  readonly upRan: Record<string, string[]>;
  readonly finishRan: Record<string, string[]>;
}

const names = (r: MetaRow) => [...(r.executed ?? []), ...(r.pending ?? [])];

/** One clean run of Kong's commands (kong-sim directly) on a database of its own. */
async function cleanRun(): Promise<CleanRun> {
  const db = await createDatabase();
  try {
    const run = async (version: string, command: string) =>
      assert.equal((await runSim(["migrations", command], simEnv(db, version))).code, 0, `${command} ${version}`);
    await run("2.0.5", "bootstrap");
    const bootstrap = await metaRows(db);
    await run("2.1.4", "up");
    const up = await metaRows(db);
    await run("2.1.4", "finish");
    const upRan: Record<string, string[]> = {};
    for (const r of up) {
      const had = new Set(bootstrap.filter((x) => x.subsystem === r.subsystem).flatMap(names));
      const ran = names(r).filter((n) => !had.has(n));
      if (ran.length) upRan[r.subsystem] = ran;
    }
    const finishRan = Object.fromEntries(up.filter((r) => r.pending?.length).map((r) => [r.subsystem, r.pending!]));
    return { bootstrap, up, finish: await metaRows(db), upRan, finishRan };
  } finally {
    await dropDatabase(db.database);
  }
}

const both = <T>(a: Stack, b: Stack, fn: (s: Stack) => Promise<T>) => Promise.all([fn(a), fn(b)]);
const up = (s: Stack) => s.run(["up", "--yes", "--skip-preview"]);

/** Outputs without the password (a secret whose ciphertext is not compared). */
async function outputs(s: Stack): Promise<Record<string, unknown>> {
  const { password, ...rest } = await resourceOutputs(s);
  assert.equal(typeof password, "object", "the password output is a secret");
  return rest;
}

interface LastRun {
  command: string;
  exitCode: number;
  migrations: Record<string, string[]>;
  abortedOnLock?: true;
}

/**
 * Both stacks ran `command` at once: exactly one ran it with `migrations`; classifies the other.
 * `before` are the loser candidates' lastRun values before the race.
 */
async function judge(
  command: "up" | "finish",
  runs: Array<{ s: Stack; r: CliResult; lastRunBefore: unknown }>,
  migrations: Record<string, readonly string[]>,
): Promise<{ winner: Stack; loser: Stack; interleaving: Interleaving }> {
  const states = await Promise.all(runs.map(async (x) => ({ ...x, outs: await outputs(x.s) })));
  const winners = states.filter((x) => {
    const lr = x.outs.lastRun as LastRun | undefined;
    return (
      x.r.code === 0 &&
      lr?.command === `kong migrations ${command}` &&
      !lr.abortedOnLock &&
      Object.keys(lr.migrations).length > 0 &&
      !isDeepStrictEqual(lr, x.lastRunBefore)
    );
  });
  assert.equal(
    winners.length,
    1,
    `exactly one stack ran ${command}:\n${runs.map((x) => `${x.s.name}: exit ${x.r.code}\n${x.r.stdout}\n${x.r.stderr}`).join("\n")}`,
  );
  const w = winners[0];
  const lr = w.outs.lastRun as LastRun;
  assert.equal(lr.exitCode, 0);
  // The reference is read back from schema_meta (executed, then pending): compare the names as sets.
  const sorted = (m: Record<string, readonly string[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(sorted(lr.migrations), sorted(migrations), "the winner's lastRun lists what it ran");
  const l = states.find((x) => x !== w)!;
  const out = l.r.stdout + l.r.stderr;
  let interleaving: Interleaving;
  if (l.r.code === 0) {
    const llr = l.outs.lastRun as LastRun | undefined;
    if (llr?.abortedOnLock) {
      interleaving = "aborted";
      assert.deepEqual(
        { command: llr.command, exitCode: llr.exitCode, migrations: llr.migrations },
        { command: `kong migrations ${command}`, exitCode: 0, migrations: {} },
        "an aborted run records that nothing ran",
      );
      assert.match(
        out,
        new RegExp(`kong migrations ${command} aborted on Kong's lock, and another node has since changed the database; re-planning`),
      );
    } else if (llr && llr.command === `kong migrations ${command}` && !isDeepStrictEqual(llr, l.lastRunBefore)) {
      // Its Kong ran once the lock was free and found the winner's work done: nothing ran here.
      interleaving = "found-done";
      assert.deepEqual(
        { exitCode: llr.exitCode, migrations: llr.migrations },
        { exitCode: 0, migrations: {} },
        "a run that found the work done records that nothing ran",
      );
      assert.match(
        out,
        new RegExp(`ran kong migrations ${command} \\(Kong found nothing left to run: another node ran it first\\): exit 0`),
      );
    } else {
      interleaving = "after";
      assert.deepEqual(llr, l.lastRunBefore, "a loser that planned after the winner ran nothing");
    }
  } else if (/did nothing: "aborted: another node is performing database changes"/.test(out)) {
    interleaving = "lock-error";
    assert.equal(command, "finish", "only finish (which does not wait for the lock) ends in LOCK_ABORTED");
    assert.match(
      out,
      new RegExp(
        `kong migrations ${command} \\(local process\\) did nothing: "aborted: another node is performing database changes"\\. Another Kong node held the migrations lock; run pulumi up again once it is done`,
      ),
    );
  } else {
    interleaving = "refused";
    assert.match(
      out,
      /Another Kong node holds the migrations lock \(owner [^,]+, until [^)]+\) and is running migrations now, so the database is mid-run: run pulumi up again once that node is done/,
    );
  }
  return { winner: w.s, loser: l.s, interleaving };
}

/**
 * A re-run of both (at once: nothing is left to race for), then: the same phase, each stack's
 * outputs equal to what a refresh records, and (`last`) a preview that expects no changes.
 */
async function converge(a: Stack, b: Stack, phase: string, last: boolean): Promise<void> {
  await both(a, b, async (s) => {
    ok(await up(s), `re-run of ${s.name}`);
    const before = await outputs(s);
    assert.equal(before.phase, phase, `${s.name} converged`);
    ok(await s.run(["refresh", "--yes", "--skip-preview"]), `refresh of ${s.name}`);
    assert.deepEqual(await outputs(s), before, `${s.name}: outputs equal a refresh`);
    if (last) ok(await s.run(["preview", "--expect-no-changes"]), `${s.name} converged preview`);
  });
}

describe("end to end: two stacks upgrade one database at once (issue 10, item 2)", function () {
  this.timeout(1_200_000);
  const db = useFreshDatabase();
  let a: Stack | undefined;
  let b: Stack | undefined;
  let clean: CleanRun;

  before(async function () {
    this.timeout(60 * 60_000);
    pulumiBaseEnv();
    clean = await cleanRun();
  });
  afterEach(async () => {
    await Promise.all([removeStack(a), removeStack(b)]);
    a = b = undefined;
  });

  it("two pulumi up's race for up, then for finish: one runs, the other tells the truth, both converge", async () => {
    const d: TestDatabase = db();
    // Kong's lock waits (up) last up to lockTimeoutSeconds: longer than the hold plus the run.
    const extra: Array<[string, string]> = [["lockTimeoutSeconds", "40"]];
    [a, b] = await Promise.all([newStack(d, "2.0.5", extra), newStack(d, "2.0.5", extra)]);
    ok(await up(a), "stack a bootstraps");
    ok(await up(b), "stack b adopts the bootstrapped database");
    assert.deepEqual(await metaRows(d), clean.bootstrap);
    assert.equal((await outputs(b)).lastRun, undefined, "stack b ran nothing");

    const race = async (command: "up" | "finish", set: [string, string]) => {
      await both(a!, b!, async (s) => {
        ok(await s.run(["config", "set", ...set]), "config set");
        ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_HOLD_LOCK_SECONDS", String(HOLD_SECONDS)]), "config hold");
      });
      const lastRunBefore = await Promise.all([outputs(a!), outputs(b!)]).then((o) => o.map((x) => x.lastRun));
      const started = Date.now();
      const [ra, rb] = await Promise.all([up(a!), up(b!)]);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const verdict = await judge(
        command,
        [
          { s: a!, r: ra, lastRunBefore: lastRunBefore[0] },
          { s: b!, r: rb, lastRunBefore: lastRunBefore[1] },
        ],
        command === "up" ? clean.upRan : clean.finishRan,
      );
      assert.deepEqual(await lockRows(d), [], "no row left in Kong's locks table");
      await both(a!, b!, async (s) => ok(await s.run(["config", "rm", "--path", "simEnv.KONG_SIM_HOLD_LOCK_SECONDS"]), "config rm"));
      console.log(
        `      ${command} race: ${verdict.winner.name} ran it, ${verdict.loser.name} observed "${verdict.interleaving}" (${seconds} s)`,
      );
      return verdict;
    };

    await race("up", ["kongVersion", "2.1.4"]);
    assert.deepEqual(await metaRows(d), clean.up, "schema_meta equals one clean up");
    await converge(a, b, "pending-finish", false);
    assert.equal((await runSim(["check-compat"], simEnv(d, "2.0.5"))).code, 0, "the 2.0.5 nodes still work");

    await race("finish", ["decommissionedOld", "true"]);
    assert.deepEqual(await metaRows(d), clean.finish, "schema_meta equals one clean finish");
    await converge(a, b, "up-to-date", true);
    assert.deepEqual(await metaRows(d), clean.finish, "the re-runs changed nothing");
    assert.equal((await runSim(["check-compat"], simEnv(d, "2.1.4"))).code, 0);
  });
});
