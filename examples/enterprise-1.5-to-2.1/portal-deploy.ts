/**
 * `PortalDeploy`: the last step of Kong Enterprise's guide "Migrating from 1.5.x to 2.1.x", the Dev
 * Portal templates (Kong/docs.konghq.com `app/_includes/md/2.1.x/migrations/migrate-dev-portal.md`:
 * new and replaced template files, `app_version: 0fcefa7` in `portal.conf.yaml`, applied with the
 * Kong Portal CLI), as a small dynamic resource that runs a command only once `finished` is true.
 *
 * Wire `finished` to `KongDatabaseMigration.finished`: that output is true only once `finish` has
 * run at the target version, so the deploy never reaches a database (or an Admin API) that the 1.5
 * nodes still use. While `finished` is false the resource records that it waits and runs nothing.
 * It runs once per command/directory/workspace/app version (recorded in `ran`); a later `pulumi up`
 * with the same inputs runs nothing. A failed run fails the update and records nothing, so the next
 * `pulumi up` tries again. Delete runs nothing (a deploy cannot be taken back).
 *
 * The command runs on the machine that runs Pulumi, in `templatesDirectory` (a clone of
 * Kong/kong-portal-templates with the guide's changes). Default `portal deploy <workspace>`: the
 * Kong Portal CLI (`npm install -g kong-portal-cli`; Kong/docs.konghq.com
 * `app/enterprise/2.2.x/developer-portal/helpers/cli.md`: `portal [--config PATH] <command> <workspace>`).
 */
import * as pulumi from "@pulumi/pulumi";

export const PORTAL_DEPLOY_TYPE = "pulumi-nodejs:dynamic/kong-migrations-example:PortalDeploy";

/** The `app_version` Kong's 2.1 migration page adds to `portal.conf.yaml`. */
export const GUIDE_APP_VERSION = "0fcefa7";

export interface PortalDeployArgs {
  /** `KongDatabaseMigration.finished`: nothing runs while it is false. */
  readonly finished: pulumi.Input<boolean>;
  /** Absolute path of the templates (a kong-portal-templates clone); the command's working directory. */
  readonly templatesDirectory: pulumi.Input<string>;
  /** The Dev Portal workspace. Default `default`. */
  readonly workspace?: pulumi.Input<string>;
  /** The command. Default `["portal", "deploy", <workspace>]`. Changing it (after a run) runs it again. */
  readonly command?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The `app_version` that `workspaces/<workspace>/portal.conf.yaml` must declare before the command
   * runs. Default `0fcefa7` (the guide's); `""` skips the check. Changing it (after a run) runs again.
   */
  readonly appVersion?: pulumi.Input<string>;
  /** Extra environment of the command (not secrets: it is stored in state as given). */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** What the resource ran. */
export interface PortalRun {
  readonly command: string[];
  readonly cwd: string;
  readonly exitCode: number;
  readonly durationMs: number;
  /** ISO time it ended. */
  readonly finishedAt: string;
  /** What makes a later run necessary: command, directory, workspace and app version. */
  readonly key: string;
}

export interface PortalInputs {
  readonly finished: boolean;
  readonly templatesDirectory: string;
  readonly workspace: string;
  readonly command: string[];
  readonly appVersion: string;
  readonly env: Record<string, string>;
}

export interface PortalOutputs extends PortalInputs {
  /** `waiting-for-finish` (nothing ran for these inputs yet) or `deployed`. */
  readonly status: "waiting-for-finish" | "deployed";
  /** The last run (kept while a later upgrade waits for its own finish). */
  readonly ran?: PortalRun;
}

/** The inputs with defaults filled in. Pure. */
export function portalInputs(raw: Record<string, unknown>): PortalInputs {
  const workspace = typeof raw.workspace === "string" && raw.workspace !== "" ? raw.workspace : "default";
  const command = Array.isArray(raw.command) && raw.command.length > 0 ? raw.command.map(String) : ["portal", "deploy", workspace];
  return {
    finished: raw.finished === true,
    templatesDirectory: String(raw.templatesDirectory ?? ""),
    workspace,
    command,
    appVersion: typeof raw.appVersion === "string" ? raw.appVersion : GUIDE_APP_VERSION,
    env: (raw.env ?? {}) as Record<string, string>,
  };
}

export const runKey = (i: PortalInputs) => JSON.stringify([i.command, i.templatesDirectory, i.workspace, i.appVersion]);

/** Whether this update runs the command. Pure: never before `finish`, once per run key. */
export function decide(inputs: PortalInputs, previous: PortalRun | undefined): "wait" | "run" | "done" {
  if (!inputs.finished) return "wait";
  return previous?.key === runKey(inputs) ? "done" : "run";
}

/** Refusals of `check`, one per property. Pure. */
export function portalFailures(raw: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const dir = raw.templatesDirectory;
  if (typeof dir === "string" && !dir.startsWith("/")) {
    failures.push({
      property: "templatesDirectory",
      reason: `templatesDirectory must be an absolute path (got ${JSON.stringify(dir)}): the command runs in the provider's own process; give e.g. path.resolve(${JSON.stringify(dir)}).`,
    });
  }
  if (raw.command !== undefined && Array.isArray(raw.command) && raw.command.length === 0) {
    failures.push({ property: "command", reason: `command is empty: leave it out for ["portal", "deploy", <workspace>].` });
  }
  return failures;
}

// The provider is serialized into state: no captured state, modules required inside the methods.
const portalDeployProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: portalFailures(news) };
  },

  async diff(_id, olds: PortalOutputs, news) {
    const n = portalInputs(news);
    const changed = (["finished", "templatesDirectory", "workspace", "command", "appVersion", "env"] as const).filter(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(n[k]),
    );
    return { changes: changed.length > 0 };
  },

  async create(news) {
    const inputs = portalInputs(news);
    return { id: "portal-deploy", outs: await apply(inputs, undefined) };
  },

  async update(_id, olds: PortalOutputs, news) {
    return { outs: await apply(portalInputs(news), olds.ran) };
  },

  async read(id, props) {
    return { id, props };
  },

  async delete() {
    // A deploy cannot be taken back: the templates stay where Kong stores them.
  },
};

