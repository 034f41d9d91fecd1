/**
 * What the provider records in the outputs (`lastBackup`) about the dump it took before an
 * irreversible step. Plain data: it is stored in state as it is.
 */
export interface BackupRecord {
  /** The dump: an absolute path (local), or the path inside the PersistentVolumeClaim (Kubernetes). */
  readonly file: string;
  /** `local directory /x` or `PersistentVolumeClaim ns/claim`. */
  readonly destination: string;
  readonly sizeBytes: number;
  /** SHA-256 of the file, hex: compare it before restoring. */
  readonly sha256: string;
  /** The PostgreSQL server's version, e.g. `15.18`: restore with pg_restore of this major version or newer. */
  readonly serverVersion: string;
  /** The schema dumped (Kong's `pg_schema`, or the server's current schema). */
  readonly schema: string;
  /** ISO time the dump was complete. */
  readonly takenAt: string;
  /** The step it was taken before, e.g. `kong migrations finish`. */
  readonly beforeStep: string;
  readonly durationMs: number;
}
