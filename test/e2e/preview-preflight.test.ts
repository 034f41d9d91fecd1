/**
 * Issue 9 through the real Pulumi CLI: `pulumi preview` fails on a definite database answer (wrong
 * password, missing database) and on a runner whose Kong is another version, with the provider's
 * message, and leaves the database untouched; an
 * unreachable database previews from the catalogue with a real warning on the resource.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { pulumiBaseEnv, type Stack } from "../../scripts/lib/pulumi-cli";
import { freePort } from "../helpers/embedded-postgres";
import { query, useFreshDatabase, withClient, type TestDatabase } from "../helpers/postgres";
import { newStack, ok, removeStack } from "../helpers/pulumi-stack";

const tables = async (db: TestDatabase) =>
  (await query<{ n: string }>(db, "SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = 'public'"))[0].n;

describe("end to end: pulumi preview checks the database (issue 9)", function () {
  this.timeout(600_000);
  const db = useFreshDatabase();
  let s: Stack | undefined;
  const roles: string[] = [];

  before(function () {
    this.timeout(60 * 60_000);
    pulumiBaseEnv();
  });
  afterEach(async () => {
    await removeStack(s);
    s = undefined;
  });
  after(async () => {
    for (const r of roles) await withClient("postgres", (c) => c.query(`DROP ROLE IF EXISTS ${r}`));
  });

  it("a wrong password fails pulumi preview naming database.password, without the password, and touches nothing", async () => {
    const user = `kr_${randomBytes(4).toString("hex")}`;
    roles.push(user);
    await withClient("postgres", (c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'right-${randomBytes(6).toString("hex")}'`));
    const wrong = `wrong-${randomBytes(6).toString("hex")}`;
    s = await newStack({ ...db(), user, password: wrong }, "2.1.4");
    const r = await s.run(["preview"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(
      out,
      /KongDatabaseMigration \(kong-database\):\n\s+error: pulumi-nodejs:dynamic\/kong-migrations:KongDatabaseMigration resource 'kong-database': property database\.password value \{<nil>\} has a problem: PostgreSQL at /,
    );
    assert.ok(
      out.includes(
        `password authentication failed for user "${user}" (SQLSTATE 28P01). Password authentication failed for role "${user}": set database.password`,
      ),
      out,
    );
    assert.ok(!out.includes(wrong), "the password is not in the output");
    assert.equal(await tables(db()), "0");
  });

  it("a database that does not exist fails pulumi preview naming database.database", async () => {
    const missing = `missing_${randomBytes(3).toString("hex")}`;
    s = await newStack({ ...db(), database: missing }, "2.1.4");
    const r = await s.run(["preview"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(
      out,
      /KongDatabaseMigration \(kong-database\):\n\s+error: .*resource 'kong-database': property database\.database value \{<nil>\} has a problem: PostgreSQL at /,
    );
    assert.ok(out.includes(`database "${missing}" does not exist (SQLSTATE 3D000). Kong does not create the database`), out);
    const exists = await withClient("postgres", (c) => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [missing]));
    assert.equal(exists.rowCount, 0);
  });

  it("a runner whose kong-sim impersonates another version fails pulumi preview naming both versions", async () => {
    s = await newStack(db(), "2.1.4", [["simEnv.KONG_SIM_VERSION", "2.0.5"]]);
    const r = await s.run(["preview"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      (r.stdout + r.stderr).includes(
        `property kongVersion value {2.1.4} has a problem: kongVersion is 2.1.4, but the runner's Kong is 2.0.5 (local process kong version printed "2.0.5").`,
      ),
      r.stdout + r.stderr,
    );
    assert.equal(await tables(db()), "0");
  });

  it("an unreachable database previews from the catalogue with a warning on the resource", async () => {
    s = await newStack({ ...db(), port: await freePort() }, "2.1.4");
    const r = ok(await s.run(["preview"]), "preview");
    assert.match(
      r.stdout,
      /pulumi-nodejs:dynamic\/kong-migrations:KongDatabaseMigration \(kong-database\):\n\s+warning: 127\.0\.0\.1:\d+\/t_\w+ could not be reached \(connection refused/,
    );
  });
});
