/**
 * examples/enterprise-1.5-to-2.1: its Dev Portal step (`PortalDeploy`) driven through its provider
 * object (a real process, test/fixtures/record-portal.js standing in for the Kong Portal CLI, which
 * needs a running Kong Enterprise), and the program's Kubernetes objects at each step of the guide
 * under `pulumi.runtime.setMocks` (no cluster here). The database side of every step runs for real
 * in test/e2e/enterprise-example.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { mockOutputs } from "../helpers/pulumi-mocks";
import { mockedRegistrations, URN_PREFIX as PREFIX, waitForRpcs, type Registration } from "../helpers/registrations";
import {
  decide,
  portalDeployProvider,
  portalInputs,
  PORTAL_DEPLOY_TYPE,
  runKey,
  type PortalOutputs,
} from "../../examples/enterprise-1.5-to-2.1/portal-deploy";

/* eslint-disable @typescript-eslint/no-explicit-any */

const FIXTURE = path.resolve(__dirname, "..", "fixtures", "record-portal.js");
const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "enterprise-1.5-to-2.1", "index.ts");
const MIGRATION = "pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("examples/enterprise-1.5-to-2.1: the Dev Portal step", () => {
  let dir: string;
  const runs = () => {
    const f = path.join(dir, ".portal-runs.jsonl");
    return fs.existsSync(f)
      ? fs
          .readFileSync(f, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).argv as string[])
      : [];
  };
  const news = (finished: boolean, extra: Record<string, unknown> = {}) => ({
    finished,
    templatesDirectory: dir,
    command: [process.execPath, FIXTURE, "deploy", "default"],
    ...extra,
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-portal-"));
    fs.mkdirSync(path.join(dir, "workspaces", "default"), { recursive: true });
    fs.writeFileSync(path.join(dir, "workspaces", "default", "portal.conf.yaml"), "name: Kong Portal\napp_version: 0fcefa7\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("decides purely: never before finish, once per command/directory/workspace/app version", () => {
    const i = portalInputs(news(true));
    assert.equal(decide(portalInputs(news(false)), undefined), "wait");
    assert.equal(decide(i, undefined), "run");
    const ran = { command: i.command, cwd: dir, exitCode: 0, durationMs: 1, finishedAt: "t", key: runKey(i) };
    assert.equal(decide(i, ran), "done");
    assert.equal(decide(portalInputs(news(false)), ran), "wait", "a later upgrade before its finish runs nothing");
    assert.equal(decide(portalInputs(news(true, { appVersion: "1a2b3c4" })), ran), "run", "new templates run again");
    assert.deepEqual(portalInputs({ finished: true, templatesDirectory: "/t", workspace: "team-a" }).command, [
      "portal",
      "deploy",
      "team-a",
    ]);
  });

  it("waits while finished is false, runs once when it turns true, never again for the same inputs", async () => {
    const created = await portalDeployProvider.create!(news(false));
    assert.equal(created.outs.status, "waiting-for-finish");
    assert.equal(created.outs.ran, undefined);
    assert.deepEqual(runs(), [], "nothing ran before finish");
    const again = await portalDeployProvider.diff!("portal-deploy", created.outs, news(false));
    assert.equal(again.changes, false);

    const diff = await portalDeployProvider.diff!("portal-deploy", created.outs, news(true));
    assert.equal(diff.changes, true);
    const updated = (await portalDeployProvider.update!("portal-deploy", created.outs, news(true))).outs as PortalOutputs;
    assert.equal(updated.status, "deployed");
    assert.deepEqual(runs(), [["deploy", "default"]]);
    assert.deepEqual(updated.ran!.command, [process.execPath, FIXTURE, "deploy", "default"]);
    assert.equal(updated.ran!.cwd, dir);
    assert.equal(updated.ran!.exitCode, 0);

    assert.equal((await portalDeployProvider.diff!("portal-deploy", updated, news(true))).changes, false);
    const repeated = (await portalDeployProvider.update!("portal-deploy", updated, news(true))).outs as PortalOutputs;
    assert.deepEqual(repeated.ran, updated.ran);
    const later = (await portalDeployProvider.update!("portal-deploy", updated, news(false))).outs as PortalOutputs;
    assert.equal(later.status, "deployed");
    assert.deepEqual(later.ran, updated.ran);
    assert.deepEqual(runs(), [["deploy", "default"]], "exactly one run");
  });

  it("refuses to deploy templates without the guide's app_version, and a failed command records nothing", async () => {
    const conf = path.join(dir, "workspaces", "default", "portal.conf.yaml");
    fs.writeFileSync(conf, "name: Kong Portal\n");
    await assert.rejects(portalDeployProvider.create!(news(true)), {
      message:
        `${conf} declares no app_version, but the Kong Enterprise 2.1 Dev Portal needs app_version: 0fcefa7 (Kong's ` +
        `"Migrating from 1.5.x to 2.1.x", Dev Portal section): apply the guide's template changes there, then run pulumi up again. Nothing was deployed.`,
    });
    assert.deepEqual(runs(), []);

    fs.writeFileSync(conf, "app_version: 0fcefa7\n");
    fs.writeFileSync(path.join(dir, "exit-code"), "3");
    await assert.rejects(portalDeployProvider.create!(news(true)), (e: Error) => {
      assert.equal(
        e.message,
        `${process.execPath} ${FIXTURE} deploy default exited 3 in ${dir}; the next pulumi up runs it again:\ndeploy failed (exit-code file says 3)`,
      );
      return true;
    });
    assert.deepEqual((await portalDeployProvider.check!({}, { finished: false, templatesDirectory: "templates" })).failures, [
      {
        property: "templatesDirectory",
        reason: `templatesDirectory must be an absolute path (got "templates"): the command runs in the provider's own process; give e.g. path.resolve("templates").`,
      },
    ]);
  });
});

