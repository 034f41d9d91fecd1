/**
 * kong-sim's cluster mutex against real PostgreSQL (kong-migrations.md §1.4, §3.3): two nodes at
 * once, waiting and no-wait commands, the lock timeout, stale and foreign lock rows. Small
 * --lock-timeout values keep it fast; KONG_SIM_HOLD_LOCK_SECONDS makes the first node hold the lock.
 */
import { strict as assert } from "node:assert";
import { setTimeout as sleep } from "node:timers/promises";
import { lockRows, metaRows, runSim, simEnv, startSim, type SimResult } from "../helpers/kong-sim";
import { query, useFreshDatabase } from "../helpers/postgres";

const ABORTED = "aborted: another node is performing database changes\n";
const RUN_WITH_V = "\n  Run with --v (verbose) or --vv (debug) for more details\n";

describe("kong-sim cluster lock", function () {
  this.timeout(30_000);
  const db = useFreshDatabase();
  const env = (version: string, extra: Record<string, string> = {}) => simEnv(db(), version, { KONG_PLUGINS: "off", ...extra });
  const sim = (version: string, args: string[], extra: Record<string, string> = {}): Promise<SimResult> =>
    runSim(["migrations", ...args], env(version, extra));
  /** Resolves once some process holds the migrations lock. */
  const lockTaken = async (): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const [{ taken }] = await query<{ taken: boolean }>(db(), "SELECT to_regclass('locks') IS NOT NULL AS taken");
      if (taken && (await query(db(), "SELECT 1 FROM locks WHERE key = 'migrations'")).length) return;
      await sleep(25);
    }
    throw new Error("nobody took the lock");
  };

  it("two concurrent ups: the second waits, then prints the aborted line and exits 0 without running", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const first = startSim(["migrations", "up", "--lock-timeout", "20"], env("2.1.4", { KONG_SIM_HOLD_LOCK_SECONDS: "1.2" }));
    await lockTaken();
    const t0 = Date.now();
    const second = await sim("2.1.4", ["up", "--lock-timeout", "20"]);
    const waited = Date.now() - t0;
    const a = await first.result;
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^migrating core on database '.*'\.\.\.\ncore migrated up to: 009_200_to_210 \(pending\)\n/);
    assert.deepEqual(second, { code: 0, signal: null, stdout: ABORTED, stderr: "" });
    assert.ok(waited >= 700, `the second up waited for the lock (${waited} ms)`);
    const [row] = await metaRows(db());
    assert.deepEqual(row.pending, ["009_200_to_210"], "the migrations ran once");
    assert.equal(row.executed?.filter((m) => m === "010_210_to_211").length, 1);
    assert.deepEqual(await lockRows(db()), []);
  });

  it("up waiting longer than --lock-timeout fails with '[PostgreSQL error] timeout', exit 1", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const first = startSim(["migrations", "up", "--lock-timeout", "30"], env("2.1.4", { KONG_SIM_HOLD_LOCK_SECONDS: "3" }));
    await lockTaken();
    const t0 = Date.now();
    const second = await sim("2.1.4", ["up", "--lock-timeout", "1"]);
    const waited = Date.now() - t0;
    assert.deepEqual(second, { code: 1, signal: null, stdout: "", stderr: `Error: [PostgreSQL error] timeout\n${RUN_WITH_V}` });
    // Sleeps 0.1 + 0.3 + 0.9 s: the loop gives up once they add up to the ttl (1 s).
    assert.ok(waited >= 1200 && waited < 2900, `gave up after the schedule's 1.3 s (${waited} ms)`);
    assert.equal((await first.result).code, 0);
  });

  it("two concurrent finishes: the loser aborts at once (no wait), exit 0", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await sim("2.1.4", ["up"]);
    const first = startSim(["migrations", "finish"], env("2.1.4", { KONG_SIM_HOLD_LOCK_SECONDS: "2" }));
    await lockTaken();
    const second = await sim("2.1.4", ["finish"]);
    assert.deepEqual(second, { code: 0, signal: null, stdout: ABORTED, stderr: "" });
    assert.equal(first.child.exitCode, null, "the loser returned while the winner still held the lock");
    const a = await first.result;
    assert.equal(a.code, 0);
    assert.match(
      a.stdout,
      /core migrated up to: 009_200_to_210 \(executed\)\n1 migration processed\n1 executed\nNo pending migrations to finish\n$/,
    );
    const [row] = await metaRows(db());
    assert.equal(row.executed?.filter((m) => m === "009_200_to_210").length, 1, "finished once");
    assert.deepEqual(row.pending, []);
  });

  it("a second bootstrap while the first holds the lock sees schema_meta: 'Database already bootstrapped'", async () => {
    const first = startSim(["migrations", "bootstrap"], env("2.0.5", { KONG_SIM_HOLD_LOCK_SECONDS: "1" }));
    await lockTaken();
    assert.deepEqual(await sim("2.0.5", ["bootstrap"]), { code: 0, signal: null, stdout: "Database already bootstrapped\n", stderr: "" });
    assert.equal((await first.result).code, 0);
    assert.equal((await metaRows(db()))[0].executed?.length, 7);
  });

  it("bootstrap that loses the lock prints the aborted line, exit 0, leaving an empty schema_meta (list then exits 5)", async () => {
    await query(db(), "CREATE TABLE locks (key TEXT PRIMARY KEY, owner TEXT, ttl TIMESTAMP WITH TIME ZONE)");
    await query(db(), "INSERT INTO locks VALUES ('migrations', 'another-node', now() + interval '1 minute')");
    assert.deepEqual(await sim("2.0.5", ["bootstrap"]), {
      code: 0,
      signal: null,
      stdout: "Bootstrapping database...\n" + ABORTED,
      stderr: "",
    });
    assert.deepEqual(await metaRows(db()), []);
    const list = await sim("2.0.5", ["list"]);
    assert.equal(list.code, 5);
    assert.deepEqual(
      await lockRows(db()),
      [{ key: "migrations", owner: "another-node", expired: false }],
      "a foreign lock is never deleted",
    );
  });

  it("reset that loses the lock prints the aborted line and exits 1", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await query(db(), "INSERT INTO locks VALUES ('migrations', 'another-node', now() + interval '1 minute')");
    assert.deepEqual(await sim("2.0.5", ["reset", "--yes"]), { code: 1, signal: null, stdout: ABORTED, stderr: "" });
    assert.equal((await metaRows(db())).length, 1, "nothing was reset");
  });

  it("Enterprise up does not wait for the lock: the aborted line at once", async () => {
    const ee = { KONG_SIM_EDITION: "enterprise" };
    assert.equal((await sim("2.8.4.0", ["bootstrap"], ee)).code, 0);
    await query(db(), "INSERT INTO locks VALUES ('migrations', 'another-node', now() + interval '1 minute')");
    const t0 = Date.now();
    assert.deepEqual(await sim("2.8.4.2", ["up", "--lock-timeout", "10"], ee), { code: 0, signal: null, stdout: ABORTED, stderr: "" });
    assert.ok(Date.now() - t0 < 1500, "no polling");
  });

  it("an expired lock row is deleted by the next node, which then runs", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await query(db(), "INSERT INTO locks VALUES ('migrations', 'crashed-node', now() - interval '1 second')");
    const r = await sim("2.1.4", ["up", "--lock-timeout", "5"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 migrations processed\n/);
    assert.deepEqual(await lockRows(db()), [], "the stale row was cleaned up, ours released");
  });

  it("the lock row carries a per-process owner and a ttl of --lock-timeout seconds", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const first = startSim(["migrations", "up", "--lock-timeout", "40"], env("2.1.4", { KONG_SIM_HOLD_LOCK_SECONDS: "1" }));
    await lockTaken();
    const [row] = await query<{ owner: string; secs: number }>(
      db(),
      "SELECT owner, EXTRACT(EPOCH FROM ttl - now())::float AS secs FROM locks",
    );
    assert.match(row.owner, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(row.secs > 37 && row.secs <= 40, `ttl ${row.secs}s from now`);
    assert.equal((await first.result).code, 0);
  });
});
