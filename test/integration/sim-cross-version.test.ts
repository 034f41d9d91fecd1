/**
 * kong-sim across releases: for every pair of adjacent catalogued series of each edition, a real
 * database is bootstrapped by the older release, then `up` and `finish` run with the newer one
 * (bundled plugins, as Kong's default), and `check-compat` is asked of both releases at each step.
 * The blue/green story must hold at every hop (kong-migrations.md §3): after `up` both releases
 * work; after `finish` the newer still works and the older stops working exactly when a teardown
 * ran in a subsystem the older release has (a new plugin's teardown cannot break a release that
 * does not load it). This is what caught kong-sim's 1.5 -> 2.0 divergence (2.0.0 retired the 1.x-only
 * `001_14_to_15`, whose teardown had dropped a table 2.0 still read).
 */
import { strict as assert } from "node:assert";
import { knownMigrations } from "../../provider/kong/catalogue";
import type { Edition } from "../../provider/kong/catalogue-types";
import { ENTERPRISE } from "../../provider/kong/catalogue-data/enterprise";
import type { EditionData } from "../../provider/kong/catalogue-data/entry";
import { OSS } from "../../provider/kong/catalogue-data/oss";
import { lineageOf, tablesRead, teardownDrops } from "../../sim/migration-sql";
import { metaRows, runSim, simEnv } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, type TestDatabase } from "../helpers/postgres";

/** The first release of a series: `2.1.0`, Enterprise `2.1.0.0`. */
const firstRelease = (edition: Edition, series: string): string => (edition === "oss" ? `${series}.0` : `${series}.0.0`);

/** What the newer release's `up` must leave pending: its teardown migrations the older did not know. */
function expectedPending(edition: Edition, older: string, newer: string): Record<string, string[]> {
  const before = new Map(knownMigrations({ version: older, edition }).map((s) => [s.subsystem, new Set(s.migrations.map((m) => m.name))]));
  const out: Record<string, string[]> = {};
  for (const s of knownMigrations({ version: newer, edition })) {
    const names = s.migrations.filter((m) => m.teardown && !before.get(s.subsystem)?.has(m.name)).map((m) => m.name);
    if (names.length) out[s.subsystem] = names;
  }
  return out;
}

async function pendingRows(db: TestDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const r of await metaRows(db)) if (r.pending?.length) out[r.subsystem] = r.pending;
  return out;
}

/** Subsystem keys in one order, so that two maps compare by content. */
const sorted = (m: Record<string, string[]>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b))));

/**
 * Whether finishing `pending` breaks the older release: a teardown drops a table it reads. A
 * teardown of a plugin the older release does not load (3.7.0's new ai-proxy) cannot break it, nor
 * one that drops what only a later patch of the older series had (Enterprise 1.5.0.0's
 * `006_1301_to_1500` drops 1.3.0.1's `005_037_to_1301`, which 1.3.0.0 never read).
 */
function breaksOlder(edition: Edition, older: string, newer: string, pending: Record<string, string[]>): boolean {
  const reads = new Set(
    tablesRead(knownMigrations({ version: older, edition }), lineageOf({ version: older, edition })).map((t) => t.table),
  );
  const lineage = lineageOf({ version: newer, edition });
  return Object.entries(pending).some(([s, names]) => names.some((n) => reads.has(teardownDrops(lineage, s, n) ?? "")));
}

/** Walks one hop; returns the problems found (empty when the hop behaves as Kong's model says). */
async function hop(edition: Edition, older: string, newer: string): Promise<string[]> {
  const db = await createDatabase();
  const problems: string[] = [];
  const sim = (version: string, args: string[]) => runSim(args, simEnv(db, version, { KONG_SIM_EDITION: edition }));
  const expectCode = async (version: string, args: string[], code: number, when: string) => {
    const r = await sim(version, args);
    if (r.code !== code) problems.push(`${when}: ${version} ${args.join(" ")} exited ${r.code}, expected ${code}\n${r.stdout}${r.stderr}`);
  };
  try {
    await expectCode(older, ["migrations", "bootstrap"], 0, "bootstrap");
    await expectCode(older, ["check-compat"], 0, "after bootstrap");
    await expectCode(newer, ["migrations", "up"], 0, "up");
    await expectCode(older, ["check-compat"], 0, "after up (the old cluster keeps working)");
    await expectCode(newer, ["check-compat"], 0, "after up");
    const pending = expectedPending(edition, older, newer);
    const rows = await pendingRows(db);
    if (sorted(rows) !== sorted(pending)) problems.push(`after up: pending ${sorted(rows)}, expected ${sorted(pending)}`);
    await expectCode(newer, ["migrations", "finish"], 0, "finish");
    await expectCode(newer, ["check-compat"], 0, "after finish");
    const breaks = breaksOlder(edition, older, newer, pending);
    await expectCode(
      older,
      ["check-compat"],
      breaks ? 1 : 0,
      `after finish (${breaks ? "a teardown of a subsystem it reads ran" : "no teardown of its subsystems ran"})`,
    );
    await expectCode(newer, ["migrations", "list"], 0, "list after finish");
  } finally {
    await dropDatabase(db.database);
  }
  return problems.map((p) => `${older} -> ${newer}: ${p}`);
}

/** Runs `tasks` with at most `width` at a time (each spawns kong-sim processes one after another). */
async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe("kong-sim across adjacent catalogued series: bootstrap old, up and finish new, check-compat both", function () {
  this.timeout(240_000);
  for (const [edition, data] of [
    ["oss", OSS],
    ["enterprise", ENTERPRISE],
  ] as [Edition, EditionData][]) {
    const releases = data.series.map((s) => firstRelease(edition, s));
    it(`${data.label}: ${releases[0]} through ${releases[releases.length - 1]}, ${releases.length - 1} hops`, async () => {
      const hops = releases.slice(1).map((newer, i) => () => hop(edition, releases[i], newer));
      const problems = (await pool(hops, 3)).flat();
      assert.deepEqual(problems, []);
    });
  }
});
