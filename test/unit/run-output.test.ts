import { strict as assert } from "node:assert";
import { migratedIn } from "../../provider/kong/run-output";

describe("what a kong migrations run says it migrated", () => {
  it("an up: each migrated line, per subsystem, in its order (kong-migrations.md §2.2)", () => {
    const stdout = [
      "migrating core on database 'kong'...",
      "core migrated up to: 009_200_to_210 (pending)",
      "core migrated up to: 010_210_to_211 (executed)",
      "migrating acl on database 'kong'...",
      "acl migrated up to: 003_200_to_210 (pending)",
      "3 migrations processed",
      "1 executed",
      "2 pending",
    ].join("\n");
    assert.deepEqual(migratedIn(stdout), { core: ["009_200_to_210", "010_210_to_211"], acl: ["003_200_to_210"] });
  });

  it("a finish that ran teardowns still ends with Kong's 'No pending migrations to finish': the teardowns count", () => {
    const stdout =
      "migrating core on database 'kong'...\ncore migrated up to: 009_200_to_210 (executed)\n1 migration processed\n1 executed\nNo pending migrations to finish\n";
    assert.deepEqual(migratedIn(stdout), { core: ["009_200_to_210"] });
  });

  it("a run that found the work done by another node ran nothing", () => {
    assert.deepEqual(migratedIn("No pending migrations to finish\n"), {});
    assert.deepEqual(migratedIn("Database is already up-to-date\n"), {});
    assert.deepEqual(migratedIn("Database already bootstrapped\n"), {});
  });

  it("output with neither (a runner that captured nothing): unknown", () => {
    assert.equal(migratedIn(""), undefined);
    assert.equal(migratedIn("some other line\n"), undefined);
  });
});
