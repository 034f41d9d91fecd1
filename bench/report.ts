/**
 * The benchmarks' table: printed to stdout and kept as Markdown in bench/results/<date>.md. Pure
 * formatting, apart from the write.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PreviewRow } from "./preview-ratio";
import type { StateRow } from "./state-size";
import type { UpResult } from "./up-ratio";

export interface Report {
  readonly date: string;
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly cpus: number;
  readonly up?: UpResult;
  readonly preview?: readonly PreviewRow[];
  readonly state?: readonly StateRow[];
}

const ms = (x: number) => `${Math.round(x)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function render(r: Report): string {
  const parts = [
    `## Benchmarks, ${r.date}`,
    "",
    `Load average (1, 5, 15 min) at start ${r.load.start.map((x) => x.toFixed(2)).join(", ")}, at end ` +
      `${r.load.end.map((x) => x.toFixed(2)).join(", ")}, on ${r.cpus} CPUs. Ratios are measured side by side in one run.`,
  ];
  if (r.up) {
    const m = r.up.median;
    const extra = m.providerMs - m.directMs;
    parts.push(
      "",
      `### (a) one up 2.0.5 -> 2.1.4: provider update vs kong-sim run directly (median of ${r.up.samples.length}; goal ≤ 1.10×)`,
      "",
      table(
        [
          "direct",
          "provider update",
          "ratio",
          "extra",
          "connect + read before",
          "spawn (direct: all)",
          "verification after",
          "goal",
          "check (preview, apart)",
        ],
        [
          [
            ms(m.directMs),
            ms(m.providerMs),
            ratio(m.providerMs, m.directMs),
            ms(extra),
            ms(m.beforeMs),
            `${ms(m.spawnMs)} (${ms(m.directMs)})`,
            ms(m.afterMs),
            verdict(m.providerMs / m.directMs <= 1.1),
            ms(m.checkMs),
          ],
        ],
      ),
    );
  }
  if (r.preview) {
    parts.push(
      "",
      "### (b) pulumi preview of N converged KongDatabaseMigration vs N trivial dynamic resources (median; goal ≤ 1.5× at 50)",
      "",
      table(
        ["N", "migrations", "trivial", "ratio", "per extra resource", "planWith: catalogue", "goal"],
        r.preview.map((p) => [
          String(p.n),
          ms(p.migrationMs),
          ms(p.trivialMs),
          ratio(p.migrationMs, p.trivialMs),
          ms((p.migrationMs - p.trivialMs) / p.n),
          p.catalogueMs === undefined ? "" : `${ms(p.catalogueMs)} (${ratio(p.catalogueMs, p.trivialMs)})`,
          p.n === 50 ? verdict(p.migrationMs / p.trivialMs <= 1.5) : "",
        ]),
      ),
    );
  }
  if (r.state) {
    parts.push(
      "",
      "### (c) pulumi stack export bytes per KongDatabaseMigration resource (compact JSON; goal ≤ 10 KB)",
      "",
      table(
        ["layout", "after", "bytes", "as printed", "__provider (in + out)", "plan (in + out)", "lastRun", "executed", "goal"],
        r.state.map((s) => [
          s.layout,
          s.after,
          kb(s.bytes),
          kb(s.printed),
          kb(s.provider),
          kb(s.plan),
          kb(s.lastRun),
          kb(s.executed),
          verdict(s.bytes <= 10 * 1024),
        ]),
      ),
    );
  }
  return parts.join("\n") + "\n";
}

/** Writes the report to bench/results/<date>.md (appending when that day already has one). */
export function keep(r: Report, text: string, root: string): string {
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${r.date}.md`);
  fs.appendFileSync(file, (fs.existsSync(file) ? "\n" : "") + text);
  return file;
}
