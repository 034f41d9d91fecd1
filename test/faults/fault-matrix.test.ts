/**
 * The fault matrix (issue 10, item 1): 4 faults × first/middle/last migration × bootstrap (fresh
 * 2.0.5), up (2.0.5 -> 2.1.4) and finish (2.1.4). Each case, on its own database: one provider run
 * with the fault (a typed error naming the command and the next step), one without; then the
 * converged phase, outputs equal to a refresh (read), `kong-sim check-compat` for the old and the
 * new version, and the exact `schema_meta` rows of a run that never failed.
 *
 * Kong's own limitation: an `up` interrupted after it recorded a pending migration cannot be
 * re-run (Kong refuses `up` while anything is pending), so it converges only through
 * `decommissionedOld: true` (finish, then up, then finish). Those cases assert exactly that path:
 * the clean re-run is refused at check naming decommissionedOld, and the documented path then
 * ends up-to-date. Kong records in the order it runs, so their rows equal the never-failed run's
 * as sets per subsystem (the matrix marks them `set`); every other case must match exactly.
 */
import { strict as assert } from "node:assert";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { isKongMigrationError } from "../../provider/kong/errors";
import { asSets, metaRows, pendingCount, recorded, simEnv, sleepingBackends, startSim, type MetaRow } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, query, type TestDatabase } from "../helpers/postgres";
import { deploy, inputsFor, kongSim, provider, redeploy, type Deployed, type Raw } from "../helpers/provider-fixture";
import {
  expectedFailure,
  faultRun,
  FAULTS,
  migrationAt,
  OTHER_NODE,
  POSITIONS,
  STEP_TARGET,
  STEPS,
  type Fault,
  type Position,
  type Step,
} from "./fault-cases";
import { runPooled } from "./pool";

/** Cases in flight: 3 keeps a 2-core machine busy without starving the lock and timeout cases. */
const POOL = 3;

interface Outcome {
  readonly code: string;
  /** `exact`, or `set` for Kong's limitation path (see the header). */
  readonly rows: "exact" | "set";
  readonly documentedPath: boolean;
  readonly ms: number;
}

interface Reference {
  /** schema_meta after each step of a run that never failed. */
  readonly rows: Record<Step, MetaRow[]>;
  /** Migrations each step runs. */
  readonly count: Record<Step, number>;
}

