/**
 * `KongDatabaseClone`'s and `KongDatabaseDrop`'s provider objects are serialized into their state
 * (`__provider`) like the migration's (see ./serialization.test.ts): from either layout each must
 * serialize, stay a thin shell under 16 KB, and capture no secret.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as runtime from "@pulumi/pulumi/runtime";
import { SUPERUSER_PASSWORD } from "../helpers/global-postgres";

describe("KongDatabaseClone and KongDatabaseDrop provider serialization", () => {
  for (const [layout, modulePath, exported, dir] of [
    ["compiled package (dist/)", path.resolve(__dirname, "..", "..", "dist", "provider", "clone"), "kongDatabaseCloneProvider", "clone"],
    ["TypeScript sources", path.resolve(__dirname, "..", "..", "provider", "clone"), "kongDatabaseCloneProvider", "clone"],
    ["compiled package (dist/)", path.resolve(__dirname, "..", "..", "dist", "provider", "drop"), "kongDatabaseDropProvider", "drop"],
    ["TypeScript sources", path.resolve(__dirname, "..", "..", "provider", "drop"), "kongDatabaseDropProvider", "drop"],
  ] as const) {
    it(`${exported} serializes from the ${layout}, under 16 KB, with no secret`, async () => {
      process.env.PGPASSWORD = SUPERUSER_PASSWORD; // a secret in the environment must not be captured
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const provider = require(modulePath)[exported];
        const result = await runtime.serializeFunction(() => provider, { allowSecrets: true });
        assert.equal(result.containsSecrets, false);
        assert.ok(Buffer.byteLength(result.text) < 16 * 1024, `${Buffer.byteLength(result.text)} bytes`);
        assert.ok(!result.text.includes(SUPERUSER_PASSWORD));
        assert.equal(result.text.match(/require\(HANDLERS\)/g)?.length, 6);
        assert.match(result.text, new RegExp(`provider[\\\\/]${dir}[\\\\/]calls`));
      } finally {
        delete process.env.PGPASSWORD;
      }
    });
  }
});
