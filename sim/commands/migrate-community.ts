/**
 * `kong migrations migrate-community-to-enterprise` (Kong Enterprise; kong-migrations.md §2.8), as
 * the Enterprise sources stored in Kong/kong have it (`kong/cmd/migrations.lua`,
 * `kong/cmd/utils/migrations.lua` `migrate_core_entities`,
 * `kong/enterprise_edition/db/migrations/migrate_core_entities.lua`, EE 1.x era):
 *
 * - Without `-y`: stdin not a TTY -> error `not a tty: invoke 'reset' non-interactively with the
 *   --yes flag` (Kong reuses reset's wording), exit 1; a TTY -> `> Are you sure? This operation is
 *   irreversible. Confirm you have a backup of your production data [Y/n] `, 3 tries, anything but
 *   yes -> `cancelled`, exit 0.
 * - `check_state`: not bootstrapped -> the bootstrap message as the error; new migrations ->
 *   `New migrations available; run 'kong migrations up' to proceed`; then pending ->
 *   `database has pending migrations; run 'kong migrations finish'` (lower-case d). Exit 1.
 * - Under the migrations mutex, waiting for it (no `no_wait`): refuses when the workspace counters
 *   already sum to 100 or more, unless `-f` ("disables the workspace entities check"); needs the
 *   `default` workspace; then, in one transaction, adds a `workspace_entities` row for the primary
 *   key and for each unique field of every core entity not yet there, prefixes unique values with
 *   `default:`, and adds to `workspace_entity_counters` one per row added (Kong's code counts rows,
 *   not entities). Prints `Found N entities to migrate to the default workspace` and, when N > 0,
 *   `Migrated N entities to the default workspace`. A failure inside is the cluster_mutex error.
 * Line numbers in tracebacks are UNVERIFIED (EE 1.5's files were not read line by line).
 */
import type { Ctx } from "../context";
import { DEFAULT_WORKSPACE, WORKSPACE_DELIMITER, WORKSPACE_THRESHOLD, WORKSPACEABLE } from "../entities";
import { callbackSite, CMD_SITE, KongError, utilsSite } from "../errors";
import { NEEDS_BOOTSTRAP_MSG, NOT_A_TTY, NOT_LEADER_MSG } from "../messages";
import type { SimState } from "../schema-state";
import { withMutex } from "./mutex";

export const MIGRATE_PROMPT = "> Are you sure? This operation is irreversible. Confirm you have a backup of your production data [Y/n] ";

async function confirm(ctx: Ctx): Promise<boolean> {
  const answers: Record<string, boolean> = { y: true, Y: true, yes: true, YES: true, n: false, N: false, no: false, NO: false };
  for (let i = 0; i < 3; i++) {
    ctx.log.stdout(MIGRATE_PROMPT);
    const a = await ctx.effects.readLine();
    if (a !== undefined && a in answers) return answers[a];
    if (a === undefined) return false;
  }
  return false;
}

interface PendingRow {
  readonly id: string;
  readonly entityType: string;
  readonly field: string;
  readonly value: string | null;
  readonly pk: boolean;
}

