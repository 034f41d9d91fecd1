/**
 * `KongDatabaseClone`'s provider against the real test PostgreSQL with the real pg_dump and
 * pg_restore, one database per case (kong-sim writes Kong's tables): the clone holds exactly the
 * source's rows and tables, the outputs record what was cloned, a non-empty target is refused at
 * check and at create with nothing changed, and delete drops nothing.
 */
import { strict as assert } from "node:assert";
import { kongDatabaseCloneProvider as provider } from "../../provider/clone";
import { setLogSink } from "../../provider/log";
import { createDatabase, dropDatabase, query, type TestDatabase } from "../helpers/postgres";
import { metaRows, runSim, simEnv } from "../helpers/kong-sim";
import { cloneInputs, contents, copyOf, kongTemplate } from "../helpers/kong-databases";

type Raw = Record<string, unknown>;

const OLD = "2.8.5";
const PLUGINS = { KONG_PLUGINS: "bundled" };

describe("KongDatabaseClone: real pg_dump and pg_restore", function () {
  this.timeout(120_000);
  let source: TestDatabase;
  let target: TestDatabase;
  let lines: string[];
  let prevSink: ReturnType<typeof setLogSink>;
  let template: TestDatabase;

  before(async () => {
    template = await kongTemplate(OLD, PLUGINS);
  });
  after(() => dropDatabase(template.database));
  beforeEach(async () => {
    [source, target] = await Promise.all([copyOf(template), createDatabase()]);
    lines = [];
    prevSink = setLogSink((l) => lines.push(l));
  });
  afterEach(async () => {
    setLogSink(prevSink);
    await Promise.all([dropDatabase(source.database), dropDatabase(target.database)]);
  });

  it("clones Kong's database into an empty one and records source, target, sizes, durations and the source's schema_meta", async () => {
    const before = await contents(source);
    const checked = await provider.check!({}, cloneInputs(source, target));
    assert.deepEqual(checked.failures ?? [], []);
    const plan = checked.inputs.plan as Raw;
    assert.equal(plan.action, "clone");
    assert.equal(
      plan.description,
      `pg_dump of ${source.host}:${source.port}/${source.database} (Kong's schema) restored with pg_restore into the empty ` +
        `${target.host}:${target.port}/${target.database}; the source is only read`,
    );
    const rows = await metaRows(source);
    const executed = rows.reduce((n, r) => n + new Set(r.executed).size, 0);
    assert.equal(plan.source, `Kong >= 2.8.0, ${rows.length} subsystems, ${executed} migrations executed, none pending`);
    assert.equal(plan.warnings, undefined);

    const started = Date.now();
    const created = await provider.create(checked.inputs);
    const elapsed = Date.now() - started;
    const outs = created.outs as Raw;
    assert.equal(
      created.id,
      `${target.host}:${target.port}/${target.database} (clone of ${source.host}:${source.port}/${source.database})`,
    );

    // The clone holds exactly what the source holds; the source is unchanged.
    assert.deepEqual(await contents(target), before);
    assert.deepEqual(await contents(source), before);
    const compat = await runSim(["check-compat"], simEnv(target, OLD, PLUGINS));
    assert.equal(compat.code, 0, compat.stderr);

    const subsystems: Raw = {};
    for (const r of rows) subsystems[r.subsystem] = { lastExecuted: r.last_executed, executed: new Set(r.executed).size, pending: [] };
    assert.deepEqual(outs.sourceState, { schema: "public", databaseVersion: "2.8.0", hasPending: false, subsystems });
    assert.deepEqual(outs.source, {
      host: source.host,
      port: source.port,
      user: source.user,
      database: source.database,
      ssl: false,
      sslVerify: false,
    });
    assert.deepEqual(outs.target, {
      host: target.host,
      port: target.port,
      user: target.user,
      database: target.database,
      ssl: false,
      sslVerify: false,
    });
    const size = await query<{ s: string }>(target, "SELECT pg_database_size(current_database())::text AS s");
    assert.equal(outs.targetSizeBytes, Number(size[0].s));
    assert.ok((outs.dumpSizeBytes as number) > 1000, `dump size ${String(outs.dumpSizeBytes)}`);
    assert.match(outs.dumpSha256 as string, /^[0-9a-f]{64}$/);
    assert.match(outs.pgDumpVersion as string, /^15\.\d+/);
    assert.match(outs.serverVersion as string, /^15\.\d+/);
    const d = outs.durationMs as number;
    assert.ok(d >= (outs.dumpDurationMs as number) + (outs.restoreDurationMs as number) && d <= elapsed, `durations ${d} / ${elapsed}`);
    assert.ok(Math.abs(Date.parse(outs.clonedAt as string) - Date.now()) < 60_000);
    // The passwords are outputs only under their own (secret) keys.
    const { sourcePassword, targetPassword, ...rest } = outs;
    assert.equal(sourcePassword, source.password);
    assert.equal(targetPassword, target.password);
    assert.ok(!JSON.stringify(rest).includes(source.password), "no password outside the secret keys");
    assert.ok(!lines.join("\n").includes(source.password), "no password in the log");
    assert.ok(
      lines.some((l) => l.startsWith(`[kong-migrations] cloned ${source.host}:${source.port}/${source.database} into `)),
      lines.join("\n"),
    );

    // The next preview plans nothing; an update runs nothing; delete drops nothing.
    const again = await provider.check!(checked.inputs, cloneInputs(source, target, { timeoutSeconds: 600 }));
    assert.deepEqual(again.failures ?? [], []);
    assert.equal((again.inputs.plan as Raw).action, "none");
    const diff = await provider.diff!(created.id, outs, again.inputs);
    assert.deepEqual(diff, { changes: true });
    const updated = await provider.update!(created.id, outs, again.inputs);
    assert.equal((updated.outs as Raw).clonedAt, outs.clonedAt);
    assert.equal((updated.outs as Raw).timeoutSeconds, 600);
    assert.deepEqual(await contents(target), before);
    await provider.delete!(created.id, outs);
    assert.deepEqual(await contents(target), before);
    assert.deepEqual(await contents(source), before);
    assert.equal(lines.at(-1), `[kong-migrations] delete: dropped nothing; ${created.id} and its source stay exactly as they are`);

    // Another target is another clone: a replacement.
    const moved = { ...again.inputs, target: { ...(again.inputs.target as Raw), database: "elsewhere" } };
    assert.deepEqual(await provider.diff!(created.id, outs, moved), { changes: true, replaces: ["target"] });
  });

  it("refuses a non-empty target at check and at create, naming target.database; nothing changes on either side", async () => {
    await query(target, "CREATE TABLE services (id int PRIMARY KEY, name text)");
    await query(target, "INSERT INTO services VALUES (1, 'billing')");
    await query(target, "CREATE SEQUENCE ticket_seq");
    const sourceBefore = await contents(source);
    const targetBefore = await contents(target);
    const reason =
      `target.database ${target.host}:${target.port}/${target.database} is not empty: it holds 2 relations ` +
      `(public.services, public.ticket_seq). A clone never overwrites a database. Give an empty database as target.database ` +
      `(e.g. CREATE DATABASE kong_new OWNER kong, or a new postgresql.Database), or drop that database's contents yourself ` +
      `if nobody needs them; then run pulumi preview again. Nothing was changed.`;
    const checked = await provider.check!({}, cloneInputs(source, target));
    assert.deepEqual(checked.failures, [{ property: "target.database", reason }]);

    // create checks again (a target filled between preview and up), before anything runs.
    const inputs = { ...cloneInputs(source, target), plan: { action: "clone" } };
    await assert.rejects(provider.create(inputs), (e: Error) => e.message === reason);
    assert.deepEqual(await contents(target), targetBefore);
    assert.deepEqual(await query(target, "SELECT id, name FROM services"), [{ id: 1, name: "billing" }]);
    assert.deepEqual(await contents(source), sourceBefore);
  });

  it("refuses bad inputs at check with the field and the next step", async () => {
    const same = await provider.check!({}, cloneInputs(source, source));
    assert.deepEqual(same.failures, [
      {
        property: "target.database",
        reason:
          `target is the source database itself (${source.host}:${source.port}/${source.database}): a clone needs a second, empty database. ` +
          `Create one (e.g. CREATE DATABASE kong_new OWNER kong, or a postgresql.Database resource) and give its name as target.database.`,
      },
    ]);
    const typo = await provider.check!({}, cloneInputs(source, target, { timeoutSecond: 5 }));
    assert.deepEqual(typo.failures, [
      {
        property: "timeoutSecond",
        reason:
          "timeoutSecond is not an input of KongDatabaseClone: did you mean timeoutSeconds? Valid keys: source, sourcePassword, target, targetPassword, edition, timeoutSeconds.",
      },
    ]);
    const empty = await createDatabase();
    try {
      const notKong = await provider.check!({}, cloneInputs(empty, target));
      assert.deepEqual(notKong.failures, [
        {
          property: "source.database",
          reason:
            `source ${empty.host}:${empty.port}/${empty.database} has no schema_meta in schema public: it is not a Kong database ` +
            `(or was never bootstrapped), so there is nothing to clone. Give the database your running Kong cluster uses as source.`,
        },
      ]);
    } finally {
      await dropDatabase(empty.database);
    }
    const wrong = await provider.check!({}, cloneInputs(source, target, { sourcePassword: "not-the-password" }));
    assert.equal(wrong.failures?.length, 1);
    assert.equal(wrong.failures![0].property, "source.password");
    assert.ok(!wrong.failures![0].reason.includes("not-the-password"));
  });

  it("a target that does not exist yet at preview is a warning (created in the same deployment), not a failure", async () => {
    const inputs = cloneInputs(source, target);
    (inputs.target as Raw).database = "not_created_yet";
    const checked = await provider.check!({}, inputs);
    assert.deepEqual(checked.failures ?? [], []);
    const warnings = (checked.inputs.plan as Raw).warnings as string[];
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^target 127\.0\.0\.1:\d+\/not_created_yet could not be read at preview \(.*\); it must exist and be empty, which is checked again right before the restore\.$/,
    );
  });
});
