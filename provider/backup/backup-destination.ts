/**
 * Where a backup goes: the dump's file name and a one-line description for previews and logs. Pure.
 */
import type { BackupInput } from "./backup-input";

/** `20261202T131501Z`: sortable, and free of `:` (which some file systems and tools refuse). */
export function compactTime(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_");

/**
 * `kong-<database>-<schema>-before-<step>-<time>.dump`: what, from where and when, readable in a
 * directory listing. The time has seconds, and a dump never replaces a file (pg-tools links it into
 * place), so two backups within one second fail loudly instead of overwriting each other.
 */
export function backupFileName(database: string, schema: string, step: string, at: Date): string {
  return `kong-${safe(database)}-${safe(schema)}-before-${safe(step)}-${compactTime(at)}.dump`;
}

/** `local directory /var/backups/kong`, or `PersistentVolumeClaim kong/kong-backups`. */
export function describeDestination(backup: BackupInput, namespace?: string): string {
  if (backup.kind === "local") return `local directory ${backup.directory}`;
  return `PersistentVolumeClaim ${namespace ? `${namespace}/` : ""}${backup.persistentVolumeClaim}`;
}
