/**
 * `npm run bench`: the benchmarks as ratios, each measured side by side in one run (issue 10 item 5):
 * (a) an `up` through the provider vs kong-sim directly, (b) `pulumi preview` of converged
 * migrations vs trivial dynamic resources, (c) state bytes per resource in both layouts. Prints a
 * table with the date and the load average, and keeps it in bench/results/<date>.md.
 *
 * Knobs (environment): BENCH_ONLY=a,b,c; BENCH_UP_REPS (5); BENCH_PREVIEW_REPS (3);
 * BENCH_SIZES (1,10,50); BENCH_STATE_N (3); BENCH_PROVIDER_DIST (the compiled package (a) loads,
 * default ./dist: point it at another checkout's dist to compare two versions; (c)'s repository layout
 * uses it too).
 */
import * as os from "node:os";
import * as path from "node:path";
import { buildIfStale } from "../scripts/lib/build-if-stale";
import { REPO_ROOT } from "../scripts/lib/pulumi-cli";
import { startBenchServer } from "./databases";
import { measurePreview } from "./preview-ratio";
import { cleanupPacked } from "./projects";
import { keep, render, type Report } from "./report";
import { measureState } from "./state-size";
import { measureUp } from "./up-ratio";

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

async function main(): Promise<void> {
  buildIfStale(REPO_ROOT);
  const only = new Set((process.env.BENCH_ONLY ?? "a,b,c").split(","));
  const start = os.loadavg();
  const server = await startBenchServer();
  let report: Report;
  try {
    const dist = path.resolve(process.env.BENCH_PROVIDER_DIST ?? path.join(REPO_ROOT, "dist"));
    const up = only.has("a") ? await measureUp(server, dist, num("BENCH_UP_REPS", 5)) : undefined;
    const sizes = (process.env.BENCH_SIZES ?? "1,10,50").split(",").map(Number);
    const preview = only.has("b") ? await measurePreview(server, sizes, num("BENCH_PREVIEW_REPS", 3)) : undefined;
    const state = only.has("c") ? await measureState(server, num("BENCH_STATE_N", 3), dist) : undefined;
    report = {
      date: new Date().toISOString().slice(0, 10),
      load: { start, end: os.loadavg() },
      cpus: os.cpus().length,
      up,
      preview,
      state,
    };
  } finally {
    cleanupPacked();
    await server.stop();
  }
  const text = render(report);
  process.stdout.write(text);
  process.stdout.write(`\n(kept in ${path.relative(REPO_ROOT, keep(report, text, REPO_ROOT))})\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
