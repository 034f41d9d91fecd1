/**
 * Runs the real Pulumi CLI on the root project (Pulumi.yaml -> examples/quickstart), fully
 * offline: the environment comes from `scripts/pulumi-env.sh` (CLI on PATH, built from Go modules
 * when missing; no update check, no plugin downloads), with a local file backend per caller.
 */
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

let baseEnv: NodeJS.ProcessEnv | undefined;

/** The environment `scripts/pulumi-env.sh` sets up (computed once per process). */
export function pulumiBaseEnv(): NodeJS.ProcessEnv {
  if (!baseEnv) {
    const out = execFileSync(
      "bash",
      ["-c", 'source scripts/pulumi-env.sh >&2 && node -e "process.stdout.write(JSON.stringify(process.env))"'],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    baseEnv = JSON.parse(out) as NodeJS.ProcessEnv;
  }
  return baseEnv;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Each stdout line with the milliseconds since start at which it arrived. */
  readonly timedLines: ReadonlyArray<readonly [number, string]>;
}

export interface Stack {
  readonly name: string;
  /** Local file backend folder of this stack. */
  readonly stateDir: string;
  /** `input` goes to the CLI's stdin (e.g. a secret for `config set --secret`, kept out of argv). */
  run(args: readonly string[], opts?: { echo?: boolean; input?: string }): Promise<CliResult>;
}

/**
 * A stack on its own file backend; `run` executes `pulumi <args> --stack <name>` in `projectDir`
 * (default the repo root, whose Pulumi.yaml is the quickstart; e.g. `examples/<name>` for another program),
 * with `pulumi-env.sh`'s environment plus `env` (e.g. `PATH` with a provider plugin, `KUBECONFIG`).
 */
export function stack(name: string, stateDir: string, projectDir = REPO_ROOT, env: NodeJS.ProcessEnv = {}): Stack {
  const fullEnv = { ...pulumiBaseEnv(), ...env, PULUMI_BACKEND_URL: `file://${stateDir}` };
  return {
    name,
    stateDir,
    run(args, opts = {}) {
      const started = Date.now();
      const child = spawn("pulumi", [...args, "--stack", name, "--non-interactive"], {
        cwd: projectDir,
        env: fullEnv,
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      if (opts.input !== undefined) child.stdin!.end(opts.input);
      let stdout = "";
      let stderr = "";
      let partial = "";
      const timedLines: Array<[number, string]> = [];
      child.stdout!.on("data", (d: Buffer) => {
        const text = d.toString();
        stdout += text;
        if (opts.echo) process.stdout.write(text);
        const parts = (partial + text).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) timedLines.push([Date.now() - started, line]);
      });
      child.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (opts.echo) process.stderr.write(d);
      });
      return new Promise((resolve) =>
        child.once("close", (code) => {
          if (partial) timedLines.push([Date.now() - started, partial]);
          resolve({ code, stdout, stderr, timedLines });
        }),
      );
    },
  };
}
