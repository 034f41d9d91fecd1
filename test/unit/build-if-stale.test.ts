/**
 * `npm run demo` rebuilds dist/ only when it is out of date (scripts/lib/build-if-stale.ts), on a
 * scratch tree with file times set explicitly.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { staleReason } from "../../scripts/lib/build-if-stale";

function tree(): { root: string; touch(rel: string, seconds: number): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "build-if-stale-"));
  const touch = (rel: string, seconds: number) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) fs.writeFileSync(file, "");
    fs.utimesSync(file, seconds, seconds);
  };
  return { root, touch };
}

describe("build-if-stale (npm run demo)", () => {
  it("a dist newer than every source and config is up to date; each kind of change makes it stale", () => {
    const { root, touch } = tree();
    try {
      for (const [src, out] of [
        ["index.ts", "dist/index.js"],
        ["provider/index.ts", "dist/provider/index.js"],
        ["sim/cli.ts", "dist/sim/cli.js"],
      ]) {
        touch(src, 1000);
        touch(out, 2000);
      }
      touch("provider/types.d.ts", 3000); // declarations have no output
      fs.writeFileSync(path.join(root, "tsconfig.build.json"), JSON.stringify({ include: ["index.ts", "provider", "sdk", "sim"] }));
      touch("tsconfig.build.json", 500);
      touch("tsconfig.json", 500);
      assert.equal(staleReason(root), undefined);

      touch("provider/index.ts", 2500);
      assert.equal(staleReason(root), `${path.join("provider", "index.ts")} changed since it was compiled`);
      touch("provider/index.ts", 1000);
      touch("sdk/new.ts", 1000);
      assert.equal(staleReason(root), `${path.join("sdk", "new.ts")} has no compiled dist/${path.join("sdk", "new.js")}`);
      fs.rmSync(path.join(root, "sdk"), { recursive: true });
      touch("tsconfig.build.json", 2500);
      assert.equal(staleReason(root), "tsconfig.build.json changed since the last build");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
