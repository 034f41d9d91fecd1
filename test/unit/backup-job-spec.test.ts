import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  BACKUP_SCRIPT,
  backupImage,
  buildBackupJob,
  parseBackupResult,
  type BackupJobRequest,
} from "../../provider/backup/kubernetes-backup-job-spec";
import { isKubernetesRunnerError } from "../../provider/runners/kubernetes-errors";

const request: BackupJobRequest = {
  name: "kong-migrations-backup-x",
  image: "postgres:15",
  persistentVolumeClaim: "kong-backups",
  fileName: "kong-kong-public-before-finish-20261202T130509Z.dump",
  schema: "public",
  kongEnv: { KONG_PG_HOST: "127.0.0.1", KONG_PG_PORT: "5432", KONG_PG_USER: "kong", KONG_PG_DATABASE: "kong", KONG_PG_SSL: "off" },
  hasPassword: true,
  timeoutSeconds: 1800,
};
const config = { namespace: "kong", image: "postgres:15", passwordSecret: { name: "pg", key: "password" } };

describe("Kubernetes backup Job spec (pure)", () => {
  it("one attempt of pg_dump onto the claim, the runner's in-cluster host, the password only by secretKeyRef", () => {
    const job = buildBackupJob({ ...config, serviceAccountName: "migrator", env: { KONG_PG_HOST: "pg.db.svc" } }, request);
    const labels = {
      "app.kubernetes.io/name": "kong-migrations",
      "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
      "kong-migrations/command": "backup",
    };
    assert.deepEqual(job, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "kong-migrations-backup-x", namespace: "kong", labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 1800,
        template: {
          metadata: { labels, annotations: { "sidecar.istio.io/inject": "false" } },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: "migrator",
            containers: [
              {
                name: "kong-backup",
                image: "postgres:15",
                command: ["sh", "-c", BACKUP_SCRIPT, "kong-backup", "/backup", request.fileName, '--schema="public"'],
                env: [
                  { name: "PGAPPNAME", value: "pulumi-kong-migrations" },
                  { name: "PGDATABASE", value: "kong" },
                  { name: "PGHOST", value: "pg.db.svc" },
                  { name: "PGPORT", value: "5432" },
                  { name: "PGSSLMODE", value: "disable" },
                  { name: "PGUSER", value: "kong" },
                  { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "pg", key: "password" } } },
                ],
                volumeMounts: [{ name: "backup", mountPath: "/backup" }],
              },
            ],
            volumes: [{ name: "backup", persistentVolumeClaim: { claimName: "kong-backups" } }],
          },
        },
      },
    });
    assert.ok(!JSON.stringify(job).includes("secret-pw"));
  });

  it("refuses, before any API call, a spec that would need the password in plaintext", () => {
    assert.throws(
      () => buildBackupJob({ namespace: "kong", image: "postgres:15" }, request),
      (e: unknown) => isKubernetesRunnerError(e) && e.code === "PASSWORD_SECRET_REQUIRED" && /namespace kong/.test(e.message),
    );
    assert.throws(
      () => buildBackupJob({ ...config, env: { PGPASSWORD: "secret-pw" } }, request),
      (e: unknown) => isKubernetesRunnerError(e) && e.code === "PASSWORD_IN_ENV",
    );
    // No password at all: no Secret needed.
    const job = buildBackupJob({ namespace: "kong", image: "postgres:15" }, { ...request, hasPassword: false });
    assert.ok(!JSON.stringify(job).includes("PGPASSWORD"));
  });

  it("the image: backup.image, else the server's major, else postgres:15", () => {
    assert.equal(backupImage({ kind: "kubernetes", persistentVolumeClaim: "b", image: "my/pg:16" }, 15), "my/pg:16");
    assert.equal(backupImage({ kind: "kubernetes", persistentVolumeClaim: "b" }, 16), "postgres:16");
    assert.equal(backupImage({ kind: "kubernetes", persistentVolumeClaim: "b" }), "postgres:15");
  });

  it("reads the result line, and nothing from a log without one", () => {
    const sum = "a".repeat(64);
    assert.deepEqual(parseBackupResult(`noise\nkong-migrations-backup: 12345 ${sum} 15.18 (Debian 15.18-1.pgdg120+1)\n`), {
      sizeBytes: 12345,
      sha256: sum,
      serverVersion: "15.18 (Debian 15.18-1.pgdg120+1)",
    });
    assert.equal(parseBackupResult("pg_dump: error: connection failed"), undefined);
    assert.equal(parseBackupResult(`kong-migrations-backup: 1 nothex 15`), undefined);
  });

  it("the script, run by a real sh with stand-in tools: links the complete dump, prints the result, never replaces a file", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "backup-script-"));
    try {
      const bin = path.join(root, "bin");
      const mount = path.join(root, "backup");
      fs.mkdirSync(bin);
      fs.mkdirSync(mount);
      // pg_dump writes its --file argument and records its arguments; psql answers the version.
      fs.writeFileSync(
        path.join(bin, "pg_dump"),
        `#!/bin/sh\nfor a in "$@"; do case "$a" in --file=*) printf 'PGDMP' > "\${a#--file=}";; esac; done\necho "$@" > ${root}/args\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(path.join(bin, "psql"), "#!/bin/sh\necho '15.18'\n", { mode: 0o755 });
      const run = () =>
        execFileSync("sh", ["-c", BACKUP_SCRIPT, "kong-backup", mount, "d.dump", '--schema="my schema"'], {
          env: { PATH: `${bin}:${process.env.PATH}` },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      const out = run();
      const sha = createHash("sha256").update("PGDMP").digest("hex");
      assert.equal(out, `kong-migrations-backup: 5 ${sha} 15.18\n`);
      assert.deepEqual(fs.readdirSync(mount), ["d.dump"]);
      assert.equal(fs.statSync(path.join(mount, "d.dump")).mode & 0o777, 0o600);
      assert.equal(
        fs.readFileSync(path.join(root, "args"), "utf8"),
        `--format=custom --no-password --file=${mount}/d.dump.partial --schema="my schema" --strict-names\n`,
      );
      // A second run with the same name fails, and keeps the first file.
      assert.throws(run);
      assert.deepEqual(fs.readdirSync(mount), ["d.dump"]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
