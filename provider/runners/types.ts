/**
 * How the provider executes `kong migrations <command>`: the runner contract shared by the local
 * process runner and the Kubernetes Job runner. A runner only executes and streams; interpreting
 * Kong's exit code and output is `./outcome.ts`'s job, verifying the result is the provider's.
 */

/**
 * The `kong migrations` sub-commands the provider ever runs (never `reset`);
 * `migrate-community-to-enterprise` is Kong Enterprise's, run only for `migrateCommunityEntities`.
 */
export type MigrationCommand = "bootstrap" | "up" | "finish" | "list" | "migrate-community-to-enterprise";

/** What a runner executes: a migrations sub-command, or `kong version` (the preflight). */
export type KongCommand = MigrationCommand | "version";

/** The arguments after `kong`: `version`, or `migrations <command> <flags…>`. */
export function kongArguments(request: Pick<RunRequest, "command" | "flags">): string[] {
  return request.command === "version" ? ["version"] : ["migrations", request.command, ...request.flags];
}

export interface RunRequest {
  readonly command: KongCommand;
  /** Flags after the sub-command, e.g. `["--db-timeout", "60", "--lock-timeout", "60"]`. */
  readonly flags: readonly string[];
  /**
   * Kong's configuration as environment variables (`KONG_PG_HOST`, ..., `KONG_PLUGINS`). Holds
   * `KONG_PG_PASSWORD`: a runner passes it only through the environment (or a Kubernetes Secret
   * reference), never through arguments, and never logs it.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Values to redact from every line a runner reports or keeps (the password). */
  readonly secrets: readonly string[];
  /** Kill the command after this many seconds. */
  readonly timeoutSeconds: number;
  /** Called for each output line as it arrives, already redacted. */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface RunResult {
  /** The process's (or container's) exit code; null when it was killed by a signal. */
  readonly exitCode: number | null;
  /** The signal that ended it, if any. */
  readonly signal?: string;
  /** True when the runner killed it because `timeoutSeconds` passed. */
  readonly timedOut: boolean;
  /** Redacted output. */
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Where it ran, for messages (e.g. `local process`, `Job kong/kong-migrations-up-1a2b`). */
  readonly where: string;
}

export interface KongRunner {
  run(request: RunRequest): Promise<RunResult>;
}

/** Replaces every occurrence of each secret with `[secret]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("[secret]");
  return out;
}
