/**
 * The backup before an irreversible step, end to end against the real PostgreSQL with kong-sim as
 * `kong` and the machine's real pg_dump/pg_restore: the preview names the step and the destination,
 * finish runs only after the dump is complete, the dump restores into a fresh database on which
 * the OLD version works again, and a failed backup leaves the database exactly as it was.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isBackupError } from "../../provider/backup/backup-error";
import { pgRestore } from "../../provider/postgres/pg-tools";
import { metaRows } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { capturingLogs, deploy, inputsFor, kongSim, provider, redeploy, type Deployed, type Raw } from "../helpers/provider-fixture";

function settingsOf(db: TestDatabase) {
  return { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, ssl: false, sslVerify: false };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected a rejection");
}

/** The migrations 2.1.4's up leaves pending on a 2.0.5 database: what its finish tears down. */
const TEARDOWNS_205_TO_214 = {
  core: ["009_200_to_210"],
  acl: ["003_200_to_210", "004_212_to_213"],
  "bot-detection": ["001_200_to_210"],
  "ip-restriction": ["001_200_to_210"],
  oauth2: ["004_200_to_210"],
};

describe("backup before an irreversible step (real pg_dump, real PostgreSQL, kong-sim)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-backups-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Kong 2.0.5 bootstrapped by kong-sim, adopted, then up to 2.1.4 through the provider: finish is next. */
  async function upTo214(backup: Raw | undefined): Promise<Deployed> {
    assert.equal((await kongSim(db(), "2.0.5", ["migrations", "bootstrap"])).code, 0);
    const extra = backup ? { backup } : {};
    const s = await deploy(inputsFor(db(), "2.0.5", extra));
    const upped = await redeploy(s, inputsFor(db(), "2.1.4", extra));
    assert.equal(upped.outs.phase, "pending-finish");
    return upped;
  }

  it("preview warns where the backup goes; finish runs after the dump, which restores to a database the OLD version runs on", async () => {
    const backup = { kind: "local", directory: dir };
    const s = await upTo214(backup);
    const preFinish = await metaRows(db());
    const decommissioned = inputsFor(db(), "2.1.4", { decommissionedOld: true, backup });

    const preview = await provider.check!(s.inputs, decommissioned);
    assert.deepEqual((preview.inputs.plan as Raw).irreversible, {
      command: "kong migrations finish",
      backup: `local directory ${dir}`,
      teardowns: TEARDOWNS_205_TO_214,
      warning:
        "kong migrations finish is irreversible: it runs the teardowns of 6 migrations (plan.irreversible.teardowns), " +
        "and after it, nodes of the old Kong version can no longer run on this " +
        `database. A pg_dump (custom format) of Kong's schema goes to local directory ${dir} first; kong migrations ` +
        "finish does not run if it fails.",
    });

    const before = Date.now();
    const { result: finished, lines } = await capturingLogs(() => redeploy(s, decommissioned));
    assert.equal(finished.outs.phase, "up-to-date");
    assert.equal((finished.outs.lastRun as Raw).command, "kong migrations finish");
    const taken = finished.outs.lastBackup as Record<string, unknown>;
    const files = fs.readdirSync(dir);
    assert.equal(files.length, 1, files.join(", "));
    assert.match(files[0], new RegExp(`^kong-${db().database}-public-before-finish-\\d{8}T\\d{6}Z\\.dump$`));
    const bytes = fs.readFileSync(path.join(dir, files[0]));
    assert.deepEqual(Object.keys(taken).sort(), [
      "beforeStep",
      "destination",
      "durationMs",
      "file",
      "schema",
      "serverVersion",
      "sha256",
      "sizeBytes",
      "takenAt",
    ]);
    assert.equal(taken.file, path.join(dir, files[0]));
    assert.equal(taken.destination, `local directory ${dir}`);
    assert.equal(taken.sizeBytes, bytes.length);
    assert.equal(taken.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.match(String(taken.serverVersion), /^15\.\d+/);
    assert.equal(taken.schema, "public");
    assert.equal(taken.beforeStep, "kong migrations finish");
    assert.ok(Date.parse(String(taken.takenAt)) >= before);
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "PGDMP");
    // The dump was complete before finish started.
    const order = lines.map((l) => l.replace(/ \(.*$/, "").replace(/: .*$/, ""));
    assert.ok(
      order.indexOf("[kong-migrations] backup taken") < order.indexOf("[kong-migrations] running kong migrations finish"),
      lines.join("\n"),
    );
    assert.ok(order.indexOf("[kong-migrations] backup taken") >= 0, lines.join("\n"));
    assert.equal((finished.inputs.plan as Raw).irreversible !== undefined, true, "the update's plan still carried the notice");

    // The finished original: the old version no longer runs on it.
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 1);
    // The restored dump: schema_meta as before finish, and the old version runs on it.
    const fresh = await createDatabase();
    try {
      await pgRestore(settingsOf(fresh), { file: String(taken.file) });
      assert.deepEqual(await metaRows(fresh), preFinish);
      const compat = await kongSim(fresh, "2.0.5", ["check-compat"]);
      assert.equal(compat.code, 0, compat.stdout + compat.stderr);
      // README step 5: the resource declared with the old version on the restored database runs nothing.
      const adopted = await deploy(inputsFor(fresh, "2.0.5"));
      assert.equal(adopted.outs.phase, "mid-upgrade-old-version");
      assert.equal(adopted.outs.lastRun, undefined);
      assert.deepEqual(await metaRows(fresh), preFinish);
    } finally {
      await dropDatabase(fresh.database);
    }

    // Converged: nothing to run, no notice, the record stays.
    const again = await redeploy(finished, decommissioned);
    assert.equal(again.changed, false);
    assert.equal((again.inputs.plan as Raw).irreversible, undefined);
    const refreshed = await provider.read!(finished.id, finished.outs);
    assert.deepEqual((refreshed.props as Raw).lastBackup, taken);
  });

  it("a destination that does not exist: the preview of finish fails naming backup.directory; at up, finish does not run", async () => {
    const missing = path.join(dir, "no-such-dir");
    const s = await upTo214({ kind: "local", directory: missing });
    const before = await metaRows(db());
    const finishing = inputsFor(db(), "2.1.4", { decommissionedOld: true, backup: { kind: "local", directory: missing } });
    const preview = await provider.check!(s.inputs, finishing);
    assert.deepEqual(preview.failures, [
      {
        property: "backup.directory",
        reason:
          `backup.directory ${missing} does not exist: kong migrations finish runs only after a pg_dump into it, so pulumi up ` +
          `would stop there. Create the directory (writable by the user running Pulumi), or set backup.directory to one ` +
          `that is, then preview again.`,
      },
    ]);

    // The directory disappears between a preview and the up (the inputs that preview accepted with it present).
    fs.mkdirSync(missing);
    const checked = await provider.check!(s.inputs, finishing);
    assert.deepEqual(checked.failures ?? [], []);
    fs.rmdirSync(missing);
    const e = await rejection(provider.update!(s.id, s.outs, checked.inputs));
    assert.ok(isBackupError(e), String(e));
    assert.equal(e.reason, "DESTINATION_UNWRITABLE");
    assert.match(
      e.message,
      new RegExp(
        `^The backup before kong migrations finish failed, so finish did not run and the database is unchanged\\. ` +
          `pg_dump did not run: cannot write ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ENOENT: no such file or directory, open '.*'\\. ` +
          `Make the directory writable by the user running Pulumi \\(or choose another\\), then run pulumi up again\\.$`,
      ),
    );
    assert.deepEqual(await metaRows(db()), before);
    assert.equal((await kongSim(db(), "2.0.5", ["check-compat"])).code, 0, "the old version still runs");
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("pg_dump not installed: finish does not run, schema_meta is unchanged, the error names the package", async () => {
    const s = await upTo214({ kind: "local", directory: dir });
    const before = await metaRows(db());
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    const savedPath = process.env.PATH;
    process.env.PATH = empty;
    let e: Error;
    try {
      e = await rejection(redeploy(s, inputsFor(db(), "2.1.4", { decommissionedOld: true, backup: { kind: "local", directory: dir } })));
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(empty, { recursive: true, force: true });
    }
    assert.ok(isBackupError(e), String(e));
    assert.equal(e.reason, "TOOL_MISSING");
    assert.equal(
      e.message,
      "The backup before kong migrations finish failed, so finish did not run and the database is unchanged. " +
        `pg_dump is not available (not found on PATH ${empty}). Install the PostgreSQL client tools on the machine that ` +
        "runs Pulumi (Debian/Ubuntu: apt-get install postgresql-client-15; other systems: the PostgreSQL client package of " +
        "the server's major version or newer), or put them on PATH; then run pulumi up again.",
    );
    assert.deepEqual(await metaRows(db()), before);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("without a backup the preview says none is configured, and finish runs", async () => {
    const s = await upTo214(undefined);
    const decommissioned = inputsFor(db(), "2.1.4", { decommissionedOld: true });
    const preview = await provider.check!(s.inputs, decommissioned);
    const notice = (preview.inputs.plan as Raw).irreversible as Raw;
    assert.equal(notice.backup, "none configured");
    assert.equal(
      notice.warning,
      "kong migrations finish is irreversible: it runs the teardowns of 6 migrations (plan.irreversible.teardowns), and " +
        "after it, nodes of the old Kong version can no longer run on this database. " +
        'No backup is configured: set backup { kind: "local", directory } (or { kind: "kubernetes", persistentVolumeClaim }) ' +
        "to have a pg_dump taken first, or take one yourself before pulumi up.",
    );
    const { result, lines } = await capturingLogs(() => redeploy(s, decommissioned));
    assert.equal(result.outs.phase, "up-to-date");
    assert.equal(result.outs.lastBackup, undefined);
    assert.ok(
      lines.includes(
        "[kong-migrations] no backup configured: kong migrations finish runs without one (set backup to have a pg_dump taken first)",
      ),
      lines.join("\n"),
    );
  });

  it("an in-place upgrade (up then finish in one update): the preview of up warns about the finish that follows, and the backup comes between", async () => {
    const backup = { kind: "local", directory: dir };
    const s = await deploy(inputsFor(db(), "2.0.5", { backup }));
    const inPlace = inputsFor(db(), "2.1.4", { decommissionedOld: true, backup });
    const preview = await provider.check!(s.inputs, inPlace);
    const plan = preview.inputs.plan as Raw;
    assert.equal(plan.command, "kong migrations up");
    assert.match(
      String((plan.irreversible as Raw).warning),
      /^kong migrations finish \(after kong migrations up, in the same update\) is irreversible: it runs the teardowns of 6 migrations /,
    );
    assert.deepEqual((plan.irreversible as Raw).teardowns, TEARDOWNS_205_TO_214, "the planned up's migrations with a teardown");
    const { result } = await capturingLogs(() => redeploy(s, inPlace));
    assert.equal((result.outs.lastRun as Raw).command, "kong migrations finish");
    const taken = result.outs.lastBackup as Raw;
    // Taken after up, before finish: the restored copy has up's pending migrations, and 2.0.5 runs on it.
    const fresh = await createDatabase();
    try {
      await pgRestore(settingsOf(fresh), { file: String(taken.file) });
      assert.deepEqual((await metaRows(fresh)).find((r) => r.subsystem === "core")?.pending, ["009_200_to_210"]);
      assert.equal((await kongSim(fresh, "2.0.5", ["check-compat"])).code, 0);
    } finally {
      await dropDatabase(fresh.database);
    }
  });
});
