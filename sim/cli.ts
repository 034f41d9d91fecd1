#!/usr/bin/env node
/**
 * kong-sim: a stand-in for the `kong` CLI's migration commands, used by tests and the demo.
 *
 * Kong Gateway cannot be installed here (no package registry ships it and nothing else can be
 * downloaded), so kong-sim reproduces what the provider can observe of `kong migrations …`:
 * Kong's `schema_meta`/`locks` tables and upserts, its cluster lock protocol, its messages on the
 * right stream, and its exit codes (kong-migrations.md §1–4), against a real PostgreSQL. Each
 * migration runs real SQL (see `migration-sql.ts`), and fault switches (`faults.ts`) make it fail
 * like a real run can. The provider's runners execute it exactly as they would execute `kong`.
 *
 *   kong-sim migrations <bootstrap|up|finish|list|reset|status> [flags]
 *   kong-sim version
 *   kong-sim check-compat        (not a Kong command)
 *   kong-sim --help
 *
 * This file parses arguments and dispatches; everything heavy (`pg`, the catalogue) is required
 * lazily so that the many spawns in tests start fast.
 */
import type { MigrationArgs } from "./args";
import type { ConfigError } from "./config";
import type { Ctx } from "./context";
import type { KongError } from "./errors";
import { Logger } from "./output";

const HELP_WORDS = new Set(["--help", "-h", "help"]);

const lazy = {
  args: () => require("./args") as typeof import("./args"),
  config: () => require("./config") as typeof import("./config"),
  errors: () => require("./errors") as typeof import("./errors"),
  help: () => require("./help") as typeof import("./help"),
  catalogue: () => require("../provider/kong/catalogue") as typeof import("../provider/kong/catalogue"),
  file: () => require("./catalogue-file") as typeof import("./catalogue-file"),
};

/** Kong's top-level handler for anything thrown. */
function printError(log: Logger, e: unknown, verbose: boolean): number {
  const { KongError: KE, formatTopLevelError, CMD_SITE } = lazy.errors();
  const err: KongError = e instanceof KE ? e : new KE(e instanceof Error ? e.message : String(e), CMD_SITE);
  log.stderr(formatTopLevelError(err, verbose));
  return 1;
}

/** Kong reads only KONG_* settings: drop libpq's PG* variables so `pg` cannot pick them up. */
function scrubLibpqEnvironment(env: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(env)) if (k.startsWith("PG")) delete env[k];
}

/** The impersonated release: a catalogue file's (KONG_SIM_CATALOGUE_FILE), else a catalogued version. */
function target(env: NodeJS.ProcessEnv) {
  return lazy.file().simRelease(env, (e) => {
    const t = lazy.config().readTarget(e);
    const check = lazy.catalogue().checkVersion(t.version, t.edition);
    if (!check.ok) throw new (lazy.config().ConfigError as typeof ConfigError)(check.reason);
    return t;
  });
}

/** The release's migrations and lineage for `KONG_PLUGINS` (see `catalogue-file.ts`). */
function releaseLists(release: ReturnType<typeof target>, tgt: import("../provider/kong/catalogue-types").KongTarget) {
  const sql = require("./migration-sql") as typeof import("./migration-sql");
  if (release.file) {
    const known = lazy.file().knownFromFile(release.file, tgt);
    return { known, lineage: sql.lineageOfList(known), uncatalogued: [] as string[] };
  }
  const catalogue = lazy.catalogue();
  return { known: catalogue.knownMigrations(tgt), lineage: sql.lineageOf(tgt), uncatalogued: catalogue.uncataloguedPlugins(tgt) };
}

async function migrations(argv: readonly string[], env: NodeJS.ProcessEnv, log: Logger): Promise<number> {
  let verbose = argv.includes("--v") || argv.includes("--vv");
  try {
    const release = target(env);
    const { version, edition } = release;
    const parsed = lazy.args().parseMigrationArgs(argv, version, edition);
    if (!parsed.ok) {
      log.stderr(parsed.stderr);
      return 1;
    }
    const args = parsed.args;
    verbose = args.v || args.vv;
    if (args.vv) log.setLevel("debug");
    else if (args.v) log.setLevel("verbose");
    log.verboseLine(`Kong: ${version}`);
    if (args.quiet) log.disable();
    return await runMigrationCommand(args, env, log, release);
  } catch (e) {
    return printError(log, e, verbose);
  }
}

