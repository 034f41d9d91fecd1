/**
 * What a `kong migrations` command runs with: the logger, the connection, the impersonated
 * version's catalogue, the flags, the fault switches, and the process-level effects (sleeping,
 * dying, the terminal), gathered so commands stay small and testable.
 */
import type { Subsystem } from "../provider/kong/catalogue-types";
import type { SimConfig } from "./config";
import type { Connector } from "./connector";
import { KongError, type LuaSite } from "./errors";
import type { Faults } from "./faults";
import type { Lineage } from "./migration-sql";
import type { Logger } from "./output";
import { loadState, type SimState } from "./schema-state";

export interface MigrationFlags {
  readonly yes: boolean;
  readonly force: boolean;
  /** Seconds. */
  readonly lockTimeout: number;
}

export interface Effects {
  sleep(seconds: number): Promise<void>;
  /** Ends the process abruptly (KONG_SIM_CRASH_AFTER_SQL). */
  crash(): never;
  /** Whether stdin is a terminal (Kong's `tty.isatty()`). */
  readonly stdinIsTTY: boolean;
  /** One line from stdin; undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

export interface Ctx {
  readonly log: Logger;
  readonly conn: Connector;
  readonly config: SimConfig;
  readonly known: readonly Subsystem[];
  /** The impersonated release's ancestry: what each teardown drops (`migration-sql.ts`). */
  readonly lineage: Lineage;
  readonly faults: Faults;
  readonly flags: MigrationFlags;
  /** This process's lock owner id (Kong: the node id, a random UUID per CLI process). */
  readonly owner: string;
  readonly effects: Effects;
  /** Migration steps run so far by this command (fault switches count them). */
  steps: number;
}

/** `assert(db:schema_state())`: failures become `[PostgreSQL error] failed to check schema state: …`. */
export async function schemaState(ctx: Ctx, site: LuaSite): Promise<SimState> {
  try {
    return await loadState(ctx.conn, ctx.known, ctx.log);
  } catch (e) {
    throw new KongError(`[PostgreSQL error] failed to check schema state: ${(e as Error).message}`, site);
  }
}
