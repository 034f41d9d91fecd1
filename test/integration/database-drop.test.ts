/**
 * `KongDatabaseDrop`'s provider against the real test PostgreSQL: the preview says what would be
 * dropped (irreversible) and who is connected; the drop is refused, dropping nothing, while a
 * session uses the database; then it drops it; a database already gone is recorded as such.
 */
import { strict as assert } from "node:assert";
import { Client } from "pg";
import { kongDatabaseDropProvider as provider } from "../../provider/drop";
import { setLogSink } from "../../provider/log";
import { createDatabase, dropDatabase, withClient, type TestDatabase } from "../helpers/postgres";

type Raw = Record<string, unknown>;

const inputsFor = (db: TestDatabase): Raw => ({
  database: { host: db.host, port: db.port, user: db.user, database: db.database },
  password: db.password,
});
const exists = (name: string) =>
  withClient("postgres", async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1);

describe("KongDatabaseDrop: DROP DATABASE as an explicit step", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let prev: ReturnType<typeof setLogSink>;
  beforeEach(async () => {
    db = await createDatabase();
    prev = setLogSink(() => undefined);
  });
  afterEach(async () => {
    setLogSink(prev);
    await dropDatabase(db.database);
  });

  it("warns at preview, refuses while a session uses the database (nothing dropped), then drops it once", async () => {
    const session = new Client({ ...db });
    await session.connect();
    await session.query("SET application_name = 'kong-old-pod'");
    let checked;
    try {
      checked = await provider.check!({}, inputsFor(db));
      assert.deepEqual(checked.failures ?? [], []);
      const plan = checked.inputs.plan as { action: string; description: string; warnings: string[] };
      assert.equal(plan.action, "drop");
      assert.match(plan.description, new RegExp(`^DROP DATABASE "${db.database}" \\(\\d+ bytes\\)$`));
      assert.match(
        plan.warnings[0],
        new RegExp(
          `^irreversible: DROP DATABASE "${db.database}" at 127\\.0\\.0\\.1:\\d+ \\(\\d+ bytes\\) removes the old Kong version's database`,
        ),
      );
      assert.equal(
        plan.warnings[1],
        `1 session(s) use it now (postgres@127.0.0.1 (kong-old-pod)): the drop fails, and drops nothing, while any is left.`,
      );
      await assert.rejects(
        provider.create(checked.inputs),
        (e: Error) =>
          e.message ===
          `${db.host}:${db.port}/${db.database} is in use by 1 session(s) (postgres@127.0.0.1 (kong-old-pod)): stop them (the old cluster's pods must be gone), then run pulumi up again. Nothing was dropped.`,
      );
      assert.equal(await exists(db.database), true);
    } finally {
      await session.end();
    }
    const created = await provider.create(checked.inputs);
    assert.equal(await exists(db.database), false);
    const outs = created.outs as Raw;
    assert.match(outs.droppedAt as string, /^\d{4}-\d\d-\d\dT/);
    assert.ok((outs.sizeBytes as number) > 0);
    assert.equal(created.id, `${db.host}:${db.port}/${db.database}`);

    // The next preview plans nothing; a database already gone is recorded as such.
    const again = await provider.check!(checked.inputs, inputsFor(db));
    assert.equal((again.inputs.plan as Raw).action, "none");
    const fresh = await provider.check!({}, inputsFor(db));
    assert.deepEqual(fresh.inputs.plan, {
      action: "none",
      description: `${db.host}:${db.port}/${db.database} does not exist (dropped already): nothing to drop`,
    });
    const gone = await provider.create(fresh.inputs);
    assert.equal((gone.outs as Raw).droppedAt, "already gone");
    await provider.delete!(created.id, outs);
  });

  it("refuses to drop the maintenance database it connects from", async () => {
    const checked = await provider.check!({}, { ...inputsFor(db), maintenanceDatabase: db.database });
    assert.deepEqual(checked.failures, [
      {
        property: "maintenanceDatabase",
        reason: `maintenanceDatabase is the database to drop (${db.database}): PostgreSQL drops a database from a connection to another one. Give another database, or leave it out for "postgres".`,
      },
    ]);
  });
});
