/**
 * The real pg_dump and pg_restore (the machine's PostgreSQL 15 client tools) against the real test
 * PostgreSQL: dumps that restore row for row, the password only in a private password file, and
 * each typed failure with the tool's own message.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pgDump, pgRestore, toolVersion, isPgToolError, PgToolError } from "../../provider/postgres/pg-tools";
import { createDatabase, dropDatabase, query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";

function settingsOf(db: TestDatabase) {
  return { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, ssl: false, sslVerify: false };
}

async function seed(db: TestDatabase): Promise<void> {
  await query(db, "CREATE TABLE schema_meta (key text PRIMARY KEY, executed text[])");
  await query(db, "INSERT INTO schema_meta VALUES ('schema_meta', ARRAY['000_base']), ('core', ARRAY['000_base', '003_100_to_110'])");
  await query(db, "CREATE SCHEMA other");
  await query(db, "CREATE TABLE other.t (x int)");
}

/** A directory with an executable `name` holding `script` (a shell script), to put first on PATH. */
function shim(name: string, script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-shim-"));
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<PgToolError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPgToolError(e), `expected a PgToolError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

describe("pg-tools: the real pg_dump and pg_restore", function () {
  this.timeout(60_000);
  const db = useFreshDatabase();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-tools-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reports the tools' versions: PostgreSQL 15 here", async () => {
    const dump = await toolVersion("pg_dump");
    const restore = await toolVersion("pg_restore");
    assert.equal(dump.major, 15);
    assert.equal(restore.major, 15);
    assert.match(dump.text, /^15\.\d+/);
  });

  it("dumps one schema (custom format) that pg_restore brings back into a fresh database, row for row", async () => {
    await seed(db());
    const file = path.join(dir, "kong.dump");
    const dumped = await pgDump(settingsOf(db()), { file, schema: "public" });
    const bytes = fs.readFileSync(file);
    assert.equal(dumped.file, file);
    assert.equal(dumped.sizeBytes, bytes.length);
    assert.equal(dumped.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "PGDMP"); // the custom format's magic
    assert.equal(dumped.server.major, 15);
    assert.deepEqual(fs.readdirSync(dir), ["kong.dump"]); // no partial file left
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const fresh = await createDatabase();
    try {
      await pgRestore(settingsOf(fresh), { file });
      assert.deepEqual(await query(fresh, "SELECT key, executed FROM schema_meta ORDER BY key"), [
        { key: "core", executed: ["000_base", "003_100_to_110"] },
        { key: "schema_meta", executed: ["000_base"] },
      ]);
      // Only the named schema was dumped.
      assert.deepEqual(await query(fresh, "SELECT nspname FROM pg_namespace WHERE nspname = 'other'"), []);
    } finally {
      await dropDatabase(fresh.database);
    }
  });

  it("passes the password only in a private password file, never in argv or PGPASSWORD, and removes it", async () => {
    await seed(db());
    const record = path.join(dir, "record.txt");
    const bin = shim(
      "pg_dump",
      `{ echo ARGV; for a in "$@"; do echo "$a"; done; echo ENV; env; echo "PASSFILE $PGPASSFILE $(stat -c %a "$PGPASSFILE") $(stat -c %a "$(dirname "$PGPASSFILE")")"; } >> ${record}\nexec /usr/bin/pg_dump "$@"`,
    );
    try {
      await pgDump(settingsOf(db()), { file: path.join(dir, "d.dump"), searchPath: `${bin}:${process.env.PATH}` });
      // Two runs were recorded: `pg_dump --version`, then the dump.
      const runs = fs
        .readFileSync(record, "utf8")
        .split("ARGV\n")
        .filter(Boolean)
        .map((r) => {
          const [argv, env] = r.split("ENV\n");
          return { argv: argv.split("\n").filter(Boolean), env };
        });
      assert.deepEqual(runs[0].argv, ["--version"]);
      const dump = runs[1];
      assert.deepEqual(dump.argv.slice(0, 2), ["--format=custom", "--no-password"]);
      assert.equal(dump.argv.length, 3); // and --file=...
      for (const r of runs) {
        assert.ok(!r.argv.join(" ").includes(db().password), "password in argv");
        assert.ok(!/^PGPASSWORD=/m.test(r.env), "PGPASSWORD set");
      }
      assert.match(dump.env, new RegExp(`^PGDATABASE=${db().database}$`, "m"));
      assert.match(dump.env, /^PGHOST=127\.0\.0\.1$/m);
      const passfile = dump.env.match(/^PASSFILE (\S+) (\d+) (\d+)$/m);
      assert.ok(passfile, "PGPASSFILE set for the dump");
      assert.equal(passfile[2], "600");
      assert.equal(passfile[3], "700");
      assert.equal(fs.existsSync(passfile[1]), false, "password file removed afterwards");
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it("a missing pg_dump: TOOL_MISSING naming the package for the server's major version", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    try {
      const e = await rejection(pgDump(settingsOf(db()), { file: path.join(dir, "d.dump"), searchPath: empty }));
      assert.equal(e.code, "TOOL_MISSING");
      assert.equal(
        e.message,
        `pg_dump is not available (not found on PATH ${empty}). Install the PostgreSQL client tools on the machine that runs ` +
          `Pulumi (Debian/Ubuntu: apt-get install postgresql-client-15; other systems: the PostgreSQL client package of the ` +
          `server's major version or newer), or put them on PATH; then run pulumi up again.`,
      );
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("a pg_dump older than the server: TOOL_TOO_OLD before anything runs", async () => {
    const bin = shim("pg_dump", `echo "pg_dump (PostgreSQL) 13.4"`);
    try {
      const e = await rejection(pgDump(settingsOf(db()), { file: path.join(dir, "d.dump"), searchPath: bin }));
      assert.equal(e.code, "TOOL_TOO_OLD");
      assert.match(
        e.message,
        /^pg_dump 13\.4 is older than the PostgreSQL server \(15\.\d+\); pg_dump must be major version 15 or newer\. Install postgresql-client-15 \(Debian\/Ubuntu\) and put it first on PATH; then run pulumi up again\.$/,
      );
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it("a schema that does not exist: TOOL_FAILED with pg_dump's own message, no file", async () => {
    const e = await rejection(pgDump(settingsOf(db()), { file: path.join(dir, "d.dump"), schema: "nope" }));
    assert.equal(e.code, "TOOL_FAILED");
    assert.equal(e.exitCode, 1);
    assert.equal(e.stderr, 'pg_dump: error: no matching schemas were found for pattern ""nope""');
    assert.equal(e.message, `pg_dump of 127.0.0.1:${db().port}/${db().database} exited 1: ${e.stderr}`);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("a wrong password: SERVER_UNREACHABLE, redacted", async () => {
    const wrong = { ...settingsOf(db()), password: "not-the-password-xyz" };
    const e = await rejection(pgDump(wrong, { file: path.join(dir, "d.dump") }));
    assert.equal(e.code, "SERVER_UNREACHABLE");
    assert.match(e.message, /password authentication failed for user "postgres"/);
    assert.ok(!e.message.includes("not-the-password-xyz"));
  });

  it("never replaces an existing file, and reports an unwritable destination", async () => {
    const file = path.join(dir, "d.dump");
    fs.writeFileSync(file, "keep me");
    const exists = await rejection(pgDump(settingsOf(db()), { file }));
    assert.equal(exists.code, "DESTINATION_EXISTS");
    assert.equal(fs.readFileSync(file, "utf8"), "keep me");
    assert.deepEqual(fs.readdirSync(dir), ["d.dump"]);

    const unwritable = await rejection(pgDump(settingsOf(db()), { file: path.join(file, "under-a-file.dump") }));
    assert.equal(unwritable.code, "DESTINATION_UNWRITABLE");
    assert.match(unwritable.message, /^pg_dump did not run: cannot write .*d\.dump: ENOTDIR/);
  });
});
