/**
 * `kong-sim check-compat`: NOT a Kong command. Answers "could nodes of the impersonated version
 * (KONG_SIM_VERSION, KONG_SIM_EDITION, KONG_PLUGINS) run on this database?" from kong-sim's SQL
 * model (`migration-sql.ts`): every table that version reads must exist in the schema.
 * Exit 0: compatible (one line on stdout). Exit 1: not compatible, each missing table named on
 * stderr. Exit 2: could not check (configuration or database error, `Error: …` on stderr).
 */
import type { Subsystem } from "../../provider/kong/catalogue-types";
import type { Connector } from "../connector";
import { tablesRead, type Lineage } from "../migration-sql";
import type { Logger } from "../output";

export interface CompatTarget {
  readonly version: string;
  readonly edition: string;
  readonly plugins?: readonly string[];
  readonly database: string;
}

export async function checkCompatCommand(
  conn: Connector,
  known: readonly Subsystem[],
  lineage: Lineage,
  target: CompatTarget,
  log: Logger,
): Promise<number> {
  const present = new Set(await conn.tableNames());
  const reads = tablesRead(known, lineage);
  const missing = reads.filter((t) => !present.has(t.table));
  const who = `Kong ${target.version} (${target.edition}, KONG_PLUGINS=${target.plugins ? target.plugins.join(",") : "bundled"})`;
  const where = `database '${target.database}', schema '${conn.currentSchema}'`;
  if (missing.length === 0) {
    log.print(`compatible: ${where} holds all ${reads.length} tables ${who} reads`);
    return 0;
  }
  const lines = missing.map((t) =>
    t.subsystem ? `  missing table "${t.table}" (${t.subsystem} ${t.migration})` : `  missing table "${t.table}"`,
  );
  log.stderr(`incompatible: ${where} lacks ${missing.length} of the ${reads.length} tables ${who} reads:\n${lines.join("\n")}\n`);
  return 1;
}
