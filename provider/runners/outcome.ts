/**
 * What a `kong migrations` run means, from its exit code and output (kong-migrations.md §1.4, §2.0):
 * success, or a typed error carrying Kong's own message. Shared by every runner. Pure.
 */
import { KongMigrationError } from "../kong/errors";
import type { MigrationCommand, RunResult } from "./types";

export const ABORTED_LINE = "aborted: another node is performing database changes";

/** Kong's `Error: <message>` text (up to the blank line before the `--v` hint), or the last lines. */
export function kongErrorMessage(result: RunResult): string {
  const lines = result.stderr.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Error: "));
  if (start >= 0) {
    const rest = lines.slice(start);
    const end = rest.findIndex((l, i) => i > 0 && (l.trim() === "" || l.includes("Run with --v (verbose)")));
    return rest
      .slice(0, end < 0 ? rest.length : end)
      .join("\n")
      .replace(/^Error: /, "")
      .trim();
  }
  const tail = (result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
  return tail || "(no output)";
}

/** True when Kong gave up because another node held the migrations lock (exit 0, nothing ran). */
export function lockAborted(result: RunResult): boolean {
  return result.exitCode === 0 && result.stdout.split("\n").some((l) => l.trim() === ABORTED_LINE);
}

/** Throws the typed error for a failed run; returns for a run that Kong reports as done. */
export function assertSucceeded(command: MigrationCommand, result: RunResult, timeoutSeconds: number): void {
  const what = `kong migrations ${command} (${result.where})`;
  if (result.timedOut) {
    throw new KongMigrationError(
      "COMMAND_TIMEOUT",
      `${what} did not end within commandTimeoutSeconds (${timeoutSeconds} s) and was killed. ` +
        `Whatever it recorded stays recorded: run pulumi up again to re-read the database and continue, ` +
        `or raise commandTimeoutSeconds.`,
      "commandTimeoutSeconds",
    );
  }
  if (lockAborted(result)) {
    throw new KongMigrationError(
      "LOCK_ABORTED",
      `${what} did nothing: "${ABORTED_LINE}". Another Kong node held the migrations lock; ` +
        `run pulumi up again once it is done (the provider re-reads the database first).`,
    );
  }
  if (result.exitCode === 0) return;
  const message = kongErrorMessage(result);
  if (message.includes("[PostgreSQL error] timeout")) {
    throw new KongMigrationError(
      "LOCK_TIMEOUT",
      `${what} waited lockTimeoutSeconds for Kong's migrations lock and gave up: ${message}. ` +
        `Another node is running migrations (or crashed holding the lock, which expires with its TTL); ` +
        `run pulumi up again later.`,
      "lockTimeoutSeconds",
    );
  }
  const how = result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited ${result.exitCode}`;
  throw new KongMigrationError(
    "COMMAND_FAILED",
    `${what} ${how}: ${message}. Migrations it completed before failing stay recorded; fix the cause and ` +
      `run pulumi up again: the provider re-reads the database and runs what is left.`,
  );
}
