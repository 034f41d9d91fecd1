/**
 * kong-sim's entity model: the few Kong entities `migrate-community-to-enterprise` rewrites, with
 * the tables Kong keeps them in. Pure: SQL text out.
 *
 * - Core `000_base` creates `services`, `routes` and `consumers` (Kong's table names; only the
 *   columns the command reads: the primary key and the fields unique per workspace).
 * - Enterprise `000_base` creates Kong Enterprise 1.x's workspace tables — `workspaces` (with the
 *   `default` workspace), `workspace_entities` and `workspace_entity_counters` — with the columns
 *   the command writes (Kong Enterprise's `migrate_core_entities.lua`, 1.x era, as stored in
 *   Kong/kong: `INSERT INTO workspace_entities (workspace_name, workspace_id, entity_id,
 *   entity_type, unique_field_name, unique_field_value)`, `workspace_entity_counters (workspace_id,
 *   entity_type, count)` with `ON CONFLICT (workspace_id, entity_type)`).
 * UNVERIFIED: the exact `workspaceable` relations of EE 1.5 (`workspaces.get_workspaceable_relations`
 * was not read); kong-sim uses the three entities below with these unique fields, none of them
 * unique across workspaces.
 */
import { quoteIdent } from "../provider/postgres/quote";

/** Kong Enterprise 1.x's name of the default workspace and the delimiter of prefixed unique values. */
export const DEFAULT_WORKSPACE = "default";
export const WORKSPACE_DELIMITER = ":";
/** More than this many EE entities (the counters' sum) and the command refuses without `--force`. */
export const WORKSPACE_THRESHOLD = 100;

export interface WorkspaceableRelation {
  readonly table: string;
  readonly primaryKey: string;
  /** Fields unique per workspace (prefixed with `default:` by the command). */
  readonly uniqueKeys: readonly string[];
}

/** In the order kong-sim walks them (Kong walks a Lua table with `pairs`: no fixed order). */
export const WORKSPACEABLE: readonly WorkspaceableRelation[] = [
  { table: "consumers", primaryKey: "id", uniqueKeys: ["custom_id", "username"] },
  { table: "routes", primaryKey: "id", uniqueKeys: ["name"] },
  { table: "services", primaryKey: "id", uniqueKeys: ["name"] },
];

/** Extra `up` statements of migrations that create entity or workspace tables. */
export function entityTableStatements(subsystem: string, name: string): string[] {
  if (name !== "000_base") return [];
  if (subsystem === "core") {
    return WORKSPACEABLE.map(
      (r) =>
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(r.table)} (${quoteIdent(r.primaryKey)} UUID PRIMARY KEY, ` +
        r.uniqueKeys.map((k) => `${quoteIdent(k)} TEXT UNIQUE`).join(", ") +
        ")",
    );
  }
  if (subsystem === "enterprise") {
    return [
      "CREATE TABLE IF NOT EXISTS workspaces (id UUID PRIMARY KEY, name TEXT UNIQUE)",
      `INSERT INTO workspaces (id, name) VALUES (gen_random_uuid(), '${DEFAULT_WORKSPACE}') ON CONFLICT (name) DO NOTHING`,
      "CREATE TABLE IF NOT EXISTS workspace_entities (workspace_id UUID, workspace_name TEXT, entity_id TEXT, " +
        "entity_type TEXT, unique_field_name TEXT, unique_field_value TEXT, " +
        "PRIMARY KEY (workspace_id, entity_id, unique_field_name))",
      "CREATE TABLE IF NOT EXISTS workspace_entity_counters (workspace_id UUID, entity_type TEXT, count INTEGER, " +
        "PRIMARY KEY (workspace_id, entity_type))",
    ];
  }
  return [];
}