describe("examples/enterprise-1.5-to-2.1: the program's Kubernetes objects (under setMocks)", () => {
  const rec = mockedRegistrations();
  const regs = rec.regs;
  const configBefore = pulumi.runtime.allConfig();
  after(() => {
    mockOutputs(MIGRATION, () => ({}));
    pulumi.runtime.setAllConfig(configBefore);
  });

  /** Runs the example program with this stack config (the mocks' project is `kong-migrations-test`). */
  async function program(config: Record<string, string>, finished: boolean): Promise<void> {
    mockOutputs(MIGRATION, () => ({ finished }));
    pulumi.runtime.setAllConfig(
      Object.fromEntries(
        Object.entries({ dbHost: "pg.db.svc", dbPassword: "pw-123", ...config }).map(([k, v]) => [`kong-migrations-test:${k}`, v]),
      ),
      ["kong-migrations-test:dbPassword"],
    );
    delete require.cache[require.resolve(EXAMPLE)];
    require(EXAMPLE);
    await waitForRpcs();
  }
  const get = (type: string, name: string) => {
    const r = rec.get(type, name);
    assert.ok(r.inputs, `${type} ${name} has inputs`);
    return r as Registration & { inputs: Record<string, any> };
  };
  const container = (color: string) => get(DEPLOYMENT, `kong-${color}-deployment`).inputs.spec.template.spec.containers[0];
  const envOf = (color: string) => Object.fromEntries(container(color).env.map((e: { name: string; value?: string }) => [e.name, e.value]));
  const portalTemplates = "/srv/kong-portal-templates";

  it("step 1: blue Enterprise 1.5.0.11 (kong/kong-gateway image), no Dev Portal step before the 2.1 target", async () => {
    await program({ currentVersion: "1.5.0.11", portalTemplates }, true);
    assert.equal(container("blue").image, "kong/kong-gateway:1.5.0.11");
    const migration = get(MIGRATION, "kong-migration").inputs;
    assert.equal(migration.kongVersion, "1.5.0.11");
    assert.equal(migration.edition, "enterprise");
    assert.deepEqual(migration.runner.image, "kong/kong-gateway:1.5.0.11", "the Job runs the target image");
    assert.equal(
      regs.find((r) => r.type === PORTAL_DEPLOY_TYPE),
      undefined,
    );
  });

  it("step 2: green 2.1.4.1 with the Admin API, Kong Manager and the Dev Portal API off; the portal step waits for finished", async () => {
    await program({ currentVersion: "1.5.0.11", targetVersion: "2.1.4.1", portalTemplates }, false);
    assert.equal(container("green").image, "kong/kong-gateway:2.1.4.1");
    const green = envOf("green");
    assert.deepEqual([green.KONG_ADMIN_LISTEN, green.KONG_ADMIN_GUI_LISTEN, green.KONG_PORTAL_API_LISTEN], ["off", "off", "off"]);
    assert.equal(get(MIGRATION, "kong-migration").inputs.decommissionedOld, false);
    const portal = get(PORTAL_DEPLOY_TYPE, "dev-portal-templates");
    assert.equal(portal.inputs.finished, false);
    assert.equal(portal.inputs.templatesDirectory, portalTemplates);
    assert.equal(portal.inputs.workspace, "default");
  });

  it("step 4: blue retired, the backup and finish, then green's listeners; the portal step after green's Admin API", async () => {
    await program(
      {
        currentVersion: "1.5.0.11",
        targetVersion: "2.1.4.1",
        greenTrafficPercent: "100",
        retireBlue: "true",
        backupClaim: "kong-backups",
        portalTemplates,
      },
      true,
    );
    assert.equal(get(DEPLOYMENT, "kong-blue-deployment").inputs.spec.replicas, 0);
    const migration = get(MIGRATION, "kong-migration").inputs;
    assert.equal(migration.decommissionedOld, true);
    assert.deepEqual(migration.backup, { kind: "kubernetes", persistentVolumeClaim: "kong-backups" });
    const green = envOf("green");
    assert.equal(green.KONG_ADMIN_LISTEN, "0.0.0.0:8001");
    assert.notEqual(green.KONG_ADMIN_GUI_LISTEN, "off");
    const portal = get(PORTAL_DEPLOY_TYPE, "dev-portal-templates");
    assert.equal(portal.inputs.finished, true);
    const cluster = (type: string, name: string) => `${PREFIX}kong-migrations:index:KongCluster$${type}::${name}`;
    for (const child of [cluster(DEPLOYMENT, "kong-green-deployment"), cluster("kubernetes:core/v1:Service", "kong-green-admin")]) {
      assert.ok(portal.deps.includes(child), `the portal step waits for ${child} (the Admin API it deploys through)`);
    }
  });
});
