/**
 * `KongDatabaseDrop`'s provider methods: `DROP DATABASE` of a database that a dual-cluster upgrade
 * left behind, as an explicit, separate step (`KongDualClusterUpgrade`'s `dropOldDatabase`).
 * `./index.ts` is the thin object Pulumi serializes into state (design.md §4).
 *
 * - check: validates; reads (read-only, from the maintenance database) whether the database exists,
 *   its size, and who is connected; the plan says what would be dropped and warns that it is
 *   irreversible.
 * - create: `DROP DATABASE` without `FORCE`: PostgreSQL refuses while any session uses the
 *   database (the old cluster's pods not gone yet), and then the update fails naming the sessions,
 *   with nothing dropped. A database that is gone already is recorded as such.
 * - update, read: run nothing. delete: runs nothing (the database cannot come back anyway).
 */
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { closestKey } from "../input-keys";
import { containsUnknown, database, type Failure } from "../inputs";
import { log } from "../log";
import { quoteIdent } from "../postgres/quote";
import { clientConfig, type DatabaseSettings } from "../postgres/settings";
import { redact } from "../runners/types";

type Props = Record<string, unknown>;

export const DROP_USER_KEYS = ["database", "password", "maintenanceDatabase"] as const;
const DROP_OUTPUT_KEYS = ["droppedAt", "sizeBytes", "plan"] as const;
const TIMEOUT_SECONDS = 10;

interface DropInputs {
  readonly database: Omit<DatabaseSettings, "password">;
  readonly password?: string;
  readonly maintenanceDatabase: string;
}

