/**
 * `KongDatabase` (pulumi-kong-migrations/postgresql) and the example programs that wire it into
 * `KongInPlaceUpgrade` (examples/kubernetes-in-place) and `KongBlueGreenUpgrade`
 * (examples/kubernetes-blue-green, with `pgAdminPassword`), under `pulumi.runtime.setMocks`.
 *
 * Why mocks: `@pulumi/postgresql`'s resource plugin (pulumi-resource-postgresql) cannot be
 * downloaded on this project's machines (package registries only), so no real `pulumi up` can
 * create these roles and databases here. The mocks check what a real one would be asked for: the
 * exact resources, their owners, the revoked PUBLIC grant, and that the migration and the Kong pods
 * depend on all of them (through `connection`, with no `dependsOn`). What Kong then does with such a
 * database runs for real elsewhere (test/integration: a role that owns its database, bootstrapped
 * and migrated by kong-sim).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { secretInput as secret } from "../helpers/pulumi-mocks";
import { mockedRegistrations, mockUrn, waitForRpcs } from "../helpers/registrations";
import { KongDatabase } from "../../sdk/kong-database";
import { KongDatabaseMigration } from "../../sdk/kong-database-migration";
import { KUBERNETES_PODS_GONE_TYPE } from "../../sdk/k8s-pods-gone";
import { KONG_DATABASE_CLONE_TYPE } from "../../sdk/kong-database-clone";

const COMPONENT = "kong-migrations:index:KongDatabase";
const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const SCHEMA = "postgresql:index/schema:Schema";
const GRANT = "postgresql:index/grant:Grant";
const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("KongDatabase and the @pulumi/postgresql wiring (under setMocks: the postgresql plugin cannot be downloaded here)", () => {
  const rec = mockedRegistrations();
  const { get, children, depsOf } = rec;
  const roleUrn = (c: string) => mockUrn([COMPONENT, ROLE], `${c}-role`);
  const dbUrn = (c: string) => mockUrn([COMPONENT, DATABASE], `${c}-database`);
  const grantUrn = (c: string) => mockUrn([COMPONENT, GRANT], `${c}-revoke-public`);

  it("creates the role, the database it owns, and revokes PUBLIC; the migration depends on all three through connection", async () => {
    const db = new KongDatabase("kdb", { host: "pg.internal", password: pulumi.secret("kong-pw-1") });
    new KongDatabaseMigration("m", { database: db.connection, kongVersion: "3.4.2" });
    await waitForRpcs();
    assert.deepEqual(
      children(),
      [`${COMPONENT} kdb`, `${ROLE} kdb-role`, `${DATABASE} kdb-database`, `${GRANT} kdb-revoke-public`, `${MIGRATION} m`].sort(),
    );
    assert.deepEqual(get(ROLE, "kdb-role").inputs, { name: "kong", login: true, password: secret("kong-pw-1") });
    assert.deepEqual(get(DATABASE, "kdb-database").inputs, { name: "kong", owner: "kong" });
    assert.deepEqual(depsOf(DATABASE, "kdb-database"), [roleUrn("kdb")], "the database is created after its owner");
    assert.deepEqual(get(GRANT, "kdb-revoke-public").inputs, { database: "kong", role: "public", objectType: "database", privileges: [] });
    assert.deepEqual(depsOf(GRANT, "kdb-revoke-public"), [dbUrn("kdb")]);

    const m = get(MIGRATION, "m");
    assert.deepEqual(m.inputs!.database, { host: "pg.internal", port: 5432, user: "kong", database: "kong" });
    assert.deepEqual(m.inputs!.password, secret("kong-pw-1"));
    assert.deepEqual([...m.deps].sort(), [roleUrn("kdb"), dbUrn("kdb"), grantUrn("kdb")].sort(), "no dependsOn needed");
  });

  it("schema: a schema owned by the role, in connection; createRole false owns the database by an existing role; revokePublic false", async () => {
    const live = new KongDatabase("live", {
      host: "pg",
      user: "kong_app",
      password: pulumi.secret("pw"),
      database: "kong28",
      schema: "kong",
    });
    const clone = new KongDatabase("clone", {
      host: "pg",
      user: live.role!.name,
      password: pulumi.secret("pw"),
      database: "kong34",
      createRole: false,
      revokePublic: false,
      ssl: true,
    });
    new KongDatabaseMigration("m", { database: clone.connection, kongVersion: "3.4.2" });
    await waitForRpcs();
    assert.deepEqual(get(SCHEMA, "live-schema").inputs, { name: "kong", database: "kong28", owner: "kong_app", ifNotExists: true });
    assert.deepEqual(depsOf(SCHEMA, "live-schema"), [roleUrn("live"), dbUrn("live")].sort());
    assert.deepEqual(
      children().filter((c) => c.endsWith(" clone") || c.includes(" clone-")),
      [`${COMPONENT} clone`, `${DATABASE} clone-database`],
      "no role, no grant",
    );
    assert.deepEqual(get(DATABASE, "clone-database").inputs, { name: "kong34", owner: "kong_app" });
    assert.deepEqual(depsOf(DATABASE, "clone-database"), [roleUrn("live")], "owned by the other component's role, after it");
    assert.deepEqual(get(MIGRATION, "m").inputs!.database, { host: "pg", port: 5432, user: "kong_app", database: "kong34", ssl: true });
    const liveConnection = await new Promise((res) => live.connection.apply(res));
    assert.deepEqual(liveConnection, { host: "pg", port: 5432, user: "kong_app", password: "pw", database: "kong28", schema: "kong" });
  });

  describe("examples/kubernetes-in-place and kubernetes-blue-green (the programs, run under the mocks with stack config)", () => {
    const inPlace = path.resolve(__dirname, "../../examples/kubernetes-in-place/index.ts");
    const project = "kong-migrations-test";
    /** Runs an example program once with this config ("" unsets a key; a fresh module each time, as each `pulumi up` is). */
    async function run(config: Record<string, string>, program = inPlace): Promise<void> {
      const all: Record<string, string> = {
        pgAdminPassword: "admin-pw",
        dbPassword: "kong-pw-2",
        pgAdminHost: "127.0.0.1",
        dbHostInCluster: "postgres.db.svc",
        ...config,
      };
      pulumi.runtime.setAllConfig(
        Object.fromEntries(
          Object.entries(all)
            .filter(([, v]) => v !== "")
            .map(([k, v]) => [`${project}:${k}`, v]),
        ),
        [`${project}:pgAdminPassword`, `${project}:dbPassword`],
      );
      delete require.cache[program];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(program);
      await waitForRpcs();
    }
    after(() => pulumi.runtime.setAllConfig({}));

    const migrationUrn = mockUrn(["kong-migrations:index:KongInPlaceUpgrade", MIGRATION], "kong-migration");

    it("the migration and the Kong pods wait for the role, the database and the grant; step 2 stops the pods first", async () => {
      await run({ currentVersion: "2.8.5" });
      const provider = get("pulumi:providers:postgresql", "pg-admin");
      assert.equal(provider.inputs!.host, "127.0.0.1");
      assert.deepEqual(provider.inputs!.password, secret("admin-pw"));
      for (const [type, name] of [
        [ROLE, "kong-db-role"],
        [DATABASE, "kong-db-database"],
        [GRANT, "kong-db-revoke-public"],
      ]) {
        assert.equal(get(type, name).parent, mockUrn([COMPONENT], "kong-db"));
      }
      assert.deepEqual(get(ROLE, "kong-db-role").inputs, { name: "kong", login: true, password: secret("kong-pw-2") });
      assert.deepEqual(get(DATABASE, "kong-db-database").inputs, { name: "kong", owner: "kong" });

      const pgResources = [roleUrn("kong-db"), dbUrn("kong-db"), grantUrn("kong-db")];
      const migration = get(MIGRATION, "kong-migration");
      for (const u of pgResources) assert.ok(migration.deps.includes(u), `the migration waits for ${u}`);
      assert.deepEqual(migration.inputs!.database, { host: "127.0.0.1", port: 5432, user: "kong", database: "kong" });
      const deployment = get(DEPLOYMENT, "kong-kong-deployment");
      for (const u of [...pgResources, migrationUrn]) assert.ok(deployment.deps.includes(u), `the pods wait for ${u}`);
      const env = deployment.inputs!.spec.template.spec.containers[0].env as { name: string; value?: string }[];
      assert.deepEqual(
        env.filter((e) => e.name.startsWith("KONG_PG_") && e.name !== "KONG_PG_PASSWORD"),
        [
          { name: "KONG_PG_HOST", value: "postgres.db.svc" },
          { name: "KONG_PG_PORT", value: "5432" },
          { name: "KONG_PG_USER", value: "kong" },
          { name: "KONG_PG_DATABASE", value: "kong" },
        ],
        "the pods reach the server by its in-cluster name",
      );

      rec.reset();
      await run({ currentVersion: "2.8.5", targetVersion: "3.4.2" });
      assert.equal(get(DEPLOYMENT, "kong-kong-deployment").inputs!.spec.replicas, 0);
      assert.equal(get(MIGRATION, "kong-migration").inputs!.decommissionedOld, true);
      assert.ok(
        get(MIGRATION, "kong-migration").deps.includes(
          mockUrn(["kong-migrations:index:KongInPlaceUpgrade", KUBERNETES_PODS_GONE_TYPE], "kong-gone"),
        ),
      );
    });

    it("dual-cluster with pgAdminPassword: the live database and the clone target, owned by one role, reach the clone and both migrations", async () => {
      const dual = path.resolve(__dirname, "../../examples/dual-cluster/index.ts");
      await run({ currentVersion: "2.8.5", targetVersion: "3.4.2", newDbName: "kong34", dbHost: "10.0.0.5" }, dual);
      assert.deepEqual(get(ROLE, "kong-db-role").inputs, { name: "kong", login: true, password: secret("kong-pw-2") });
      assert.deepEqual(get(DATABASE, "kong-db-database").inputs, { name: "kong", owner: "kong" });
      assert.deepEqual(get(DATABASE, "kong-new-db-database").inputs, { name: "kong34", owner: "kong" });
      assert.ok(!rec.regs.some((r) => r.type === ROLE && r.name === "kong-new-db-role"), "one role: the target has none of its own");
      assert.deepEqual(depsOf(DATABASE, "kong-new-db-database"), [roleUrn("kong-db")], "the target is created after the role that owns it");
      const component = "kong-migrations:index:KongDualClusterUpgrade";
      const clone = get(KONG_DATABASE_CLONE_TYPE, "kong-green-clone");
      assert.equal(clone.parent, mockUrn([component], "kong"));
      for (const u of [roleUrn("kong-db"), dbUrn("kong-db"), grantUrn("kong-db"), dbUrn("kong-new-db"), grantUrn("kong-new-db")]) {
        assert.ok(clone.deps.includes(u), `the clone waits for ${u}`);
      }
      assert.deepEqual(clone.inputs!.source.database, "kong");
      assert.deepEqual(clone.inputs!.target.database, "kong34");
      assert.deepEqual(clone.inputs!.target.user, "kong");
      assert.deepEqual(clone.inputs!.target.host, "10.0.0.5");
      const oldMigration = get(MIGRATION, "kong-blue-migration");
      for (const u of [roleUrn("kong-db"), dbUrn("kong-db"), grantUrn("kong-db")])
        assert.ok(oldMigration.deps.includes(u), `waits for ${u}`);

      rec.reset();
      await run({ currentVersion: "2.8.5", targetVersion: "3.4.2", newDbName: "kong34", pgAdminPassword: "", newDbPassword: "pw-3" }, dual);
      assert.ok(!rec.regs.some((r) => r.type.startsWith("postgresql:") || r.type === COMPONENT), "no pgAdminPassword: nothing provisioned");
      assert.equal(get(KONG_DATABASE_CLONE_TYPE, "kong-green-clone").inputs!.target.database, "kong34");
    });

    it("kubernetes-blue-green with pgAdminPassword: KongDatabase's connection reaches the migration and both slots", async () => {
      const blueGreen = path.resolve(__dirname, "../../examples/kubernetes-blue-green/index.ts");
      await run({ currentVersion: "3.8.1", targetVersion: "3.9.3", dbHost: "10.0.0.5", dbUser: "kong_bg" }, blueGreen);
      assert.equal(get("pulumi:providers:postgresql", "pg-admin").inputs!.host, "127.0.0.1", "pgAdminHost");
      assert.deepEqual(get(ROLE, "kong-db-role").inputs, { name: "kong_bg", login: true, password: secret("kong-pw-2") });
      assert.deepEqual(get(DATABASE, "kong-db-database").inputs, { name: "kong", owner: "kong_bg" });
      const pgResources = [roleUrn("kong-db"), dbUrn("kong-db"), grantUrn("kong-db")];
      const component = "kong-migrations:index:KongBlueGreenUpgrade";
      const migration = get(MIGRATION, "kong-migration");
      assert.equal(migration.parent, mockUrn([component], "kong"));
      assert.deepEqual(migration.inputs!.database, { host: "10.0.0.5", port: 5432, user: "kong_bg", database: "kong" });
      for (const u of pgResources) assert.ok(migration.deps.includes(u), `the migration waits for ${u}`);
      for (const slot of ["kong-blue-deployment", "kong-green-deployment"]) {
        for (const u of pgResources) assert.ok(get(DEPLOYMENT, slot).deps.includes(u), `${slot} waits for ${u}`);
      }

      rec.reset();
      await run({ currentVersion: "3.8.1", pgAdminPassword: "" }, blueGreen);
      assert.ok(!rec.regs.some((r) => r.type.startsWith("postgresql:") || r.type === COMPONENT), "no pgAdminPassword: nothing provisioned");
      assert.deepEqual(get(MIGRATION, "kong-migration").inputs!.database, {
        host: "127.0.0.1",
        port: 5432,
        user: "kong",
        database: "kong",
      });
    });
  });
});
