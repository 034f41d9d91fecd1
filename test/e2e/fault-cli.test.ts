/**
 * A handful of the fault matrix's cases (test/faults) through the real Pulumi CLI (issue 10, item
 * 1): `pulumi up` with a kong-sim fault fails naming the command and the next step, `pulumi
 * refresh` then succeeds and records what the database holds, and `pulumi up` without the fault
 * converges to exactly the `schema_meta` rows of a run that never failed (kong-sim run directly on
 * another database), with `check-compat` of the versions that may still run. Real PostgreSQL,
 * kong-sim as Kong, the quickstart program (examples/quickstart).
 */
import { strict as assert } from "node:assert";
import { asSets, metaRows, pendingCount, recorded, sleepingBackends, type MetaRow } from "../helpers/kong-sim";
import { setTimeout as sleep } from "node:timers/promises";
import { createDatabase, dropDatabase, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { kongSim } from "../helpers/provider-fixture";
import { newStack, ok, removeStack, resourceOutputs } from "../helpers/pulumi-stack";
import type { CliResult, Stack } from "../../scripts/lib/pulumi-cli";

type Step = "bootstrap" | "up" | "finish";

/** schema_meta after each step of kong-sim run directly (bootstrap 2.0.5, up 2.1.4, finish 2.1.4), and each step's count. */
interface Reference {
  readonly rows: Record<Step, MetaRow[]>;
  readonly upCount: number;
}

async function reference(): Promise<Reference> {
  const db = await createDatabase();
  try {
    const run = async (version: string, args: string[]) => assert.equal((await kongSim(db, version, args)).code, 0, args.join(" "));
    await run("2.0.5", ["migrations", "bootstrap"]);
    const bootstrap = await metaRows(db);
    await run("2.1.4", ["migrations", "up"]);
    const up = await metaRows(db);
    await run("2.1.4", ["migrations", "finish"]);
    const finish = await metaRows(db);
    return { rows: { bootstrap, up, finish }, upCount: recorded(up) - recorded(bootstrap) };
  } finally {
    await dropDatabase(db.database);
  }
}

/** What the database holds per subsystem (names sorted), as the outputs `executed` and `pending` say it. */
function bySubsystem(rows: MetaRow[], field: "executed" | "pending"): Record<string, string[]> {
  return Object.fromEntries(rows.filter((r) => (r[field] ?? []).length > 0).map((r) => [r.subsystem, [...r[field]!].sort()]));
}
function sorted(outputs: unknown): Record<string, string[]> {
  return Object.fromEntries(Object.entries((outputs ?? {}) as Record<string, string[]>).map(([k, v]) => [k, [...v].sort()]));
}

/** Resolves once no other backend of `db` sits in kong-sim's pg_sleep (KONG_SIM_SLEEP_SECONDS). */
async function orphanedStatementGone(db: TestDatabase): Promise<void> {
  while (await sleepingBackends(db)) await sleep(200);
}

function failedWith(r: CliResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `pulumi up with the fault exited 0\n${r.stdout}`);
  assert.match(r.stdout + r.stderr, pattern);
}

