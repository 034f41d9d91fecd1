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

describe("KongDatabaseMigration registration cost (bench (b))", () => {
  beforeEach(resetRegistered);

  /** Function names of the stack traces formatted while `fn` runs, one list per trace. */
  function tracesDuring(fn: () => void): string[][] {
    const original = Error.prepareStackTrace;
    const traces: string[][] = [];
    Error.prepareStackTrace = (error, frames) => {
      traces.push(frames.map((f) => f.getFunctionName() ?? ""));
      return original ? original(error, frames) : `${error}`;
    };
    try {
      fn();
    } finally {
      Error.prepareStackTrace = original;
    }
    return traces;
  }
  const args = {
    database: { host: "db.internal", port: 5432, user: "kong", password: "pw", database: "kong" },
    kongVersion: "2.1.4",
    decommissionedOld: false,
  };

  it("the SDK's per-property promise traces are captured without frames; the source-position trace keeps its frames", () => {
    const limit = Error.stackTraceLimit;
    const traces = tracesDuring(() => new KongDatabaseMigration("kong-db", args));
    assert.equal(Error.stackTraceLimit, limit, "the limit is restored");
    const empty = traces.filter((t) => t.length === 0).length;
    // Four promises per property: 6 inputs given (with __urn and __provider) and 10 outputs.
    assert.ok(empty >= 4 * 16, `${empty} frameless traces`);
    assert.deepEqual(
      traces.filter((t) => t.includes("transferProperties")),
      [],
      "no trace with frames from transferProperties",
    );
    assert.equal(traces.filter((t) => t.includes("callsites")).length, 1, "Resource.callsites still sees the stack");
  });

  it("with PULUMI_DEBUG_PROMISE_LEAKS the SDK's traces keep their frames", () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "true";
    try {
      const traces = tracesDuring(() => new KongDatabaseMigration("kong-db-debug", args));
      assert.ok(traces.filter((t) => t.includes("transferProperties")).length >= 4 * 16);
    } finally {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
  });

  it("only given inputs become properties; every output is one", () => {
    const res = new KongDatabaseMigration("kong-db-props", args) as unknown as Record<string, unknown>;
    for (const k of ["edition", "plugins", "runner", "planWith", "backup", "lockTimeoutSeconds"]) assert.equal(k in res, false, k);
    for (const k of [
      "database",
      "kongVersion",
      "decommissionedOld",
      "phase",
      "databaseVersion",
      "executed",
      "pending",
      "lastRun",
      "lastBackup",
      "reloadRequired",
      "plan",
      "finished",
      "communityMigration",
    ]) {
      assert.ok(pulumi.Output.isInstance(res[k]), k);
    }
  });
});
