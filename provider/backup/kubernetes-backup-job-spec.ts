/**
 * The Job that takes the backup before an irreversible step when the migrations run as Kubernetes
 * Jobs: a PostgreSQL client image runs `pg_dump --format=custom` of Kong's schema onto a declared
 * PersistentVolumeClaim, then prints one result line (size, SHA-256, server version) that the
 * provider records. A pure function of its inputs, so that tests assert it field by field.
 *
 * Choices, and why:
 * - Image `postgres:<server major>`: `pg_dump` refuses a server newer than itself, and a dump from
 *   a newer `pg_dump` may not be readable by the `pg_restore` of the server's own major version
 *   (the custom format's version moves with it), so the server's major is the safe default.
 * - The password only as a `secretKeyRef` (`PGPASSWORD`): the Job spec, readable by anyone who can
 *   list Jobs, holds only the Secret's name. Inside a single-container pod the variable is visible
 *   to that container alone; `pg_dump` gets `--no-password`, so it never prompts.
 * - Written as `<file>.partial` and linked into place only when `pg_dump` succeeded (`ln` without
 *   `-f` never replaces a file), like the local backup (`../postgres/pg-tools.ts`).
 * - The file name and schema reach the script as positional parameters, never spliced into the
 *   script text, so no name can inject shell.
 * - `backoffLimit: 0`, `restartPolicy: Never`, `activeDeadlineSeconds`, no Istio sidecar: as the
 *   migration Jobs (`../runners/kubernetes-job-spec.ts`).
 */
import type { V1EnvVar, V1Job } from "@kubernetes/client-node";
import { KubernetesRunnerError } from "../runners/kubernetes-errors";
import type { KubernetesJobRunnerConfig } from "../runners/kubernetes-config";
import { oneShotJob } from "../runners/kubernetes-job-spec";
import { pgEnvironmentFromKong } from "../postgres/pg-env";
import { schemaArgs } from "../postgres/pg-tools";
import type { KubernetesBackupInput } from "./backup-input";

/** Name of the backup Job's only container. */
export const BACKUP_CONTAINER = "kong-backup";
/** Where the PersistentVolumeClaim is mounted in the container. */
export const BACKUP_MOUNT = "/backup";
/** The PostgreSQL major version whose client image is used when the server's is not known. */
export const DEFAULT_POSTGRES_MAJOR = 15;
/** The script's last line: `kong-migrations-backup: <size> <sha256> <server version>`. */
export const RESULT_PREFIX = "kong-migrations-backup:";

/** `backup.image`, else `postgres:<server major>` (`postgres:15` when the server's version is unknown). */
export function backupImage(backup: KubernetesBackupInput, serverMajor?: number): string {
  return backup.image ?? `postgres:${serverMajor ?? DEFAULT_POSTGRES_MAJOR}`;
}

/**
 * The shell script the container runs: `$1` is the claim's mount path, `$2` the file name, `$3`
 * pg_dump's `--schema=` argument.
 */
export const BACKUP_SCRIPT = [
  "set -eu",
  "umask 077",
  `f="$1/$2"`,
  `trap 'rm -f "$f.partial"' EXIT`,
  `pg_dump --format=custom --no-password --file="$f.partial" "$3" --strict-names`,
  `ln "$f.partial" "$f"`,
  `echo "${RESULT_PREFIX} $(stat -c %s "$f") $(sha256sum "$f" | cut -d ' ' -f 1) $(psql -XAtq -c 'SHOW server_version')"`,
].join("\n");

export interface BackupJobRequest {
  /** The Job's name (a fresh one per attempt). */
  readonly name: string;
  readonly image: string;
  readonly persistentVolumeClaim: string;
  /** The dump's file name, at the root of the claim. */
  readonly fileName: string;
  /** Kong's schema. */
  readonly schema: string;
  /** Kong's `KONG_PG_*` settings without the password (the runner's `env` overrides them, as for Kong). */
  readonly kongEnv: Readonly<Record<string, string>>;
  /** True when the database has a password (it then must come from `passwordSecret`). */
  readonly hasPassword: boolean;
  readonly timeoutSeconds: number;
}

function backupEnv(config: KubernetesJobRunnerConfig, request: BackupJobRequest): V1EnvVar[] {
  if (config.env && ("KONG_PG_PASSWORD" in config.env || "PGPASSWORD" in config.env)) {
    throw new KubernetesRunnerError(
      "PASSWORD_IN_ENV",
      "runner.env sets a database password: it would be stored in the backup Job's spec in plaintext. Put the " +
        "password in a Kubernetes Secret and name it in runner.passwordSecret.",
    );
  }
  if (request.hasPassword && !config.passwordSecret) {
    throw new KubernetesRunnerError(
      "PASSWORD_SECRET_REQUIRED",
      "The database has a password but runner.passwordSecret is not set: the backup Job never carries the password " +
        `in its spec. Create a Secret holding the password in namespace ${config.namespace} and set ` +
        "runner.passwordSecret to { name, key }.",
    );
  }
  const pg = pgEnvironmentFromKong({ ...request.kongEnv, ...config.env });
  const env: V1EnvVar[] = Object.keys(pg)
    .sort()
    .map((name) => ({ name, value: pg[name] }));
  if (config.passwordSecret) {
    env.push({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: config.passwordSecret.name, key: config.passwordSecret.key } } });
  }
  return env;
}

/** The backup Job's manifest. Throws (before any API call) when the password would have to be in it. */
export function buildBackupJob(config: KubernetesJobRunnerConfig, request: BackupJobRequest): V1Job {
  return oneShotJob(
    config,
    { name: request.name, command: "backup", timeoutSeconds: request.timeoutSeconds },
    {
      containers: [
        {
          name: BACKUP_CONTAINER,
          image: request.image,
          command: ["sh", "-c", BACKUP_SCRIPT, "kong-backup", BACKUP_MOUNT, request.fileName, ...schemaArgs(request.schema).slice(0, 1)],
          env: backupEnv(config, request),
          volumeMounts: [{ name: "backup", mountPath: BACKUP_MOUNT }],
        },
      ],
      volumes: [{ name: "backup", persistentVolumeClaim: { claimName: request.persistentVolumeClaim } }],
    },
  );
}

export interface BackupJobResult {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly serverVersion: string;
}

/** The result line from the container's log, or undefined when the script did not get that far. */
export function parseBackupResult(log: string): BackupJobResult | undefined {
  const lines = log.split("\n").filter((l) => l.startsWith(`${RESULT_PREFIX} `));
  const m = lines.at(-1)?.match(/^kong-migrations-backup: (\d+) ([0-9a-f]{64}) (\S.*)$/);
  if (!m) return undefined;
  return { sizeBytes: Number(m[1]), sha256: m[2], serverVersion: m[3].trim() };
}
