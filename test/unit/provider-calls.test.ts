import { strict as assert } from "node:assert";
import * as rootCalls from "../../provider/calls";
import * as dropCalls from "../../provider/drop/calls";

// Pins how each provider's check treats the hidden `__urn` input (../../provider/scoped-calls.ts).
// Inputs that fail validation keep these checks pure: no database is read.
describe("provider calls: the hidden __urn input at check", () => {
  const urn = "urn:pulumi:dev::p::pulumi-nodejs:dynamic:Resource::m";

  it("the migration's check hides __urn from the handler and adds back only a urn: string", async () => {
    const known = await rootCalls.check({}, { __urn: urn, kongVersion: "x" });
    assert.deepEqual(known.inputs, { kongVersion: "x", __urn: urn });
    assert.deepEqual(
      known.failures?.map((f) => f.property),
      ["database", "kongVersion"],
    );
    const unknown = await rootCalls.check({}, { __urn: "not-a-urn", kongVersion: "x" });
    assert.deepEqual(unknown.inputs, { kongVersion: "x" });
  });

  it("the drop's check passes __urn through to its handler as it came", async () => {
    const result = await dropCalls.check({}, { __urn: "not-a-urn" });
    assert.deepEqual(result.inputs, { __urn: "not-a-urn" });
    assert.deepEqual(result.failures, [{ property: "database", reason: "database is required: give at least database.host." }]);
  });
});
