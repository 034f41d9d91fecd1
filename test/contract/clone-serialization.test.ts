/**
 * `KongDatabaseClone`'s provider object is serialized into its state (`__provider`) like the
 * migration's (see ./serialization.test.ts): from either layout it must serialize, stay a thin
 * shell under 16 KB, and capture no secret.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as runtime from "@pulumi/pulumi/runtime";
import { SUPERUSER_PASSWORD } from "../helpers/global-postgres";

describe("KongDatabaseClone provider serialization", () => {
  for (const [layout, modulePath] of [
    ["compiled package (dist/)", path.resolve(__dirname, "..", "..", "dist", "provider", "clone")],
    ["TypeScript sources", path.resolve(__dirname, "..", "..", "provider", "clone")],
  ] as const) {
    it(`serializes from the ${layout}, under 16 KB, with no secret`, async () => {
      process.env.PGPASSWORD = SUPERUSER_PASSWORD; // a secret in the environment must not be captured
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { kongDatabaseCloneProvider } = require(modulePath);
        const result = await runtime.serializeFunction(() => kongDatabaseCloneProvider, { allowSecrets: true });
        assert.equal(result.containsSecrets, false);
        assert.ok(Buffer.byteLength(result.text) < 16 * 1024, `${Buffer.byteLength(result.text)} bytes`);
        assert.ok(!result.text.includes(SUPERUSER_PASSWORD));
        assert.equal(result.text.match(/require\(HANDLERS\)/g)?.length, 6);
        assert.match(result.text, /provider[\\/]clone[\\/]calls/);
      } finally {
        delete process.env.PGPASSWORD;
      }
    });
  }
});
