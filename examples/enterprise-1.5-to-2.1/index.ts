/**
 * Kong Enterprise's guide "Migrating from 1.5.x to 2.1.x" as a Pulumi program: one `pulumi up` per
 * step of the guide, each step selected by stack config (README.md walks them):
 *
 *   currentVersion        the Enterprise version the live cluster runs, e.g. 1.5.0.11 (required)
 *   targetVersion         the version to upgrade to, e.g. 2.1.4.1 (default: currentVersion)
 *   liveColor             blue | green: the slot running currentVersion (default blue)
 *   greenTrafficPercent   0-100: proxy traffic on the green slot
 *   retireBlue            true: scale blue to zero, wait for its pods, back up, run `finish`
 *   backupDirectory       absolute directory for the pg_dump taken before `finish` (local backup)
 *   backupClaim           or a PersistentVolumeClaim for it (Kubernetes runner only)
 *   portalTemplates       absolute path of your kong-portal-templates clone: declares the Dev Portal
 *                         step, which runs once `finish` has run at 2.1 (see portal-deploy.ts)
 *   portalWorkspace       default `default`; portalCommand (JSON array) default `portal deploy <workspace>`
 *   kubernetes            true (default): the KongBlueGreenUpgrade component on your cluster.
 *                         false: no Kubernetes object at all, only the database side of each step
 *                         (the migration with the inputs the component would give it, and the
 *                         portal step); this is how the repository's end-to-end test runs it,
 *                         having no cluster
 *   namespace, gatewayName, gatewayNamespace, imageRepository, replicas, runner (kubernetes | local)
 *   dbHost, dbPort, dbUser, dbName, dbPassword (secret), dbHostInCluster
 *   kongCommand           local runner's command (JSON array). Default: kong-sim, this repository's
 *                         stand-in for `kong` (with a real Kong: ["kong"])
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// Inside this repository the compiled package is imported by path; a user's program imports
// "pulumi-kong-migrations" and "pulumi-kong-migrations/kubernetes".
import { KongDatabaseMigration, type BackupArgs, type LocalRunnerArgs } from "../../dist";
import { planUpgrade } from "../../dist/sdk/k8s-upgrade-plan";
import { countNewMigrations } from "../../dist/sdk/k8s-new-migrations";
import { PortalDeploy } from "./portal-deploy";

const config = new pulumi.Config();
const currentVersion = config.require("currentVersion");
const targetVersion = config.get("targetVersion");
const onKubernetes = config.getBoolean("kubernetes") ?? true;
const dbHost = config.get("dbHost") ?? "127.0.0.1";
const database = {
  host: dbHost,
  port: config.getNumber("dbPort") ?? 5432,
  user: config.get("dbUser") ?? "kong",
  password: config.requireSecret("dbPassword"),
  database: config.get("dbName") ?? "kong",
};
const steps = {
  currentVersion,
  targetVersion,
  liveColor: config.get<"blue" | "green">("liveColor"),
  greenTrafficPercent: config.getNumber("greenTrafficPercent"),
  retireBlue: config.getBoolean("retireBlue"),
};

const backupDirectory = config.get("backupDirectory");
const backupClaim = config.get("backupClaim");
const backup: BackupArgs | undefined = backupDirectory
  ? { kind: "local", directory: backupDirectory }
  : backupClaim
    ? { kind: "kubernetes", persistentVolumeClaim: backupClaim }
    : undefined;

// The local runner: kong-sim by default here (it impersonates the migration's Enterprise version);
// with a real Kong, set kongCommand to ["kong"] (or a `docker run ... kong` prefix).
const migrationVersion = targetVersion ?? currentVersion;
const kongSim = [process.execPath, path.resolve(__dirname, "..", "..", "dist", "sim", "cli.js")];
const simEnv = Object.fromEntries(
  Object.entries(config.getObject<Record<string, unknown>>("simEnv") ?? {}).map(([k, v]) => [k, String(v)]),
);
const localRunner: LocalRunnerArgs = {
  kind: "local",
  command: config.getObject<string[]>("kongCommand") ?? kongSim,
  env: { KONG_SIM_VERSION: migrationVersion, KONG_SIM_EDITION: "enterprise", ...simEnv },
};

let migration: KongDatabaseMigration;
let clusters: pulumi.Resource[] = [];
export let shape: string;
export let weights: Record<string, number | undefined>;
export let proxyService: pulumi.Output<string> | undefined;
if (onKubernetes) {
  // Loaded only here: the database-only mode needs no Kubernetes package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KongBlueGreenUpgrade } = require("../../dist/kubernetes") as typeof import("../../dist/kubernetes");
  const gatewayName = config.get("gatewayName");
  const dbHostInCluster = config.get("dbHostInCluster") ?? dbHost;
  const kong = new KongBlueGreenUpgrade("kong", {
    namespace: config.get("namespace") ?? "kong",
    database,
    ...steps,
    edition: "enterprise",
    imageRepository: config.get("imageRepository"),
    gateway: gatewayName ? { name: gatewayName, namespace: config.get("gatewayNamespace") } : undefined,
    replicas: config.getNumber("replicas") ?? 2,
    env: dbHostInCluster === dbHost ? undefined : { KONG_PG_HOST: dbHostInCluster },
    runner: (config.get("runner") ?? "kubernetes") === "kubernetes" ? { kind: "kubernetes" } : localRunner,
    backup,
  });
  migration = kong.migration;
  // The portal CLI talks to the 2.1 cluster's Admin API, which comes on only after finish.
  clusters = [kong.blue, kong.green].filter((c) => c !== undefined);
  shape = kong.plan.shape;
  weights = kong.plan.weights;
  proxyService = kong.proxyService.metadata.name;
} else {
  // Without a cluster: the same step logic as the component (the same refusals, the same migration
  // version and decommissionedOld), and only the resource that touches the database.
  const plan = planUpgrade({ ...steps, hasGateway: false }, countNewMigrations("enterprise", ["bundled"]));
  migration = new KongDatabaseMigration("kong-migration", {
    database,
    kongVersion: plan.migrationVersion,
    edition: "enterprise",
    decommissionedOld: plan.retiring !== undefined,
    runner: localRunner,
    lockTimeoutSeconds: config.getNumber("lockTimeoutSeconds") ?? 60,
    backup,
  });
  shape = plan.shape;
  weights = plan.weights;
}

// The guide's last step, for the 2.1 target only: it waits for `finished` (true once `finish` has
// run at 2.1), so it cannot run while the 1.5 nodes still use the database.
const portalTemplates = config.get("portalTemplates");
let portal: PortalDeploy | undefined;
if (portalTemplates && /^2\.1\./.test(migrationVersion)) {
  const workspace = config.get("portalWorkspace") ?? "default";
  portal = new PortalDeploy(
    "dev-portal-templates",
    {
      finished: migration.finished,
      templatesDirectory: portalTemplates,
      workspace,
      command: config.getObject<string[]>("portalCommand"),
    },
    { dependsOn: clusters },
  );
}

export const phase = migration.phase;
export const pending = migration.pending;
export const finished = migration.finished;
export const lastRun = migration.lastRun;
export const lastBackup = migration.lastBackup;
export const databaseVersion = migration.databaseVersion;
export const portalStatus = portal?.status;
export const portalRun = portal?.ran;
