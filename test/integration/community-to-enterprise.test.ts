/**
 * Kong Community -> Kong Enterprise at the same version (kong-migrations.md §2.8), through the
 * provider object on a real database: `up`, `finish` (gated by decommissionedOld), then Kong
 * Enterprise 1.5's `migrate-community-to-enterprise` exactly once (`migrateCommunityEntities`),
 * which kong-sim really performs on the entity tables; and the guide's refusals.
 */
import { strict as assert } from "node:assert";
import { query, useFreshDatabase, type TestDatabase } from "../helpers/postgres";
import { deploy, inputsFor, kongSim, provider, redeploy, type Raw } from "../helpers/provider-fixture";

const EE = { KONG_SIM_EDITION: "enterprise" };
const S1 = "11111111-1111-4111-8111-111111111111";
const S2 = "22222222-2222-4222-8222-222222222222";
const R1 = "33333333-3333-4333-8333-333333333333";
const C1 = "44444444-4444-4444-8444-444444444444";

/** What Community nodes created through their Admin API. */
async function seedCommunityEntities(db: TestDatabase): Promise<void> {
  await query(db, "INSERT INTO services (id, name) VALUES ($1, 'billing'), ($2, NULL)", [S1, S2]);
  await query(db, "INSERT INTO routes (id, name) VALUES ($1, 'billing-route')", [R1]);
  await query(db, "INSERT INTO consumers (id, username, custom_id) VALUES ($1, 'alice', NULL)", [C1]);
}

async function entityRows(db: TestDatabase) {
  return {
    services: await query(db, "SELECT id::text, name FROM services ORDER BY id"),
    routes: await query(db, "SELECT id::text, name FROM routes ORDER BY id"),
    consumers: await query(db, "SELECT id::text, username, custom_id FROM consumers ORDER BY id"),
    workspaceEntities: await query(
      db,
      "SELECT workspace_name, entity_id, entity_type, unique_field_name, unique_field_value FROM workspace_entities " +
        "ORDER BY entity_type, entity_id, unique_field_name",
    ),
    counters: await query(db, "SELECT entity_type, count FROM workspace_entity_counters ORDER BY entity_type"),
  };
}