async function runMigrationCommand(
  args: MigrationArgs,
  env: NodeJS.ProcessEnv,
  log: Logger,
  release: ReturnType<typeof target>,
): Promise<number> {
  const { readConfig } = lazy.config();
  const { CMD_SITE, KongError: KE } = lazy.errors();
  const { dbTimeoutIsOptional } = require("./messages") as typeof import("./messages");
  if (args.conf !== undefined) {
    throw new Error(`kong-sim reads no configuration file (${args.conf}): configure it with KONG_* environment variables`);
  }
  log.verboseLine("no config file found at /etc/kong/kong.conf");
  log.verboseLine("no config file found at /etc/kong.conf");
  log.verboseLine("no config file, skip loading");
  log.debugLine("reading environment variables");
  const config = readConfig(env);
  log.verboseLine(`prefix in use: ${args.prefix ?? env.KONG_PREFIX ?? "/usr/local/kong"}`);
  const { readFaults } = require("./faults") as typeof import("./faults");
  const faults = readFaults(env);
  const tgt = { version: config.version, edition: config.edition, plugins: config.plugins };
  const lists = releaseLists(release, tgt);
  for (const p of lists.uncatalogued) {
    log.verboseLine(`kong-sim: plugin '${p}' is not in the catalogue; treated as a plugin without migrations`);
  }
  const known = lists.known;

  const dbTimeoutMs =
    args.dbTimeout !== undefined ? args.dbTimeout * 1000 : dbTimeoutIsOptional(config.version) ? config.pg.timeoutMs : 60_000;
  const { compareVersions } = require("../provider/kong/version") as typeof import("../provider/kong/version");
  const { Connector } = require("./connector") as typeof import("./connector");
  const conn = new Connector(config.pg, dbTimeoutMs, compareVersions(config.version, "3.0.0") >= 0 ? "kong" : undefined);
  try {
    try {
      await conn.serverVersionNum();
    } catch (e) {
      throw new KE(`[PostgreSQL error] failed to retrieve PostgreSQL server_version_num: ${(e as Error).message}`, CMD_SITE);
    }
    const { randomUUID } = require("node:crypto") as typeof import("node:crypto");
    const ctx: Ctx = {
      log,
      conn,
      config,
      known,
      lineage: lists.lineage,
      faults,
      flags: { yes: args.yes, force: args.force, lockTimeout: args.lockTimeout },
      owner: randomUUID(),
      effects: processEffects(),
      steps: 0,
    };
    const { schemaState } = require("./context") as typeof import("./context");
    const state = await schemaState(ctx, CMD_SITE);
    switch (args.command) {
      case "list":
        return (require("./commands/list") as typeof import("./commands/list")).listCommand(ctx, state);
      case "status":
        return (require("./commands/status") as typeof import("./commands/status")).statusCommand(ctx, state);
      case "bootstrap":
        return await (require("./commands/bootstrap") as typeof import("./commands/bootstrap")).bootstrapCommand(ctx, state);
      case "up":
        return await (require("./commands/up") as typeof import("./commands/up")).upCommand(ctx, state);
      case "finish":
        return await (require("./commands/finish") as typeof import("./commands/finish")).finishCommand(ctx, state);
      case "reset":
        return await (require("./commands/reset") as typeof import("./commands/reset")).resetCommand(ctx, state);
      case "migrate-community-to-enterprise":
        return await (require("./commands/migrate-community") as typeof import("./commands/migrate-community")).migrateCommunityCommand(
          ctx,
          state,
        );
    }
  } finally {
    await conn.close();
  }
}

function processEffects(): Ctx["effects"] {
  let lines: AsyncIterator<string> | undefined;
  return {
    sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
    crash: () => {
      process.kill(process.pid, "SIGKILL");
      throw new Error("unreachable: SIGKILL did not end the process");
    },
    stdinIsTTY: process.stdin.isTTY === true,
    readLine: async () => {
      if (!lines) {
        const readline = require("node:readline") as typeof import("node:readline");
        lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      }
      const r = await lines.next();
      return r.done ? undefined : r.value;
    },
  };
}

async function checkCompat(argv: readonly string[], env: NodeJS.ProcessEnv, log: Logger): Promise<number> {
  if (argv.some((a) => HELP_WORDS.has(a))) {
    log.print(lazy.help().CHECK_COMPAT_HELP.trimEnd());
    return 0;
  }
  if (argv.length) {
    log.stderr(`kong-sim check-compat takes no arguments (got ${argv.join(" ")})\n\n${lazy.help().CHECK_COMPAT_HELP}`);
    return 2;
  }
  try {
    const release = target(env);
    const config = lazy.config().readConfig(env);
    const { Connector } = require("./connector") as typeof import("./connector");
    const conn = new Connector(config.pg, config.pg.timeoutMs);
    try {
      const tgt = { version: config.version, edition: config.edition, plugins: config.plugins };
      const { known, lineage } = releaseLists(release, tgt);
      const { checkCompatCommand } = require("./commands/check-compat") as typeof import("./commands/check-compat");
      try {
        return await checkCompatCommand(conn, known, lineage, { ...config, database: config.pg.database }, log);
      } catch (e) {
        const { DbError } = require("./connector") as typeof import("./connector");
        if (e instanceof DbError) throw new Error(`[PostgreSQL error] ${e.message}`);
        throw e;
      }
    } finally {
      await conn.close();
    }
  } catch (e) {
    printError(log, e, false);
    return 2;
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  scrubLibpqEnvironment(env);
  const log = new Logger();
  const [first, ...rest] = argv;
  if (first === undefined) {
    log.stderr(lazy.help().SIM_HELP);
    return 1;
  }
  if (HELP_WORDS.has(first)) {
    log.stdout(lazy.help().SIM_HELP);
    return 0;
  }
  switch (first) {
    case "migrations":
      return migrations(rest, env, log);
    case "check-compat":
      return checkCompat(rest, env, log);
    case "version":
      try {
        if (rest.length) {
          log.stderr(`kong: unrecognized parameter: ${rest[0]}\n\nUsage: kong version\n`);
          return 1;
        }
        const t = target(env);
        const { versionLine } = require("./commands/version") as typeof import("./commands/version");
        log.print(versionLine(t.version, t.edition));
        return 0;
      } catch (e) {
        return printError(log, e, false);
      }
    default:
      log.stderr(`No such command: ${first}\n\n${lazy.help().SIM_HELP}`);
      return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
