/**
 * The root entry point loads no Kubernetes package (checked in a fresh Node process, since this
 * mocha process has loaded them for other tests), and the optional peers' ranges in
 * `provider/optional-peers.ts` (quoted in error messages) are package.json's. Uses `dist/` (built by
 * `npm test`'s pretest). The install layouts themselves are tested in test/e2e/install-layouts.test.ts.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { OPTIONAL_PEERS } from "../../provider/optional-peers";

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

function loadedAfter(entry: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, "dist", entry))});
    console.log(JSON.stringify([...new Set(Object.keys(require.cache).map((p) => /node_modules[\\\\/](@pulumi[\\\\/]kubernetes|@pulumi[\\\\/]postgresql|@kubernetes[\\\\/]client-node)[\\\\/]/.exec(p)?.[1]).filter(Boolean))].sort()));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).map((p: string) => p.replace(/\\/g, "/"));
}

describe("entry points", () => {
  it("requiring the root loads neither @pulumi/kubernetes, @kubernetes/client-node nor @pulumi/postgresql", () => {
    assert.deepEqual(loadedAfter("index.js"), []);
  });

  it("requiring pulumi-kong-migrations/postgresql loads @pulumi/postgresql and no Kubernetes package", () => {
    assert.deepEqual(loadedAfter("postgresql.js"), ["@pulumi/postgresql"]);
  });

  it("requiring pulumi-kong-migrations/kubernetes loads @pulumi/kubernetes (the client library stays lazy)", () => {
    assert.deepEqual(loadedAfter("kubernetes.js"), ["@pulumi/kubernetes"]);
  });

  it("the optional peers and their ranges are package.json's peerDependencies, marked optional", () => {
    for (const [name, range] of Object.entries(OPTIONAL_PEERS)) {
      assert.equal(pkg.peerDependencies[name], range, name);
      assert.deepEqual(pkg.peerDependenciesMeta[name], { optional: true }, name);
      assert.equal(pkg.dependencies[name], undefined, `${name} is not a hard dependency`);
    }
    assert.deepEqual(Object.keys(pkg.dependencies), ["pg"]);
  });

  it("package exports: the root, the kubernetes and postgresql subpaths, and dist/* (the serialized providers name their handlers by package path)", () => {
    assert.deepEqual(Object.keys(pkg.exports), [".", "./kubernetes", "./postgresql", "./package.json", "./dist/*"]);
  });
});
