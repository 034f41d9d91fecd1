/**
 * Validation and normalization of the resource's inputs (the `check` half that needs no I/O).
 * Every failure names the property and the next step. Pure.
 */
import type { Edition, KongTarget } from "./kong/catalogue-types";
import { checkVersion } from "./kong/catalogue";
import { checkRelease } from "./kong/releases";
import { DATABASE_KEYS, KUBERNETES_RUNNER_KEYS, LOCAL_RUNNER_KEYS, USER_KEYS, unknownKeys } from "./input-keys";
import { DATABASE_DEFAULTS, type DatabaseSettings } from "./postgres/settings";
import { hasPeer, missingPeerMessage } from "./optional-peers";
import { backupInput, type BackupInput } from "./backup/backup-input";
import type { IrreversibleNotice } from "./backup/irreversible";
import { answerableByKongOnly, planWithOf, type PlanWith } from "./plan-with";

/** Pulumi's unknown-value sentinel: what an unknown input looks like to a dynamic provider in preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export interface LocalRunnerInput {
  readonly kind: "local";
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface KubernetesRunnerInput {
  readonly kind: "kubernetes";
  readonly namespace: string;
  readonly image?: string;
  readonly kubeconfig?: string;
  readonly passwordSecret?: { readonly name: string; readonly key: string };
  readonly oldPodSelector?: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly serviceAccountName?: string;
}

/** What the provider plans, recorded by `check` as a computed input so that previews show it. */
export interface PlanSummary {
  /** `kong migrations up`, ... or `none`. */
  readonly command: string;
  /**
   * The migration names per subsystem the command runs, keyed by the command, so that a preview
   * shows the previous plan removed and the new one added whole (`+ "kong migrations up": {...}`)
   * rather than an element-wise diff of two unrelated lists. Empty when nothing runs.
   */
  readonly wouldRun: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly reason: string;
  /**
   * `kong` when the runner's Kong listed the migrations (`kong migrations list`); `database` when
   * read from PostgreSQL and planned with the catalogue; `catalogue` when the database could not be
   * reached.
   */
  readonly source: "kong" | "database" | "catalogue";
  readonly warnings?: readonly string[];
  /** Set when the command cannot be undone (`finish`): what runs, and where the backup goes first. */
  readonly irreversible?: IrreversibleNotice;
}

/** The checked inputs as stored in state (the password is a separate, secret input). */
export interface Inputs {
  readonly database: Omit<DatabaseSettings, "password">;
  readonly password?: string;
  readonly kongVersion: string;
  readonly edition: Edition;
  readonly plugins: readonly string[];
  readonly decommissionedOld: boolean;
  readonly runner: LocalRunnerInput | KubernetesRunnerInput;
  /** Who answers "what would run" (see `./plan-with.ts`). */
  readonly planWith: PlanWith;
  readonly lockTimeoutSeconds: number;
  readonly dbTimeoutSeconds: number;
  readonly commandTimeoutSeconds: number;
  /** Run `kong migrations migrate-community-to-enterprise` once (present only when true). */
  readonly migrateCommunityEntities?: true;
  /** Where the pg_dump taken before an irreversible step goes (`./backup/backup-input.ts`); none when absent. */
  readonly backup?: BackupInput;
  readonly plan?: PlanSummary;
}

export interface Failure {
  readonly property: string;
  readonly reason: string;
}

export const DEFAULT_TIMEOUTS = { lockTimeoutSeconds: 60, dbTimeoutSeconds: 60, commandTimeoutSeconds: 1800 } as const;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function stringMap(value: unknown, property: string, failures: Failure[], example: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== "string")) {
    failures.push({
      property,
      reason: `${property} must map names to strings (got ${JSON.stringify(value)}): give an object such as ${example}, or leave it out.`,
    });
    return {};
  }
  return value as Record<string, string>;
}

function positiveInt(value: unknown, property: string, fallback: number, failures: Failure[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 86400) {
    failures.push({
      property,
      reason: `${property} must be a whole number of seconds from 1 to 86400 (got ${JSON.stringify(value)}): set one, or leave it out for the default ${fallback}.`,
    });
    return fallback;
  }
  return value;
}

