import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, mockOutputs, registered, resetRegistered, resolve } from "../helpers/pulumi-mocks";

installMocks();
import { KongDatabaseMigration, KONG_DATABASE_MIGRATION_TYPE } from "../../index";

describe("KongDatabaseMigration: backup input and the irreversible-step warning (SDK class, under setMocks)", () => {
  beforeEach(resetRegistered);
  afterEach(() => mockOutputs(KONG_DATABASE_MIGRATION_TYPE, () => ({})));

  async function warningsFor(plan: Record<string, unknown>): Promise<{ msg: string; resource: unknown }[]> {
    mockOutputs(KONG_DATABASE_MIGRATION_TYPE, () => ({ plan }));
    const warnings: { msg: string; resource: unknown }[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const original = log.warn;
    log.warn = (msg: string, resource?: pulumi.Resource) => {
      warnings.push({ msg, resource });
      return Promise.resolve();
    };
    try {
      const res = new KongDatabaseMigration("kong-db", {
        database: { host: "db" },
        kongVersion: "2.1.4",
        decommissionedOld: true,
        backup: { kind: "local", directory: "/var/backups/kong" },
      });
      await resolve(res.plan);
      assert.deepEqual(registered.find((r) => r.type === KONG_DATABASE_MIGRATION_TYPE)?.inputs.backup, {
        kind: "local",
        directory: "/var/backups/kong",
      });
      return warnings.map((w) => ({ msg: w.msg, resource: w.resource === res }));
    } finally {
      log.warn = original;
    }
  }

  it("passes backup to the provider and warns, on the resource, when the plan runs an irreversible step", async () => {
    const warning = "kong migrations finish is irreversible: ...";
    assert.deepEqual(
      await warningsFor({
        command: "kong migrations finish",
        wouldRun: {},
        reason: "r",
        source: "database",
        irreversible: { command: "kong migrations finish", backup: "local directory /var/backups/kong", warning },
      }),
      [{ msg: warning, resource: true }],
    );
  });

  it("says nothing when the plan can be undone", async () => {
    assert.deepEqual(await warningsFor({ command: "kong migrations up", wouldRun: {}, reason: "r", source: "database" }), []);
  });
});
