/**
 * Typed errors of the PostgreSQL client tools. `code` is stable API (callers and tests match on it,
 * never on the message); messages are already redacted and name the next step.
 */
export type PgToolErrorCode =
  /** The tool is not on PATH (or Debian's pg_wrapper has no client version behind it). */
  | "TOOL_MISSING"
  /** The tool's major version is older than the server's: pg_dump refuses such a server. */
  | "TOOL_TOO_OLD"
  /** The tool ran and exited non-zero (its stderr is in `stderr`). */
  | "TOOL_FAILED"
  /** The tool did not finish in time and was killed. */
  | "TOOL_TIMEOUT"
  /** The server's version could not be read (unreachable, wrong credentials, ...). */
  | "SERVER_UNREACHABLE"
  /** The destination file exists already: a dump never overwrites one. */
  | "DESTINATION_EXISTS"
  /** The destination could not be written (directory missing or not writable, disk full, ...). */
  | "DESTINATION_UNWRITABLE";

export type PgToolName = "pg_dump" | "pg_restore";

export class PgToolError extends Error {
  override readonly name = "PgToolError";
  constructor(
    readonly code: PgToolErrorCode,
    readonly tool: PgToolName,
    message: string,
    /** The tool's redacted standard error, when it ran. */
    readonly stderr = "",
    readonly exitCode: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPgToolError(e: unknown, code?: PgToolErrorCode): e is PgToolError {
  return e instanceof PgToolError && (code === undefined || e.code === code);
}
