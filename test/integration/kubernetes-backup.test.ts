/**
 * The backup before finish with the Kubernetes Job runner, driven like the engine drives the
 * provider, against the REAL Kubernetes API server of `test/helpers/kube-cluster.ts` (real Job
 * controller, scheduler and PersistentVolume binding). Simulated: the kubelet (the harness's
 * executor, `test/helpers/kube-executor.ts`): the backup Job's container (`sh -c <script>` in a
 * postgres image) runs as a local `sh` with the machine's real pg_dump and psql; its claim is bound
 * to a real hostPath PersistentVolume whose directory stands in for the mount; its password is
 * resolved from the Secret through the Job's `secretKeyRef`. Real: the provider, the Job spec as the
 * API server validated it, the runner machinery (`executeJob`), pg_dump against the test PostgreSQL,
 * and the dump it writes.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isBackupError } from "../../provider/backup/backup-error";
import { pgRestore } from "../../provider/postgres/pg-tools";
import { useKubeCluster } from "../helpers/kube-cluster";
import { eventually, useKubeNamespace } from "../helpers/kube-objects";
import { metaRows } from "../helpers/kong-sim";
import { createDatabase, dropDatabase, useFreshDatabase } from "../helpers/postgres";
import { deploy, redeploy, type Raw } from "../helpers/provider-fixture";

describe("backup before finish with the Kubernetes Job runner (real Kubernetes API server, real pg_dump and PostgreSQL)", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  const cluster = useKubeCluster();
  const ns = useKubeNamespace(cluster);
  let claim: string;
  let pv: string;
  let deletePv: () => Promise<unknown>;
  beforeEach(async () => {
    claim = fs.mkdtempSync(path.join(os.tmpdir(), "kong-backups-pvc-"));
    await ns().putSecret("kong-pg", { password: db().password });
    // A hostPath PersistentVolume reserved for the claim; the PV controller binds them.
    pv = `${ns().name}-backups`;
    const core = ns().core;
    deletePv = () => core.deletePersistentVolume({ name: pv }).catch(() => undefined);
    await ns().core.createPersistentVolume({
      body: {
        metadata: { name: pv },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          storageClassName: "manual",
          persistentVolumeReclaimPolicy: "Retain",
          hostPath: { path: claim, type: "Directory" },
          claimRef: { namespace: ns().name, name: "kong-backups" },
        },
      },
    });
    await ns().core.createNamespacedPersistentVolumeClaim({
      namespace: ns().name,
      body: {
        metadata: { name: "kong-backups" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "manual", volumeName: pv, resources: { requests: { storage: "1Gi" } } },
      },
    });
    await eventually("the claim bound", async () =>
      (await ns().core.readNamespacedPersistentVolumeClaim({ name: "kong-backups", namespace: ns().name })).status?.phase === "Bound"
        ? true
        : undefined,
    );
  });
  afterEach(async () => {
    await deletePv(); // PersistentVolumes are cluster-wide: the namespace's deletion leaves them
    fs.rmSync(claim, { recursive: true, force: true });
  });

  const inputs = (version: string, extra: Raw = {}): Raw => ({
    database: { host: db().host, port: db().port, user: db().user, database: db().database },
    password: db().password,
    kongVersion: version,
    plugins: ["off"],
    decommissionedOld: false,
    runner: {
      kind: "kubernetes",
      namespace: ns().name,
      kubeconfig: cluster().kubeconfig,
      passwordSecret: { name: "kong-pg", key: "password" },
    },
    backup: { kind: "kubernetes", persistentVolumeClaim: "kong-backups" },
    lockTimeoutSeconds: 5,
    ...extra,
  });
  const deleted = (name: string) => ns().deletedJobs.includes(name);
  const commands = () => ns().createdJobs.map((j) => j.metadata!.labels!["kong-migrations/command"]);

  async function upTo214() {
    const created = await deploy(inputs("2.0.5"));
    const upgraded = await redeploy(created, inputs("2.1.4"));
    assert.equal(upgraded.outs.phase, "pending-finish");
    return upgraded;
  }

  it("a Job with postgres:<server major> dumps Kong's schema onto the claim, then finish runs; the dump restores", async () => {
    const upgraded = await upTo214();
    const preFinish = await metaRows(db());
    const finished = await redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true }));
    assert.equal(finished.outs.phase, "up-to-date");
    assert.deepEqual(commands(), ["bootstrap", "up", "backup", "finish"]);

    const job = ns().createdJobs[2];
    const container = job.spec!.template.spec!.containers[0];
    assert.equal(container.image, "postgres:15", "the server's major version");
    assert.deepEqual(
      container.env!.find((e) => e.name === "PGPASSWORD"),
      { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "kong-pg", key: "password" } } },
    );
    assert.ok(!JSON.stringify(ns().createdJobs).includes(db().password), "no password in any Job spec");
    assert.ok(deleted(job.metadata!.name!), "a backup Job that succeeded is deleted");

    const taken = finished.outs.lastBackup as Record<string, unknown>;
    const files = fs.readdirSync(claim);
    assert.equal(files.length, 1, files.join(", "));
    assert.match(files[0], new RegExp(`^kong-${db().database}-public-before-finish-\\d{8}T\\d{6}Z\\.dump$`));
    const bytes = fs.readFileSync(path.join(claim, files[0]));
    assert.equal(taken.file, files[0]);
    assert.equal(taken.destination, `PersistentVolumeClaim ${ns().name}/kong-backups`);
    assert.equal(taken.sizeBytes, bytes.length);
    assert.equal(taken.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.match(String(taken.serverVersion), /^15\.\d+/);
    assert.equal(taken.beforeStep, "kong migrations finish");

    const fresh = await createDatabase();
    try {
      await pgRestore({ ...fresh, ssl: false, sslVerify: false }, { file: path.join(claim, files[0]) });
      assert.deepEqual(await metaRows(fresh), preFinish);
    } finally {
      await dropDatabase(fresh.database);
    }
  });

  it("a backup Job that fails (the Secret holds a wrong password): finish does not run, the Job is kept, the error has pg_dump's words", async () => {
    const upgraded = await upTo214();
    const before = await metaRows(db());
    await ns().putSecret("kong-pg", { password: "not-the-password" });
    let e: unknown;
    try {
      await redeploy(upgraded, inputs("2.1.4", { decommissionedOld: true }));
    } catch (x) {
      e = x;
    }
    assert.ok(isBackupError(e), String(e));
    assert.equal(e.reason, "BACKUP_JOB_FAILED");
    assert.match(
      e.message,
      new RegExp(
        `^The backup before kong migrations finish failed, so finish did not run and the database is unchanged\\. The backup Job ${ns().name}/kong-migrations-backup-\\S+ \\(left in place: kubectl -n ${ns().name} logs job/kong-migrations-backup-\\S+\\) \\(image postgres:15\\) exited 1: .*password authentication failed for user "postgres".*Check that PersistentVolumeClaim kong-backups exists in namespace ${ns().name} and is writable`,
      ),
    );
    assert.deepEqual(commands(), ["bootstrap", "up", "backup"]);
    assert.equal(deleted(ns().createdJobs[2].metadata!.name!), false, "the failed backup Job is kept for inspection");
    assert.deepEqual(await metaRows(db()), before);
    assert.deepEqual(fs.readdirSync(claim), [], "no partial file left on the claim");
  });
});
