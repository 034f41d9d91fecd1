/**
 * The preview's check of a local backup destination (design.md §7: an irreversible step whose
 * backup cannot be written fails `pulumi preview`, not halfway through `pulumi up`). The directory
 * must exist and accept a new entry: probed by creating and removing a private directory in it,
 * because access(2) answers "writable" to root for any mode bits (the dump itself still reports
 * anything else that goes wrong, e.g. a full disk).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalBackupInput } from "./backup-input";
import type { IrreversibleNotice } from "./irreversible";

/** What is wrong with `directory` as a dump destination, or undefined when a file can be created in it. */
export function localDestinationProblem(directory: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(directory);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "does not exist" : `cannot be examined (${code ?? (e as Error).message})`;
  }
  if (!stat.isDirectory()) return "is not a directory";
  try {
    fs.rmdirSync(fs.mkdtempSync(path.join(directory, ".kong-backup-probe-")));
  } catch (e) {
    return `does not accept new files (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  return undefined;
}

/** The `backup.directory` failure for a preview that would run `notice`'s step; undefined when the directory is usable. */
export function localDestinationFailure(
  backup: LocalBackupInput,
  notice: IrreversibleNotice,
): { property: string; reason: string } | undefined {
  const problem = localDestinationProblem(backup.directory);
  if (!problem) return undefined;
  return {
    property: "backup.directory",
    reason:
      `backup.directory ${backup.directory} ${problem}: ${notice.command} runs only after a pg_dump into it, so pulumi up ` +
      `would stop there. Create the directory (writable by the user running Pulumi), or set backup.directory to one ` +
      `that is, then preview again.`,
  };
}
