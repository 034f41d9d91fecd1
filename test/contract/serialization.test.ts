/**
 * The provider object is serialized into every resource's state (`__provider`). Inside this
 * repository it is captured by value: it must serialize, stay small, and hold no secret.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as runtime from "@pulumi/pulumi/runtime";
import { SUPERUSER_PASSWORD } from "../helpers/global-postgres";

const MAX_BYTES = 16 * 1024;

describe("provider serialization (pulumi.runtime.serializeFunction)", () => {
  for (const [layout, modulePath] of [
    ["compiled package (dist/)", path.resolve(__dirname, "..", "..", "dist", "provider")],
    ["TypeScript sources", path.resolve(__dirname, "..", "..", "provider")],
  ] as const) {
    it(`serializes from the ${layout}, under 16 KB, with no secret`, async () => {
      process.env.KONG_PG_PASSWORD = SUPERUSER_PASSWORD; // a secret in the environment must not be captured
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { kongDatabaseMigrationProvider } = require(modulePath);
        const result = await runtime.serializeFunction(() => kongDatabaseMigrationProvider, { allowSecrets: true });
        assert.equal(result.containsSecrets, false);
        assert.ok(Buffer.byteLength(result.text) < MAX_BYTES, `${Buffer.byteLength(result.text)} bytes`);
        assert.ok(!result.text.includes(SUPERUSER_PASSWORD));
        // A thin shell: each method loads the handlers module at call time instead of inlining it.
        assert.equal(result.text.match(/require\(HANDLERS\)/g)?.length, 6);
        for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
          assert.match(result.text, new RegExp(`[{ ]${method}: __f\\d+`), `method ${method} is serialized`);
        }
      } finally {
        delete process.env.KONG_PG_PASSWORD;
      }
    });
  }
});

describe("handlers module id captured in state", () => {
  it("is the package path under node_modules (portable across machines), else the absolute path", async () => {
    const { portableModuleId: handlersModuleId } = await import("../../provider/module-id");
    assert.equal(
      handlersModuleId("/home/ci/app/node_modules/pulumi-kong-migrations/dist/provider/handlers.js"),
      "pulumi-kong-migrations/dist/provider/handlers.js",
    );
    assert.equal(
      handlersModuleId(
        "/app/node_modules/.pnpm/pulumi-kong-migrations@0.1.0/node_modules/pulumi-kong-migrations/dist/provider/handlers.js",
      ),
      "pulumi-kong-migrations/dist/provider/handlers.js",
    );
    assert.equal(handlersModuleId("/work/repo/dist/provider/handlers.js"), "/work/repo/dist/provider/handlers.js");
  });
});
