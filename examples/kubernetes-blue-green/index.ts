/**
 * Kong on Kubernetes, upgraded blue/green: one `pulumi up` per step of Kong's procedure, each step
 * selected by stack config (README.md walks them):
 *
 *   currentVersion        the version the live cluster runs (required)
 *   targetVersion         the version to upgrade to (default: currentVersion)
 *   liveColor             blue | green: the slot running currentVersion (default blue)
 *   greenTrafficPercent   0-100: proxy traffic on the green slot
 *   retireBlue            true: scale blue to zero, wait for its pods, run `finish`, open green's Admin API
 *   retireGreen           the same when green is the live slot
 *   gatewayName           a Gateway API Gateway (namespace gatewayNamespace): enables split traffic
 *   namespace             default kong
 *   dbHost, dbPort, dbUser, dbName, dbPassword (secret): PostgreSQL as Pulumi reaches it (the
 *                         provider reads Kong's schema_meta from here to plan each step)
 *   dbHostInCluster       PostgreSQL's host as pods reach it (default dbHost)
 *   runner                kubernetes (default: migrations run as Jobs with the target image) | local
 *   runnerEnv             extra environment of the migration Jobs only (an object, e.g. a proxy setting)
 *   pgAdminPassword       (secret) when set, Kong's role dbUser and database dbName are created with
 *                         @pulumi/postgresql (KongDatabase) as pgAdminUser (default postgres) on
 *                         pgAdminHost (default dbHost) / pgAdminPort; otherwise they must exist
 */
import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
// Inside this repository the compiled package is imported by path; a user's program imports
// { KongBlueGreenUpgrade } from "pulumi-kong-migrations/kubernetes".
import { KongBlueGreenUpgrade } from "../../dist/kubernetes";
import { KongDatabase } from "../../dist/postgresql";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "kong";
const dbHost = config.get("dbHost") ?? "127.0.0.1";
const dbHostInCluster = config.get("dbHostInCluster") ?? dbHost;
const gatewayName = config.get("gatewayName");
// `pulumi config set --path runnerEnv.X 1` stores a number: environment values are strings.
const runnerEnvConfig = config.getObject<Record<string, string | number | boolean>>("runnerEnv");
const runnerEnv = runnerEnvConfig && Object.fromEntries(Object.entries(runnerEnvConfig).map(([k, v]) => [k, String(v)]));
// The pods (and the migration Jobs) reach the database by its in-cluster name.
const podEnv = dbHostInCluster === dbHost ? undefined : { KONG_PG_HOST: dbHostInCluster };

const database = {
  host: dbHost,
  port: config.getNumber("dbPort") ?? 5432,
  user: config.get("dbUser") ?? "kong",
  password: config.requireSecret("dbPassword"),
  database: config.get("dbName") ?? "kong",
};
const adminPassword = config.getSecret("pgAdminPassword");
// With an administrator's password, Kong's role and database are created here (KongDatabase); its
// connection makes the migration and the pods wait for them.
const kongDatabase = adminPassword
  ? new KongDatabase("kong-db", database, {
      provider: new postgresql.Provider("pg-admin", {
        host: config.get("pgAdminHost") ?? dbHost,
        port: config.getNumber("pgAdminPort") ?? 5432,
        username: config.get("pgAdminUser") ?? "postgres",
        password: adminPassword,
        sslmode: config.get("pgAdminSslMode") ?? "disable",
      }),
    })
  : undefined;

const kong = new KongBlueGreenUpgrade("kong", {
  namespace,
  database: kongDatabase ? kongDatabase.connection : database,
  currentVersion: config.require("currentVersion"),
  targetVersion: config.get("targetVersion"),
  liveColor: config.get<"blue" | "green">("liveColor"),
  greenTrafficPercent: config.getNumber("greenTrafficPercent"),
  retireBlue: config.getBoolean("retireBlue"),
  retireGreen: config.getBoolean("retireGreen"),
  gateway: gatewayName ? { name: gatewayName, namespace: config.get("gatewayNamespace") } : undefined,
  replicas: config.getNumber("replicas") ?? 2,
  env: podEnv,
  runner:
    (config.get("runner") ?? "kubernetes") === "kubernetes"
      ? // A runner env replaces the component's for the Jobs: keep the in-cluster host in it.
        { kind: "kubernetes", ...(runnerEnv ? { env: { ...podEnv, ...runnerEnv } } : {}) }
      : { kind: "local" },
});

export const shape = kong.plan.shape;
export const weights = kong.plan.weights;
export const proxyService = kong.proxyService.metadata.name;
export const migrationPhase = kong.migration.phase;
export const pendingMigrations = kong.migration.pending;
export const lastRun = kong.migration.lastRun;
