/**
 * Argument parsing for `kong-sim migrations <command> [flags]`, following Kong's Penlight `lapp`
 * behaviour (kong-migrations.md §2.0): an unknown sub-command is `No such command for migrations:
 * <x>` + usage, a missing one is the usage alone, `-h/--help` is the usage, bad flags are
 * `kong: <problem>` + usage; all on stderr with exit 1. `--v`/`--vv` are double-dash. Pure.
 */
import { parseArgs } from "node:util";
import type { Edition } from "../provider/kong/catalogue-types";
import { compareVersions } from "../provider/kong/version";
import { hasStatusCommand, migrationsUsage } from "./messages";

export type MigrationCommandName = "bootstrap" | "up" | "finish" | "list" | "reset" | "status" | "migrate-community-to-enterprise";

export interface MigrationArgs {
  readonly command: MigrationCommandName;
  readonly yes: boolean;
  readonly quiet: boolean;
  readonly force: boolean;
  /** Seconds, when given. */
  readonly dbTimeout?: number;
  /** Seconds (default 60). */
  readonly lockTimeout: number;
  readonly conf?: string;
  readonly prefix?: string;
  readonly v: boolean;
  readonly vv: boolean;
}

export type ParseResult = { ok: true; args: MigrationArgs } | { ok: false; stderr: string };

const COMMANDS = new Set(["bootstrap", "up", "finish", "list", "reset", "status"]);

export function parseMigrationArgs(argv: readonly string[], version: string, edition: Edition = "oss"): ParseResult {
  const usage = migrationsUsage(version, edition);
  const quit = (msg?: string): ParseResult => ({ ok: false, stderr: (msg !== undefined ? `${msg}\n\n` : "") + usage });
  const v3 = compareVersions(version, "3.0.0") >= 0;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        yes: { type: "boolean", short: "y" },
        quiet: { type: "boolean", short: "q" },
        force: { type: "boolean", short: "f" },
        "db-timeout": { type: "string" },
        "lock-timeout": { type: "string" },
        conf: { type: "string", short: "c" },
        ...(v3 ? { prefix: { type: "string" as const, short: "p" } } : {}),
        v: { type: "boolean" },
        vv: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    const m = /^Unknown option '([^']+)'/.exec((e as Error).message);
    if (m) return quit(`kong: unrecognized parameter: ${m[1]}`);
    const missing = /^Option '(-\w, )?(--[\w-]+)/.exec((e as Error).message);
    if (missing) return quit(`kong: no value for option ${missing[2]}`);
    return quit(`kong: ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return quit();
  const num = (name: "db-timeout" | "lock-timeout"): number | undefined | string => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return raw.trim() === "" || !Number.isFinite(n) ? `kong: unable to convert to number: ${raw}` : n;
  };
  const dbTimeout = num("db-timeout");
  const lockTimeout = num("lock-timeout");
  if (typeof dbTimeout === "string") return quit(dbTimeout);
  if (typeof lockTimeout === "string") return quit(lockTimeout);

  const [command, ...extra] = positionals;
  if (command === undefined) return quit();
  const enterpriseOnly = command === "migrate-community-to-enterprise" && edition === "enterprise";
  if ((!COMMANDS.has(command) && !enterpriseOnly) || (command === "status" && !hasStatusCommand(version))) {
    return quit(`No such command for migrations: ${command}`);
  }
  if (extra.length) return quit(`kong: extra unmatched parameters: ${extra.join(" ")}`);
  return {
    ok: true,
    args: {
      command: command as MigrationCommandName,
      yes: values.yes === true,
      quiet: values.quiet === true,
      force: values.force === true,
      dbTimeout,
      lockTimeout: lockTimeout ?? 60,
      conf: values.conf,
      prefix: (values as { prefix?: string }).prefix,
      v: values.v === true,
      vv: values.vv === true,
    },
  };
}
