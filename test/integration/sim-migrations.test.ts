/**
 * kong-sim's bootstrap, up, finish, list, status and reset against real PostgreSQL, mirroring
 * Kong's CLI spec (`spec/02-integration/02-cmd/10-migrations_spec.lua`) and kong-migrations.md
 * §2-4: exact stdout/stderr, exit codes and schema_meta/locks rows. Core only (KONG_PLUGINS=off)
 * where exact texts are asserted, so the expectations are the documented 2.0/2.1 lists (§5.1).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { lockRows, metaRows, runSim, SIM_CLI, simEnv, tableNames, type SimResult } from "../helpers/kong-sim";
import { query, useFreshDatabase } from "../helpers/postgres";

const CORE_205 = ["000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140", "007_140_to_150", "008_150_to_200"];
const RUN_WITH_V = "\n  Run with --v (verbose) or --vv (debug) for more details\n";
const NEEDS_BOOTSTRAP =
  "Database needs bootstrapping or is older than Kong 1.0.\n\n" +
  "To start a new installation from scratch, run 'kong migrations bootstrap'.\n\n" +
  "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \n" +
  "If you still have 'apis' entities, you can convert them to Routes and Services\n" +
  "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n";

describe("kong-sim migrations: bootstrap, up, finish, list, status, reset", function () {
  this.timeout(30_000);
  const db = useFreshDatabase();
  const sim = (version: string, args: string[], extra: Record<string, string> = {}): Promise<SimResult> =>
    runSim(["migrations", ...args], simEnv(db(), version, { KONG_PLUGINS: "off", ...extra }));
  const ok = (r: SimResult, stdout: string, code = 0): void => {
    assert.equal(r.stderr, "", "stderr");
    assert.equal(r.stdout, stdout);
    assert.equal(r.code, code, "exit code");
  };
  const bootstrapOutput = (name: string): string =>
    "Bootstrapping database...\n" +
    `migrating core on database '${name}'...\n` +
    CORE_205.map((m) => `core migrated up to: ${m} (executed)\n`).join("") +
    "7 migrations processed\n7 executed\nDatabase is up-to-date\n";
  const bootstrapped205 = { subsystem: "core", last_executed: "008_150_to_200", executed: CORE_205, pending: [] };
  const upOutput = (name: string): string =>
    `migrating core on database '${name}'...\n` +
    "core migrated up to: 009_200_to_210 (pending)\n" +
    "core migrated up to: 010_210_to_211 (executed)\n" +
    "core migrated up to: 011_212_to_213 (executed)\n" +
    "3 migrations processed\n2 executed\n1 pending\n" +
    "\nDatabase has pending migrations; run 'kong migrations finish' when ready\n";
  const afterUp214 = {
    subsystem: "core",
    last_executed: "011_212_to_213",
    executed: [...CORE_205, "010_210_to_211", "011_212_to_213"],
    pending: ["009_200_to_210"],
  };

  it("bootstrap runs every migration (up and teardown) and records them as Kong does", async () => {
    ok(await sim("2.0.5", ["bootstrap"]), bootstrapOutput(db().database));
    // Teardown migrations are recorded pending then teardown: pending ends as '{}', not NULL (§1.2).
    assert.deepEqual(await metaRows(db()), [bootstrapped205]);
    assert.deepEqual(await lockRows(db()), [], "the lock is released");
    assert.deepEqual(await tableNames(db()), [
      // core 000_base also creates the entity tables kong-sim's migrate-community-to-enterprise rewrites.
      "consumers",
      "ksim/core/000_base",
      "ksim/core/003_100_to_110",
      "ksim/core/005_120_to_130",
      "ksim/core/006_130_to_140",
      "ksim/core/008_150_to_200",
      "locks",
      "routes",
      "schema_meta",
      "services",
    ]);
  });

  it("does not bootstrap twice: 'Database already bootstrapped', exit 0, nothing written", async () => {
    await sim("2.0.5", ["bootstrap"]);
    ok(await sim("2.0.5", ["bootstrap"]), "Database already bootstrapped\n");
    // Even with new migrations for the running version (§2.1).
    ok(await sim("2.1.4", ["bootstrap"]), "Database already bootstrapped\n");
    assert.deepEqual(await metaRows(db()), [bootstrapped205]);
  });

  it("an empty schema_meta counts as bootstrapped: bootstrap is a no-op, list exits 5 (§4 edge case)", async () => {
    await query(
      db(),
      "CREATE TABLE schema_meta (key TEXT, subsystem TEXT, last_executed TEXT, executed TEXT[], pending TEXT[], PRIMARY KEY (key, subsystem))",
    );
    ok(await sim("2.0.5", ["bootstrap"]), "Database already bootstrapped\n");
    const list = await sim("2.0.5", ["list"]);
    ok(list, `New migrations available:\ncore: ${CORE_205.join(", ")}\n\nRun 'kong migrations up' to proceed\n`, 5);
  });

  it("bootstrap --force resets first, then bootstraps again", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await query(db(), 'CREATE TABLE "not kong" (x int)');
    ok(
      await sim("2.0.5", ["bootstrap", "--force"]),
      "Resetting database...\nDatabase successfully reset\n" + bootstrapOutput(db().database),
    );
    assert.deepEqual(await metaRows(db()), [bootstrapped205], "executed is not duplicated");
    assert.ok(!(await tableNames(db())).includes("not kong"), "the reset dropped the whole schema");
  });

  it("bootstrap --force on an empty database: 'nothing to reset' is not fatal", async () => {
    ok(await sim("2.0.5", ["bootstrap", "-f"]), "Database not bootstrapped, nothing to reset\n" + bootstrapOutput(db().database));
  });

  it("up runs the up part of new migrations, recording teardown ones as pending (§3.5)", async () => {
    await sim("2.0.5", ["bootstrap"]);
    ok(await sim("2.1.4", ["up"]), upOutput(db().database));
    assert.deepEqual(await metaRows(db()), [afterUp214]);
    assert.deepEqual(await lockRows(db()), []);
  });

  it("up twice with pending migrations, 2.1.x: the error is wrapped in the cluster_mutex error with a traceback", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await sim("2.1.4", ["up"]);
    const r = await sim("2.1.4", ["up"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const lines = r.stderr.split("\n");
    assert.equal(
      lines[0],
      "Error: [PostgreSQL error] cluster_mutex callback threw an error: /usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:67: " +
        "Database has pending migrations; run 'kong migrations finish'",
    );
    assert.equal(lines[1], "stack traceback:");
    assert.equal(lines[2], "\t[C]: in function 'error'");
    assert.ok(
      r.stderr.endsWith(`\t[C]: in function 'xpcall'\n\tinit_worker_by_lua:54: in function <init_worker_by_lua:52>\n${RUN_WITH_V}`),
      r.stderr,
    );
    assert.deepEqual(await metaRows(db()), [afterUp214], "nothing changed");
    assert.deepEqual(await lockRows(db()), [], "the lock was released after the callback threw");
  });

  it("up with pending migrations, 2.2.0+: the clean error, raised before the lock", async () => {
    await sim("2.1.4", ["bootstrap"]);
    const first = await sim("2.2.0", ["up"]);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /core migrated up to: 012_213_to_220 \(pending\)\n/);
    const r = await sim("2.2.0", ["up"]);
    assert.deepEqual(r, {
      code: 1,
      signal: null,
      stdout: "",
      stderr: `Error: Database has pending migrations; run 'kong migrations finish'\n${RUN_WITH_V}`,
    });
  });

  it("up with nothing new: 'Database is already up-to-date', exit 0", async () => {
    await sim("2.1.4", ["bootstrap"]);
    ok(await sim("2.1.4", ["up"]), "Database is already up-to-date\n");
  });

  it("up or finish on a database that needs bootstrap: 'Cannot run migrations: …', exit 1", async () => {
    for (const cmd of ["up", "finish"]) {
      const r = await sim("2.1.4", [cmd]);
      assert.deepEqual(r, { code: 1, signal: null, stdout: "", stderr: `Error: Cannot run migrations: ${NEEDS_BOOTSTRAP}\n${RUN_WITH_V}` });
    }
    assert.deepEqual(await tableNames(db()), [], "nothing was created");
  });

  it("up --force re-runs executed migrations and stops at pending ones; re-entrant", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await sim("2.1.4", ["up"]);
    const name = db().database;
    const expected =
      `migrating core on database '${name}'...\n` +
      [...CORE_205, "010_210_to_211", "011_212_to_213"].map((m) => `core migrated up to: ${m} (executed)\n`).join("") +
      "9 migrations processed\n9 executed\n" +
      "\nDatabase has pending migrations; run 'kong migrations finish' when ready\n";
    ok(await sim("2.1.4", ["up", "--force"]), expected);
    ok(await sim("2.1.4", ["up", "--force"]), expected);
    const [row] = await metaRows(db());
    assert.deepEqual(row.pending, ["009_200_to_210"]);
    assert.equal(row.executed?.length, 9 * 3, "every re-run appends (duplicates in executed, §1.1)");
  });

  it("finish runs the pending teardowns and still says 'No pending migrations to finish' (§2.3 step 6)", async () => {
    await sim("2.0.5", ["bootstrap"]);
    await sim("2.1.4", ["up"]);
    ok(
      await sim("2.1.4", ["finish"]),
      `migrating core on database '${db().database}'...\n` +
        "core migrated up to: 009_200_to_210 (executed)\n1 migration processed\n1 executed\nNo pending migrations to finish\n",
    );
    assert.deepEqual(await metaRows(db()), [
      { subsystem: "core", last_executed: "009_200_to_210", executed: [...afterUp214.executed, "009_200_to_210"], pending: [] },
    ]);
    assert.ok(!(await tableNames(db())).includes("ksim/core/008_150_to_200"), "the teardown dropped what 2.0 reads");
  });

  it("finish with nothing pending: 'No pending migrations to finish', exit 0", async () => {
    await sim("2.1.4", ["bootstrap"]);
    ok(await sim("2.1.4", ["finish"]), "No pending migrations to finish\n");
  });

  it("finish with new migrations: blank line + 'New migrations available; …', exit 0", async () => {
    await sim("2.0.5", ["bootstrap"]);
    ok(await sim("2.1.4", ["finish"]), "\nNew migrations available; run 'kong migrations up' to proceed\n");
    assert.deepEqual(await metaRows(db()), [bootstrapped205]);
  });

  it("list: exit 3 needs bootstrap, 0 up to date, 5 new, 4 pending, 4 pending and new with the stderr warn", async () => {
    ok(await sim("2.0.5", ["list"]), NEEDS_BOOTSTRAP + "\n", 3);
    await sim("2.0.5", ["bootstrap"]);
    const executed205 = `Executed migrations:\ncore: ${CORE_205.join(", ")}\n`;
    ok(await sim("2.0.5", ["list"]), executed205, 0);
    ok(
      await sim("2.1.4", ["list"]),
      executed205 +
        "\nNew migrations available:\ncore: 009_200_to_210, 010_210_to_211, 011_212_to_213\n\nRun 'kong migrations up' to proceed\n",
      5,
    );
    await sim("2.1.4", ["up"]);
    const executedAfterUp = `Executed migrations:\ncore: ${[...CORE_205, "010_210_to_211", "011_212_to_213"].join(", ")}\n`;
    const pending = "\nPending migrations:\ncore: 009_200_to_210\n";
    ok(await sim("2.1.4", ["list"]), executedAfterUp + pending + "\nRun 'kong migrations finish' when ready\n", 4);

    const both = await sim("2.2.0", ["list"]);
    assert.equal(both.code, 4);
    assert.equal(
      both.stdout,
      executedAfterUp +
        pending +
        "\nNew migrations available:\ncore: 012_213_to_220\n" +
        "\n\nRun 'kong migrations finish' when ready to complete pending migrations (postgres database will be incompatible with the previous Kong version)\n",
    );
    assert.match(
      both.stderr,
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[warn\] Database has pending migrations from a previous upgrade, and new migrations from this upgrade \(version 2\.2\.0\)\n$/,
    );
  });

  it("list in 1.x: the one-line bootstrap message, exit 3", async () => {
    ok(await sim("1.5.1", ["list"]), "Database needs bootstrapping; run 'kong migrations bootstrap'\n", 3);
  });

  it("list: right-aligns subsystem names in each block", async () => {
    await sim("2.1.4", ["bootstrap"], { KONG_PLUGINS: "acl,bot-detection" });
    const r = await sim("2.1.4", ["list"], { KONG_PLUGINS: "acl,bot-detection" });
    assert.equal(r.code, 0);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "Executed migrations:");
    assert.match(lines[1], /^ {9}core: 000_base, /);
    assert.match(lines[2], /^ {10}acl: 000_base_acl, /);
    assert.equal(lines[3], "bot-detection: 001_200_to_210");
  });

  it("list exits 1 when the database cannot be reached (wrong port)", async () => {
    const r = await sim("2.1.4", ["list"], { KONG_PG_PORT: "1" });
    assert.deepEqual(r, {
      code: 1,
      signal: null,
      stdout: "",
      stderr: `Error: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: connection refused\n${RUN_WITH_V}`,
    });
  });

  it("list exits 1 on a wrong password, with PostgreSQL's message", async () => {
    const r = await sim("2.1.4", ["list"], { KONG_PG_PASSWORD: "wrong" });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `Error: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: FATAL: password authentication failed for user "${db().user}"\n${RUN_WITH_V}`,
    );
  });

  it("status (3.0+) prints the state as JSON; 2.x does not know the sub-command", async () => {
    const fresh = await sim("3.0.0", ["status"]);
    assert.equal(fresh.code, 0);
    const j = JSON.parse(fresh.stdout);
    assert.equal(j.needs_bootstrap, true);
    assert.equal(j.new_migrations[0].subsystem, "core");
    assert.equal(j.new_migrations[0].namespace, "kong.db.migrations.core");
    assert.equal(j.new_migrations[0].migrations.at(-1), "016_280_to_300");
    assert.equal(j.executed_migrations, undefined);

    await sim("2.8.0", ["bootstrap"]);
    await sim("3.0.0", ["up"]);
    const after = JSON.parse((await sim("3.0.0", ["status"])).stdout);
    assert.equal(after.needs_bootstrap, false);
    assert.deepEqual(after.pending_migrations, [
      { subsystem: "core", namespace: "kong.db.migrations.core", migrations: ["016_280_to_300"] },
    ]);
    assert.equal(after.new_migrations, undefined);

    const old = await sim("2.8.0", ["status"]);
    assert.equal(old.code, 1);
    assert.equal(old.stdout, "");
    assert.ok(old.stderr.startsWith("No such command for migrations: status\n\nUsage: kong migrations COMMAND [OPTIONS]\n"), old.stderr);
    assert.ok(!old.stderr.includes("  status "), "the 2.x usage does not list status");
  });

  it("reset: refuses without --yes when stdin is not a TTY", async () => {
    await sim("2.1.4", ["bootstrap"]);
    const r = await sim("2.1.4", ["reset"]);
    assert.deepEqual(r, {
      code: 1,
      signal: null,
      stdout: "",
      stderr: `Error: not a tty: invoke 'reset' non-interactively with the --yes flag\n${RUN_WITH_V}`,
    });
    assert.equal((await metaRows(db())).length, 1, "nothing was reset");
  });

  it("reset on a terminal asks Kong's question (3 tries; anything but yes cancels, exit 0)", async () => {
    await sim("2.1.4", ["bootstrap"]);
    // util-linux `script` gives kong-sim a pseudo-terminal as stdin; the typed answers are echoed.
    const onTTY = (version: string, input: string) =>
      spawnSync("script", ["-qec", `${process.execPath} ${SIM_CLI} migrations reset`, "/dev/null"], {
        env: { PATH: process.env.PATH, ...simEnv(db(), version, { KONG_PLUGINS: "off" }) },
        input,
        encoding: "utf8",
      });
    const prompt = "> Are you sure? This operation is irreversible. [Y/n] ";
    const no = onTTY("2.1.4", "maybe\nn\n");
    assert.equal(no.status, 0, no.stdout);
    assert.ok(no.stdout.replace(/\r/g, "").endsWith(`${prompt}${prompt}cancelled\n`), JSON.stringify(no.stdout));
    assert.equal((await metaRows(db())).length, 1, "cancelled: nothing was reset");
    const yes = onTTY("3.0.0", "y\n");
    assert.equal(yes.status, 0, yes.stdout);
    assert.ok(
      yes.stdout
        .replace(/\r/g, "")
        .endsWith("> Are you sure? This operation is irreversible. [y/n] Resetting database...\nDatabase successfully reset\n"),
      JSON.stringify(yes.stdout),
    );
    assert.deepEqual(await tableNames(db()), []);
  });

  it("reset of a database that was never bootstrapped: 'nothing to reset', exit 1", async () => {
    ok(await sim("2.1.4", ["reset", "--yes"]), "Database not bootstrapped, nothing to reset\n", 1);
  });

  it("reset --yes drops the schema (Kong's tables and others) and recreates it empty", async () => {
    await sim("2.1.4", ["bootstrap"]);
    await query(db(), 'CREATE TABLE "not kong" (x int)');
    ok(await sim("2.1.4", ["reset", "-y"]), "Resetting database...\nDatabase successfully reset\n");
    assert.deepEqual(await tableNames(db()), []);
    ok(await sim("2.1.4", ["list"]), NEEDS_BOOTSTRAP + "\n", 3);
  });

  it("reset retries without the cluster lock when the lock cannot be taken (locks dropped)", async () => {
    await sim("2.1.4", ["bootstrap"]);
    await query(db(), "DROP TABLE locks");
    const r = await sim("2.1.4", ["reset", "-y"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Resetting database...\nDatabase successfully reset\n");
    assert.match(
      r.stderr,
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[error\] \[PostgreSQL error\] failed to insert cluster lock: ERROR: relation "locks" does not exist \(\d+\) - retrying without cluster lock\n$/,
    );
    assert.deepEqual(await tableNames(db()), []);
  });

  it("-q suppresses the log; --v prefixes every line with the date and level", async () => {
    ok(await sim("2.0.5", ["bootstrap", "-q"]), "");
    assert.equal((await metaRows(db())).length, 1, "it still ran");
    const list = await sim("2.0.5", ["list", "-q"]);
    ok(list, "", 0);
    const v = await sim("2.0.5", ["list", "--v"]);
    assert.equal(v.code, 0);
    const lines = v.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[verbose\] Kong: 2\.0\.5$/);
    assert.ok(
      lines.some((l) => / \[verbose\] schema state retrieved$/.test(l)),
      v.stdout,
    );
    assert.match(lines.at(-2)!, / \[info\] Executed migrations:$/);
    assert.equal(lines.at(-1), `core: ${CORE_205.join(", ")}`, "continuation lines of one message carry no prefix");
  });

  it("--vv shows the migrations a command is about to run (debug)", async () => {
    await sim("2.0.5", ["bootstrap"]);
    const r = await sim("2.1.4", ["up", "--vv"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, / \[debug\] migrations to run:\ncore: 009_200_to_210, 010_210_to_211, 011_212_to_213\n/);
    assert.match(r.stdout, / \[debug\] running migration: 009_200_to_210\n/);
  });
});
