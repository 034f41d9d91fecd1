/**
 * Stacks for end-to-end tests through the real Pulumi CLI: of the root project (examples/quickstart)
 * or of another example's folder; one local file backend per stack, configured for a test database.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stack, type CliResult, type Stack } from "../../scripts/lib/pulumi-cli";
import type { TestDatabase } from "./postgres";

export const MIGRATION_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";

/** Asserts the CLI exited 0 (the message carries its output) and returns its result. */
export function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A new stack whose config points the quickstart program at `db` with Kong `version`; `extra` is more config (`--path` keys). */
export async function newStack(db: TestDatabase, version: string, extra: ReadonlyArray<readonly [string, string]> = []): Promise<Stack> {
  return newProjectStack(undefined, db, [["kongVersion", version]], extra);
}

/**
 * A new stack of the program in `projectDir` (default: the root project, the quickstart), pointed
 * at `db` (dbHost, dbPort, dbUser, dbName, the secret dbPassword; lockTimeoutSeconds 5), plus
 * `config` (plain keys) and `paths` (`--path` keys).
 */
export async function newProjectStack(
  projectDir: string | undefined,
  db: TestDatabase,
  config: ReadonlyArray<readonly [string, string]> = [],
  paths: ReadonlyArray<readonly [string, string]> = [],
): Promise<Stack> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-e2e-state-"));
  const s = stack(
    `e2e${path
      .basename(stateDir)
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}`,
    stateDir,
    projectDir,
  );
  ok(await s.run(["stack", "init"]), "stack init");
  const plain = [
    ["dbHost", db.host],
    ["dbPort", String(db.port)],
    ["dbUser", db.user],
    ["dbName", db.database],
    ["lockTimeoutSeconds", "5"],
    ...config,
  ];
  ok(await s.run(["config", "set-all", ...plain.flatMap(([k, v]) => ["--plaintext", `${k}=${v}`])]), "config set-all");
  for (const [k, v] of paths) ok(await s.run(["config", "set", "--path", k, v]), `config set ${k}`);
  ok(await s.run(["config", "set", "--secret", "dbPassword"], { input: db.password }), "config set dbPassword");
  return s;
}

export async function removeStack(s: Stack | undefined): Promise<void> {
  if (!s) return;
  await s.run(["stack", "rm", "--yes", "--force"]);
  fs.rmSync(s.stateDir, { recursive: true, force: true });
}

/** Every resource's outputs by type (the last of a type wins), from one `pulumi stack export`. */
export async function outputsByType(s: Stack): Promise<Record<string, Record<string, unknown>>> {
  const r = ok(await s.run(["stack", "export"]), "stack export");
  const deployment = JSON.parse(r.stdout) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } };
  return Object.fromEntries(deployment.deployment.resources.map((x) => [x.type, x.outputs ?? {}]));
}

/** The KongDatabaseMigration resource (or the one resource of `type`) as `pulumi stack export` shows it. */
export async function resourceState(
  s: Stack,
  type = MIGRATION_TYPE,
): Promise<{ inputs: Record<string, unknown>; outputs: Record<string, unknown> }> {
  const r = ok(await s.run(["stack", "export"]), "stack export");
  const deployment = JSON.parse(r.stdout) as {
    deployment: { resources: Array<{ type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }> };
  };
  const res = deployment.deployment.resources.find((x) => x.type === type);
  assert.ok(res, `the ${type} resource is in the state`);
  return res;
}

/** The KongDatabaseMigration resource's (or the one resource of `type`'s) outputs, from `pulumi stack export`. */
export async function resourceOutputs(s: Stack, type = MIGRATION_TYPE): Promise<Record<string, unknown>> {
  return (await resourceState(s, type)).outputs;
}
