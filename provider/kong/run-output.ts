/**
 * What a `kong migrations bootstrap|up|finish` run says it migrated (kong-migrations.md §2): one
 * line `<subsystem> migrated up to: <name> (executed|pending)` per migration it ran, or one of
 * Kong's nothing-to-do lines. Pure. `lastRun` records this, not the plan: a run that found the work
 * already done by another node (it waited for the lock, or the lock was free again) ran nothing.
 */
import type { MigrationsBySubsystem } from "./state";

const MIGRATED = /^(\S+) migrated up to: (\S+) \((?:executed|pending)\)$/;
const NOTHING_TO_DO = ["No pending migrations to finish", "Database is already up-to-date", "Database already bootstrapped"];

/**
 * The migrations per subsystem the run reports, in its order; `{}` when it only said there was
 * nothing to do; undefined when its output has neither (a runner that captured no output).
 */
export function migratedIn(stdout: string): MigrationsBySubsystem | undefined {
  const ran: Record<string, string[]> = {};
  let nothing = false;
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    const m = MIGRATED.exec(line);
    if (m) (ran[m[1]] ??= []).push(m[2]);
    else if (NOTHING_TO_DO.includes(line)) nothing = true;
  }
  return Object.keys(ran).length || nothing ? ran : undefined;
}
