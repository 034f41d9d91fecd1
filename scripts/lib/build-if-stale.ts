/**
 * Builds `dist/` with `tsc -p tsconfig.build.json` only when it is out of date, so that `npm run
 * demo` does not spend a full compile on every run (issue 10). Out of date: a source of the build
 * (what tsconfig.build.json includes) has no compiled `.js` in `dist/`, or is
 * newer than it, or a tsconfig or package.json is newer than the oldest output. tsc rewrites every
 * output on each build, so the outputs' times are the build's.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const CONFIGS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function tsFiles(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return rel.endsWith(".ts") && !rel.endsWith(".d.ts") ? [rel] : [];
  return fs.readdirSync(abs).flatMap((name) => tsFiles(root, path.join(rel, name)));
}

/** Why `dist/` under `root` is out of date, or undefined when it is not. */
export function staleReason(root: string): string | undefined {
  const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8")) as { include: string[] };
  let oldest = Infinity;
  for (const src of config.include.flatMap((s) => tsFiles(root, s))) {
    const out = path.join(root, "dist", src.replace(/\.ts$/, ".js"));
    if (!fs.existsSync(out)) return `${src} has no compiled dist/${path.relative(path.join(root, "dist"), out)}`;
    const outTime = fs.statSync(out).mtimeMs;
    if (fs.statSync(path.join(root, src)).mtimeMs > outTime) return `${src} changed since it was compiled`;
    oldest = Math.min(oldest, outTime);
  }
  for (const c of CONFIGS) {
    const file = path.join(root, c);
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs > oldest) return `${c} changed since the last build`;
  }
  return undefined;
}

/** Runs the build when `dist/` is out of date; says which it did. */
export function buildIfStale(root: string): void {
  const why = staleReason(root);
  if (!why) {
    process.stdout.write("dist/ is up to date: not rebuilding\n");
    return;
  }
  process.stdout.write(`building dist/ (${why})\n`);
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
