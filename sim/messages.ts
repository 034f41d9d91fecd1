/**
 * Kong's user-facing strings, copied from `kong/cmd/utils/migrations.lua`, `kong/cmd/migrations.lua`
 * and `kong/cmd/init.lua` (kong-migrations.md §2.10). Pure data.
 */
import { compareVersions } from "../provider/kong/version";

/** `NEEDS_BOOTSTRAP_MSG`, typo ("migrated to") and trailing space included. */
export const NEEDS_BOOTSTRAP_MSG =
  "Database needs bootstrapping or is older than Kong 1.0.\n\n" +
  "To start a new installation from scratch, run 'kong migrations bootstrap'.\n\n" +
  "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \n" +
  "If you still have 'apis' entities, you can convert them to Routes and Services\n" +
  "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n";

export const NOT_LEADER_MSG = "aborted: another node is performing database changes";
export const PENDING_ERROR = "Database has pending migrations; run 'kong migrations finish'";
export const PENDING_WHEN_READY = "\nDatabase has pending migrations; run 'kong migrations finish' when ready";
export const NEW_AVAILABLE_AFTER_FINISH = "\nNew migrations available; run 'kong migrations up' to proceed";
export const NOT_A_TTY = "not a tty: invoke 'reset' non-interactively with the --yes flag";
export const RUN_WITH_VERBOSE = "  Run with --v (verbose) or --vv (debug) for more details";

/** Prompt of `reset` without `--yes` on a TTY: `[Y/n]` in 2.x, `[y/n]` from 3.0 (commit c0e88de619). */
export function resetPrompt(version: string): string {
  const choices = compareVersions(version, "3.0.0") >= 0 ? "[y/n]" : "[Y/n]";
  return `> Are you sure? This operation is irreversible. ${choices} `;
}

/** True when the impersonated Kong has `kong migrations status` (added in 3.0.0). */
export function hasStatusCommand(version: string): boolean {
  return compareVersions(version, "3.0.0") >= 0;
}

/** Since 2.2.0 (commit 60d91b48c9) `up` checks for pending migrations before taking the lock. */
export function checksPendingBeforeLock(version: string): boolean {
  return compareVersions(version, "2.2.0") >= 0;
}

/**
 * `--db-timeout`: `(default 60)` up to 3.7.0, `(optional number)` from 3.7.1 (#12761), when the
 * configured `pg_timeout` (KONG_PG_TIMEOUT, ms, default 5000) applies unless the flag is given.
 */
export function dbTimeoutIsOptional(version: string): boolean {
  return compareVersions(version, "3.7.1") >= 0;
}

/** The `kong migrations` usage text (Penlight lapp), plus the global `--v`/`--vv` options. */
export function migrationsUsage(version: string, edition: "oss" | "enterprise" = "oss"): string {
  const v3 = compareVersions(version, "3.0.0") >= 0;
  const reset = v3
    ? "  reset                             Reset the database. The `reset` command erases all of the data in Kong's database and deletes all of the schemas.\n"
    : "  reset                             Reset the database.\n";
  const status = v3 ? "\n  status                            Dump the database migration status in JSON format\n" : "";
  const dbTimeout = dbTimeoutIsOptional(version)
    ? " --db-timeout     (optional number) Timeout, in seconds, for all database\n" + "                                    operations.\n\n"
    : " --db-timeout     (default 60)      Timeout, in seconds, for all database\n" +
      "                                    operations (including schema consensus for\n" +
      "                                    Cassandra).\n";
  const prefix = v3 ? "\n -p,--prefix      (optional string)   Override prefix directory.\n" : "";
  return (
    "Usage: kong migrations COMMAND [OPTIONS]\n\n" +
    "Manage database schema migrations.\n\n" +
    "The available commands are:\n" +
    "  bootstrap                         Bootstrap the database and run all\n" +
    "                                    migrations.\n\n" +
    "  up                                Run any new migrations.\n\n" +
    "  finish                            Finish running any pending migrations after\n" +
    "                                    'up'.\n\n" +
    "  list                              List executed migrations.\n\n" +
    reset +
    status +
    (edition === "enterprise"
      ? "\n  migrate-community-to-enterprise   Migrates CE entities to EE on the default\n" +
        "                                    workspace\n"
      : "") +
    "\nOptions:\n" +
    ' -y,--yes                           Assume "yes" to prompts and run\n' +
    "                                    non-interactively.\n\n" +
    " -q,--quiet                         Suppress all output.\n\n" +
    " -f,--force                         Run migrations even if database reports\n" +
    "                                    as already executed.\n\n" +
    (edition === "enterprise"
      ? "                                    With 'migrate-community-to-enterprise' it\n" +
        "                                    disables the workspace entities check.\n\n"
      : "") +
    dbTimeout +
    "\n --lock-timeout   (default 60)      Timeout, in seconds, for nodes waiting on\n" +
    "                                    the leader node to finish running\n" +
    "                                    migrations.\n\n" +
    " -c,--conf        (optional string) Configuration file.\n" +
    prefix +
    "\n --v              verbose\n" +
    " --vv             debug\n"
  );
}
