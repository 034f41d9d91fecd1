/**
 * Benchmark (c): `pulumi stack export` bytes per KongDatabaseMigration resource in both consumption
 * layouts (`./projects.ts`), after a bootstrap (2.0.5) and after the upgrade's `up` (2.1.4, pending
 * finish: the largest state a resource holds), with the parts that weigh most.
 */
import type { BenchServer } from "./databases";
import { migrationProgram, newProject, type Layout } from "./projects";

const MIGRATION_TYPE = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";

export interface StateRow {
  readonly layout: Layout;
  readonly after: string;
  /** Compact JSON bytes of one resource's entry in the export (mean). */
  readonly bytes: number;
  /** The same entry as `pulumi stack export` prints it (indented by 4 spaces). */
  readonly printed: number;
  /** `__provider`, inputs and outputs together. */
  readonly provider: number;
  /** The `plan`, inputs and outputs together. */
  readonly plan: number;
  readonly lastRun: number;
  readonly executed: number;
}

const size = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));

type Entry = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

function rowOf(layout: Layout, after: string, exported: string): StateRow {
  const resources = (JSON.parse(exported) as { deployment: { resources: Entry[] } }).deployment.resources.filter(
    (r) => r.type === MIGRATION_TYPE,
  );
  const mean = (f: (r: Entry) => number) => Math.round(resources.reduce((a, r) => a + f(r), 0) / resources.length);
  return {
    layout,
    after,
    bytes: mean(size),
    printed: mean((r) => Buffer.byteLength(JSON.stringify(r, null, 4))),
    provider: mean((r) => size(r.inputs?.__provider) + size(r.outputs?.__provider)),
    plan: mean((r) => size(r.inputs?.plan) + size(r.outputs?.plan)),
    lastRun: mean((r) => size(r.outputs?.lastRun)),
    executed: mean((r) => size(r.outputs?.executed)),
  };
}

export async function measureState(server: BenchServer, n: number, dist?: string): Promise<StateRow[]> {
  const rows: StateRow[] = [];
  for (const layout of ["repository", "installed"] as const) {
    const dbs = [];
    for (let i = 0; i < n; i++) dbs.push(await server.empty());
    const p = newProject(`state-${layout}`, layout, dist);
    try {
      await p.run(["stack", "init"]);
      p.write(migrationProgram(dbs, "2.0.5"));
      await p.run(["up", "--yes", "--skip-preview"]);
      rows.push(rowOf(layout, "bootstrap 2.0.5", (await p.run(["stack", "export"])).stdout));
      p.write(migrationProgram(dbs, "2.1.4"));
      await p.run(["up", "--yes", "--skip-preview"]);
      rows.push(rowOf(layout, "up 2.1.4 (pending finish)", (await p.run(["stack", "export"])).stdout));
    } finally {
      p.remove();
    }
  }
  return rows;
}
