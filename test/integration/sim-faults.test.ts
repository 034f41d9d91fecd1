/**
 * kong-sim's fault switches (sim/faults.ts) against real PostgreSQL: each failure leaves exactly
 * the rows a real Kong run would leave, and the next run (the way Kong recovers) succeeds.
 */
import { strict as assert } from "node:assert";
import { lockRows, metaRows, runSim, simEnv, startSim, tableNames, type SimResult } from "../helpers/kong-sim";
import { useFreshDatabase } from "../helpers/postgres";

const CORE_205 = ["000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140", "007_140_to_150", "008_150_to_200"];
const ABORTED = "aborted: another node is performing database changes\n";
const UP_214_DONE = {
  subsystem: "core",
  last_executed: "011_212_to_213",
  executed: [...CORE_205, "010_210_to_211", "011_212_to_213"],
  pending: ["009_200_to_210"],
};

describe("kong-sim fault switches", function () {
  this.timeout(30_000);
  const db = useFreshDatabase();
  const sim = (version: string, args: string[], extra: Record<string, string> = {}): Promise<SimResult> =>
    runSim(["migrations", ...args], simEnv(db(), version, { KONG_PLUGINS: "off", ...extra }));
  const firstLine = (r: SimResult): string => r.stderr.split("\n")[0];

  it("KONG_SIM_FAIL_AT: the n-th migration fails with a real SQL error, rolled back, reported as Kong does; finish + up recover", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const r = await sim("2.1.4", ["up"], { KONG_SIM_FAIL_AT: "2" });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `migrating core on database '${db().database}'...\ncore migrated up to: 009_200_to_210 (pending)\n`);
    assert.equal(
      firstLine(r),
      "Error: [PostgreSQL error] cluster_mutex callback threw an error: /usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:97: " +
        "[PostgreSQL error] failed to run migration '010_210_to_211' up: ERROR: division by zero",
    );
    assert.match(r.stderr, /\nstack traceback:\n\t\[C\]: in function 'assert'\n/);
    assert.ok(r.stderr.endsWith("\n\n  Run with --v (verbose) or --vv (debug) for more details\n"));
    assert.deepEqual(await metaRows(db()), [
      { subsystem: "core", last_executed: "008_150_to_200", executed: CORE_205, pending: ["009_200_to_210"] },
    ]);
    assert.ok(!(await tableNames(db())).includes("ksim/core/010_210_to_211"), "the failed migration's DDL was rolled back");
    assert.deepEqual(await lockRows(db()), [], "Kong releases the lock when the callback throws");

    // As with Kong: up now refuses (pending), finish the pending one, then up runs the rest.
    assert.equal((await sim("2.1.4", ["up"])).code, 1);
    const finish = await sim("2.1.4", ["finish"]);
    assert.equal(finish.code, 0);
    assert.ok(
      finish.stdout.endsWith("1 migration processed\n1 executed\n\nNew migrations available; run 'kong migrations up' to proceed\n"),
      finish.stdout,
    );
    const up = await sim("2.1.4", ["up"]);
    assert.equal(
      up.stdout,
      `migrating core on database '${db().database}'...\ncore migrated up to: 010_210_to_211 (executed)\ncore migrated up to: 011_212_to_213 (executed)\n2 migrations processed\n2 executed\n`,
    );
    assert.equal((await sim("2.1.4", ["list"])).code, 0);
  });

  it("KONG_SIM_FAIL_AT=1 in bootstrap leaves an empty schema_meta: 'already bootstrapped', list 5, up repairs (§4)", async () => {
    const r = await sim("2.0.5", ["bootstrap"], { KONG_SIM_FAIL_AT: "1" });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `Bootstrapping database...\nmigrating core on database '${db().database}'...\n`);
    assert.match(firstLine(r), /failed to run migration '000_base' up: ERROR: division by zero$/);
    assert.deepEqual(await metaRows(db()), []);
    assert.equal((await sim("2.0.5", ["bootstrap"])).stdout, "Database already bootstrapped\n");
    assert.equal((await sim("2.0.5", ["list"])).code, 5);
    const up = await sim("2.0.5", ["up"]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /7 migrations processed\n5 executed\n2 pending\n/);
    assert.equal((await sim("2.0.5", ["finish"])).code, 0);
    assert.equal((await sim("2.0.5", ["list"])).code, 0);
  });

  it("KONG_SIM_FAIL_AT in finish fails the teardown; nothing recorded; finish again succeeds", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await sim("2.1.4", ["up"]);
    const r = await sim("2.1.4", ["finish"], { KONG_SIM_FAIL_AT: "1" });
    assert.equal(r.code, 1);
    assert.match(firstLine(r), /: \[PostgreSQL error\] failed to run migration '009_200_to_210' teardown: ERROR: division by zero$/);
    assert.deepEqual(await metaRows(db()), [UP_214_DONE]);
    assert.ok((await tableNames(db())).includes("ksim/core/008_150_to_200"), "the teardown was rolled back");
    assert.equal((await sim("2.1.4", ["finish"])).code, 0);
    assert.equal((await sim("2.1.4", ["list"])).code, 0);
  });

  it("KONG_SIM_CRASH_AFTER_SQL: SIGKILL between SQL and bookkeeping; the lock blocks until its TTL; the re-run completes", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const r = await sim("2.1.4", ["up", "--lock-timeout", "2"], { KONG_SIM_CRASH_AFTER_SQL: "2" });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(r.code, null);
    assert.equal(r.stdout, `migrating core on database '${db().database}'...\ncore migrated up to: 009_200_to_210 (pending)\n`);
    assert.equal(r.stderr, "");
    assert.deepEqual(await metaRows(db()), [
      { subsystem: "core", last_executed: "008_150_to_200", executed: CORE_205, pending: ["009_200_to_210"] },
    ]);
    assert.ok((await tableNames(db())).includes("ksim/core/010_210_to_211"), "the DDL committed but is unrecorded");
    const [lock] = await lockRows(db());
    assert.equal(lock.key, "migrations");
    assert.equal(lock.expired, false, "the crashed node's lock row stays");

    assert.deepEqual(await sim("2.1.4", ["finish"]), { code: 0, signal: null, stdout: ABORTED, stderr: "" });
    // up waits; the row expires after 2 s; Kong then aborts instead of running (§1.4).
    assert.deepEqual(await sim("2.1.4", ["up", "--lock-timeout", "10"]), { code: 0, signal: null, stdout: ABORTED, stderr: "" });
    assert.equal((await metaRows(db()))[0].executed?.length, 7, "the aborted up ran nothing");

    // The database has a pending migration now, so Kong's way forward is finish, then up.
    const finish = await sim("2.1.4", ["finish"]);
    assert.equal(finish.code, 0, finish.stderr);
    const up = await sim("2.1.4", ["up"]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /core migrated up to: 010_210_to_211 \(executed\)\n/, "re-running the re-entrant SQL succeeds");
    assert.deepEqual(await lockRows(db()), [], "the expired row was cleaned up");
    const [row] = await metaRows(db());
    assert.deepEqual(row.pending, []);
    assert.deepEqual(row.executed, [...CORE_205, "009_200_to_210", "010_210_to_211", "011_212_to_213"]);
  });

  it("KONG_SIM_SLEEP_SECONDS + KONG_SIM_SLEEP_AT past --db-timeout: '… up: timeout', lock released", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const t0 = Date.now();
    const r = await sim("2.1.4", ["up", "--db-timeout", "1"], { KONG_SIM_SLEEP_SECONDS: "3", KONG_SIM_SLEEP_AT: "2" });
    const took = Date.now() - t0;
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `migrating core on database '${db().database}'...\ncore migrated up to: 009_200_to_210 (pending)\n`);
    assert.match(firstLine(r), /: \[PostgreSQL error\] failed to run migration '010_210_to_211' up: timeout$/);
    assert.ok(took >= 1000 && took < 2900, `timed out after --db-timeout (${took} ms)`);
    assert.deepEqual(await lockRows(db()), []);
  });

  it("KONG_SIM_SLEEP_SECONDS alone slows every migration, inside its transaction", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const t0 = Date.now();
    const r = await sim("2.1.4", ["up"], { KONG_SIM_SLEEP_SECONDS: "0.4" });
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took >= 1200, `3 migrations x 0.4 s (${took} ms)`);
  });

  it("log lines are written as they happen (a provider streams them as progress)", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const running = startSim(
      ["migrations", "up"],
      simEnv(db(), "2.1.4", { KONG_PLUGINS: "off", KONG_SIM_SLEEP_SECONDS: "1.5", KONG_SIM_SLEEP_AT: "2" }),
    );
    await running.waitFor("core migrated up to: 009_200_to_210 (pending)\n");
    assert.equal(running.child.exitCode, null, "printed while the second migration is still sleeping");
    assert.equal((await running.result).code, 0);
  });

  it("3.7.1+ applies KONG_PG_TIMEOUT when --db-timeout is absent; earlier versions default --db-timeout to 60 s", async () => {
    const slowFirst = { KONG_PG_TIMEOUT: "500", KONG_SIM_SLEEP_SECONDS: "1", KONG_SIM_SLEEP_AT: "1" };
    const r371 = await sim("3.7.1", ["bootstrap"], slowFirst);
    assert.equal(r371.code, 1);
    assert.match(firstLine(r371), /failed to run migration '000_base' up: timeout$/);
    const r370 = await sim("3.7.0", ["bootstrap", "-f"], slowFirst);
    assert.equal(r370.code, 0, r370.stderr);
  });

  it("a malformed fault switch is an error, exit 1, before anything runs", async () => {
    const r = await sim("2.0.5", ["bootstrap"], { KONG_SIM_FAIL_AT: "two" });
    assert.equal(r.code, 1);
    assert.equal(firstLine(r), 'Error: KONG_SIM_FAIL_AT must be a positive integer (got "two")');
    assert.deepEqual(await tableNames(db()), []);
  });
});
