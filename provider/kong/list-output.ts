/**
 * Reads `kong migrations list` (kong-migrations.md §2.4). Pure: exit code and stdout in, Kong's
 * own view of the database out.
 *
 * Exit 3: needs bootstrap (the bootstrap message). 0: `Executed migrations:` only. 4: pending
 * (with or without new). 5: new only. 1: an error. Each block is `<Title>:` followed by one line per
 * subsystem, `<subsystem right-aligned>: name, name, …`. Kong lists only migrations it knows, in
 * its list order; it does not list "missing" ones.
 */
import type { MigrationsBySubsystem } from "./state";

export interface KongListing {
  readonly needsBootstrap: boolean;
  readonly executed: MigrationsBySubsystem;
  readonly pending: MigrationsBySubsystem;
  readonly new: MigrationsBySubsystem;
}

const TITLES: Readonly<Record<string, keyof Omit<KongListing, "needsBootstrap">>> = {
  "Executed migrations:": "executed",
  "Pending migrations:": "pending",
  "New migrations available:": "new",
};

/** Kong's answer, or undefined when the exit code is not one `list` gives for a readable state. */
export function parseKongList(exitCode: number | null, stdout: string): KongListing | undefined {
  if (exitCode === 3) return { needsBootstrap: true, executed: {}, pending: {}, new: {} };
  if (exitCode !== 0 && exitCode !== 4 && exitCode !== 5) return undefined;
  const out: Record<"executed" | "pending" | "new", Record<string, string[]>> = { executed: {}, pending: {}, new: {} };
  let block: keyof typeof out | undefined;
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    if (TITLES[line]) {
      block = TITLES[line];
      continue;
    }
    if (line === "") {
      block = undefined;
      continue;
    }
    const m = /^([A-Za-z0-9_.-]+): (.+)$/.exec(line);
    if (!block || !m) continue;
    const names = m[2]
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "");
    (out[block][m[1]] ??= []).push(...names);
  }
  return { needsBootstrap: false, ...out };
}