describe("Kong Community -> Kong Enterprise (real PostgreSQL, kong-sim)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  const ee = (version: string, extra: Raw = {}): Raw => inputsFor(db(), version, { edition: "enterprise", ...extra }, EE);

  it("Community 1.5 -> Enterprise 1.5: up, finish, then migrate-community-to-enterprise exactly once", async () => {
    let s = await deploy(inputsFor(db(), "1.5.1"));
    assert.equal(s.outs.finished, true);
    await seedCommunityEntities(db());

    // The irreversible step is refused before up and finish, with the next step.
    const early = await provider.check!(s.inputs, ee("1.5.0.11", { migrateCommunityEntities: true }));
    assert.deepEqual(early.failures, [
      {
        property: "migrateCommunityEntities",
        reason:
          "migrateCommunityEntities: Kong runs kong migrations migrate-community-to-enterprise only on a database with no new " +
          "and no pending migrations, and it cannot be undone, so it waits until the Community nodes are gone: run up, then " +
          'finish (decommissionedOld: true) with edition "enterprise" first, then set migrateCommunityEntities: true.',
      },
    ]);

    const checked = await provider.check!(s.inputs, ee("1.5.0.11"));
    assert.deepEqual(checked.failures ?? [], []);
    assert.equal((checked.inputs.plan as Raw).command, "kong migrations up");
    assert.equal(
      ((checked.inputs.plan as Raw).warnings as string[]).at(-1),
      "Kong Community -> Kong Enterprise 1.5.0.11: after finish, Kong Community nodes can no longer run on this database. " +
        "Kong Enterprise 1.5 then needs kong migrations migrate-community-to-enterprise (irreversible): set " +
        "migrateCommunityEntities: true once finish has run.",
    );
    s = await redeploy(s, ee("1.5.0.11"));
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations up");
    assert.equal(s.outs.phase, "pending-finish");
    assert.equal(s.outs.finished, false);
    assert.equal((await kongSim(db(), "1.5.1", ["check-compat"])).code, 0, "Community nodes keep working after up");

    // Kong's own preconditions, by hand: pending migrations; no TTY without -y; not an OSS command.
    const pending = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise", "-y"], EE);
    assert.deepEqual(pending, {
      code: 1,
      signal: null,
      stdout: "",
      stderr:
        "Error: database has pending migrations; run 'kong migrations finish'\n\n  Run with --v (verbose) or --vv (debug) for more details\n",
    });
    const noTty = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise"], EE);
    assert.deepEqual(noTty, {
      code: 1,
      signal: null,
      stdout: "",
      stderr:
        "Error: not a tty: invoke 'reset' non-interactively with the --yes flag\n\n  Run with --v (verbose) or --vv (debug) for more details\n",
    });
    const oss = await kongSim(db(), "1.5.1", ["migrations", "migrate-community-to-enterprise", "-y"]);
    assert.equal(oss.code, 1);
    assert.match(oss.stderr, /^No such command for migrations: migrate-community-to-enterprise\n/);

    s = await redeploy(s, ee("1.5.0.11", { decommissionedOld: true }));
    assert.equal((s.outs.lastRun as Raw).command, "kong migrations finish");
    assert.equal(s.outs.finished, true);
    const before = await entityRows(db());
    assert.deepEqual(before.workspaceEntities, [], "nothing is in a workspace yet");

    const due = await provider.check!(s.inputs, ee("1.5.0.11", { decommissionedOld: true, migrateCommunityEntities: true }));
    assert.deepEqual(due.failures ?? [], []);
    const plan = due.inputs.plan as Raw;
    assert.equal(plan.command, "kong migrations migrate-community-to-enterprise");
    assert.deepEqual(
      [(plan.irreversible as { command: string }).command, (plan.irreversible as { backup: string }).backup],
      ["kong migrations migrate-community-to-enterprise", "none configured"],
    );
    assert.deepEqual(plan.wouldRun, { "kong migrations migrate-community-to-enterprise": {} });
    assert.match(((plan.warnings as string[]) ?? []).at(-1) ?? "", /^kong migrations migrate-community-to-enterprise is irreversible: /);

    s = await redeploy(s, ee("1.5.0.11", { decommissionedOld: true, migrateCommunityEntities: true }));
    const run = s.outs.communityMigration as Raw;
    assert.equal(run.command, "kong migrations migrate-community-to-enterprise");
    assert.equal(run.exitCode, 0);
    assert.deepEqual(s.outs.lastRun, run);
    const after = await entityRows(db());
    assert.deepEqual(after.services, [
      { id: S1, name: "default:billing" },
      { id: S2, name: null },
    ]);
    assert.deepEqual(after.routes, [{ id: R1, name: "default:billing-route" }]);
    assert.deepEqual(after.consumers, [{ id: C1, username: "default:alice", custom_id: null }]);
    const we = (entity_id: string, entity_type: string, unique_field_name: string, unique_field_value: string | null) => ({
      workspace_name: "default",
      entity_id,
      entity_type,
      unique_field_name,
      unique_field_value,
    });
    assert.deepEqual(after.workspaceEntities, [
      we(C1, "consumers", "custom_id", null),
      we(C1, "consumers", "id", C1),
      we(C1, "consumers", "username", "alice"),
      we(R1, "routes", "id", R1),
      we(R1, "routes", "name", "billing-route"),
      we(S1, "services", "id", S1),
      we(S1, "services", "name", "billing"),
      we(S2, "services", "id", S2),
      we(S2, "services", "name", null),
    ]);
    // Kong's code adds one per workspace_entities row, not per entity.
    assert.deepEqual(after.counters, [
      { entity_type: "consumers", count: 3 },
      { entity_type: "routes", count: 2 },
      { entity_type: "services", count: 4 },
    ]);

    // Never twice: a converged stack does nothing; switching the input off and on again does not rerun it.
    const again = await redeploy(s, ee("1.5.0.11", { decommissionedOld: true, migrateCommunityEntities: true }));
    assert.equal(again.changed, false);
    const off = await redeploy(again, ee("1.5.0.11", { decommissionedOld: true }));
    const on = await redeploy(off, ee("1.5.0.11", { decommissionedOld: true, migrateCommunityEntities: true }));
    assert.deepEqual(on.outs.communityMigration, run);
    assert.deepEqual(await entityRows(db()), after);
  });

  it("kong-sim's migrate-community-to-enterprise: Kong's messages and its workspace-entities check (-f)", async () => {
    assert.equal((await kongSim(db(), "1.5.0.11", ["migrations", "bootstrap"], EE)).code, 0);
    await seedCommunityEntities(db());
    const r = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise", "-y"], EE);
    assert.deepEqual(r, {
      code: 0,
      signal: null,
      stdout: "Found 4 entities to migrate to the default workspace\nMigrated 4 entities to the default workspace\n",
      stderr: "",
    });
    const twice = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise", "-y"], EE);
    assert.equal(twice.stdout, "Found 0 entities to migrate to the default workspace\n", "nothing left to migrate");
    await query(db(), "UPDATE workspace_entity_counters SET count = 100 WHERE entity_type = 'services'");
    const many = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise", "-y"], EE);
    assert.equal(many.code, 1);
    assert.ok(
      many.stderr.startsWith(
        "Error: [PostgreSQL error] cluster_mutex callback threw an error: /usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:268: " +
          "There are more than 100 EE entities on the database, run with the --force flag to force running this migration\nstack traceback:\n",
      ),
      many.stderr,
    );
    const forced = await kongSim(db(), "1.5.0.11", ["migrations", "migrate-community-to-enterprise", "-y", "-f"], EE);
    assert.equal(forced.code, 0, forced.stderr);
  });

  it("refused with the guide's rule: another version, or Community older than 1.5; not needed from Enterprise 2.1", async () => {
    const s = await deploy(inputsFor(db(), "1.5.1"));
    const other = await provider.check!(s.inputs, ee("2.1.4.1"));
    assert.deepEqual(other.failures, [
      {
        property: "kongVersion",
        reason:
          "The database is a Kong Community database at 1.5.x and kongVersion is Kong Enterprise 2.1.4.1. Kong's guide: Kong " +
          "Community moves to Kong Enterprise only at the same version, from Community 1.5 or later (point Kong Enterprise of " +
          "that version at the database, run up and finish, then, for 1.5, migrate-community-to-enterprise). Set kongVersion " +
          'to a Kong Enterprise 1.5.x release (or upgrade the Community database to 2.1.x first, with edition "oss"), then ' +
          "upgrade Kong Enterprise from there.",
      },
    ]);
    const db13 = db();
    await query(db13, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    const c13 = await deploy(inputsFor(db13, "1.3.0"));
    const tooOld = await provider.check!(c13.inputs, ee("1.3.0.2"));
    assert.equal(tooOld.failures?.length, 1);
    assert.match(
      tooOld.failures![0].reason,
      /^The database is a Kong Community database at 1\.3\.x and kongVersion is Kong Enterprise 1\.3\.0\.2\. .* Upgrade it as Community first \(edition "oss", kongVersion 1\.5\.x, up and finish\)/,
    );

    const ee21 = await provider.check!({}, ee("2.1.4.1", { migrateCommunityEntities: true }));
    assert.deepEqual(ee21.failures, [
      {
        property: "migrateCommunityEntities",
        reason:
          "Kong Enterprise 2.1.4.1 migrates Community entities during up and finish (from Enterprise 2.1, Kong's guide: " +
          '"it is no longer necessary to explicitly run the migrate-community-to-enterprise command"): remove migrateCommunityEntities.',
      },
    ]);
  });
});
