/**
 * Quickstart: one KongDatabaseMigration against PostgreSQL, with kong-sim standing in for the
 * `kong` CLI (Kong itself is not installable on this project's machines). Driven by stack config:
 *
 *   kongVersion        the Kong version the (new) nodes run, e.g. 2.0.5 then 2.1.4
 *   decommissionedOld  true once no node of the old version uses the database (runs finish)
 *   dbHost, dbPort, dbUser, dbName, dbPassword (secret)
 *   lockTimeoutSeconds, commandTimeoutSeconds (optional: the provider's defaults)
 *
 * With a real Kong, replace `runner.command` by ["kong"] (or `docker run ... kong:<version> kong`)
 * and drop KONG_SIM_VERSION.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// The compiled package: the provider runs in its own process, which cannot load TypeScript.
// A user's program imports "pulumi-kong-migrations" instead.
import { KongDatabaseMigration } from "../../dist";

const config = new pulumi.Config();
const kongVersion = config.require("kongVersion");
const kongSim = path.resolve(__dirname, "..", "..", "dist", "sim", "cli.js");
// kong-sim fault switches for tests (e.g. `pulumi config set --path simEnv.KONG_SIM_FAIL_AT 2`).
const simEnv = Object.fromEntries(
  Object.entries(config.getObject<Record<string, unknown>>("simEnv") ?? {}).map(([k, v]) => [k, String(v)]),
);

const migration = new KongDatabaseMigration("kong-database", {
  database: {
    host: config.get("dbHost") ?? "127.0.0.1",
    port: config.getNumber("dbPort") ?? 5432,
    user: config.get("dbUser") ?? "kong",
    password: config.requireSecret("dbPassword"),
    database: config.get("dbName") ?? "kong",
  },
  kongVersion,
  decommissionedOld: config.getBoolean("decommissionedOld") ?? false,
  runner: {
    kind: "local",
    command: [process.execPath, kongSim],
    env: { KONG_SIM_VERSION: kongVersion, ...simEnv },
  },
  lockTimeoutSeconds: config.getNumber("lockTimeoutSeconds") ?? 60,
  commandTimeoutSeconds: config.getNumber("commandTimeoutSeconds"),
});

export const phase = migration.phase;
export const databaseVersion = migration.databaseVersion;
export const pending = migration.pending;
export const lastRun = migration.lastRun;
export const reloadRequired = migration.reloadRequired;
