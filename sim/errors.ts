/**
 * Errors as Kong's CLI prints them (`kong/cmd/init.lua`): a Lua error carries a `file:line: `
 * location; without `--v`/`--vv` the handler strips that first location and prints
 * `Error: <message>`, a blank line and `  Run with --v (verbose) or --vv (debug) for more details`;
 * with them it prints `Error: ` and the message with its location and a traceback. Exit code 1.
 *
 * An error thrown inside `cluster_mutex`'s callback is caught by `xpcall(cb, debug.traceback)`,
 * so its own location and a Lua stack traceback end up *inside* the message
 * (`[PostgreSQL error] cluster_mutex callback threw an error: …/migrations.lua:67: … stack
 * traceback: …`), which is what users see in Kong/charts#92 and Kong/kong#5934. kong-sim
 * reproduces that shape; the Lua paths and line numbers are those of the official 2.0/2.1 images
 * (`/usr/local/share/lua/5.1/...`) taken from those issues, not of every Kong version.
 */
import { RUN_WITH_VERBOSE } from "./messages";

const LUA = "/usr/local/share/lua/5.1/kong";

/** Where a Lua error was raised and the frames `debug.traceback` would list (without the tab). */
export interface LuaSite {
  readonly location: string;
  readonly frames: readonly string[];
}

export class KongError extends Error {
  constructor(
    message: string,
    readonly site: LuaSite = CMD_SITE,
  ) {
    super(message);
  }
}

/** Frames below the command (`cmd_exec` and Kong's launcher), common to every error. */
function launcherFrames(cmdLine: number): string[] {
  return [
    `${LUA}/cmd/migrations.lua:${cmdLine}: in function 'cmd_exec'`,
    `${LUA}/cmd/init.lua:88: in function <${LUA}/cmd/init.lua:88>`,
    "[C]: in function 'xpcall'",
    `${LUA}/cmd/init.lua:88: in function <${LUA}/cmd/init.lua:45>`,
    "/usr/local/bin/kong:9: in function 'file_gen'",
    "init_worker_by_lua:47: in function <init_worker_by_lua:45>",
    "[C]: in function 'xpcall'",
    "init_worker_by_lua:54: in function <init_worker_by_lua:52>",
  ];
}

/** An `error(...)`/`assert(...)` in `kong/cmd/migrations.lua` itself. */
export const CMD_SITE: LuaSite = {
  location: `${LUA}/cmd/migrations.lua:131`,
  frames: ["[C]: in function 'error'", ...launcherFrames(131)],
};

/** Line numbers of the utils function (`up`, `finish`, ...) and of its callback, per command. */
export type UtilsFn = "bootstrap" | "up" | "finish" | "reset" | "migrate_core_entities";
const UTILS: Record<UtilsFn, { fn: number; cb: number; cmd: number; rethrow: number }> = {
  bootstrap: { fn: 36, cb: 36, cmd: 151, rethrow: 48 },
  up: { fn: 63, cb: 63, cmd: 172, rethrow: 108 },
  finish: { fn: 127, cb: 127, cmd: 178, rethrow: 158 },
  reset: { fn: 177, cb: 177, cmd: 160, rethrow: 183 },
  // Kong Enterprise (line numbers UNVERIFIED).
  migrate_core_entities: { fn: 264, cb: 267, cmd: 219, rethrow: 271 },
};

/** An error raised directly in `kong/cmd/utils/migrations.lua`'s `<fn>` (outside the mutex). */
export function utilsSite(fn: UtilsFn, line: number, raiser: "error" | "assert" = "error"): LuaSite {
  const u = UTILS[fn];
  return {
    location: `${LUA}/cmd/utils/migrations.lua:${line}`,
    frames: [`[C]: in function '${raiser}'`, `${LUA}/cmd/utils/migrations.lua:${line}: in function '${fn}'`, ...launcherFrames(u.cmd)],
  };
}

/** An error raised inside `<fn>`'s cluster_mutex callback, at `line`. */
export function callbackSite(fn: UtilsFn, line: number, raiser: "error" | "assert" = "assert"): LuaSite {
  const u = UTILS[fn];
  return {
    location: `${LUA}/cmd/utils/migrations.lua:${line}`,
    frames: [
      `[C]: in function '${raiser}'`,
      `${LUA}/cmd/utils/migrations.lua:${line}: in function <${LUA}/cmd/utils/migrations.lua:${u.cb}>`,
      "[C]: in function 'xpcall'",
      `${LUA}/db/init.lua:358: in function <${LUA}/db/init.lua:308>`,
      "[C]: in function 'pcall'",
      `${LUA}/concurrency.lua:45: in function 'cluster_mutex'`,
      `${LUA}/cmd/utils/migrations.lua:${u.fn}: in function '${fn}'`,
      ...launcherFrames(u.cmd),
    ],
  };
}

/** Where `<fn>` re-raises the mutex's error (`if err then error(err) end`). */
export function rethrowSite(fn: UtilsFn): LuaSite {
  return utilsSite(fn, UTILS[fn].rethrow, "error");
}

/** The message of a callback error as `xpcall(cb, debug.traceback)` hands it to cluster_mutex. */
export function withTraceback(e: KongError): string {
  return `${e.site.location}: ${e.message}\nstack traceback:\n${e.site.frames.map((f) => `\t${f}`).join("\n")}`;
}

/** What the top-level handler writes to stderr. */
export function formatTopLevelError(e: KongError, verbose: boolean): string {
  if (!verbose) return `Error: ${e.message}\n\n${RUN_WITH_VERBOSE}\n`;
  return `Error: \n${withTraceback(e)}\n`;
}
