import { strict as assert } from "node:assert";
import type { Subsystem } from "../../provider/kong/catalogue-types";
import { computeState, isUpToDate, type SchemaMetaRow } from "../../provider/kong/state";

const known: Subsystem[] = [
  {
    subsystem: "core",
    migrations: [
      { name: "000_base", teardown: false },
      { name: "009_200_to_210", teardown: true },
      { name: "010_210_to_211", teardown: false },
    ],
  },
  {
    subsystem: "acl",
    migrations: [
      { name: "000_base_acl", teardown: false },
      { name: "003_200_to_210", teardown: true },
    ],
  },
];
const row = (
  subsystem: string,
  executed: string[] | null,
  pending: string[] | null,
  last: string | null = null,
  key = "schema_meta",
): SchemaMetaRow => ({
  key,
  subsystem,
  executed,
  pending,
  last_executed: last,
});

describe("computeState (Kong's state.lua)", () => {
  it("needs bootstrap only when the table is absent", () => {
    const s = computeState(undefined, known);
    assert.equal(s.needsBootstrap, true);
    assert.deepEqual(s.new, { core: ["000_base", "009_200_to_210", "010_210_to_211"], acl: ["000_base_acl", "003_200_to_210"] });
  });

  it("an existing empty table is not needs-bootstrap: everything is new", () => {
    const s = computeState([], known);
    assert.equal(s.needsBootstrap, false);
    assert.deepEqual(s.new, { core: ["000_base", "009_200_to_210", "010_210_to_211"], acl: ["000_base_acl", "003_200_to_210"] });
    assert.equal(isUpToDate(s), false);
  });

  it("classifies executed, pending, new and missing in catalogue order", () => {
    const s = computeState(
      [
        row("core", ["010_210_to_211", "000_base", "000_base"], ["009_200_to_210"], "010_210_to_211"),
        row("acl", null, null, "003_200_to_210"),
      ],
      known,
    );
    assert.deepEqual(s.executed, { core: ["000_base", "010_210_to_211"] });
    assert.deepEqual(s.pending, { core: ["009_200_to_210"] });
    assert.deepEqual(s.missing, { acl: ["003_200_to_210"] });
    assert.deepEqual(s.new, { acl: ["000_base_acl"] });
  });

  it("tolerates pending NULL or '{}', NULL last_executed, other keys and unknown subsystems", () => {
    const s = computeState(
      [
        row("core", ["000_base", "009_200_to_210", "010_210_to_211"], [], null),
        row("acl", ["000_base_acl", "003_200_to_210"], null, null),
        row("core", [], ["000_base"], null, "not_schema_meta"),
        row("my-plugin", ["000_base_my_plugin"], null, "000_base_my_plugin"),
      ],
      known,
    );
    assert.equal(isUpToDate(s), true);
    assert.deepEqual(s.pending, {});
    assert.deepEqual(s.unknown, {});
  });

  it("a name in both arrays counts as executed, as state.lua checks executed first", () => {
    const s = computeState([row("core", ["000_base", "009_200_to_210"], ["009_200_to_210"])], known);
    assert.deepEqual(s.executed, { core: ["000_base", "009_200_to_210"] });
    assert.deepEqual(s.pending, {});
  });

  it("detects executed or pending names the target does not know (a newer database)", () => {
    const s = computeState(
      [row("core", ["000_base", "009_200_to_210", "010_210_to_211", "011_212_to_213", "011_212_to_213"], ["012_213_to_220"])],
      known,
    );
    assert.deepEqual(s.unknown, { core: ["011_212_to_213", "012_213_to_220"] });
  });

  it("uses the reference catalogue for newer-than-target detection, not the plugin list", () => {
    const coreOnly = [known[0]];
    const s = computeState([row("acl", ["000_base_acl", "004_212_to_213"], null)], coreOnly, known);
    assert.deepEqual(s.unknown, { acl: ["004_212_to_213"] });
    assert.deepEqual(s.new, { core: ["000_base", "009_200_to_210", "010_210_to_211"] });
  });
});
