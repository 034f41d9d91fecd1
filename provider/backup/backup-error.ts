/**
 * The one error of the backup path: the backup before an irreversible step failed, so the step did
 * not run. `reason` is the underlying stable code (`TOOL_MISSING`, `DESTINATION_UNWRITABLE`, a
 * Kubernetes runner code, ...); the message says why and what to do, already redacted.
 */
export class BackupError extends Error {
  override readonly name = "BackupError";
  readonly code = "BACKUP_FAILED";
  constructor(
    /** The cause's stable code, or `UNKNOWN`. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBackupError(e: unknown): e is BackupError {
  return e instanceof BackupError;
}
