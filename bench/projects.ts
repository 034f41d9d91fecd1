/**
 * Scratch Pulumi projects for the benchmarks, run by the real CLI (offline, `scripts/pulumi-env.sh`)
 * on a local file backend. The package is consumed in one of the two layouts Pulumi serializes
 * differently (design.md §4):
 * - `repository`: the program requires this checkout's `dist` by path (as examples/quickstart does):
 *   the provider is captured by value;
 * - `installed`: the `npm pack` tarball unpacked into the project's `node_modules` (the files a user's
 *   install gets; its dependencies linked from this checkout's, so no registry is needed): captured
 *   by reference (`require("pulumi-kong-migrations/...")`).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { pulumiBaseEnv, REPO_ROOT } from "../scripts/lib/pulumi-cli";

export type Layout = "repository" | "installed";

export interface Project {
  readonly dir: string;
  /** Writes the program (CommonJS); `pkg` is what it must require for the package. */
  write(program: (pkg: string) => string): void;
  /** `pulumi <args>` in the project; throws on a non-zero exit. Returns wall milliseconds and stdout. */
  run(args: readonly string[]): Promise<{ ms: number; stdout: string }>;
  remove(): void;
}

let tarballDir: string | undefined;

/** The package as `npm pack` ships it, unpacked once per run. */
function packedPackage(): string {
  if (!tarballDir) {
    tarballDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-bench-pack-"));
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", tarballDir], { cwd: REPO_ROOT, encoding: "utf8" });
    execFileSync("tar", ["-xzf", path.join(tarballDir, out.trim().split("\n").at(-1)!), "-C", tarballDir]);
  }
  return path.join(tarballDir, "package");
}

export function cleanupPacked(): void {
  if (tarballDir) fs.rmSync(tarballDir, { recursive: true, force: true });
  tarballDir = undefined;
}

export function newProject(name: string, layout: Layout, dist = path.join(REPO_ROOT, "dist")): Project {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kong-bench-${name}-`));
  const state = path.join(dir, ".state");
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }));
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(path.join(modules, "@pulumi"), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"), path.join(modules, "@pulumi", "pulumi"));
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "pg"), path.join(modules, "pg"));
  let pkg = dist;
  if (layout === "installed") {
    fs.cpSync(packedPackage(), path.join(modules, "pulumi-kong-migrations"), { recursive: true });
    pkg = "pulumi-kong-migrations";
  }
  const env = { ...pulumiBaseEnv(), PULUMI_BACKEND_URL: `file://${state}` };
  const stack = "bench";
  const project: Project = {
    dir,
    write: (program) => fs.writeFileSync(path.join(dir, "index.js"), program(pkg)),
    run(args) {
      const started = performance.now();
      const stackArgs = args[0] === "stack" && args[1] === "init" ? [stack] : ["--stack", stack];
      const child = spawn("pulumi", [...args, ...stackArgs, "--non-interactive"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise((resolve, reject) =>
        child.once("close", (code) => {
          const ms = performance.now() - started;
          if (code === 0) resolve({ ms, stdout });
          else reject(new Error(`pulumi ${args.join(" ")} exited ${code}\n${stdout}\n${stderr}`));
        }),
      );
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  return project;
}

/** A program of `n` KongDatabaseMigration resources, one per database, kong-sim as Kong. */
export function migrationProgram(
  dbs: ReadonlyArray<{ host: string; port: number; user: string; password: string; database: string }>,
  version: string,
  extra: Record<string, unknown> = {},
): (pkg: string) => string {
  const sim = path.join(REPO_ROOT, "dist", "sim", "cli.js");
  return (pkg) => `"use strict";
const pulumi = require("@pulumi/pulumi");
const { KongDatabaseMigration } = require(${JSON.stringify(pkg)});
const dbs = ${JSON.stringify(dbs)};
dbs.forEach((d, i) => new KongDatabaseMigration("kong-db-" + i, {
  database: { host: d.host, port: d.port, user: d.user, database: d.database, password: pulumi.secret(d.password) },
  kongVersion: ${JSON.stringify(version)},
  decommissionedOld: false,
  runner: { kind: "local", command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(sim)}], env: { KONG_SIM_VERSION: ${JSON.stringify(version)} } },
  ...${JSON.stringify(extra)},
}));
`;
}

/** A program of `n` trivial dynamic resources (create returns its inputs; no check, no diff). */
export function trivialProgram(n: number): (pkg: string) => string {
  return () => `"use strict";
const pulumi = require("@pulumi/pulumi");
const provider = { async create(inputs) { return { id: inputs.name, outs: inputs }; } };
class Trivial extends pulumi.dynamic.Resource {
  constructor(name, props) { super(provider, name, props, undefined, "bench", "Trivial"); }
}
for (let i = 0; i < ${n}; i++) new Trivial("r" + i, { name: "r" + i });
`;
}
