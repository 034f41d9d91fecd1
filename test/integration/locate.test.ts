/**
 * `locate` (provider/postgres/locate.ts): the one `pg_catalog` statement that finds Kong's schema,
 * its bookkeeping tables and the role's privileges. It replaced three privilege statements and an
 * `information_schema.tables` lookup (bench (b)); these cases prove it answers as they did, for
 * roles that own, may read, or may not see the tables. Real roles with real passwords.
 */
import { strict as assert } from "node:assert";
import type { Client } from "pg";
import { connect } from "../../provider/postgres/connect";
import { locate, type Location } from "../../provider/postgres/locate";
import { query, useFreshDatabase, useLoginRoles, type TestDatabase } from "../helpers/postgres";
import { runSim, simEnv } from "../helpers/kong-sim";

async function as<T>(db: TestDatabase, fn: (c: Client) => Promise<T>): Promise<T> {
  const settings = {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    ssl: false,
    sslVerify: false,
  };
  const client = await connect(settings, 10);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What the provider used to read: the tables `information_schema.tables` shows the role. */
async function visibleTables(c: Client, schema: string): Promise<string[]> {
  const r = await c.query<{ t: string }>(
    "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2) ORDER BY 1",
    [schema, ["schema_meta", "locks", "schema_migrations"]],
  );
  return r.rows.map((x) => x.t);
}

const sorted = (l: Location) => [...l.tables].sort();

describe("locate: Kong's schema, tables and the role's privileges in one statement", function () {
  this.timeout(60_000);
  const db = useFreshDatabase();
  const loginRole = useLoginRoles("kl");
  async function role(d: TestDatabase): Promise<TestDatabase> {
    return { ...d, ...(await loginRole()) };
  }
  async function bootstrapped(): Promise<TestDatabase> {
    const d = db();
    const r = await runSim(["migrations", "bootstrap"], simEnv(d, "2.0.5"));
    assert.equal(r.code, 0, r.stderr);
    return d;
  }

  it("the owner of a bootstrapped database: public, schema_meta and locks, every privilege", async () => {
    const d = await bootstrapped();
    const l = await as(d, (c) => locate(c));
    assert.equal(l.schema, "public");
    assert.deepEqual(sorted(l), ["locks", "schema_meta"]);
    assert.deepEqual(sorted(l), await as(d, (c) => visibleTables(c, "public")));
    assert.deepEqual(l.privileges, {
      schema: "public",
      schemaExists: true,
      usage: true,
      create: true,
      schemaMetaExists: true,
      schemaMetaReadable: true,
      schemaMetaWritable: true,
    });
  });

  it("a role granted SELECT on schema_meta only: locks is not seen, schema_meta is read-only, no CREATE on public", async () => {
    const d = await bootstrapped();
    const r = await role(d);
    await query(d, `GRANT SELECT ON public.schema_meta TO ${r.user}`);
    const l = await as(r, (c) => locate(c));
    assert.deepEqual(sorted(l), ["schema_meta"]);
    assert.deepEqual(sorted(l), await as(r, (c) => visibleTables(c, "public")));
    assert.deepEqual(l.privileges, {
      schema: "public",
      schemaExists: true,
      usage: true,
      create: false,
      schemaMetaExists: true,
      schemaMetaReadable: true,
      schemaMetaWritable: false,
    });
  });

  it("a role with no grant at all: no table seen, schema_meta exists but is not readable", async () => {
    const d = await bootstrapped();
    const r = await role(d);
    const l = await as(r, (c) => locate(c));
    assert.deepEqual(sorted(l), []);
    assert.deepEqual(await as(r, (c) => visibleTables(c, "public")), []);
    assert.equal(l.privileges.schemaMetaExists, true);
    assert.equal(l.privileges.schemaMetaReadable, false);
    assert.equal(l.privileges.schemaMetaWritable, false);
  });

  it("a configured schema that does not exist yet: create is the database's CREATE privilege", async () => {
    const d = db();
    const owner = await as(d, (c) => locate(c, "kong_ee"));
    assert.deepEqual(owner.privileges, {
      schema: "kong_ee",
      schemaExists: false,
      usage: true,
      create: true,
      schemaMetaExists: false,
      schemaMetaReadable: true,
      schemaMetaWritable: true,
    });
    assert.deepEqual(sorted(owner), []);
    const r = await role(d);
    const other = await as(r, (c) => locate(c, "kong_ee"));
    assert.equal(other.privileges.create, false, "PUBLIC has no CREATE on a new database");
  });

  it("a configured schema without USAGE for the role: usage false, its tables as information_schema shows them", async () => {
    const d = db();
    const r = await role(d);
    await query(d, `CREATE SCHEMA kong_ee; CREATE TABLE kong_ee.schema_meta (key text); CREATE TABLE kong_ee.schema_migrations (id text)`);
    await query(d, `GRANT SELECT ON kong_ee.schema_meta TO ${r.user}`);
    const l = await as(r, (c) => locate(c, "kong_ee"));
    assert.equal(l.schema, "kong_ee");
    assert.equal(l.privileges.usage, false);
    assert.equal(l.privileges.create, false);
    assert.deepEqual(sorted(l), ["schema_meta"]);
    assert.deepEqual(sorted(l), await as(r, (c) => visibleTables(c, "kong_ee")));
  });

  it("no configured schema: the role's current schema (search_path), as Kong uses it", async () => {
    const d = db();
    await query(d, `CREATE SCHEMA kong_ee; CREATE TABLE kong_ee.schema_migrations (id text)`);
    await query(d, `ALTER DATABASE ${d.database} SET search_path = kong_ee`);
    const l = await as(d, (c) => locate(c));
    assert.equal(l.schema, "kong_ee");
    assert.deepEqual(sorted(l), ["schema_migrations"]);
  });
});
