import { strict as assert } from "node:assert";
import { passfileLine, pgEnvironment, pgEnvironmentFromKong, sslMode, withoutLibpqVariables } from "../../provider/postgres/pg-env";
import { parsePgVersion, schemaArgs } from "../../provider/postgres/pg-tools";

describe("pg-env: libpq's environment for Kong's settings", () => {
  it("maps Kong's pg_ssl/pg_ssl_verify to sslmode", () => {
    assert.equal(sslMode({ ssl: false, sslVerify: true }), "disable");
    assert.equal(sslMode({ ssl: true, sslVerify: false }), "require");
    assert.equal(sslMode({ ssl: true, sslVerify: true }), "verify-full");
  });

  it("never carries a password, and reads the same settings from KONG_PG_*", () => {
    const env = pgEnvironment({ host: "db", port: 6432, user: "kong", database: "k", ssl: true, sslVerify: false });
    assert.deepEqual(env, {
      PGHOST: "db",
      PGPORT: "6432",
      PGUSER: "kong",
      PGDATABASE: "k",
      PGSSLMODE: "require",
      PGAPPNAME: "pulumi-kong-migrations",
    });
    const fromKong = pgEnvironmentFromKong({
      KONG_PG_HOST: "db",
      KONG_PG_PORT: "6432",
      KONG_PG_USER: "kong",
      KONG_PG_DATABASE: "k",
      KONG_PG_SSL: "on",
      KONG_PG_SSL_VERIFY: "off",
      KONG_PG_PASSWORD: "s3cret",
    });
    assert.deepEqual(fromKong, env);
  });

  it("escapes ':' and '\\' in a password file line, and refuses line breaks", () => {
    assert.equal(passfileLine("a:b\\c"), "*:*:*:*:a\\:b\\\\c\n");
    assert.throws(() => passfileLine("a\nb"), /line break/);
  });

  it("drops inherited PG* variables", () => {
    assert.deepEqual(withoutLibpqVariables({ PATH: "/bin", PGPASSWORD: "x", PGHOST: "elsewhere", HOME: "/root" }), {
      PATH: "/bin",
      HOME: "/root",
    });
  });

  it("parses tool and server versions; quotes a schema literally", () => {
    assert.deepEqual(parsePgVersion("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), {
      text: "15.18 (Debian 15.18-0+deb12u1)",
      major: 15,
      minor: 18,
    });
    assert.deepEqual(parsePgVersion("16beta2"), { text: "16beta2", major: 16, minor: 0 });
    assert.equal(parsePgVersion("no version"), undefined);
    assert.deepEqual(schemaArgs('we"ird*'), ['--schema="we""ird*"', "--strict-names"]);
    assert.deepEqual(schemaArgs(undefined), []);
  });
});