async function apply(inputs: PortalInputs, previous: PortalRun | undefined): Promise<PortalOutputs> {
  const decision = decide(inputs, previous);
  if (decision === "wait") {
    console.log(`Dev Portal step waits: finished is false (kong migrations finish has not run at the target version yet)`);
    return {
      ...inputs,
      status: previous?.key === runKey(inputs) ? "deployed" : "waiting-for-finish",
      ...(previous ? { ran: previous } : {}),
    };
  }
  if (decision === "done") return { ...inputs, status: "deployed", ran: previous };

  const fs = require("node:fs") as typeof import("node:fs");
  const path = require("node:path") as typeof import("node:path");
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  if (inputs.appVersion !== "") {
    const conf = path.join(inputs.templatesDirectory, "workspaces", inputs.workspace, "portal.conf.yaml");
    const text = fs.existsSync(conf) ? fs.readFileSync(conf, "utf8") : undefined;
    const declared = text?.match(/^app_version:\s*["']?([^"'\s#]+)/m)?.[1];
    if (declared !== inputs.appVersion) {
      throw new Error(
        `${conf} ${text === undefined ? "does not exist" : declared ? `declares app_version: ${declared}` : "declares no app_version"}, ` +
          `but the Kong Enterprise 2.1 Dev Portal needs app_version: ${inputs.appVersion} (Kong's "Migrating from 1.5.x to 2.1.x", ` +
          `Dev Portal section): apply the guide's template changes there, then run pulumi up again. Nothing was deployed.`,
      );
    }
  }
  const started = Date.now();
  const { code, tail } = await new Promise<{ code: number; tail: string[] }>((resolve, reject) => {
    const child = spawn(inputs.command[0], inputs.command.slice(1), {
      cwd: inputs.templatesDirectory,
      env: { ...process.env, ...inputs.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const onData = (d: Buffer) => {
      for (const line of d
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== "")) {
        console.log(`portal: ${line}`);
        lines.push(line);
        if (lines.length > 20) lines.shift();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (e) =>
      reject(
        new Error(
          `could not start ${JSON.stringify(inputs.command[0])} in ${inputs.templatesDirectory}: ${e.message}. Nothing was deployed.`,
        ),
      ),
    );
    child.once("close", (c) => resolve({ code: c ?? 1, tail: lines }));
  });
  if (code !== 0) {
    throw new Error(
      `${inputs.command.join(" ")} exited ${code} in ${inputs.templatesDirectory}; the next pulumi up runs it again:\n${tail.join("\n")}`,
    );
  }
  const ran: PortalRun = {
    command: inputs.command,
    cwd: inputs.templatesDirectory,
    exitCode: code,
    durationMs: Date.now() - started,
    finishedAt: new Date().toISOString(),
    key: runKey(inputs),
  };
  console.log(`ran ${inputs.command.join(" ")} in ${inputs.templatesDirectory}: exit 0`);
  return { ...inputs, status: "deployed", ran };
}

export { portalDeployProvider };

export class PortalDeploy extends pulumi.dynamic.Resource {
  /** `waiting-for-finish` or `deployed`. */
  declare readonly status: pulumi.Output<"waiting-for-finish" | "deployed">;
  /** The last run of the command (absent until it ran). */
  declare readonly ran: pulumi.Output<PortalRun | undefined>;

  constructor(name: string, args: PortalDeployArgs, opts?: pulumi.CustomResourceOptions) {
    super(portalDeployProvider, name, { ...args, status: undefined, ran: undefined }, opts, "kong-migrations-example", "PortalDeploy");
  }
}
