/**
 * Stacks of the root quickstart program (examples/quickstart) on their own local file backend,
 * configured for one test database: what the e2e tests drive through the real Pulumi CLI.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stack, type CliResult, type Stack } from "../../scripts/lib/pulumi-cli";
import type { TestDatabase } from "./postgres";

export function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A new stack whose config points the quickstart at `db` with `kongVersion`; `extra` is more config. */
export async function newQuickstartStack(
  db: TestDatabase,
  version: string,
  extra: ReadonlyArray<readonly [string, string]> = [],
): Promise<Stack> {
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