/** `migrate_core_entities(db, opts)`: the work inside the mutex. Throws plain errors (Kong: `nil, err`). */
async function migrateCoreEntities(ctx: Ctx): Promise<void> {
  const { conn, log } = ctx;
  const sum = await conn.query<{ count: string | null }>("SELECT SUM(count) AS count FROM workspace_entity_counters");
  const count = Number(sum.rows[0]?.count ?? 0);
  if (!(count < WORKSPACE_THRESHOLD) && !ctx.flags.force) {
    throw new Error(
      `There are more than ${WORKSPACE_THRESHOLD} EE entities on the database, run with the --force flag to force running this migration`,
    );
  }
  const ws = await conn.query<{ id: string; name: string }>("SELECT id, name FROM workspaces WHERE name = $1 LIMIT 1", [DEFAULT_WORKSPACE]);
  const workspace = ws.rows[0];
  if (!workspace) throw new Error("default workspace not found");

  const existing = new Set(
    (
      await conn.query<{ entity_id: string; unique_field_name: string }>("SELECT entity_id, unique_field_name FROM workspace_entities")
    ).rows.map((r) => `${r.entity_id}\u0000${r.unique_field_name}`),
  );
  const rows: PendingRow[] = [];
  const perModel = new Map<string, number>();
  let all = 0;
  for (const rel of WORKSPACEABLE) {
    const cols = [rel.primaryKey, ...rel.uniqueKeys].map((c) => `"${c}"::text AS "${c}"`).join(", ");
    const entities = await conn.query<Record<string, string | null>>(`SELECT ${cols} FROM "${rel.table}" ORDER BY "${rel.primaryKey}"`);
    for (const e of entities.rows) {
      const id = e[rel.primaryKey] as string;
      let counted = false;
      for (const [field, pk] of [[rel.primaryKey, true] as const, ...rel.uniqueKeys.map((k) => [k, false] as const)]) {
        if (existing.has(`${id}\u0000${field}`)) continue;
        rows.push({ id, entityType: rel.table, field, value: pk ? id : e[field], pk });
        counted = true;
      }
      if (counted) {
        perModel.set(rel.table, (perModel.get(rel.table) ?? 0) + 1);
        all++;
      }
    }
  }
  log.info(`Found ${all} entities to migrate to the ${DEFAULT_WORKSPACE} workspace`);
  for (const [model, n] of perModel) log.verboseLine(`${model}: ${n} entities`);

  const counters = new Map<string, number>();
  const statements: { sql: string; params?: unknown[] }[] = [];
  for (const r of rows) {
    statements.push({
      sql:
        "INSERT INTO workspace_entities (workspace_name, workspace_id, entity_id, entity_type, unique_field_name, unique_field_value) " +
        "VALUES ($1, $2, $3, $4, $5, $6)",
      params: [workspace.name, workspace.id, r.id, r.entityType, r.field, r.value],
    });
    counters.set(r.entityType, (counters.get(r.entityType) ?? 0) + 1);
    if (!r.pk && r.value !== null && !r.value.includes(WORKSPACE_DELIMITER)) {
      statements.push({
        sql: `UPDATE "${r.entityType}" SET "${r.field}" = $1 WHERE "${r.field}" NOT LIKE $2 AND id = $3`,
        params: [`${DEFAULT_WORKSPACE}${WORKSPACE_DELIMITER}${r.value}`, `%${WORKSPACE_DELIMITER}%`, r.id],
      });
    }
  }
  for (const [entityType, n] of counters) {
    statements.push({
      sql:
        "INSERT INTO workspace_entity_counters (workspace_id, entity_type, count) VALUES ($1, $2, $3) " +
        "ON CONFLICT (workspace_id, entity_type) DO UPDATE SET count = workspace_entity_counters.count + excluded.count",
      params: [workspace.id, entityType, n],
    });
  }
  await conn.transaction(statements);
  if (all > 0) log.info(`Migrated ${all} entities to the ${DEFAULT_WORKSPACE} workspace`);
}

export async function migrateCommunityCommand(ctx: Ctx, state: SimState): Promise<number> {
  if (!ctx.flags.yes) {
    if (!ctx.effects.stdinIsTTY) throw new KongError(NOT_A_TTY, CMD_SITE);
    if (!(await confirm(ctx))) {
      ctx.log.info("cancelled");
      return 0;
    }
  }
  // check_state: only when not up to date (needs bootstrap or new migrations).
  if (state.needsBootstrap) throw new KongError(NEEDS_BOOTSTRAP_MSG, utilsSite("migrate_core_entities", 30));
  if (state.new)
    throw new KongError("New migrations available; run 'kong migrations up' to proceed", utilsSite("migrate_core_entities", 34));
  if (state.pending) {
    throw new KongError("database has pending migrations; run 'kong migrations finish'", utilsSite("migrate_core_entities", 259));
  }
  const outcome = await withMutex(ctx, "migrate_core_entities", { ttl: ctx.flags.lockTimeout, noWait: false }, async () => {
    try {
      await migrateCoreEntities(ctx);
    } catch (e) {
      // `assert(ee_db.run_core_entity_migrations(opts))`: the returned message, raised as is.
      throw new KongError(e instanceof Error ? e.message : String(e), callbackSite("migrate_core_entities", 268));
    }
  });
  if (outcome === "busy") ctx.log.info(NOT_LEADER_MSG);
  return 0;
}
