/**
 * The `backup` input: where the provider puts the `pg_dump` it takes before an irreversible step
 * (`finish`, `migrate-community-to-enterprise`). Validation is pure; every failure names the
 * `backup.*` property and what to write instead.
 */
import { unknownKeys } from "../input-keys";

/** A directory on the machine that runs Pulumi (the dynamic provider's process). */
export interface LocalBackupInput {
  readonly kind: "local";
  /** Absolute path of an existing, writable directory. */
  readonly directory: string;
}

/** A PersistentVolumeClaim, written by a Job with a PostgreSQL client image (Kubernetes runner only). */
export interface KubernetesBackupInput {
  readonly kind: "kubernetes";
  /** Name of a PersistentVolumeClaim in the runner's namespace. */
  readonly persistentVolumeClaim: string;
  /** PostgreSQL client image. Default `postgres:<server major>` (`postgres:15` when the server is unknown). */
  readonly image?: string;
}

export type BackupInput = LocalBackupInput | KubernetesBackupInput;

export interface BackupFailure {
  readonly property: string;
  readonly reason: string;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Kubernetes object names (RFC 1123 subdomain, as PersistentVolumeClaim names are). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const SHAPES = `{ kind: "local", directory: "/absolute/path" } or { kind: "kubernetes", persistentVolumeClaim: "<claim name>" }`;

/**
 * Validates `backup`. `runnerKind` is the (validated) runner's kind: a Kubernetes backup runs as
 * a Job next to the migration Jobs and needs their namespace, kubeconfig and password Secret.
 */
export function backupInput(raw: unknown, runnerKind: "local" | "kubernetes", failures: BackupFailure[]): BackupInput | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    failures.push({ property: "backup", reason: `backup must be ${SHAPES} (got ${JSON.stringify(raw)}).` });
    return undefined;
  }
  const keys = raw.kind === "kubernetes" ? ["kind", "persistentVolumeClaim", "image"] : ["kind", "directory"];
  if (raw.kind === "local" || raw.kind === "kubernetes") failures.push(...unknownKeys(raw, keys, "backup."));
  if (raw.kind === "local") {
    const dir = raw.directory;
    if (typeof dir !== "string" || dir.trim() === "") {
      failures.push({
        property: "backup.directory",
        reason: `backup.directory is required for backup { kind: "local" }: an absolute path of a writable directory on the machine that runs Pulumi, e.g. "/var/backups/kong".`,
      });
      return undefined;
    }
    if (!dir.startsWith("/")) {
      failures.push({
        property: "backup.directory",
        reason: `backup.directory must be an absolute path (got ${JSON.stringify(dir)}): the provider runs in its own process, so give e.g. path.resolve(${JSON.stringify(dir)}).`,
      });
      return undefined;
    }
    return { kind: "local", directory: dir };
  }
  if (raw.kind === "kubernetes") {
    const claim = raw.persistentVolumeClaim;
    let ok = true;
    if (typeof claim !== "string" || !DNS_SUBDOMAIN.test(claim) || claim.length > 253) {
      failures.push({
        property: "backup.persistentVolumeClaim",
        reason: `backup.persistentVolumeClaim must name a PersistentVolumeClaim in the runner's namespace (lower-case letters, digits, "-" and "."; got ${JSON.stringify(claim)}).`,
      });
      ok = false;
    }
    if (raw.image !== undefined && (typeof raw.image !== "string" || raw.image.trim() === "")) {
      failures.push({
        property: "backup.image",
        reason: `backup.image must be a PostgreSQL client image, e.g. "postgres:15" (got ${JSON.stringify(raw.image)}); leave it out for postgres:<server major version>.`,
      });
      ok = false;
    }
    if (runnerKind !== "kubernetes") {
      failures.push({
        property: "backup.kind",
        reason: `backup { kind: "kubernetes" } runs a Job in the Kubernetes runner's namespace, but runner.kind is "${runnerKind}": set runner { kind: "kubernetes", ... }, or use backup { kind: "local", directory } with the local runner.`,
      });
      ok = false;
    }
    if (!ok) return undefined;
    return { kind: "kubernetes", persistentVolumeClaim: claim as string, ...(typeof raw.image === "string" ? { image: raw.image } : {}) };
  }
  failures.push({
    property: "backup.kind",
    reason: `backup.kind must be "local" or "kubernetes" (got ${JSON.stringify(raw.kind)}): ${SHAPES}.`,
  });
  return undefined;
}
