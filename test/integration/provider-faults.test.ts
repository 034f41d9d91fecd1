/**
 * kong-sim's fault switches against the provider: each failure is reported with Kong's own
 * message, and the next `pulumi up` (check -> diff -> update) repairs the state.
 */
import { strict as assert } from "node:assert";
import { setTimeout as sleep } from "node:timers/promises";
import { isKongMigrationError } from "../../provider/kong/errors";
import { query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { setLogSink } from "../../provider/log";
import { SIM_CLI, simEnv, startSim, type SimResult } from "../helpers/kong-sim";
import { capturingLogs, deploy, inputsFor, provider, redeploy, type Deployed, type Raw } from "../helpers/provider-fixture";

async function failedUpdate(s: Deployed, news: Raw) {
  const checked = await provider.check!(s.inputs, news);
  assert.deepEqual(checked.failures ?? [], []);
  try {
    await provider.update!(s.id, s.outs, checked.inputs);
  } catch (e) {
    assert.ok(isKongMigrationError(e), String(e));
    return e;
  }
  assert.fail("the update should have failed");
}

/** Another Kong 2.1.4 node runs `up` and holds the lock `holdSeconds`; resolves once it holds it. */
async function otherNodeHoldingTheLock(
  db: TestDatabase,
  holdSeconds: number,
  lockTimeout: number,
): Promise<{ exited: Promise<SimResult> }> {
  const other = startSim(
    ["migrations", "up", "--lock-timeout", String(lockTimeout)],
    simEnv(db, "2.1.4", { KONG_SIM_HOLD_LOCK_SECONDS: String(holdSeconds) }),
  );
  while ((await query(db, "SELECT 1 FROM locks WHERE key = 'migrations'")).length === 0) await sleep(50);
  return { exited: other.result }; // wrapped: an async function would otherwise wait for it
}

const corePending = async (db: TestDatabase) =>
  (
    await query<{ executed: string[]; pending: string[] | null }>(db, "SELECT executed, pending FROM schema_meta WHERE subsystem = 'core'")
  )[0];

/**
 * The lock tests race kong-sim's lock windows (seconds) against the provider's steps. With the
 * default planWith "kong", every re-plan also runs `kong migrations list`, which shifts those
 * windows on a loaded machine; they test the runner path, so they plan with the catalogue.
 */
const LOCK_TIMING = { planWith: "catalogue" } as const;

describe("provider and kong-sim faults: the next pulumi up converges", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();

  it("a migration failing with a SQL error fails the update with Kong's message; the re-run succeeds", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const e = await failedUpdate(s, inputsFor(db(), "2.1.4", {}, { KONG_SIM_FAIL_AT: "1" }));
    assert.equal(e.code, "COMMAND_FAILED");
    assert.match(
      e.message,
      /^kong migrations up \(local process\) exited 1: \[PostgreSQL error\] cluster_mutex callback threw an error: .*failed to run migration '009_200_to_210' up: /s,
    );
    assert.deepEqual((await corePending(db())).pending ?? [], [], "the failed migration was rolled back and not recorded");
    const after = await redeploy(s, inputsFor(db(), "2.1.4"));
    assert.equal(after.outs.phase, "pending-finish");
  });

  it("an up interrupted after recording a pending migration: Kong refuses another up; decommissionedOld lets finish, up repair it", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const e = await failedUpdate(s, inputsFor(db(), "2.1.4", {}, { KONG_SIM_FAIL_AT: "2" }));
    assert.match(e.message, /failed to run migration '010_210_to_211' up: /);
    assert.deepEqual((await corePending(db())).pending, ["009_200_to_210"]);

    const retry = await provider.check!(s.inputs, inputsFor(db(), "2.1.4"));
    assert.equal(retry.failures?.[0].property, "decommissionedOld");
    assert.match(
      retry.failures![0].reason,
      /^The database has pending migrations from an earlier up that was never finished \(or was interrupted\) \(core 009_200_to_210\)/,
    );

    const repaired = await redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true }));
    assert.equal(repaired.outs.phase, "up-to-date");
    assert.deepEqual(repaired.outs.pending, {});
  });

  it("a bootstrap that fails halfway is repaired by the next create with up (Kong's only repair), then finish", async () => {
    const news = inputsFor(db(), "2.0.5", {}, { KONG_SIM_FAIL_AT: "3" });
    const checked = await provider.check!({}, news);
    await assert.rejects(
      provider.create(checked.inputs),
      (e: unknown) => isKongMigrationError(e, "COMMAND_FAILED") && /failed to run migration '004_110_to_120' up/.test(e.message),
    );
    assert.deepEqual((await corePending(db())).executed, ["000_base", "003_100_to_110"]);

    let s = await deploy(inputsFor(db(), "2.0.5"));
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations up", "schema_meta exists: never bootstrap again");
    assert.equal(s.outs.phase, "pending-finish");
    assert.deepEqual((s.outs.pending as Record<string, string[]>).core, ["005_120_to_130", "008_150_to_200"]);
    s = await redeploy(s, inputsFor(db(), "2.0.5", { decommissionedOld: true }));
    assert.equal(s.outs.phase, "up-to-date");
  });

  it("a crash between a migration's SQL and its bookkeeping: the lock expires and the re-run completes", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    // The crashed run's lock row lives for its --lock-timeout (2 s); the re-run waits up to 10 s.
    const e = await failedUpdate(s, inputsFor(db(), "2.1.4", { lockTimeoutSeconds: 2, ...LOCK_TIMING }, { KONG_SIM_CRASH_AFTER_SQL: "1" }));
    assert.equal(e.code, "COMMAND_FAILED");
    assert.match(e.message, /^kong migrations up \(local process\) was killed by SIGKILL: /);
    const locks = await query<{ key: string }>(db(), "SELECT key FROM locks");
    assert.deepEqual(locks, [{ key: "migrations" }], "a crashed Kong leaves its lock row behind");
    const { result, lines } = await capturingLogs(() => redeploy(s, inputsFor(db(), "2.1.4", { lockTimeoutSeconds: 10, ...LOCK_TIMING })));
    assert.equal(result.outs.phase, "pending-finish");
    assert.deepEqual((await corePending(db())).pending, ["009_200_to_210"]);
    assert.ok(
      lines.some((l) => l.startsWith("[kong-migrations] Kong's migrations lock is held by ")),
      lines.join("\n"),
    );
    assert.ok(
      lines.includes("[kong-migrations] kong migrations up aborted: another node held Kong's migrations lock; retry 2 of 3"),
      lines.join("\n"),
    );
  });

  it("another node holding the lock: up waits, then re-plans from the database", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const { exited } = await otherNodeHoldingTheLock(db(), 2, 10);
    const { result, lines } = await capturingLogs(() => redeploy(s, inputsFor(db(), "2.1.4", { lockTimeoutSeconds: 10, ...LOCK_TIMING })));
    assert.equal((await exited).code, 0);
    assert.equal(result.outs.phase, "pending-finish");
    // lastRun records what ran here: Kong aborted on the lock, the other node ran the migrations.
    const lastRun = result.outs.lastRun as { command?: string; migrations?: unknown; abortedOnLock?: boolean } | undefined;
    assert.deepEqual([lastRun?.command, lastRun?.migrations, lastRun?.abortedOnLock], ["kong migrations up", {}, true]);
    assert.ok(lines.includes("[kong-migrations] kong: aborted: another node is performing database changes"), lines.join("\n"));
    assert.ok(
      lines.includes(
        "[kong-migrations] kong migrations up aborted on Kong's lock, and another node has since changed the database; re-planning",
      ),
      lines.join("\n"),
    );
  });

  it("a lock held past lockTimeoutSeconds fails with LOCK_TIMEOUT and changes nothing", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const { exited } = await otherNodeHoldingTheLock(db(), 8, 30);
    const e = await failedUpdate(s, inputsFor(db(), "2.1.4", { lockTimeoutSeconds: 2, ...LOCK_TIMING }));
    assert.equal(e.code, "LOCK_TIMEOUT");
    assert.match(
      e.message,
      /^kong migrations up \(local process\) waited lockTimeoutSeconds for Kong's migrations lock and gave up: \[PostgreSQL error\] timeout/,
    );
    assert.equal((await exited).code, 0);
  });

  it("finish that keeps losing Kong's lock fails with LOCK_ABORTED after its retries, and changes nothing", async () => {
    let s = await deploy(inputsFor(db(), "2.0.5"));
    s = await redeploy(s, inputsFor(db(), "2.1.4"));
    // Another node holds the lock (its 2.1.4 up then fails on the pending migrations, inside the lock as
    // 2.1.x does); finish does not wait for the lock: Kong aborts it.
    const { exited } = await otherNodeHoldingTheLock(db(), 8, 30);
    const { result: e, lines } = await capturingLogs(() =>
      failedUpdate(s, inputsFor(db(), "2.1.4", { decommissionedOld: true, ...LOCK_TIMING })),
    );
    assert.equal(e.code, "LOCK_ABORTED");
    assert.equal(
      e.message,
      'kong migrations finish (local process) did nothing: "aborted: another node is performing database changes". ' +
        "Another Kong node held the migrations lock; run pulumi up again once it is done (the provider re-reads the database first).",
    );
    assert.equal(lines.filter((l) => l === "[kong-migrations] kong: aborted: another node is performing database changes").length, 3);
    assert.deepEqual((await corePending(db())).pending, ["009_200_to_210"]);
    const other = await exited;
    assert.equal(other.code, 1);
    assert.match(other.stderr, /Database has pending migrations; run 'kong migrations finish'/);
  });

  it("verifies by reading the database: a kong that is not the declared version fails the update", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    // The runner's kong is really 2.0.5 while kongVersion says 2.1.4: its `up` finds nothing to do and exits 0.
    // planWith: "catalogue" skips the preflight that catches this at check (preview-kong.test.ts).
    const wrongKong = inputsFor(db(), "2.1.4", {
      runner: { kind: "local", command: [process.execPath, SIM_CLI], env: { KONG_SIM_VERSION: "2.0.5" } },
      planWith: "catalogue",
    });
    const e = await failedUpdate(s, wrongKong);
    assert.equal(e.code, "VERIFICATION_FAILED");
    assert.match(
      e.message,
      /^kong migrations up reported success, but the database still has new core 009_200_to_210, 010_210_to_211, 011_212_to_213; .* for Kong 2\.1\.4\. Check that the runner really runs Kong 2\.1\.4 with KONG_PLUGINS=bundled; then run pulumi up again\.$/,
    );
  });

  it("a slow migration streams Kong's progress lines while it runs", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const stamped: Array<[number, string]> = [];
    const prev = setLogSink((l) => stamped.push([Date.now(), l]));
    let result: Deployed;
    try {
      result = await redeploy(s, inputsFor(db(), "2.1.4", {}, { KONG_SIM_SLEEP_SECONDS: "2", KONG_SIM_SLEEP_AT: "2" }));
    } finally {
      setLogSink(prev);
    }
    assert.equal(result.outs.phase, "pending-finish");
    const at = (prefix: string) => stamped.find(([, l]) => l.startsWith(prefix))?.[0];
    const first = at("[kong-migrations] kong: core migrated up to: 009_200_to_210 (pending)");
    const done = at("[kong-migrations] ran kong migrations up (");
    assert.ok(first !== undefined && done !== undefined, stamped.map(([, l]) => l).join("\n"));
    assert.ok(done - first >= 1500, `the first migration's line arrived ${done - first} ms before the end, while migration 2 slept`);
  });
});
