/**
 * kong-sim's pure parts, without processes or a database: the lock wait schedule, the SQL model's
 * table names and read sets, the fault switch parsing, the log format and the argument parser.
 * (Kept beside the other kong-sim tests; it needs no PostgreSQL.)
 */
import { strict as assert } from "node:assert";
import { knownMigrations } from "../../provider/kong/catalogue";
import { parseMigrationArgs } from "../../sim/args";
import { readFaults, faultsForStep } from "../../sim/faults";
import { waitSchedule } from "../../sim/lock";
import { lineageOf, lineageOfList, migrationTable, tablesRead, teardownStatements, upStatements } from "../../sim/migration-sql";
import { Logger } from "../../sim/output";
import { formatGroups } from "../../sim/schema-state";

describe("kong-sim pure logic", () => {
  it("waits like Kong: sleeps 0.1, 0.3, 0.9, then 2 s steps until they add up to the ttl", () => {
    assert.deepEqual(
      waitSchedule(1).map((s) => +s.toFixed(3)),
      [0.1, 0.3, 0.9],
    );
    assert.deepEqual(
      waitSchedule(10).map((s) => +s.toFixed(3)),
      [0.1, 0.3, 0.9, 2, 2, 2, 2, 2],
    );
    assert.ok(waitSchedule(60).every((s) => s <= 2));
  });

  it("names one table per migration, unique and within PostgreSQL's 63 bytes for every catalogued name", () => {
    assert.equal(migrationTable("core", "009_200_to_210"), "ksim/core/009_200_to_210");
    const long = migrationTable("enterprise.response-transformer-advanced", "001_1500_to_2100_with_a_long_name");
    assert.equal(Buffer.byteLength(long), 63);
    assert.equal(long, migrationTable("enterprise.response-transformer-advanced", "001_1500_to_2100_with_a_long_name"), "deterministic");
    assert.notEqual(long, migrationTable("enterprise.response-transformer-advanced", "001_1500_to_2100_with_a_long_nam3"));
    for (const edition of ["oss", "enterprise"] as const) {
      const version = edition === "oss" ? "3.9.0" : "3.9.0.0";
      const names = knownMigrations({ version, edition, plugins: ["all"] }).flatMap((s) =>
        s.migrations.map((m) => migrationTable(s.subsystem, m.name)),
      );
      assert.ok(
        names.every((n) => Buffer.byteLength(n) <= 63),
        edition,
      );
      assert.equal(new Set(names).size, names.length, `${edition}: unique`);
    }
  });

  it("up creates the migration's table; a teardown drops its predecessor's; a version reads what no later teardown replaced", () => {
    const known = [
      {
        subsystem: "acl",
        migrations: [
          { name: "a", teardown: false },
          { name: "b", teardown: true },
          { name: "c", teardown: true },
        ],
      },
    ];
    assert.deepEqual(upStatements("acl", "b"), ['CREATE TABLE IF NOT EXISTS "ksim/acl/b" (id INTEGER PRIMARY KEY)']);
    assert.deepEqual(teardownStatements(lineageOfList(known), "acl", "b"), ['DROP TABLE IF EXISTS "ksim/acl/a"']);
    assert.deepEqual(teardownStatements(lineageOfList(known), "acl", "a"), []);
    assert.deepEqual(
      tablesRead(known).map((t) => t.table),
      ["schema_meta", "locks", "ksim/acl/c"],
    );
    assert.deepEqual(
      tablesRead([{ subsystem: "acl", migrations: known[0].migrations.slice(0, 1) }]).map((t) => t.table),
      ["schema_meta", "locks", "ksim/acl/a"],
      "the older version reads the table the newer teardown drops",
    );
  });

  it("a teardown drops what an older release had before it, whichever release runs it", () => {
    // 1.x's 001_14_to_15 (teardown, retired in 2.0.0) came with 000_base in 1.0.0: its teardown,
    // run by every 1.x bootstrap, must not drop the 000_base table that 2.0.5 still reads.
    const v15 = lineageOf({ version: "1.5.1", edition: "oss" });
    const v20 = lineageOf({ version: "2.0.5", edition: "oss" });
    assert.deepEqual(teardownStatements(v15, "core", "001_14_to_15"), []);
    assert.deepEqual(teardownStatements(v15, "core", "005_120_to_130"), ['DROP TABLE IF EXISTS "ksim/core/004_110_to_120"']);
    const reads20 = tablesRead(knownMigrations({ version: "2.0.5", edition: "oss", plugins: ["off"] }), v20).map((t) => t.table);
    assert.equal(reads20.includes("ksim/core/000_base"), true);
    assert.equal(reads20.includes("ksim/core/007_140_to_150"), false, "2.0.0's 008_150_to_200 teardown drops it");
    assert.equal(reads20.includes("ksim/core/008_150_to_200"), true);
    // The same target whether 2.0.5 or 2.1.4 runs 008_150_to_200's teardown.
    const v21 = lineageOf({ version: "2.1.4", edition: "oss" });
    assert.deepEqual(teardownStatements(v21, "core", "008_150_to_200"), teardownStatements(v20, "core", "008_150_to_200"));
    // A name inserted before an older one in Kong's list does not move the older one's target.
    const lineage = {
      subsystems: [
        {
          subsystem: "enterprise",
          migrations: [
            { name: "a", teardown: false },
            { name: "inserted", teardown: true },
            { name: "b", teardown: true },
          ],
        },
      ],
      introducedIn: (_s: string, n: string) => ({ a: "1.0.0", inserted: "2.0.0", b: "1.5.0" })[n],
    };
    assert.deepEqual(teardownStatements(lineage, "enterprise", "b"), ['DROP TABLE IF EXISTS "ksim/enterprise/a"']);
    assert.deepEqual(teardownStatements(lineage, "enterprise", "inserted"), ['DROP TABLE IF EXISTS "ksim/enterprise/a"']);
  });

  it("parses the fault switches strictly and numbers steps from 1", () => {
    assert.deepEqual(readFaults({}), {
      failAt: undefined,
      crashAfterSql: undefined,
      holdLockSeconds: undefined,
      sleepSeconds: undefined,
      sleepAt: undefined,
    });
    const f = readFaults({ KONG_SIM_FAIL_AT: "3", KONG_SIM_SLEEP_SECONDS: "0.5", KONG_SIM_SLEEP_AT: "2" });
    assert.deepEqual(faultsForStep(f, 2), { fail: false, crash: false, sleepSeconds: 0.5 });
    assert.deepEqual(faultsForStep(f, 3), { fail: true, crash: false, sleepSeconds: undefined });
    assert.throws(() => readFaults({ KONG_SIM_FAIL_AT: "0" }), /KONG_SIM_FAIL_AT must be a positive integer/);
    assert.throws(() => readFaults({ KONG_SIM_HOLD_LOCK_SECONDS: "-1" }), /KONG_SIM_HOLD_LOCK_SECONDS must be a non-negative number/);
    assert.throws(() => readFaults({ KONG_SIM_SLEEP_AT: "1" }), /KONG_SIM_SLEEP_AT needs KONG_SIM_SLEEP_SECONDS/);
  });

  it("logs like kong/cmd/utils/log.lua: bare info on stdout, prefixed warn on stderr, all prefixed when verbose", () => {
    const out: string[] = [];
    const err: string[] = [];
    const at = () => new Date(2020, 7, 14, 22, 5, 42);
    const log = new Logger("info", { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, at);
    log.info("hello");
    log.verboseLine("hidden");
    log.warn("careful");
    log.setLevel("verbose");
    log.info("Executed migrations:\ncore: 000_base");
    log.disable();
    log.error("silenced");
    log.print("{}");
    assert.deepEqual(out, ["hello\n", "2020/08/14 22:05:42 [info] Executed migrations:\ncore: 000_base\n", "{}\n"]);
    assert.deepEqual(err, ["2020/08/14 22:05:42 [warn] careful\n"]);
  });

  it("right-aligns subsystem names like Migrations_mt.__tostring", () => {
    assert.equal(
      formatGroups([
        { subsystem: "core", migrations: [{ name: "000_base", teardown: false }] },
        {
          subsystem: "rate-limiting",
          migrations: [
            { name: "a", teardown: false },
            { name: "b", teardown: true },
          ],
        },
      ]),
      "         core: 000_base\nrate-limiting: a, b",
    );
  });

  it("parses flags as Kong's lapp does", () => {
    const ok = parseMigrationArgs(["up", "-f", "--lock-timeout=5", "--db-timeout", "2", "--vv"], "2.1.4");
    assert.ok(ok.ok);
    assert.deepEqual(ok.args, {
      command: "up",
      yes: false,
      quiet: false,
      force: true,
      dbTimeout: 2,
      lockTimeout: 5,
      conf: undefined,
      prefix: undefined,
      v: false,
      vv: true,
    });
    const bad = parseMigrationArgs(["up", "--lock-timeout", "soon"], "2.1.4");
    assert.ok(!bad.ok && bad.stderr.startsWith("kong: unable to convert to number: soon\n\nUsage: kong migrations"));
    const prefix2 = parseMigrationArgs(["up", "-p", "/tmp/x"], "2.1.4");
    assert.ok(!prefix2.ok && prefix2.stderr.startsWith("kong: unrecognized parameter: -p\n"), "no --prefix before 3.x");
    const prefix3 = parseMigrationArgs(["up", "-p", "/tmp/x"], "3.4.0");
    assert.ok(prefix3.ok && prefix3.args.prefix === "/tmp/x");
  });
});
