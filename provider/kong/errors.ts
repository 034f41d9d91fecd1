/**
 * Typed errors with a stable `code`. Messages name the input and the next step (design.md §6).
 * Plain data only: errors cross the dynamic-provider process boundary as their message.
 */
export type KongMigrationErrorCode =
  | "DOWNGRADE"
  | "UNFINISHED_PREVIOUS_UPGRADE"
  | "UNSUPPORTED_UPGRADE_PATH"
  | "ENTERPRISE_NEEDS_1_5"
  | "COMMUNITY_TO_ENTERPRISE"
  | "LEGACY_DATABASE"
  | "LOCK_ABORTED"
  | "LOCK_TIMEOUT"
  | "COMMAND_FAILED"
  | "COMMAND_TIMEOUT"
  | "VERIFICATION_FAILED";

export class KongMigrationError extends Error {
  override readonly name = "KongMigrationError";
  constructor(
    readonly code: KongMigrationErrorCode,
    message: string,
    /** The input property the error is about, when there is one (for check failures). */
    readonly property?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isKongMigrationError(e: unknown, code?: KongMigrationErrorCode): e is KongMigrationError {
  return e instanceof KongMigrationError && (code === undefined || e.code === code);
}