async function buildReference(): Promise<Reference> {
  const db = await createDatabase();
  try {
    let s = await deploy(inputsFor(db, "2.0.5"));
    const bootstrap = await metaRows(db);
    s = await redeploy(s, inputsFor(db, "2.1.4"));
    const up = await metaRows(db);
    s = await redeploy(s, inputsFor(db, "2.1.4", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
    const finish = await metaRows(db);
    return {
      rows: { bootstrap, up, finish },
      count: { bootstrap: recorded(bootstrap), up: recorded(up) - recorded(bootstrap), finish: pendingCount(up) },
    };
  } finally {
    await dropDatabase(db.database);
  }
}

async function compat(db: TestDatabase, version: string): Promise<number | null> {
  return (await kongSim(db, version, ["check-compat"])).code;
}

/** Resolves once another node's kong-sim sits in pg_sleep inside its migration, holding the lock. */
async function otherNodeMidRun(db: TestDatabase, step: Step, k: number) {
  const version = STEP_TARGET[step].version;
  const other = startSim(
    ["migrations", step, "--lock-timeout", String(OTHER_NODE.lockTimeoutSeconds)],
    simEnv(db, version, { KONG_SIM_SLEEP_SECONDS: String(OTHER_NODE.sleepSeconds), KONG_SIM_SLEEP_AT: String(k) }),
  );
  while (!(await sleepingBackends(db))) await sleep(50);
  const locks = await query<{ key: string }>(db, "SELECT key FROM locks");
  assert.deepEqual(locks, [{ key: "migrations" }], "the other node holds Kong's migrations lock");
  return { exited: other.result };
}

/** Resolves once no live lock row is left (a dead node's row expires with its TTL). */
async function lockExpired(db: TestDatabase): Promise<void> {
  while ((await query(db, "SELECT 1 FROM locks WHERE ttl >= CURRENT_TIMESTAMP AT TIME ZONE 'UTC'")).length) await sleep(200);
}

/** The state before the step, as the provider recorded it (undefined: no resource yet). */
async function stateBefore(db: TestDatabase, step: Step): Promise<Deployed | undefined> {
  if (step === "bootstrap") return undefined;
  let s = await deploy(inputsFor(db, "2.0.5"));
  if (step === "finish") s = await redeploy(s, inputsFor(db, "2.1.4"));
  return s;
}

/** check (+ create or update) that must fail; returns the typed error, or check's one failure. */
async function failingRun(
  state: Deployed | undefined,
  news: Raw,
): Promise<(Error & { code: string }) | { property: string; reason: string }> {
  const checked = await provider.check!(state?.inputs ?? {}, news);
  if (checked.failures?.length) {
    assert.equal(checked.failures.length, 1, JSON.stringify(checked.failures));
    return checked.failures[0];
  }
  try {
    if (state) await provider.update!(state.id, state.outs, checked.inputs);
    else await provider.create(checked.inputs);
  } catch (e) {
    assert.ok(isKongMigrationError(e), `not a typed error: ${String(e)}`);
    return e;
  }
  return assert.fail("the run with the fault succeeded");
}

async function runCase(step: Step, fault: Fault, position: Position, ref: Reference): Promise<Outcome> {
  const started = Date.now();
  const db = await createDatabase();
  try {
    const k = migrationAt(position, ref.count[step]);
    const target = STEP_TARGET[step];
    const state = await stateBefore(db, step);
    const { extra, env } = faultRun(fault, k);
    const rowsBefore = await metaRows(db).catch(() => [] as MetaRow[]);
    const other = fault === "lock-held" ? await otherNodeMidRun(db, step, k) : undefined;

    // 1. The run with the fault: a typed error naming the command and the next step.
    const failure = await failingRun(state, inputsFor(db, target.version, { decommissionedOld: target.decommissionedOld, ...extra }, env));
    const expected = expectedFailure(fault, step, k);
    let code: string;
    if (expected.kind === "check") {
      assert.ok("property" in failure, `expected a check failure, got ${String(failure)}`);
      assert.equal(failure.property, expected.property);
      assert.match(failure.reason, expected.reason);
      code = `check: ${failure.property}`;
    } else {
      assert.ok(failure instanceof Error, `expected a failed ${expected.command}, got check failure ${JSON.stringify(failure)}`);
      assert.equal(failure.code, expected.code, failure.message);
      assert.match(failure.message, new RegExp(`^kong migrations ${expected.command} \\(local process\\) `), failure.message);
      assert.match(failure.message, /run pulumi up again/, failure.message);
      code = failure.code;
    }
    if (other) assert.equal((await other.exited).code, 0, "the other node completes its run");
    else {
      // The fault hit migration k: the k-1 before it are recorded, it and the rest are not.
      const rowsFailed = await metaRows(db).catch(() => [] as MetaRow[]);
      const progress =
        step === "finish" ? pendingCount(rowsBefore) - pendingCount(rowsFailed) : recorded(rowsFailed) - recorded(rowsBefore);
      assert.equal(progress, k - 1, `the fault should have stopped the run at migration ${k}`);
    }

    // 2. The run without, once the crashed or killed run's lock row has expired (its --lock-timeout;
    // until then check says another node holds the lock): converge, through Kong's documented path
    // where Kong's limitation applies.
    if (fault === "crash" || fault === "hang") await lockExpired(db);
    const clean = (more: Raw = {}) => inputsFor(db, target.version, { decommissionedOld: target.decommissionedOld, ...more });
    let after: Deployed;
    let documentedPath = false;
    if (!state) after = await deploy(clean());
    else {
      const checked = await provider.check!(state.inputs, clean());
      if (checked.failures?.length) {
        assert.equal(step, "up", JSON.stringify(checked.failures));
        assert.deepEqual(
          checked.failures.map((f) => f.property),
          ["decommissionedOld"],
        );
        assert.match(
          checked.failures[0].reason,
          /^The database has pending migrations from an earlier up that was never finished \(or was interrupted\) \(core 009_200_to_210/,
        );
        documentedPath = true;
        after = await redeploy(state, clean({ decommissionedOld: true }));
      } else after = await redeploy(state, clean());
    }

    // 3. Converged: phase, outputs equal to a refresh, compatibility, rows.
    const finished = step === "finish" || documentedPath;
    const expectedPhase = step === "up" && !documentedPath ? "pending-finish" : "up-to-date";
    assert.equal(after.outs.phase, expectedPhase);
    const read = await provider.read!(after.id, after.outs);
    assert.equal(read.id, after.id);
    assert.deepEqual(read.props, after.outs, "outputs equal a refresh");
    assert.equal(await compat(db, target.version), 0, `Kong ${target.version} runs on the converged database`);
    if (step !== "bootstrap") {
      assert.equal(await compat(db, "2.0.5"), finished ? 1 : 0, `Kong 2.0.5 ${finished ? "must not" : "still"} run(s) after ${step}`);
    }
    // Kong records in run order: a recovery that ran other commands than the never-failed run
    // (finish before up; up + finish instead of an interrupted bootstrap) holds the same rows as sets.
    const rows = await metaRows(db);
    const reference = ref.rows[finished ? "finish" : step];
    const lastRun = (after.outs.lastRun as Raw | undefined)?.command;
    const otherPath = documentedPath || (step === "bootstrap" && lastRun !== undefined && lastRun !== "kong migrations bootstrap");
    let mode: Outcome["rows"] = "exact";
    if (otherPath && !isDeepStrictEqual(rows, reference)) {
      mode = "set";
      assert.deepEqual(asSets(rows), asSets(reference));
    } else assert.deepEqual(rows, reference);
    assert.deepEqual(await query(db, "SELECT key FROM locks"), [], "no lock left behind");
    return { code, rows: mode, documentedPath, ms: Date.now() - started };
  } finally {
    await dropDatabase(db.database);
  }
}

describe("fault matrix: every kong-sim fault at the first, middle and last migration of bootstrap, up and finish converges", function () {
  this.timeout(600_000);
  const cases = STEPS.flatMap((step) => FAULTS.flatMap((fault) => POSITIONS.map((position) => ({ step, fault, position }))));
  const done = new Map<string, Outcome | Error>();
  let results: Promise<Outcome>[] = [];
  let ref: Reference;
  const started = Date.now();
  const key = (c: { step: Step; fault: Fault; position: Position }) => `${c.step}/${c.fault}/${c.position}`;

  before(async () => {
    ref = await buildReference();
    results = runPooled(
      cases.map((c) => () => runCase(c.step, c.fault, c.position, ref)),
      POOL,
    );
    results.forEach((p, i) =>
      p.then(
        (o) => done.set(key(cases[i]), o),
        (e) => done.set(key(cases[i]), e),
      ),
    );
  });

  after(async () => {
    await Promise.allSettled(results);
    const col = 32;
    const lines = [
      "",
      `      fault matrix: ${STEPS.length * FAULTS.length} rows (step × fault) × ${POSITIONS.length} columns (migration) = ${cases.length} cases; ` +
        `migrations per run: bootstrap ${ref?.count.bootstrap}, up ${ref?.count.up}, finish ${ref?.count.finish}`,
      `      ${"step / fault".padEnd(24)}${POSITIONS.map((p) => p.padEnd(col)).join("")}`,
    ];
    for (const step of STEPS) {
      for (const fault of FAULTS) {
        const cells = POSITIONS.map((position) => {
          const o = done.get(key({ step, fault, position }));
          const k = ref ? `#${migrationAt(position, ref.count[step])} ` : "";
          if (!o) return `${k}not run`.padEnd(col);
          if (o instanceof Error) return `${k}FAIL`.padEnd(col);
          return `${k}ok ${o.code}${o.rows === "set" ? " (set)" : ""}`.padEnd(col);
        });
        lines.push(`      ${`${step} / ${fault}`.padEnd(24)}${cells.join("")}`);
      }
    }
    const passed = [...done.values()].filter((o) => !(o instanceof Error)).length;
    const documented = [...done.values()].filter((o) => !(o instanceof Error) && o.documentedPath).length;
    lines.push(
      `      passed ${passed}/${cases.length} (${documented} through Kong's documented decommissionedOld path; "(set)": rows equal as sets, in Kong's recording order of that path); ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s with ${POOL} cases in flight`,
    );
    console.log(lines.join("\n"));
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.step}: ${c.fault} at the ${c.position} migration`, async () => {
      await results[i];
    });
  }
});
