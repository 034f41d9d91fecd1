/**
 * Issue 9, item 2: database errors at preview are classified, not swallowed. A real PostgreSQL
 * role with a real password (scram-sha-256: the test server's pg_hba uses it for every host
 * connection), and servers that refuse or never answer.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { freePort } from "../helpers/embedded-postgres";
import { query, useFreshDatabase, useLoginRoles, withClient, type TestDatabase } from "../helpers/postgres";
import { deploy, inputsFor, provider, type Raw } from "../helpers/provider-fixture";

async function tablesIn(db: TestDatabase): Promise<string[]> {
  const rows = await query<{ t: string }>(
    db,
    "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
  );
  return rows.map((r) => r.t);
}

async function checkOf(news: Raw) {
  const started = Date.now();
  const r = await provider.check!({}, news);
  return { ...r, ms: Date.now() - started };
}

describe("preview: database errors are classified (issue 9)", function () {
  this.timeout(60_000);
  const db = useFreshDatabase();
  const role = useLoginRoles("kr");

  it("the role's password is scram-sha-256 on this server (what the tests rely on)", async () => {
    const r = await role();
    const rows = await withClient("postgres", (c) =>
      c.query("SELECT left(rolpassword, 14) AS p FROM pg_authid WHERE rolname = $1", [r.user]),
    );
    assert.equal(rows.rows[0].p, "SCRAM-SHA-256$");
  });

  it("a wrong password fails check on database.password, redacted, and the database stays untouched", async () => {
    const r = await role();
    const wrong = `wrong-${randomBytes(6).toString("hex")}`;
    const d = db();
    const res = await checkOf(inputsFor({ ...d, user: r.user, password: wrong }, "2.1.4"));
    assert.equal(res.failures?.length, 1);
    assert.equal(res.failures![0].property, "database.password");
    assert.equal(
      res.failures![0].reason,
      `PostgreSQL at ${d.host}:${d.port}/${d.database} says: password authentication failed for user "${r.user}" (SQLSTATE 28P01). ` +
        `Password authentication failed for role "${r.user}": set database.password to that role's password (as a secret, ` +
        `e.g. pulumi config set --secret), or fix database.user (PostgreSQL gives the same answer for a role that does not exist). Nothing was run.`,
    );
    assert.ok(!JSON.stringify(res.failures).includes(wrong), "the password is not in the failure");
    assert.deepEqual(await tablesIn(d), []);
  });

  it("the right password of the same role passes the connection (and then needs CREATE on public)", async () => {
    const r = await role();
    const d = db();
    const res = await checkOf(inputsFor({ ...d, user: r.user, password: r.password }, "2.1.4"));
    assert.equal(res.failures?.[0].property, "database.user");
    assert.equal(
      res.failures![0].reason,
      `kong migrations bootstrap would fail at ${d.host}:${d.port}/${d.database}: role "${r.user}" has no CREATE on schema "public" ` +
        `(Kong's migrations create tables there). Grant it (GRANT USAGE, CREATE ON SCHEMA "public" TO "${r.user}"), make the role ` +
        `the owner of that schema, or use the role that owns Kong's tables.`,
    );
    await query(d, `GRANT CREATE ON SCHEMA public TO ${r.user}`);
    const ok = await checkOf(inputsFor({ ...d, user: r.user, password: r.password }, "2.1.4"));
    assert.deepEqual(ok.failures ?? [], []);
    const plan = (ok.inputs as Raw).plan as Raw;
    assert.equal(plan.command, "kong migrations bootstrap");
    assert.equal(plan.source, "kong");
    assert.deepEqual(await tablesIn(d), []);
  });

  it("a role that cannot read schema_meta fails check instead of planning a bootstrap", async () => {
    const d = db();
    await deploy(inputsFor(d, "2.0.5")); // bootstrapped by the owner
    const r = await role();
    const res = await checkOf(inputsFor({ ...d, user: r.user, password: r.password }, "2.1.4"));
    assert.equal(res.failures?.[0].property, "database.user");
    assert.match(
      res.failures![0].reason,
      new RegExp(`^Cannot read Kong's migration state at .*: role "${r.user}" cannot SELECT from "public"\\.schema_meta\\. Grant it`),
    );
  });

  it("a database that does not exist fails check on database.database", async () => {
    const d = { ...db(), database: `missing_${randomBytes(3).toString("hex")}` };
    const res = await checkOf(inputsFor(d, "2.1.4"));
    assert.equal(res.failures?.[0].property, "database.database");
    assert.equal(
      res.failures![0].reason,
      `PostgreSQL at ${d.host}:${d.port}/${d.database} says: database "${d.database}" does not exist (SQLSTATE 3D000). ` +
        `Kong does not create the database: create it (CREATE DATABASE "${d.database}" OWNER "${d.user}"), or fix database.database. Nothing was run.`,
    );
  });

  it("TLS requested from a server without TLS fails check on database.ssl", async () => {
    const d = db();
    const news = inputsFor(d, "2.1.4");
    const res = await checkOf({ ...news, database: { ...(news.database as Raw), ssl: true } });
    assert.equal(res.failures?.[0].property, "database.ssl");
    assert.match(
      res.failures![0].reason,
      /^database\.ssl is true, but PostgreSQL at .* says: The server does not support SSL connections\. Set database\.ssl to false/,
    );
  });

  it("connection refused: planned from the catalogue, with a warning", async () => {
    const d = { ...db(), port: await freePort() };
    const res = await checkOf(inputsFor(d, "2.1.4"));
    assert.deepEqual(res.failures ?? [], []);
    const plan = (res.inputs as Raw).plan as Raw;
    assert.equal(plan.source, "catalogue");
    assert.match(
      String((plan.warnings as string[])[0]),
      new RegExp(`^${d.host}:${d.port}/${d.database} could not be reached \\(connection refused: connect ECONNREFUSED`),
    );
  });

  it("a host name that does not resolve: planned from the catalogue, with a warning", async () => {
    const d = { ...db(), host: "no-such-host.invalid" };
    const res = await checkOf(inputsFor(d, "2.1.4"));
    assert.deepEqual(res.failures ?? [], []);
    const plan = (res.inputs as Raw).plan as Raw;
    assert.equal(plan.source, "catalogue");
    assert.match(String((plan.warnings as string[])[0]), /could not be reached \(host name (not found|lookup failed, temporarily) \(DNS\)/);
  });

  it("a server that accepts TCP and never answers costs at most 5 s, then the catalogue plans with a warning", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const d = { ...db(), port: (silent.address() as net.AddressInfo).port };
      const res = await checkOf(inputsFor(d, "2.1.4"));
      assert.deepEqual(res.failures ?? [], []);
      const plan = (res.inputs as Raw).plan as Raw;
      assert.equal(plan.source, "catalogue");
      assert.match(
        String((plan.warnings as string[])[0]),
        /could not be reached \(no answer from 127\.0\.0\.1:\d+ within 5 s \(timeout expired\)\)/,
      );
      assert.ok(res.ms >= 4900 && res.ms < 6500, `took ${res.ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
