/**
 * The real PostgreSQL client tools, `pg_dump` and `pg_restore`, run as local processes.
 *
 * - Connection settings go through libpq's environment (`./pg-env`), the password only through a
 *   password file (`PGPASSFILE`) in a private temporary directory that is removed afterwards:
 *   never in arguments (`ps` shows those to every user), and not `PGPASSWORD` (PostgreSQL's docs
 *   advise against it, since some systems show a process's environment to other users).
 * - Inherited `PG*` variables are dropped, so a user's shell settings cannot redirect a dump.
 * - Before running, the tool's major version is compared with the server's: `pg_dump` refuses a
 *   server newer than itself ("aborting because of server version mismatch"), so the provider
 *   says which package to install before anything runs.
 * - Failures are `PgToolError`s carrying the tool's (redacted) stderr.
 *
 * Clients (`pg`) are required inside the functions: this module is reachable from the dynamic
 * provider, whose code Pulumi may serialize by value (design.md §4).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { processGroupTimeout } from "../runners/process-timeout";
import { redact } from "../runners/types";
import { passfileLine, pgEnvironment, withoutLibpqVariables } from "./pg-env";
import { PgToolError, type PgToolName } from "./pg-tool-error";
import { clientConfig, type DatabaseSettings } from "./settings";

export { PgToolError, isPgToolError, type PgToolErrorCode, type PgToolName } from "./pg-tool-error";

const DEFAULT_TIMEOUT_SECONDS = 1800;

/** A version as PostgreSQL reports it: `15.18 (Debian 15.18-0+deb12u1)`, major 15. */
export interface PgVersion {
  /** The full version text. */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

export interface ToolVersion extends PgVersion {
  readonly tool: PgToolName;
}

export interface PgToolOptions {
  /** Kill the tool after this many seconds. Default 1800. */
  readonly timeoutSeconds?: number;
  /** `PATH` to find the tool on. Default: the process's own `PATH`. */
  readonly searchPath?: string;
  /** Called with each (redacted) line the tool writes to stderr, e.g. `--verbose` progress. */
  readonly onLine?: (line: string) => void;
}

/** The Debian/Ubuntu package that provides the client tools of a major version. */
export function clientPackage(major: number): string {
  return `postgresql-client-${major}`;
}

/** Parses `pg_dump (PostgreSQL) 15.18 (Debian ...)` or a server's `15.18 (Debian ...)`. */
export function parsePgVersion(text: string): PgVersion | undefined {
  const m = text.match(/(?:\(PostgreSQL\)\s+)?(\d+)(?:\.(\d+))?/);
  if (!m) return undefined;
  const body = text.replace(/^.*\(PostgreSQL\)\s+/, "").trim();
  return { text: body, major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]) };
}

interface ToolRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function missing(tool: PgToolName, detail: string, major?: number): PgToolError {
  const pkg = major ? clientPackage(major) : "postgresql-client-<server major version>";
  return new PgToolError(
    "TOOL_MISSING",
    tool,
    `${tool} is not available (${detail}). Install the PostgreSQL client tools on the machine that runs Pulumi ` +
      `(Debian/Ubuntu: apt-get install ${pkg}; other systems: the PostgreSQL client package of the server's ` +
      `major version or newer), or put them on PATH; then run pulumi up again.`,
  );
}

/** Runs a tool without a shell; stderr lines are redacted as they arrive. */
function runTool(
  tool: PgToolName,
  args: readonly string[],
  env: Record<string, string>,
  secrets: readonly string[],
  options: PgToolOptions,
): Promise<ToolRun> {
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const searchPath = options.searchPath ?? process.env.PATH ?? "/usr/bin:/bin";
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: { ...withoutLibpqVariables(process.env), PATH: searchPath, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group: a timeout kills everything the tool started
      shell: false,
    });
    const out: string[] = [];
    const err: string[] = [];
    const collect = (stream: NodeJS.ReadableStream, into: string[], report: boolean) =>
      new Promise<void>((done) => {
        const lines = createInterface({ input: stream, crlfDelay: Infinity });
        lines.on("line", (raw) => {
          const line = redact(raw, secrets);
          into.push(line);
          if (report) options.onLine?.(line);
        });
        lines.once("close", done);
      });
    const drained = Promise.all([collect(child.stdout, out, false), collect(child.stderr, err, true)]);
    const timeout = processGroupTimeout(child, timeoutSeconds);
    child.once("error", (e: NodeJS.ErrnoException) => {
      timeout.clear();
      reject(e.code === "ENOENT" ? Object.assign(e, { searchPath }) : e);
    });
    child.once("close", (exitCode, signal) => {
      timeout.clear();
      void drained.then(() => resolve({ exitCode, signal, timedOut: timeout.timedOut, stdout: out.join("\n"), stderr: err.join("\n") }));
    });
  });
}

