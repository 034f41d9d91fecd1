/**
 * Kong on Kubernetes, upgraded in place (Kong's in-place strategy: downtime, one database), with
 * Kong's role and database provisioned by `@pulumi/postgresql` through `KongDatabase`. One
 * `pulumi up` per step, each selected by stack config (README.md walks them):
 *
 *   currentVersion     the version the cluster runs (required)
 *   targetVersion      the version to upgrade to (default: currentVersion); raising it stops the
 *                      cluster and runs up + finish; then set currentVersion to it to start it
 *   namespace          default kong
 *   replicas           pods while running (default 2)
 *   pgAdminHost, pgAdminPort, pgAdminUser, pgAdminPassword (secret): the server as Pulumi reaches
 *                      it, with a role allowed to create roles and databases (the @pulumi/postgresql provider)
 *   dbHost             the server as Pulumi's migration resource reaches it (default pgAdminHost)
 *   dbHostInCluster    the server as the pods reach it (default dbHost)
 *   dbUser, dbName     Kong's role and database (default kong, kong)
 *   dbPassword         Kong's role's password (secret)
 *   runner             kubernetes (default: migrations run as Jobs with the target image) | local
 *   backupDirectory    a local directory for the pg_dump taken before finish (default: none)
 */
import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
// Inside this repository the compiled package is imported by path; a user's program imports
// { KongInPlaceUpgrade } from "pulumi-kong-migrations/kubernetes" and { KongDatabase } from
// "pulumi-kong-migrations/postgresql".
import { KongInPlaceUpgrade } from "../../dist/kubernetes";
import { KongDatabase } from "../../dist/postgresql";

const config = new pulumi.Config();
const adminHost = config.get("pgAdminHost") ?? "127.0.0.1";
const dbHost = config.get("dbHost") ?? adminHost;
const dbHostInCluster = config.get("dbHostInCluster") ?? dbHost;
const backupDirectory = config.get("backupDirectory");

// The server, as an administrator: creates Kong's role and database.
const server = new postgresql.Provider("pg-admin", {
  host: adminHost,
  port: config.getNumber("pgAdminPort") ?? 5432,
  username: config.get("pgAdminUser") ?? "postgres",
  password: config.requireSecret("pgAdminPassword"),
  sslmode: config.get("pgAdminSslMode") ?? "disable",
  superuser: config.getBoolean("pgAdminSuperuser") ?? true,
});

const db = new KongDatabase(
  "kong-db",
  {
    host: dbHost,
    port: config.getNumber("dbPort") ?? 5432,
    user: config.get("dbUser") ?? "kong",
    password: config.requireSecret("dbPassword"),
    database: config.get("dbName") ?? "kong",
  },
  { provider: server },
);

const kong = new KongInPlaceUpgrade("kong", {
  namespace: config.get("namespace") ?? "kong",
  // The migration and the pods wait for the role and the database: `connection` resolves only then.
  database: db.connection,
  currentVersion: config.require("currentVersion"),
  targetVersion: config.get("targetVersion"),
  replicas: config.getNumber("replicas") ?? 2,
  env: dbHostInCluster === dbHost ? undefined : { KONG_PG_HOST: dbHostInCluster },
  runner: (config.get("runner") ?? "kubernetes") === "kubernetes" ? { kind: "kubernetes" } : { kind: "local" },
  backup: backupDirectory ? { kind: "local", directory: backupDirectory } : undefined,
});

export const step = kong.plan.shape;
export const clusterVersion = kong.plan.clusterVersion;
export const replicas = kong.plan.replicas;
export const deployment = kong.cluster.deployment.metadata.name;
export const proxyService = kong.cluster.proxyService.metadata.name;
export const migrationPhase = kong.migration.phase;
export const lastRun = kong.migration.lastRun;
