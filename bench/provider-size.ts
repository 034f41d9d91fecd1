/**
 * Serialized size of the provider (`__provider`, stored twice per resource in state) in the two
 * layouts Pulumi serializes differently (design.md §4), side by side in one run:
 * - repository layout: imported by path, captured by value (the thin shell + the handlers path);
 * - user layout: `npm pack`, installed from the tarball into a scratch project, captured by
 *   reference (`require("pulumi-kong-migrations/...")`).
 * Budget (issue 3): under 16 KB. Run: `npx ts-node bench/provider-size.ts` after `npm run build`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const BUDGET = 16 * 1024;
const measure = `
  const runtime = require("@pulumi/pulumi/runtime");
  const { kongDatabaseMigrationProvider } = require(process.argv[1]);
  runtime.serializeFunction(() => kongDatabaseMigrationProvider, { allowSecrets: true })
    .then((r) => console.log(JSON.stringify({ bytes: Buffer.byteLength(r.text), byReference: r.text.includes('HANDLERS: "pulumi-kong-migrations/dist/provider/handlers.js"') })));
`;

function run(cwd: string, moduleId: string): { bytes: number; byReference: boolean } {
  return JSON.parse(execFileSync(process.execPath, ["-e", measure, moduleId], { cwd, encoding: "utf8" }).trim());
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kong-migrations-user-"));
try {
  const repo = run(ROOT, path.join(ROOT, "dist"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: ROOT, encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1)!;
  fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", path.join(scratch, tarball), "@pulumi/pulumi@3.248.0"], {
    cwd: scratch,
    stdio: "inherit",
  });
  const user = run(scratch, "pulumi-kong-migrations");
  const rows = [
    ["layout", "bytes", "handlers as", "within 16 KB"],
    ["repository checkout", String(repo.bytes), repo.byReference ? "package id" : "absolute path", String(repo.bytes < BUDGET)],
    ["npm install (user)", String(user.bytes), user.byReference ? "package id" : "absolute path", String(user.bytes < BUDGET)],
  ];
  console.log(
    `provider serialized size, ${new Date().toISOString().slice(0, 10)}, tarball ${tarball} (${fs.statSync(path.join(scratch, tarball)).size} bytes)`,
  );
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(i === 0 ? 24 : 14)).join(""));
  if (repo.bytes >= BUDGET || user.bytes >= BUDGET) process.exitCode = 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
