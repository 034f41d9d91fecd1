/**
 * Kong on Kubernetes, upgraded with Kong's dual-cluster strategy: one `pulumi up` per step, each
 * step selected by stack config (README.md walks them):
 *
 *   currentVersion      the version the live cluster runs (required), e.g. 2.8.5
 *   targetVersion       the version to upgrade to (default: currentVersion), e.g. 3.4.2
 *   liveColor           blue | green: the slot running currentVersion (default blue)
 *   newTrafficPercent   0-100: proxy traffic on the new cluster (0 is the rollback)
 *   retireOld           true: the cut-over (old cluster to zero, its pods waited for, new Admin API on)
 *   dropOldCluster      true: remove the old cluster's objects (its database is kept)
 *   dropOldDatabase     true, in a later step: DROP DATABASE of the old database (irreversible)
 *   gatewayName         a Gateway API Gateway (namespace gatewayNamespace): enables split traffic
 *   namespace           default kong
 *   dbHost, dbPort, dbUser: PostgreSQL as Pulumi reaches it (the clone runs pg_dump/pg_restore
 *                       from here, and the migrations read schema_meta from here)
 *   dbName, dbPassword (secret): the live cluster's database
 *   newDbName, newDbPassword (secret): the empty database the upgrade clones into (with
 *                       pgAdminPassword: created here, owned by dbUser, and dbPassword is used)
 *   dbHostInCluster     PostgreSQL's host as pods reach it (default dbHost)
 *   runner              kubernetes (default: migrations run as Jobs with the target image) | local
 *   pgAdminPassword     (secret) when set, @pulumi/postgresql (KongDatabase) creates Kong's role dbUser
 *                       and the live database dbName (unless liveDatabaseExists is true: an existing
 *                       cluster's database and role), and the clone target newDbName, owned by the
 *                       same role (no second role: createRole false), as pgAdminUser (default postgres) on
 *                       pgAdminHost (default dbHost) / pgAdminPort; otherwise they must exist
 */
import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
// Inside this repository the compiled package is imported by path; a user's program imports
// { KongDualClusterUpgrade } from "pulumi-kong-migrations/kubernetes" and { KongDatabase } from
// "pulumi-kong-migrations/postgresql".
import { KongDualClusterUpgrade } from "../../dist/kubernetes";
import { KongDatabase } from "../../dist/postgresql";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "kong";
const dbHost = config.get("dbHost") ?? "127.0.0.1";
const dbHostInCluster = config.get("dbHostInCluster") ?? dbHost;
const gatewayName = config.get("gatewayName");
const server = { host: dbHost, port: config.getNumber("dbPort") ?? 5432, user: config.get("dbUser") ?? "kong" };
const newDbName = config.get("newDbName");
const live = { ...server, database: config.get("dbName") ?? "kong", password: config.requireSecret("dbPassword") };
// With an administrator's password, the databases are provisioned here; their connections make the
// clone, the migrations and the pods wait for the role, the databases and the grants.
const adminPassword = config.getSecret("pgAdminPassword");
const admin = adminPassword
  ? new postgresql.Provider("pg-admin", {
      host: config.get("pgAdminHost") ?? dbHost,
      port: config.getNumber("pgAdminPort") ?? 5432,
      username: config.get("pgAdminUser") ?? "postgres",
      password: adminPassword,
      sslmode: config.get("pgAdminSslMode") ?? "disable",
    })
  : undefined;
const liveDb = admin && !config.getBoolean("liveDatabaseExists") ? new KongDatabase("kong-db", live, { provider: admin }) : undefined;
// The clone target belongs to the live database's role (createRole: false): Kong connects to both
// as the same user, with the same password. Taking the role's name from liveDb orders it after the role.
const targetDb =
  admin && newDbName
    ? new KongDatabase(
        "kong-new-db",
        { ...live, user: liveDb?.role?.name ?? server.user, database: newDbName, createRole: false },
        { provider: admin },
      )
    : undefined;

// Without it, the clone's target is an existing, empty database owned by Kong's role (README.md,
// "Before you start").
const target = newDbName && !admin ? { ...server, database: newDbName, password: config.requireSecret("newDbPassword") } : undefined;

const kong = new KongDualClusterUpgrade("kong", {
  namespace,
  database: liveDb ? liveDb.connection : live,
  newDatabase: targetDb ? targetDb.connection : target,
  currentVersion: config.require("currentVersion"),
  targetVersion: config.get("targetVersion"),
  liveColor: config.get<"blue" | "green">("liveColor"),
  newTrafficPercent: config.getNumber("newTrafficPercent"),
  retireOld: config.getBoolean("retireOld"),
  dropOldCluster: config.getBoolean("dropOldCluster"),
  dropOldDatabase: config.getBoolean("dropOldDatabase"),
  gateway: gatewayName ? { name: gatewayName, namespace: config.get("gatewayNamespace") } : undefined,
  replicas: config.getNumber("replicas") ?? 2,
  // The pods (and the migration Jobs) reach both databases by the server's in-cluster name.
  env: dbHostInCluster === dbHost ? undefined : { KONG_PG_HOST: dbHostInCluster },
  runner: (config.get("runner") ?? "kubernetes") === "kubernetes" ? { kind: "kubernetes" } : { kind: "local" },
});

export const phase = kong.plan.phase;
export const weights = kong.plan.weights;
export const adminApi = Object.fromEntries(kong.plan.clusters.map((c) => [c.color, c.adminApi]));
export const proxyService = kong.proxyService.metadata.name;
export const clonedAt = kong.clone?.clonedAt;
export const cloneSourceState = kong.clone?.sourceState;
export const cloneDurationMs = kong.clone?.durationMs;
export const newDatabasePhase = kong.newMigration?.phase;
export const newDatabaseLastRun = kong.newMigration?.lastRun;
export const oldDatabaseDroppedAt = kong.oldDatabaseDrop?.droppedAt;
