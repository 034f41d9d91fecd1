/**
 * Runs the property-based sequences (`world.ts`) with fast-check: `workers` independent
 * `fc.assert` runs in parallel (each sequence on its own database), worker `w` seeded `seed + w`.
 * A failure prints that worker's seed and fast-check's path, which replay it:
 * `SEED=<seed> FC_PATH=<path> npm run soak` (one worker, that exact sequence, then shrinking).
 */
import fc from "fast-check";
import { sequenceArb } from "./actions";
import { newCounts, routeProviderLogs, runSequence, type Counts } from "./world";

export interface PropertyRunOptions {
  readonly seed: number;
  /** Sequences in all (split over the workers). */
  readonly sequences: number;
  readonly workers: number;
  /** fast-check's replay path (one worker). */
  readonly path?: string;
  /** Stop at the first failure without shrinking (the seeded run in npm test keeps its time bound). */
  readonly endOnFailure: boolean;
}

export interface PropertyRunResult {
  readonly counts: Counts;
  readonly ms: number;
  /** One report per failed worker: its seed, fast-check's path and counterexample, the violation. */
  readonly failures: string[];
}

/** Options from the environment: SEED, SEQUENCES, WORKERS, FC_PATH (each optional). */
export function optionsFromEnv(defaults: { seed: number; sequences: number; workers: number; endOnFailure: boolean }): PropertyRunOptions {
  const int = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!/^-?\d+$/.test(raw)) throw new Error(`${name} must be an integer (got "${raw}")`);
    return Number(raw);
  };
  const path = process.env.FC_PATH || undefined;
  return {
    seed: int("SEED", defaults.seed),
    sequences: int("SEQUENCES", defaults.sequences),
    workers: path ? 1 : int("WORKERS", defaults.workers),
    path,
    endOnFailure: defaults.endOnFailure,
  };
}

export async function runProperty(o: PropertyRunOptions): Promise<PropertyRunResult> {
  const counts = newCounts();
  const failures: string[] = [];
  const restore = routeProviderLogs();
  const started = Date.now();
  try {
    const perWorker = Math.ceil(o.sequences / o.workers);
    await Promise.all(
      Array.from({ length: o.workers }, async (_, w) => {
        const seed = o.seed + w;
        const property = fc.asyncProperty(sequenceArb, (seq) => runSequence(seq, counts));
        try {
          await fc.assert(property, {
            seed,
            numRuns: perWorker,
            endOnFailure: o.endOnFailure,
            ...(o.path ? { path: o.path } : {}),
          });
        } catch (e) {
          failures.push(
            `worker ${w}, seed ${seed}: replay with SEED=${seed} FC_PATH=<path below> npm run soak\n${(e as Error).message}` +
              `\n${String((e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).cause)}`,
          );
        }
      }),
    );
  } finally {
    restore();
  }
  return { counts, ms: Date.now() - started, failures };
}

/** The counts line printed by the test and the soak run. */
export function describeCounts(o: PropertyRunOptions, r: PropertyRunResult): string {
  const c = r.counts;
  const codes = Object.entries(c.byCode)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return (
    `property sequences (seed ${o.seed}, ${o.workers} in flight${o.path ? `, path ${o.path}` : ""}): ` +
    `${c.sequences} sequences, ${c.actions} actions, ${c.refusals} refusals (${codes || "none"}), ` +
    `${c.nextSteps} next steps taken, ${c.finishes} finishes, ${c.faults} injected faults, ` +
    `${c.compatChecks} check-compat runs; ${(r.ms / 1000).toFixed(0)} s`
  );
}
