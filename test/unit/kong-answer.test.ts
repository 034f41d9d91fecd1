/** Kong's `kong migrations list` answer turned into the release's lists (provider/kong/kong-answer.ts). Pure. */
import { strict as assert } from "node:assert";
import { knownMigrations } from "../../provider/kong/catalogue";
import { listsFromKong } from "../../provider/kong/kong-answer";

describe("Kong's list answer as the release's lists", () => {
  it("executed names come in the release's order, not the order the database recorded them (found by the fault matrix)", () => {
    // After a finish, Kong's executed array ends with the migration that was pending: 009 after 011.
    const target = { version: "2.1.4", edition: "oss" as const, plugins: ["bundled"] };
    const catalogue = knownMigrations(target)
      .find((s) => s.subsystem === "core")!
      .migrations.map((m) => m.name);
    const recorded = [...catalogue.filter((n) => n !== "009_200_to_210"), "009_200_to_210"];
    const { known } = listsFromKong({ needsBootstrap: false, executed: { core: recorded }, pending: {}, new: {} }, target, true);
    assert.deepEqual(
      known.find((s) => s.subsystem === "core")!.migrations.map((m) => m.name),
      catalogue,
    );
    // A name the catalogue lacks keeps Kong's order, after the known ones.
    const more = listsFromKong(
      { needsBootstrap: false, executed: { core: ["999_future", ...recorded] }, pending: {}, new: {} },
      target,
      true,
    ).known.find((s) => s.subsystem === "core")!;
    assert.deepEqual(
      more.migrations.map((m) => m.name),
      [...catalogue, "999_future"],
    );
  });
});