function text(value: unknown, property: string, fallback: string | undefined, failures: Failure[]): string | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") {
    failures.push({
      property,
      reason:
        `${property} must be a string (got ${typeof value}): give it as text` +
        (fallback !== undefined ? `, or leave it out for the default ${JSON.stringify(fallback)}.` : "."),
    });
    return fallback;
  }
  return value;
}

function bool(value: unknown, property: string, fallback: boolean, failures: Failure[]): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    failures.push({
      property,
      reason: `${property} must be true or false (got ${JSON.stringify(value)}): set a boolean (not a string or number), or leave it out for ${fallback}.`,
    });
    return fallback;
  }
  return value;
}

/** Why a schema name is not one a user means (Kong's KONG_PG_SCHEMA), or undefined. */
function schemaProblem(schema: string): string | undefined {
  const fix =
    "give the name of an existing PostgreSQL schema (KONG_PG_SCHEMA), or leave it out for the server's search_path (usually public).";
  if (schema.trim() === "") return `is empty: ${fix}`;
  if (/["';\\]/.test(schema) || [...schema].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return `${JSON.stringify(schema)} contains quotes, a semicolon, a backslash or a control character: ${fix}`;
  }
  if (Buffer.byteLength(schema, "utf8") > 63) return `${JSON.stringify(schema)} is longer than PostgreSQL's 63-byte limit: ${fix}`;
  if (schema !== schema.trim()) return `${JSON.stringify(schema)} has leading or trailing spaces: ${fix}`;
  return undefined;
}

/** A Kubernetes DNS-1123 label (namespaces) or subdomain (service accounts, Secret names). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Optional non-empty string: undefined when absent; a failure for another type or "". */
function optionalText(value: unknown, property: string, what: string, failures: Failure[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    failures.push({
      property,
      reason: `${property} must be a non-empty string: ${what} (got ${JSON.stringify(value)}); leave it out for the default.`,
    });
    return undefined;
  }
  return value;
}

function kubeconfigProblem(text: string): string | undefined {
  if (!text.includes("\n") && /^(~|\.{0,2}\/|[A-Za-z]:\\)|(^|\/)config$|\.ya?ml$/.test(text.trim())) {
    return `runner.kubeconfig looks like a file path (${JSON.stringify(text)}): pass the file's contents (e.g. fs.readFileSync(path, "utf8") or a secret config value), or leave it out to use $KUBECONFIG / ~/.kube/config.`;
  }
  if (!/(^|\n|\{|,)\s*"?clusters"?\s*:/.test(text)) {
    return "runner.kubeconfig is not a kubeconfig: it has no clusters. Pass the contents of a kubeconfig file (apiVersion: v1, kind: Config, clusters, users, contexts), or leave it out to use the in-cluster account or $KUBECONFIG.";
  }
  return undefined;
}

/** Validates `database` (Kong's `KONG_PG_*` meanings and defaults); failures name `database.*`. */
export function database(raw: unknown, failures: Failure[]): { settings: Inputs["database"]; password?: string } {
  const d = isObject(raw) ? raw : {};
  if (!isObject(raw)) failures.push({ property: "database", reason: "database is required: give at least database.host." });
  const host = text(d.host, "database.host", DATABASE_DEFAULTS.host, failures)!;
  if (host.trim() === "")
    failures.push({
      property: "database.host",
      reason: "database.host is empty: give the PostgreSQL host name or address (Kong's KONG_PG_HOST).",
    });
  let port: number = DATABASE_DEFAULTS.port;
  if (d.port !== undefined) {
    if (typeof d.port !== "number" || !Number.isInteger(d.port) || d.port < 1 || d.port > 65535) {
      failures.push({
        property: "database.port",
        reason: `database.port must be a whole number from 1 to 65535 (got ${JSON.stringify(d.port)}): give the PostgreSQL port (KONG_PG_PORT), or leave it out for 5432.`,
      });
    } else port = d.port;
  }
  const user = text(d.user, "database.user", DATABASE_DEFAULTS.user, failures)!;
  if (user === "")
    failures.push({ property: "database.user", reason: "database.user is empty: give the PostgreSQL role Kong uses (KONG_PG_USER)." });
  const name = text(d.database, "database.database", DATABASE_DEFAULTS.database, failures)!;
  if (name === "")
    failures.push({ property: "database.database", reason: "database.database is empty: give the database name (KONG_PG_DATABASE)." });
  const schema = text(d.schema, "database.schema", undefined, failures);
  if (schema !== undefined) {
    const bad = schemaProblem(schema);
    if (bad) failures.push({ property: "database.schema", reason: `database.schema ${bad}` });
  }
  for (const f of unknownKeys(d, DATABASE_KEYS, "database.")) failures.push(f);
  const settings = {
    host,
    port,
    user,
    database: name,
    ...(schema ? { schema } : {}),
    ssl: bool(d.ssl, "database.ssl", DATABASE_DEFAULTS.ssl, failures),
    sslVerify: bool(d.sslVerify, "database.sslVerify", DATABASE_DEFAULTS.sslVerify, failures),
  };
  return { settings, password: text(d.password, "database.password", undefined, failures) };
}

function runner(raw: unknown, failures: Failure[]): Inputs["runner"] {
  if (raw === undefined) return { kind: "local", command: ["kong"], env: {} };
  if (!isObject(raw)) {
    failures.push({ property: "runner", reason: `runner must be { kind: "local", ... } or { kind: "kubernetes", ... }.` });
    return { kind: "local", command: ["kong"], env: {} };
  }
  const env = stringMap(raw.env, "runner.env", failures, '{ KONG_LOG_LEVEL: "debug" }');
  if (raw.kind === "local" || raw.kind === undefined || raw.kind === "kubernetes") {
    const isLocal = raw.kind !== "kubernetes";
    const own = isLocal ? LOCAL_RUNNER_KEYS : KUBERNETES_RUNNER_KEYS;
    const other = isLocal ? KUBERNETES_RUNNER_KEYS : LOCAL_RUNNER_KEYS;
    for (const f of unknownKeys(raw, own, "runner.")) {
      const key = f.property.slice("runner.".length);
      failures.push(
        (other as readonly string[]).includes(key)
          ? {
              property: f.property,
              reason: `${f.property} belongs to the ${isLocal ? "Kubernetes Job" : "local"} runner (kind: "${isLocal ? "kubernetes" : "local"}"), but runner.kind is "${isLocal ? "local" : "kubernetes"}": set runner.kind or remove ${f.property}.`,
            }
          : f,
      );
    }
  }
  for (const key of Object.keys(env)) {
    if (key === "KONG_PG_PASSWORD" || key === "KONG_PG_PASSWORD_FILE") {
      failures.push({
        property: "runner.env",
        reason: `runner.env must not carry ${key}: pass the password as database.password (a secret) instead.`,
      });
    }
  }
  if (raw.kind === "local" || raw.kind === undefined) {
    const command = raw.command === undefined ? ["kong"] : raw.command;
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== "string" || c === "")) {
      failures.push({
        property: "runner.command",
        reason: `runner.command must be a non-empty list of non-empty strings, e.g. ["kong"] (got ${JSON.stringify(raw.command)}).`,
      });
      return { kind: "local", command: ["kong"], env };
    }
    return { kind: "local", command: command as string[], env };
  }
  if (raw.kind === "kubernetes") {
    if (!hasPeer("@kubernetes/client-node")) {
      failures.push({ property: "runner.kind", reason: missingPeerMessage("@kubernetes/client-node", 'runner { kind: "kubernetes" }') });
    }
    const namespace = text(raw.namespace, "runner.namespace", undefined, failures);
    if (!namespace && (raw.namespace === undefined || raw.namespace === null || raw.namespace === ""))
      failures.push({
        property: "runner.namespace",
        reason: 'runner.namespace is required for the Kubernetes Job runner: give the namespace the Job runs in (e.g. "kong").',
      });
    else if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
      failures.push({
        property: "runner.namespace",
        reason: `runner.namespace ${JSON.stringify(namespace)} is not a Kubernetes namespace name (lower-case letters, digits and "-", at most 63): give the namespace the Job runs in.`,
      });
    }
    const image = optionalText(raw.image, "runner.image", 'the Kong image of the Job, e.g. "kong:2.1.4"', failures);
    if (image !== undefined && /\s/.test(image)) {
      failures.push({
        property: "runner.image",
        reason: `runner.image ${JSON.stringify(image)} contains whitespace: give an image reference such as "kong:2.1.4", or leave it out for kong:<kongVersion>.`,
      });
    }
    const kubeconfig = optionalText(raw.kubeconfig, "runner.kubeconfig", "the contents of a kubeconfig file (a secret)", failures);
    const kcProblem = kubeconfig !== undefined ? kubeconfigProblem(kubeconfig) : undefined;
    if (kcProblem) failures.push({ property: "runner.kubeconfig", reason: kcProblem });
    const serviceAccountName = optionalText(
      raw.serviceAccountName,
      "runner.serviceAccountName",
      "the service account of the Job's pod",
      failures,
    );
    if (serviceAccountName !== undefined && !DNS_SUBDOMAIN.test(serviceAccountName)) {
      failures.push({
        property: "runner.serviceAccountName",
        reason: `runner.serviceAccountName ${JSON.stringify(serviceAccountName)} is not a Kubernetes name (lower-case letters, digits, "-" and "."): give an existing service account, or leave it out for the namespace's default.`,
      });
    }
    const ps = raw.passwordSecret;
    if (ps !== undefined && !(isObject(ps) && typeof ps.name === "string" && ps.name && typeof ps.key === "string" && ps.key)) {
      failures.push({
        property: "runner.passwordSecret",
        reason: `runner.passwordSecret must be { name, key } of a Kubernetes Secret in runner.namespace (got ${JSON.stringify(ps)}); leave it out to pass database.password through the Job's environment.`,
      });
    }
    const selector =
      raw.oldPodSelector === undefined
        ? undefined
        : stringMap(raw.oldPodSelector, "runner.oldPodSelector", failures, '{ "app.kubernetes.io/instance": "kong-blue" }');
    const out: KubernetesRunnerInput = {
      kind: "kubernetes",
      namespace: namespace ?? "",
      env,
      ...(image !== undefined ? { image } : {}),
      ...(kubeconfig !== undefined ? { kubeconfig } : {}),
      ...(isObject(ps) ? { passwordSecret: { name: String(ps.name), key: String(ps.key) } } : {}),
      ...(selector ? { oldPodSelector: selector } : {}),
      ...(serviceAccountName !== undefined ? { serviceAccountName } : {}),
    };
    return out;
  }
  failures.push({
    property: "runner.kind",
    reason: `runner.kind must be "local" or "kubernetes" (got ${JSON.stringify(raw.kind)}): use "local" to run a kong command on this machine (also docker run ..., through runner.command) or "kubernetes" for a Job.`,
  });
  return { kind: "local", command: ["kong"], env };
}

