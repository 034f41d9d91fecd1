/**
 * Benchmark (b): `pulumi preview` (the real CLI) of a program of N converged KongDatabaseMigration
 * resources (one database each, already at the declared version) against N trivial dynamic
 * resources, at N = 1, 10 and 50, alternating which goes first. Both stacks are `pulumi up`-ed
 * first, so the previews have nothing to do but check and diff. At the largest N the migration
 * program is also measured with `planWith: "catalogue"` (no Kong started), to show what Kong's
 * `kong migrations list` per resource costs.
 */
import type { BenchServer } from "./databases";
import { migrationProgram, newProject, trivialProgram, type Project } from "./projects";

export interface PreviewRow {
  readonly n: number;
  readonly migrationMs: number;
  readonly trivialMs: number;
  readonly catalogueMs?: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function converged(name: string, program: (pkg: string) => string): Promise<Project> {
  const p = newProject(name, "repository");
  p.write(program);
  await p.run(["stack", "init"]);
  await p.run(["up", "--yes", "--skip-preview"]);
  return p;
}

export async function measurePreview(server: BenchServer, sizes: readonly number[], reps: number): Promise<PreviewRow[]> {
  const rows: PreviewRow[] = [];
  for (const n of sizes) {
    const dbs = [];
    for (let i = 0; i < n; i++) dbs.push(await server.bootstrapped("2.0.5"));
    const largest = n === Math.max(...sizes);
    const projects: Project[] = [];
    try {
      const migration = await converged(`mig${n}`, migrationProgram(dbs, "2.0.5"));
      projects.push(migration);
      const trivial = await converged(`triv${n}`, trivialProgram(n));
      projects.push(trivial);
      const catalogue = largest ? await converged(`cat${n}`, migrationProgram(dbs, "2.0.5", { planWith: "catalogue" })) : undefined;
      if (catalogue) projects.push(catalogue);
      const m: number[] = [];
      const t: number[] = [];
      const c: number[] = [];
      for (let i = 0; i < reps; i++) {
        const order = i % 2 === 0 ? [migration, trivial] : [trivial, migration];
        for (const p of order) (p === migration ? m : t).push((await p.run(["preview"])).ms);
        if (catalogue) c.push((await catalogue.run(["preview"])).ms);
      }
      rows.push({ n, migrationMs: median(m), trivialMs: median(t), ...(catalogue ? { catalogueMs: median(c) } : {}) });
    } finally {
      for (const p of projects) p.remove();
    }
  }
  return rows;
}
