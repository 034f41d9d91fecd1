/**
 * The two ways a user installs the package, from `npm pack` into scratch projects (the same
 * install a user does, through npm and its registry/cache):
 *
 * - root only (`pulumi-kong-migrations` and `@pulumi/pulumi`): no Kubernetes package and no
 *   `@pulumi/postgresql` is installed (`npm ls`), the root entry point runs, and every Kubernetes
 *   entry (and `pulumi-kong-migrations/postgresql`) fails at program time with the name of the
 *   missing package and the install command;
 * - with the Kubernetes subpath (plus `@pulumi/kubernetes` and `@kubernetes/client-node`): the
 *   subpath loads its components.
 *
 * It also measures each layout's `node_modules` (printed; the README quotes a run).
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/pulumi-cli";

const PEERS = ["@pulumi/kubernetes", "@kubernetes/client-node"];
/** Every optional peer: the Kubernetes ones and the PostgreSQL provider's SDK (pulumi-kong-migrations/postgresql). */
const OPTIONAL = [...PEERS, "@pulumi/postgresql"];
const DEV = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).devDependencies as Record<string, string>;

/** Bytes under `dir` (apparent sizes, as `du -sb`), and the number of packages npm installed. */
function measure(project: string): { bytes: number; packages: number } {
  const bytes = Number(execFileSync("du", ["-sb", path.join(project, "node_modules")], { encoding: "utf8" }).split("\t")[0]);
  const lock = JSON.parse(fs.readFileSync(path.join(project, "package-lock.json"), "utf8"));
  return { bytes, packages: Object.keys(lock.packages).filter((k) => k !== "").length };
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/** Runs `script` with node in `cwd`; returns stdout (asserting exit 0). */
function node(cwd: string, script: string): string {
  const r = spawnSync(process.execPath, ["-e", script], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, `node -e failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `npm ls` of the optional peers, as distinct `name@version` (empty when none is installed). */
function optionalPackages(cwd: string): string[] {
  const r = spawnSync("npm", ["ls", "--all", "--json", ...OPTIONAL], { cwd, encoding: "utf8" });
  const found: string[] = [];
  const walk = (deps: Record<string, { version: string; dependencies?: Record<string, unknown> }> = {}) => {
    for (const [name, d] of Object.entries(deps)) {
      if (OPTIONAL.includes(name)) found.push(`${name}@${d.version}`);
      walk(d.dependencies as never);
    }
  };
  walk(JSON.parse(r.stdout).dependencies);
  return [...new Set(found)].sort();
}

const LOADED_K8S = `Object.keys(require.cache).filter((p) => /node_modules[\\\\/](@pulumi[\\\\/](kubernetes|postgresql)|@kubernetes[\\\\/]client-node)[\\\\/]/.test(p)).length`;

describe("end to end: install layouts from npm pack", function () {
  this.timeout(600_000);
  let scratch: string;
  let tarball: string;
  const sizes: Record<string, { bytes: number; packages: number }> = {};

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kong-layouts-"));
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: REPO_ROOT, encoding: "utf8" });
    tarball = path.join(scratch, out.trim().split("\n").at(-1)!);
  });
  after(() => {
    if (sizes.root && sizes.kubernetes) {
      console.log(
        `      install sizes (${new Date().toISOString().slice(0, 10)}): root only ${mb(sizes.root.bytes)} (${sizes.root.packages} packages), ` +
          `with the kubernetes subpath ${mb(sizes.kubernetes.bytes)} (${sizes.kubernetes.packages} packages)`,
      );
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  function project(name: string, extra: string[]): string {
    const dir = path.join(scratch, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `user-${name}`, version: "1.0.0", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", tarball, `@pulumi/pulumi@${DEV["@pulumi/pulumi"]}`, ...extra], {
      cwd: dir,
      stdio: "ignore",
    });
    return dir;
  }

  it("root only: no Kubernetes or PostgreSQL-provider package installed or loaded; each optional entry names the package to install", () => {
    const dir = project("root", []);
    sizes.root = measure(dir);
    assert.deepEqual(optionalPackages(dir), []);

    assert.equal(
      node(dir, `const m = require("pulumi-kong-migrations"); console.log(typeof m.KongDatabaseMigration, ${LOADED_K8S});`),
      "function 0\n",
    );

    const err = (script: string) => node(dir, `try { ${script}; console.log("no error"); } catch (e) { console.log(e.message); }`).trim();
    assert.equal(
      err(`require("pulumi-kong-migrations/kubernetes")`),
      `pulumi-kong-migrations/kubernetes (the Kubernetes components) needs the npm package @pulumi/kubernetes, an optional peer dependency ` +
        `of pulumi-kong-migrations that is not installed. Install it in your project: npm install @pulumi/kubernetes@">=4.0.0 <5.0.0"`,
    );
    assert.equal(
      err(`require("pulumi-kong-migrations/postgresql")`),
      `pulumi-kong-migrations/postgresql (KongDatabase) needs the npm package @pulumi/postgresql, an optional peer dependency ` +
        `of pulumi-kong-migrations that is not installed. Install it in your project: npm install @pulumi/postgresql@">=3.0.0 <4.0.0"`,
    );
    // The constructor refuses before registering anything, so no engine is needed to see it.
    assert.equal(
      err(
        `const { KongDatabaseMigration } = require("pulumi-kong-migrations"); ` +
          `new KongDatabaseMigration("m", { database: {}, kongVersion: "3.4.2", runner: { kind: "kubernetes", namespace: "kong" } })`,
      ),
      `runner { kind: "kubernetes" } needs the npm package @kubernetes/client-node, an optional peer dependency of ` +
        `pulumi-kong-migrations that is not installed. Install it in your project: npm install @kubernetes/client-node@">=1.0.0 <2.0.0"`,
    );
    // The provider's check says the same at preview (a runner given as an Output reaches only the provider).
    const failure = node(
      dir,
      `const { normalizeInputs } = require("pulumi-kong-migrations/dist/provider/inputs.js");
       const { failures } = normalizeInputs({ database: {}, kongVersion: "3.4.2", runner: { kind: "kubernetes", namespace: "kong" } });
       console.log(JSON.stringify(failures.find((f) => f.property === "runner.kind")));`,
    );
    assert.deepEqual(JSON.parse(failure), {
      property: "runner.kind",
      reason:
        `runner { kind: "kubernetes" } needs the npm package @kubernetes/client-node, an optional peer dependency of ` +
        `pulumi-kong-migrations that is not installed. Install it in your project: npm install @kubernetes/client-node@">=1.0.0 <2.0.0"`,
    });
  });

  it("with the kubernetes subpath: the components load from pulumi-kong-migrations/kubernetes", () => {
    const dir = project(
      "kubernetes",
      PEERS.map((p) => `${p}@${DEV[p]}`),
    );
    sizes.kubernetes = measure(dir);
    assert.deepEqual(optionalPackages(dir), PEERS.map((p) => `${p}@${DEV[p]}`).sort());
    assert.equal(
      node(
        dir,
        `const k = require("pulumi-kong-migrations/kubernetes");
         console.log(["KongCluster", "KongBlueGreenUpgrade", "KongInPlaceUpgrade", "KubernetesPodsGone", "KongKubernetesError"].map((n) => typeof k[n]).join(" "));
         const root = require("pulumi-kong-migrations"); console.log(typeof root.KongDatabaseMigration, typeof root.KongBlueGreenUpgrade);`,
      ),
      "function function function function function\nfunction undefined\n",
    );
    assert.ok(sizes.kubernetes.bytes > sizes.root.bytes);
  });
});
