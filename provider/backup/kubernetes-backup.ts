/**
 * The Kubernetes backup: the Job of `./kubernetes-backup-job-spec.ts`, run through the same
 * machinery as the migration Jobs (`executeJob` in `../runners/kubernetes-job.ts`: created, its log
 * streamed, its exit reported; kept for inspection when it failed). Needs `@kubernetes/client-node`.
 */
import type { Inputs, KubernetesRunnerInput } from "../inputs";
import { serverVersion } from "../postgres/pg-tools";
import { kongEnvironment } from "../postgres/settings";
import { executeJob } from "../runners/kubernetes-job";
import { newJobName } from "../runners/kubernetes-job-spec";
import { KubernetesRunnerError } from "../runners/kubernetes-errors";
import { backupFileName, describeDestination } from "./backup-destination";
import type { KubernetesBackupInput } from "./backup-input";
import type { BackupRecord } from "./backup-record";
import { BACKUP_CONTAINER, backupImage, buildBackupJob, parseBackupResult } from "./kubernetes-backup-job-spec";
import type { BackupRequest } from "./local-backup";

export async function kubernetesBackup(backup: KubernetesBackupInput, inputs: Inputs, request: BackupRequest): Promise<BackupRecord> {
  if (inputs.runner.kind !== "kubernetes") {
    throw new Error('backup { kind: "kubernetes" } needs runner { kind: "kubernetes" }: check refuses this combination.');
  }
  const runner: KubernetesRunnerInput = inputs.runner;
  // The image matches the server's major version when the provider can read it (it reads
  // schema_meta with the same settings); otherwise the default, and the Job's pg_dump says why.
  const major = await serverVersion(request.settings, "pg_dump").then(
    (v) => v.major,
    () => undefined,
  );
  const started = new Date();
  const image = backupImage(backup, major);
  const fileName = backupFileName(request.settings.database, request.schema, request.step, started);
  const name = newJobName("backup", started.getTime());
  const config = { ...runner, image };
  const { password, ...withoutPassword } = request.settings;
  const job = buildBackupJob(config, {
    name,
    image,
    persistentVolumeClaim: backup.persistentVolumeClaim,
    fileName,
    schema: request.schema,
    kongEnv: kongEnvironment(withoutPassword),
    hasPassword: password !== undefined && password !== "",
    timeoutSeconds: request.timeoutSeconds,
  });
  const result = await executeJob(config, {
    name,
    job,
    container: BACKUP_CONTAINER,
    timeoutSeconds: request.timeoutSeconds,
    secrets: password ? [password] : [],
    onLine: (line) => request.onLine?.(line),
  });
  const parsed = result.exitCode === 0 && !result.timedOut ? parseBackupResult(result.stdout) : undefined;
  if (!parsed) {
    const tail = result.stdout.split("\n").slice(-5).join(" | ") || "(no output)";
    const how = result.timedOut ? `did not finish within ${request.timeoutSeconds} s` : `exited ${result.exitCode}`;
    throw new KubernetesRunnerError(
      "BACKUP_JOB_FAILED",
      `The backup ${result.where} (image ${image}) ${how}: ${tail}. Check that PersistentVolumeClaim ` +
        `${backup.persistentVolumeClaim} exists in namespace ${runner.namespace} and is writable, and that the image has ` +
        `pg_dump of the server's major version or newer; then run pulumi up again.`,
      result.where,
    );
  }
  return {
    file: fileName,
    destination: describeDestination(backup, runner.namespace),
    sizeBytes: parsed.sizeBytes,
    sha256: parsed.sha256,
    serverVersion: parsed.serverVersion,
    schema: request.schema,
    takenAt: new Date().toISOString(),
    beforeStep: `kong migrations ${request.step}`,
    durationMs: result.durationMs,
  };
}