describe("fault cases through the real Pulumi CLI: up with the fault, refresh, up again", function () {
  this.timeout(600_000);
  const db = useFreshDatabase();
  let ref: Reference;
  let s: Stack | undefined;

  before(async function () {
    this.timeout(60 * 60_000); // the first run on a fresh machine builds the CLI from Go modules
    ref = await reference();
  });
  afterEach(async () => {
    await removeStack(s);
    s = undefined;
  });

  /**
   * `pulumi refresh` succeeds and the outputs then say what the database holds of the migrations
   * the declared version knows (`known`: schema_meta after a clean run of that version).
   */
  async function refreshed(stack: Stack, known: MetaRow[]): Promise<Record<string, unknown>> {
    ok(await stack.run(["refresh", "--yes", "--skip-preview"]), "refresh after the fault");
    const outs = await resourceOutputs(stack);
    const names = new Set(known.flatMap((r) => [...(r.executed ?? []), ...(r.pending ?? [])].map((n) => `${r.subsystem}/${n}`)));
    const rows = (await metaRows(db())).map((r) => {
      const keep = (xs: string[] | null) => (xs ?? []).filter((n) => names.has(`${r.subsystem}/${n}`));
      return { ...r, executed: keep(r.executed), pending: keep(r.pending) };
    });
    assert.deepEqual(sorted(outs.executed), bySubsystem(rows, "executed"), "refresh: executed as the database holds it");
    assert.deepEqual(sorted(outs.pending), bySubsystem(rows, "pending"), "refresh: pending as the database holds it");
    return outs;
  }

  it("bootstrap 2.0.5 failing at its first migration: nothing recorded, the next up bootstraps and ends up-to-date", async () => {
    s = await newStack(db(), "2.0.5", [["simEnv.KONG_SIM_FAIL_AT", "1"]]);
    failedWith(
      await s.run(["up", "--yes", "--skip-preview"]),
      /kong migrations bootstrap \([^)]*\) exited 1: .*failed to run migration '000_base' up: ERROR: division by zero.*run pulumi up again/s,
    );
    // A failed create leaves no resource in the state; the refresh has nothing to read and succeeds.
    ok(await s.run(["refresh", "--yes", "--skip-preview"]), "refresh after the failed create");

    ok(await s.run(["config", "rm", "--path", "simEnv.KONG_SIM_FAIL_AT"]), "config rm");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "up again");
    const outs = await resourceOutputs(s);
    assert.equal(outs.phase, "up-to-date", "no old version ever ran on this database: nothing waits for decommissionedOld");
    // Kong ran up (schema_meta existed) then finish: a migration with a teardown is recorded when
    // its teardown ran, so the names are a clean bootstrap's, not necessarily in its order.
    assert.deepEqual(asSets(await metaRows(db())), asSets(ref.rows.bootstrap));
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0);
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });

  it("up 2.0.5 -> 2.1.4 hanging in its last migration: killed, refresh reports, Kong's limitation named at preview, its documented path converges", async () => {
    s = await newStack(db(), "2.0.5");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap 2.0.5");
    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    ok(await s.run(["config", "set", "commandTimeoutSeconds", "6"]), "config timeout");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_SLEEP_SECONDS", "12"]), "config sleep");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_SLEEP_AT", String(ref.upCount)]), "config sleep at");
    failedWith(
      await s.run(["up", "--yes", "--skip-preview"]),
      /kong migrations up \([^)]*\) did not end within commandTimeoutSeconds \(6 s\) and was killed\. .*run pulumi up again/,
    );
    // The failed update kept kongVersion 2.0.5 in the state: refresh reads the database against it.
    const outs = await refreshed(s, ref.rows.bootstrap);
    assert.equal(outs.phase, "mid-upgrade-old-version", "the database is mid-upgrade to a newer Kong; 2.0.5 nodes still run");
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0, "the old version still works mid-upgrade");

    // Every migration but the last was recorded, some of them pending: Kong's up refuses to run
    // while anything is pending, so the re-run cannot finish the up (kong-migrations.md §2.2).
    for (const key of ["simEnv.KONG_SIM_SLEEP_SECONDS", "simEnv.KONG_SIM_SLEEP_AT"]) ok(await s.run(["config", "rm", "--path", key]), key);
    const refused = await s.run(["preview"]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stdout,
      /property decommissionedOld value \{false\} has a problem: The database has pending migrations from an earlier up that was never finished \(or was interrupted\) .*and new migrations for Kong 2\.1\.4 \(rate-limiting 004_200_to_210\); Kong's up refuses to run while migrations are pending\. Finish them first: once no node older than Kong 2\.1\.4 uses the database, set decommissionedOld: true and run pulumi up/,
    );
    assert.equal((await metaRows(db())).find((r) => r.subsystem === "rate-limiting")!.executed!.includes("004_200_to_210"), false);

    // The killed Kong's statement runs on in its server backend, holding its table locks, until
    // it ends (the server notices the dead client only then), as a killed Kong node's would: the
    // next run would wait for it. Wait until it is gone, as an operator would see in pg_stat_activity.
    await orphanedStatementGone(db());

    // The documented path: once the 2.0.5 nodes are gone, finish, up, finish in one pulumi up.
    ok(await s.run(["config", "set", "decommissionedOld", "true"]), "config decommissionedOld");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "up along the documented path");
    assert.equal((await resourceOutputs(s)).phase, "up-to-date");
    assert.deepEqual(asSets(await metaRows(db())), asSets(ref.rows.finish));
    assert.equal((await kongSim(db(), "2.1.4", ["check-compat"])).code, 0, "check-compat 2.1.4");
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });

  it("finish 2.1.4 failing in a middle teardown: refresh shows what is left pending, the next up finishes", async () => {
    s = await newStack(db(), "2.0.5");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "bootstrap 2.0.5");
    ok(await s.run(["config", "set", "kongVersion", "2.1.4"]), "config set");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "up 2.1.4");
    const teardowns = pendingCount(ref.rows.up);
    ok(await s.run(["config", "set", "decommissionedOld", "true"]), "config decommissionedOld");
    ok(await s.run(["config", "set", "--path", "simEnv.KONG_SIM_FAIL_AT", String(Math.ceil(teardowns / 2))]), "config fault");
    failedWith(
      await s.run(["up", "--yes", "--skip-preview"]),
      /kong migrations finish \([^)]*\) exited 1: .*failed to run migration '[^']+' teardown: ERROR: division by zero.*run pulumi up again/s,
    );
    const outs = await refreshed(s, ref.rows.up);
    assert.equal(outs.phase, "pending-finish");
    const left = Object.values(outs.pending as Record<string, string[]>).flat().length;
    assert.ok(left > 0 && left < teardowns, `some teardowns ran, some are left (${left} of ${teardowns})`);

    ok(await s.run(["config", "rm", "--path", "simEnv.KONG_SIM_FAIL_AT"]), "config rm");
    ok(await s.run(["up", "--yes", "--skip-preview"]), "up again");
    assert.equal((await resourceOutputs(s)).phase, "up-to-date");
    assert.deepEqual(await metaRows(db()), ref.rows.finish);
    assert.equal((await kongSim(db(), "2.1.4", ["check-compat"])).code, 0, "check-compat 2.1.4");
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 1, "2.0.5 cannot run after finish");
    ok(await s.run(["preview", "--expect-no-changes"]), "converged");
  });
});