/** A plugin name as Kong loads it (`kong.plugins.<name>.handler`): no quotes, separators or spaces. */
const PLUGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Validates and fills defaults. Unknown values (preview) are kept as they are and not validated. */
export function normalizeInputs(news: Raw): { inputs: Inputs; failures: Failure[] } {
  const failures: Failure[] = [...unknownKeys(news, USER_KEYS)];
  const db = database(news.database, failures);
  const password = text(news.password, "password", undefined, failures) ?? db.password;

  const edition = news.edition ?? "oss";
  if (edition !== "oss" && edition !== "enterprise" && edition !== UNKNOWN) {
    failures.push({
      property: "edition",
      reason: `edition must be "oss" or "enterprise" (got ${JSON.stringify(edition)}): set the edition your Kong nodes run, or leave it out for "oss".`,
    });
  }
  const kongVersion = news.kongVersion;
  if (typeof kongVersion !== "string" || kongVersion === "") {
    failures.push({ property: "kongVersion", reason: `kongVersion is required: the Kong version the new nodes run, e.g. "2.1.4".` });
  } else if (kongVersion !== UNKNOWN && (edition === "oss" || edition === "enterprise")) {
    const verdict = checkVersion(kongVersion, edition);
    // A release of a series the catalogue does not know is planned from Kong's own list (planWith: "kong").
    const deferred = answerableByKongOnly(kongVersion, edition) && (news.planWith ?? "kong") === "kong" && isLocalOrKongPlanned(news);
    const release = verdict.ok ? checkRelease(kongVersion, edition) : verdict;
    if (!release.ok && !deferred) failures.push({ property: "kongVersion", reason: release.reason });
  }
  let plugins: string[] = ["bundled"];
  if (news.plugins !== undefined) {
    if (!Array.isArray(news.plugins) || news.plugins.some((p) => typeof p !== "string" || p.trim() === "" || p.includes(","))) {
      failures.push({
        property: "plugins",
        reason: `plugins must be a list of plugin names (KONG_PLUGINS), e.g. ["bundled", "my-plugin"] (got ${JSON.stringify(news.plugins)}).`,
      });
    } else if (news.plugins.length === 0) {
      failures.push({
        property: "plugins",
        reason: `plugins is empty: leave it out (or give ["bundled"]) for Kong's bundled plugins, or give ["off"] for none.`,
      });
    } else if (news.plugins.some((p) => !PLUGIN_NAME.test(p as string))) {
      const bad = news.plugins.filter((p) => !PLUGIN_NAME.test(p as string));
      failures.push({
        property: "plugins",
        reason:
          `plugins: ${bad.map((p) => JSON.stringify(p)).join(", ")} ${bad.length === 1 ? "is not a plugin name" : "are not plugin names"} ` +
          `(letters, digits, "-" and "_", as in kong.plugins.<name>): give the names KONG_PLUGINS lists, e.g. ["bundled", "my-plugin"].`,
      });
    } else if (new Set(news.plugins).size !== news.plugins.length) {
      failures.push({
        property: "plugins",
        reason: `plugins lists a name twice (${JSON.stringify(news.plugins)}): give each plugin once.`,
      });
    } else if (news.plugins.includes("off") && news.plugins.length > 1) {
      failures.push({
        property: "plugins",
        reason: `plugins: "off" cannot be combined with other names; use ["off"] alone for no plugins.`,
      });
    } else plugins = news.plugins as string[];
  }
  const runnerInput = runner(news.runner, failures);
  const backup = backupInput(news.backup, runnerInput.kind, failures);
  const inputs: Inputs = {
    database: db.settings,
    ...(password !== undefined ? { password } : {}),
    kongVersion: typeof kongVersion === "string" ? kongVersion : "",
    edition: (edition as Edition) ?? "oss",
    plugins,
    decommissionedOld: bool(news.decommissionedOld, "decommissionedOld", false, failures),
    runner: runnerInput,
    planWith: planWithOf(news.planWith, runnerInput.kind, failures),
    lockTimeoutSeconds: positiveInt(news.lockTimeoutSeconds, "lockTimeoutSeconds", DEFAULT_TIMEOUTS.lockTimeoutSeconds, failures),
    dbTimeoutSeconds: positiveInt(news.dbTimeoutSeconds, "dbTimeoutSeconds", DEFAULT_TIMEOUTS.dbTimeoutSeconds, failures),
    commandTimeoutSeconds: positiveInt(
      news.commandTimeoutSeconds,
      "commandTimeoutSeconds",
      DEFAULT_TIMEOUTS.commandTimeoutSeconds,
      failures,
    ),
    ...(bool(news.migrateCommunityEntities, "migrateCommunityEntities", false, failures)
      ? { migrateCommunityEntities: true as const }
      : {}),
    ...(backup ? { backup } : {}),
  };
  // In preview, unknown values are not failures: they are checked again during the update.
  return { inputs, failures: failures.filter((f) => !containsUnknown(valueAt(news, f.property))) };
}

/** planWith resolves to "kong": given so, or left to the default of a local runner. */
function isLocalOrKongPlanned(news: Raw): boolean {
  if (news.planWith === "kong") return true;
  const r = news.runner;
  return r === undefined || (isObject(r) && (r.kind === undefined || r.kind === "local"));
}

function valueAt(obj: Raw, property: string): unknown {
  let v: unknown = obj;
  for (const part of property.split(".")) v = isObject(v) ? v[part] : undefined;
  if (v === undefined && property.startsWith("database.") && isObject(obj.database) === false) return obj.database;
  return v;
}

/** The Kong nodes the inputs describe. */
export function targetOf(inputs: Inputs): KongTarget {
  return { version: inputs.kongVersion, edition: inputs.edition, plugins: inputs.plugins };
}

/** The settings Kong and `pg` need, password included. */
export function databaseSettings(inputs: Inputs): DatabaseSettings {
  return { ...inputs.database, ...(inputs.password !== undefined ? { password: inputs.password } : {}) };
}