/**
 * The tool's version (`<tool> --version`). Throws `TOOL_MISSING` when it is not installed, naming
 * the package of `serverMajor` when given.
 */
export async function toolVersion(tool: PgToolName, options: PgToolOptions = {}, serverMajor?: number): Promise<ToolVersion> {
  let run: ToolRun;
  try {
    run = await runTool(tool, ["--version"], {}, [], { ...options, timeoutSeconds: options.timeoutSeconds ?? 30 });
  } catch (e) {
    const x = e as NodeJS.ErrnoException & { searchPath?: string };
    if (x.code === "ENOENT") throw missing(tool, `not found on PATH ${x.searchPath}`, serverMajor);
    throw e;
  }
  const version = run.exitCode === 0 ? parsePgVersion(run.stdout) : undefined;
  // Debian's pg_wrapper answers without a client behind it: "You must install at least one
  // postgresql-client-<version> package" (exit 1).
  if (!version) throw missing(tool, (run.stderr || run.stdout).trim() || `${tool} --version exited ${run.exitCode}`, serverMajor);
  return { tool, ...version };
}

/** The server's version, read through `pg` with the same settings. */
export async function serverVersion(settings: DatabaseSettings, tool: PgToolName, timeoutSeconds = 30): Promise<PgVersion> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg") as typeof import("pg");
  const client = new Client(clientConfig(settings, timeoutSeconds));
  client.on("error", () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const v = parsePgVersion(res.rows[0].v);
    if (!v) throw new Error(`unexpected server_version ${JSON.stringify(res.rows[0].v)}`);
    return v;
  } catch (e) {
    const why = redact((e as Error).message, settings.password ? [settings.password] : []);
    throw new PgToolError(
      "SERVER_UNREACHABLE",
      tool,
      `${tool} did not run: cannot read the PostgreSQL server's version at ${settings.host}:${settings.port}/${settings.database}: ${why}`,
      "",
      null,
      { cause: e },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The tool's version, refused (`TOOL_TOO_OLD`) when its major version is older than the server's. */
export async function assertToolSupports(tool: PgToolName, server: PgVersion, options: PgToolOptions = {}): Promise<ToolVersion> {
  const version = await toolVersion(tool, options, server.major);
  if (version.major < server.major) {
    throw new PgToolError(
      "TOOL_TOO_OLD",
      tool,
      `${tool} ${version.text} is older than the PostgreSQL server (${server.text}); ${tool} must be major version ` +
        `${server.major} or newer. Install ${clientPackage(server.major)} (Debian/Ubuntu) and put it first on PATH; ` +
        `then run pulumi up again.`,
    );
  }
  return version;
}

/** Runs `fn` with libpq's environment for `settings`, the password in a private password file. */
async function withConnectionEnv<T>(settings: DatabaseSettings, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const env = pgEnvironment(settings);
  if (settings.password === undefined) return fn(env);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kong-migrations-pgpass-")); // mode 0700
  try {
    const passfile = path.join(dir, "pgpass");
    await fs.writeFile(passfile, passfileLine(settings.password), { mode: 0o600 });
    return await fn({ ...env, PGPASSFILE: passfile });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function failed(tool: PgToolName, what: string, run: ToolRun, timeoutSeconds: number): PgToolError {
  if (run.timedOut) {
    return new PgToolError("TOOL_TIMEOUT", tool, `${what} did not finish within ${timeoutSeconds} s and was killed.`, run.stderr, null);
  }
  const how = run.exitCode === null ? `was killed by ${run.signal ?? "a signal"}` : `exited ${run.exitCode}`;
  const stderr = run.stderr.trim() || "(no output)";
  return new PgToolError("TOOL_FAILED", tool, `${what} ${how}: ${stderr}`, run.stderr, run.exitCode);
}

/** SHA-256 of a file, hex. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export interface DumpOptions extends PgToolOptions {
  /** Where the dump goes. It appears there only once complete, and an existing file is never replaced. */
  readonly file: string;
  /** Dump only this schema (`--schema`), e.g. Kong's `pg_schema`. Default: the whole database. */
  readonly schema?: string;
}

export interface DumpResult {
  /** Absolute path of the dump (custom format: restore it with `pg_restore`). */
  readonly file: string;
  readonly sizeBytes: number;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
  readonly tool: ToolVersion;
  readonly server: PgVersion;
  readonly durationMs: number;
}

/**
 * `--schema` for exactly one schema: double quotes make pg_dump match the name literally (no
 * pattern characters, no case folding), and `--strict-names` makes a schema that does not exist an
 * error instead of an empty dump.
 */
export function schemaArgs(schema: string | undefined): string[] {
  return schema ? [`--schema="${schema.replace(/"/g, '""')}"`, "--strict-names"] : [];
}

/**
 * `pg_dump --format=custom` of the database (or one schema) into `options.file`. The dump is
 * written next to it under a temporary name and linked into place only when `pg_dump` succeeded,
 * so a failed or interrupted dump never leaves a file that looks complete, and `link` (unlike
 * `rename`) refuses to replace an existing file.
 */
export async function pgDump(settings: DatabaseSettings, options: DumpOptions): Promise<DumpResult> {
  const started = Date.now();
  const server = await serverVersion(settings, "pg_dump");
  const tool = await assertToolSupports("pg_dump", server, options);
  const file = path.resolve(options.file);
  const partial = `${file}.partial-${randomBytes(4).toString("hex")}`;
  const unwritable = (e: unknown) =>
    new PgToolError(
      "DESTINATION_UNWRITABLE",
      "pg_dump",
      `pg_dump did not run: cannot write ${path.dirname(file)}: ${(e as Error).message}. Make the directory writable ` +
        `by the user running Pulumi (or choose another), then run pulumi up again.`,
      "",
      null,
      { cause: e },
    );
  try {
    await (await fs.open(partial, "wx", 0o600)).close();
  } catch (e) {
    throw unwritable(e);
  }
  const secrets = settings.password ? [settings.password] : [];
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  try {
    const args = ["--format=custom", "--no-password", `--file=${partial}`, ...schemaArgs(options.schema)];
    const run = await withConnectionEnv(settings, (env) => runTool("pg_dump", args, env, secrets, options));
    if (run.exitCode !== 0 || run.timedOut) {
      throw failed("pg_dump", `pg_dump of ${settings.host}:${settings.port}/${settings.database}`, run, timeoutSeconds);
    }
    try {
      await fs.link(partial, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        throw new PgToolError("DESTINATION_EXISTS", "pg_dump", `${file} exists already: a dump never replaces a file.`);
      }
      throw unwritable(e);
    }
  } finally {
    await fs.rm(partial, { force: true });
  }
  const { size } = await fs.stat(file);
  return { file, sizeBytes: size, sha256: await sha256File(file), tool, server, durationMs: Date.now() - started };
}

export interface RestoreOptions extends PgToolOptions {
  /** A custom-format dump written by `pg_dump --format=custom`. */
  readonly file: string;
  /**
   * Restore objects owned by the connecting user (`--no-owner`): the fresh database's owner need
   * not be the role that owned the original. Default true.
   */
  readonly noOwner?: boolean;
}

export interface RestoreResult {
  readonly tool: ToolVersion;
  readonly server: PgVersion;
  readonly durationMs: number;
}

/**
 * `pg_restore` of a custom-format dump into `settings.database`, in one transaction that stops at
 * the first error (nothing is left half restored). `--clean --if-exists`: a schema dump
 * (`--schema=public`) contains `CREATE SCHEMA public`, which every new database already has; the
 * clean step drops the empty one first instead of failing on it.
 */
export async function pgRestore(settings: DatabaseSettings, options: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const server = await serverVersion(settings, "pg_restore");
  const tool = await assertToolSupports("pg_restore", server, options);
  const args = [
    "--no-password",
    "--exit-on-error",
    "--single-transaction",
    "--clean",
    "--if-exists",
    ...(options.noOwner === false ? [] : ["--no-owner"]),
    // `--dbname` is required (without it pg_restore prints SQL instead); a conninfo keyword keeps a
    // name containing `=` from being read as a connection string.
    `--dbname=dbname='${settings.database.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
    path.resolve(options.file),
  ];
  const secrets = settings.password ? [settings.password] : [];
  const run = await withConnectionEnv(settings, (env) => runTool("pg_restore", args, env, secrets, options));
  if (run.exitCode !== 0 || run.timedOut) {
    throw failed(
      "pg_restore",
      `pg_restore of ${options.file} into ${settings.host}:${settings.port}/${settings.database}`,
      run,
      options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    );
  }
  return { tool, server, durationMs: Date.now() - started };
}
