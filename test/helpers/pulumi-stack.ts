/**
 * Stacks of the root project (examples/quickstart) for end-to-end tests through the real Pulumi
 * CLI: one local file backend per stack, configured for a test database.
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
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-e2e-state-"));
  const s = stack(
    `e2e${path
      .basename(stateDir)
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}`,
    stateDir,
  );
  ok(await s.run(["stack", "init"]), "stack init");
  for (const [k, v] of [
    ["dbHost", db.host],
    ["dbPort", String(db.port)],
    ["dbUser", db.user],
    ["dbName", db.database],
    ["kongVersion", version],
    ["lockTimeoutSeconds", "5"],
  ]) {
    ok(await s.run(["config", "set", k, v]), `config set ${k}`);
  }
  for (const [k, v] of extra) ok(await s.run(["config", "set", "--path", k, v]), `config set ${k}`);
  ok(await s.run(["config", "set", "--secret", "dbPassword"], { input: db.password }), "config set dbPassword");
  return s;
}

export async function removeStack(s: Stack | undefined): Promise<void> {
  if (!s) return;
  await s.run(["stack", "rm", "--yes", "--force"]);
  fs.rmSync(s.stateDir, { recursive: true, force: true });
}

/** The KongDatabaseMigration resource as `pulumi stack export` shows it. */
export async function resourceState(s: Stack): Promise<{ inputs: Record<string, unknown>; outputs: Record<string, unknown> }> {
  const r = ok(await s.run(["stack", "export"]), "stack export");
  const deployment = JSON.parse(r.stdout) as {
    deployment: { resources: Array<{ type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }> };
  };
  const res = deployment.deployment.resources.find((x) => x.type === MIGRATION_TYPE);
  assert.ok(res, "the resource is in the state");
  return res;
}

/** The KongDatabaseMigration resource's outputs, from `pulumi stack export`. */
export async function resourceOutputs(s: Stack): Promise<Record<string, unknown>> {
  return (await resourceState(s)).outputs;
}
