/**
 * Irreversible steps are a class (design.md §7): after `finish` or `migrate-community-to-enterprise`
 * the old version (or edition) can no longer run on the database, and only a restore brings it
 * back. They share one path: a warning in preview, the declared backup first, no step when the
 * backup fails, the backup recorded in the outputs. This module is the pure half: which steps, and
 * what a preview says about them.
 */
import type { BackupInput } from "./backup-input";
import { describeDestination } from "./backup-destination";

/** The `kong migrations` sub-commands after which the old nodes cannot come back. */
export const IRREVERSIBLE_STEPS: readonly string[] = ["finish", "migrate-community-to-enterprise"];

/** `finish` or `kong migrations finish`. */
export function stepName(stepOrCommand: string): string {
  return stepOrCommand.replace(/^kong migrations /, "");
}

export function isIrreversible(stepOrCommand: string): boolean {
  return IRREVERSIBLE_STEPS.includes(stepName(stepOrCommand));
}

/** What a preview records in the plan about an irreversible step it would run. */
export interface IrreversibleNotice {
  /** e.g. `kong migrations finish`. */
  readonly command: string;
  /** Where the backup will go (`local directory /x`, `PersistentVolumeClaim ns/claim`), or `none configured`. */
  readonly backup: string;
  /**
   * For `finish`: the migrations whose teardown it runs, per subsystem (the destructive part: a
   * teardown removes what the old version still reads). Absent for other steps.
   */
  readonly teardowns?: Readonly<Record<string, readonly string[]>>;
  /** The preview warning: what cannot be undone, and where the backup goes (or that none is taken). */
  readonly warning: string;
}

export const NO_BACKUP = "none configured";

/**
 * The notice for a planned command, or undefined when the command can be undone. `after`: the
 * command that runs before it in the same update (an in-place upgrade's `up`). `teardowns`: for
 * `finish`, the migrations whose teardown it runs.
 */
export function irreversibleNotice(
  command: string,
  backup: BackupInput | undefined,
  namespace?: string,
  after?: string,
  teardowns?: Readonly<Record<string, readonly string[]>>,
): IrreversibleNotice | undefined {
  if (!isIrreversible(command)) return undefined;
  const full = `kong migrations ${stepName(command)}`;
  const where = backup ? describeDestination(backup, namespace) : NO_BACKUP;
  const count = teardowns ? Object.values(teardowns).reduce((n, names) => n + names.length, 0) : 0;
  const head =
    `${full}${after ? ` (after ${after}, in the same update)` : ""} is irreversible: ` +
    (count > 0 ? `it runs the teardowns of ${count} migration${count === 1 ? "" : "s"} (plan.irreversible.teardowns), and ` : "") +
    `after it, nodes of the old Kong version can no longer run on this database.`;
  const warning =
    where === NO_BACKUP
      ? `${head} No backup is configured: set backup { kind: "local", directory } (or { kind: "kubernetes", ` +
        `persistentVolumeClaim }) to have a pg_dump taken first, or take one yourself before pulumi up.`
      : `${head} A pg_dump (custom format) of Kong's schema goes to ${where} first; ${full} does not run if it fails.`;
  return { command: full, backup: where, ...(count > 0 ? { teardowns } : {}), warning };
}
