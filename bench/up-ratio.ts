/**
 * Benchmark (a): one `up` 2.0.5 -> 2.1.4 through the provider object (the compiled package, as the
 * dynamic-provider process loads it) against the same kong-sim command run directly, each on its own
 * clone of the same bootstrapped database, alternating which goes first. The provider's extra time
 * is split with its own progress lines: connect and read before the step, the step's spawn, the
 * verification after it. `check` (what `pulumi up` runs first, in the same process) is timed apart.
 *
 * Both runs get the same environment: the provider's runner passes its own process's environment on
 * to Kong (Kong reads its configuration from it), so the direct run does too, as a user's shell
 * would. It matters: on this machine NODE_EXTRA_CA_CERTS alone costs every Node start about 50 ms.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { runSim, SIM_CLI } from "../test/helpers/kong-sim";
import type { TestDatabase } from "../test/helpers/postgres";
import type { BenchServer } from "./databases";

type Raw = Record<string, unknown>;

export interface UpSample {
  readonly directMs: number;
  readonly providerMs: number;
  readonly beforeMs: number;
  readonly spawnMs: number;
  readonly afterMs: number;
  readonly checkMs: number;
}

export interface UpResult {
  readonly samples: readonly UpSample[];
  readonly median: UpSample;
}

interface ProviderModule {
  kongDatabaseMigrationProvider: Required<import("@pulumi/pulumi").dynamic.ResourceProvider>;
}

function inputs(db: TestDatabase, version: string): Raw {
  return {
    database: { host: db.host, port: db.port, user: db.user, database: db.database },
    password: db.password,
    kongVersion: version,
    decommissionedOld: false,
    runner: { kind: "local", command: [process.execPath, SIM_CLI], env: { KONG_SIM_VERSION: version } },
    lockTimeoutSeconds: 60,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function measureUp(server: BenchServer, dist: string, reps: number): Promise<UpResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kongDatabaseMigrationProvider: provider } = require(path.join(dist, "provider")) as ProviderModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { setLogSink } = require(path.join(dist, "provider", "log")) as { setLogSink(s: ((l: string) => void) | undefined): unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kongEnvironment } = require(
    path.join(dist, "provider", "postgres", "settings"),
  ) as typeof import("../provider/postgres/settings");
  const marks: Array<[number, string]> = [];
  setLogSink((line) => marks.push([performance.now(), line]));

  const direct = async (): Promise<number> => {
    const db = await server.bootstrapped("2.0.5");
    const started = performance.now();
    // The environment the provider gives its runner: this process's, Kong's settings, KONG_PLUGINS.
    const kong = kongEnvironment({ ...db, ssl: false, sslVerify: false });
    const env = { ...(process.env as Record<string, string>), ...kong, KONG_PLUGINS: "bundled", KONG_SIM_VERSION: "2.1.4" };
    const r = await runSim(["migrations", "up", "--db-timeout", "60", "--lock-timeout", "60"], env);
    const ms = performance.now() - started;
    if (r.code !== 0) throw new Error(`kong-sim up exited ${r.code}: ${r.stderr}`);
    return ms;
  };
  const throughProvider = async (): Promise<Omit<UpSample, "directMs">> => {
    const db = await server.bootstrapped("2.0.5");
    const olds = inputs(db, "2.0.5");
    // The state of a converged 2.0.5 resource: it adopts the bootstrapped database, running nothing.
    const adopted = await provider.check({}, olds);
    const state = (await provider.create(adopted.inputs)).outs as Raw;
    const checkStarted = performance.now();
    const checked = await provider.check(olds, inputs(db, "2.1.4"));
    const checkMs = performance.now() - checkStarted;
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    marks.length = 0;
    const started = performance.now();
    const out = await provider.update(String(state.id ?? db.database), state, checked.inputs);
    const ended = performance.now();
    if ((out.outs as Raw).phase !== "pending-finish") throw new Error(`unexpected phase ${String((out.outs as Raw).phase)}`);
    const running = marks.find(([, l]) => l.includes("running kong migrations up"))?.[0];
    const ran = marks.find(([, l]) => l.includes("ran kong migrations up"))?.[0];
    if (running === undefined || ran === undefined) throw new Error("the provider's progress lines were not seen");
    return { providerMs: ended - started, beforeMs: running - started, spawnMs: ran - running, afterMs: ended - ran, checkMs };
  };

  const samples: UpSample[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      const directMs = await direct();
      samples.push({ directMs, ...(await throughProvider()) });
    } else {
      const p = await throughProvider();
      samples.push({ directMs: await direct(), ...p });
    }
  }
  setLogSink(undefined);
  const keys = ["directMs", "providerMs", "beforeMs", "spawnMs", "afterMs", "checkMs"] as const;
  const med = Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])) as unknown as UpSample;
  return { samples, median: med };
}
