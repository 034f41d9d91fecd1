import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, mockOutputs, registered, resetRegistered, resolve, secretInput } from "../helpers/pulumi-mocks";

installMocks();
import { KongDatabaseMigration, KONG_DATABASE_MIGRATION_TYPE } from "../../index";

describe("KongDatabaseMigration (SDK class, under setMocks)", () => {
  beforeEach(resetRegistered);

  it("registers the frozen type token, keeps the password out of every other input, and makes it secret", async () => {
    mockOutputs(KONG_DATABASE_MIGRATION_TYPE, () => ({
      phase: "pending-finish",
      pending: { core: ["009_200_to_210"] },
      databaseVersion: "2.1.3",
      reloadRequired: false,
    }));
    const res = new KongDatabaseMigration("kong-db", {
      database: { host: "db.internal", port: 5433, user: "kong", password: pulumi.secret("s3cr3t 'pw'"), database: "kong" },
      kongVersion: "2.1.4",
      decommissionedOld: false,
      runner: { kind: "local", command: ["kong-sim"] },
    });
    assert.equal((await resolve(res.phase)).value, "pending-finish");
    assert.deepEqual((await resolve(res.pending)).value, { core: ["009_200_to_210"] });
    assert.equal((await resolve(res.urn)).value, `urn:pulumi:test::kong-migrations-test::${KONG_DATABASE_MIGRATION_TYPE}::kong-db`);
    assert.equal(KONG_DATABASE_MIGRATION_TYPE, "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration");

    const [r] = registered.filter((x) => x.type === KONG_DATABASE_MIGRATION_TYPE);
    assert.equal(r.custom, true);
    assert.deepEqual(r.inputs.database, { host: "db.internal", port: 5433, user: "kong", database: "kong" });
    assert.equal(r.inputs.kongVersion, "2.1.4");
    // A secret reaches the engine wrapped in Pulumi's secret signature: it is stored encrypted.
    assert.deepEqual(r.inputs.password, secretInput("s3cr3t 'pw'"));
    assert.equal(typeof r.inputs.__provider, "string");
    assert.ok(!String(r.inputs.__provider).includes("s3cr3t"));
    assert.equal((res as unknown as Record<string, unknown>).password, undefined, "no password property on the resource");
    const database = (res as unknown as { database: pulumi.Output<unknown> }).database;
    assert.equal((await resolve(database)).secret, false, "the database settings stay readable in previews");
  });
});