function normalize(news: Props): { inputs: DropInputs; failures: Failure[] } {
  const failures: Failure[] = [];
  for (const key of Object.keys(news)) {
    if (key.startsWith("__") || (DROP_USER_KEYS as readonly string[]).includes(key)) continue;
    if ((DROP_OUTPUT_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = closestKey(key, DROP_USER_KEYS);
    failures.push({
      property: key,
      reason: `${key} is not an input of KongDatabaseDrop${suggestion ? `: did you mean ${suggestion}?` : ": remove it."} Valid keys: ${DROP_USER_KEYS.join(", ")}.`,
    });
  }
  const own: Failure[] = [];
  const d = database(news.database, own);
  failures.push(...own.map((f) => ({ ...f, reason: f.reason.replace(/KongDatabaseMigration/g, "KongDatabaseDrop") })));
  const maintenanceDatabase = news.maintenanceDatabase ?? "postgres";
  if (typeof maintenanceDatabase !== "string" || maintenanceDatabase === "") {
    failures.push({
      property: "maintenanceDatabase",
      reason: `maintenanceDatabase must be a database name (got ${JSON.stringify(maintenanceDatabase)}); leave it out for "postgres".`,
    });
  } else if (maintenanceDatabase === d.settings.database) {
    failures.push({
      property: "maintenanceDatabase",
      reason: `maintenanceDatabase is the database to drop (${maintenanceDatabase}): PostgreSQL drops a database from a connection to another one. Give another database, or leave it out for "postgres".`,
    });
  }
  const password = typeof news.password === "string" ? news.password : d.password;
  return {
    inputs: { database: d.settings, ...(password !== undefined ? { password } : {}), maintenanceDatabase: String(maintenanceDatabase) },
    failures: failures.filter((f) => !containsUnknown((news as Props)[f.property.split(".")[0]])),
  };
}

const idOf = (d: DropInputs["database"]) => `${d.host}:${d.port}/${d.database}`;

interface Observed {
  readonly exists: boolean;
  readonly sizeBytes: number;
  /** Other sessions on the database, e.g. `kong@10.0.0.7`. */
  readonly sessions: readonly string[];
}

async function withMaintenance<T>(i: DropInputs, fn: (c: import("pg").Client) => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg") as typeof import("pg");
  const settings: DatabaseSettings = {
    ...i.database,
    database: i.maintenanceDatabase,
    ...(i.password !== undefined ? { password: i.password } : {}),
  };
  const client = new Client(clientConfig(settings, TIMEOUT_SECONDS));
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function observe(i: DropInputs): Promise<Observed> {
  return withMaintenance(i, async (c) => {
    const db = await c.query<{ s: string }>("SELECT pg_database_size(datname)::text AS s FROM pg_catalog.pg_database WHERE datname = $1", [
      i.database.database,
    ]);
    if (!db.rows.length) return { exists: false, sizeBytes: 0, sessions: [] };
    const s = await c.query<{ who: string }>(
      `SELECT coalesce(usename, '?') || '@' || coalesce(host(client_addr), 'local') ||
              CASE WHEN application_name <> '' THEN ' (' || application_name || ')' ELSE '' END AS who
         FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY 1`,
      [i.database.database],
    );
    return { exists: true, sizeBytes: Number(db.rows[0].s), sessions: s.rows.map((r) => r.who) };
  });
}

function scrub(e: unknown, i: DropInputs): string {
  return redact(e instanceof Error ? e.message : String(e), i.password ? [i.password] : []);
}

export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = normalize(news);
  if (failures.length) return { inputs: news, failures };
  const checked = (plan: Props) => ({ inputs: { ...news, ...inputs, plan } });
  if (containsUnknown(news)) return checked({ action: "unknown until apply", description: "some inputs are not known until apply" });
  if (olds.database !== undefined && isDeepStrictEqual(olds.database, news.database)) {
    return checked({ action: "none", description: `dropped already (by this resource): ${idOf(inputs.database)}` });
  }
  let seen: Observed;
  try {
    seen = await observe(inputs);
  } catch (e) {
    return {
      inputs: news,
      failures: [
        {
          property: "database",
          reason: `cannot read ${idOf(inputs.database)} from the maintenance database ${inputs.maintenanceDatabase}: ${scrub(e, inputs)}. Fix the connection settings, then preview again.`,
        },
      ],
    };
  }
  if (!seen.exists)
    return checked({ action: "none", description: `${idOf(inputs.database)} does not exist (dropped already): nothing to drop` });
  const warnings = [
    `irreversible: DROP DATABASE ${quoteIdent(inputs.database.database)} at ${inputs.database.host}:${inputs.database.port} (${seen.sizeBytes} bytes) ` +
      `removes the old Kong version's database, the only way back to it. Take a pg_dump first if you may need it.`,
  ];
  if (seen.sessions.length) {
    warnings.push(
      `${seen.sessions.length} session(s) use it now (${seen.sessions.join(", ")}): the drop fails, and drops nothing, while any is left.`,
    );
  }
  return checked({
    action: "drop",
    description: `DROP DATABASE ${quoteIdent(inputs.database.database)} (${seen.sizeBytes} bytes)`,
    warnings,
  });
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const changed = DROP_USER_KEYS.filter((k) => !isDeepStrictEqual(olds[k], news[k]));
  const where = (v: unknown) => {
    const d = (v ?? {}) as Props;
    return [d.host, d.port, d.database];
  };
  const replaces = isDeepStrictEqual(where(olds.database), where(news.database)) ? [] : ["database"];
  return { changes: changed.length > 0, ...(replaces.length ? { replaces } : {}) };
}

export async function create(news: Props): Promise<pulumi.dynamic.CreateResult> {
  const { inputs, failures } = normalize(news);
  if (failures.length) throw new Error(failures.map((f) => f.reason).join("\n"));
  const id = idOf(inputs.database);
  const seen = await observe(inputs).catch((e) => {
    throw new Error(
      `cannot read ${id} from the maintenance database ${inputs.maintenanceDatabase}: ${scrub(e, inputs)}. Nothing was dropped.`,
    );
  });
  const base = {
    ...inputs,
    ...(news.plan !== undefined ? { plan: news.plan } : {}),
    ...(news.__urn !== undefined ? { __urn: news.__urn } : {}),
  };
  if (!seen.exists) {
    log(`${id} does not exist: nothing to drop`);
    return { id, outs: { ...base, droppedAt: "already gone", sizeBytes: 0 } };
  }
  if (seen.sessions.length) {
    throw new Error(
      `${id} is in use by ${seen.sessions.length} session(s) (${seen.sessions.join(", ")}): stop them (the old cluster's pods must be gone), ` +
        `then run pulumi up again. Nothing was dropped.`,
    );
  }
  try {
    await withMaintenance(inputs, (c) => c.query(`DROP DATABASE ${quoteIdent(inputs.database.database)}`));
  } catch (e) {
    throw new Error(`DROP DATABASE ${quoteIdent(inputs.database.database)} at ${id} failed: ${scrub(e, inputs)}. Nothing was dropped.`, {
      cause: e,
    });
  }
  const droppedAt = new Date().toISOString();
  log(`dropped ${id} (${seen.sizeBytes} bytes) at ${droppedAt}`);
  return { id, outs: { ...base, droppedAt, sizeBytes: seen.sizeBytes } };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const { inputs } = normalize(news);
  return {
    outs: {
      droppedAt: olds.droppedAt,
      sizeBytes: olds.sizeBytes,
      ...inputs,
      plan: news.plan,
      ...(news.__urn !== undefined ? { __urn: news.__urn } : {}),
    },
  };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function remove(id: string): Promise<void> {
  log(`delete: nothing runs (${id} was dropped when this resource was created)`);
}
