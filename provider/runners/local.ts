/**
 * Runs `kong migrations <command>` as a local process: no shell, credentials only in the
 * environment, output streamed line by line (redacted), a timeout that kills the process group.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { processGroupTimeout } from "./process-timeout";
import { kongArguments, redact, type KongRunner, type RunRequest, type RunResult } from "./types";

export interface LocalRunnerConfig {
  /** Command prefix before `migrations <command>`, e.g. `["kong"]` or `["node", "kong-sim.js"]`. */
  readonly command: readonly string[];
  /** Extra environment (never the password: that comes from the request's env). */
  readonly env: Readonly<Record<string, string>>;
}

export function localRunner(config: LocalRunnerConfig): KongRunner {
  return {
    run(req: RunRequest): Promise<RunResult> {
      const [file, ...prefix] = config.command;
      const started = Date.now();
      const child = spawn(file, [...prefix, ...kongArguments(req)], {
        env: { ...process.env, ...config.env, ...req.env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // own process group, so a timeout kills everything Kong started
        shell: false,
      });
      const out: string[] = [];
      const err: string[] = [];
      const collect = (stream: NodeJS.ReadableStream, into: string[], name: "stdout" | "stderr") => {
        const lines = createInterface({ input: stream, crlfDelay: Infinity });
        lines.on("line", (raw) => {
          const line = redact(raw, req.secrets);
          into.push(line);
          req.onLine?.(line, name);
        });
        return new Promise<void>((resolve) => lines.once("close", resolve));
      };
      const drained = Promise.all([collect(child.stdout, out, "stdout"), collect(child.stderr, err, "stderr")]);
      const timeout = processGroupTimeout(child, req.timeoutSeconds);
      return new Promise<RunResult>((resolve) => {
        const finish = (exitCode: number | null, signal: string | undefined, extraErr?: string) => {
          timeout.clear();
          if (extraErr) err.push(redact(extraErr, req.secrets));
          drained.then(() =>
            resolve({
              exitCode,
              signal,
              timedOut: timeout.timedOut,
              stdout: out.join("\n"),
              stderr: err.join("\n"),
              durationMs: Date.now() - started,
              where: "local process",
            }),
          );
        };
        child.once("error", (e) => finish(127, undefined, `could not start ${file}: ${e.message}`));
        child.once("close", (code, signal) => finish(code, signal ?? undefined));
      });
    },
  };
}
