/**
 * The bad-input table (issue 10, item 4): every input a user can get wrong is refused by `check`
 * — at preview, before anything runs — naming the property and the next step, and the database
 * (its tables, `schema_meta` and `locks`) is exactly as it was.
 */
import { strict as assert } from "node:assert";
import { createDatabase, dropDatabase, query, type TestDatabase } from "../helpers/postgres";
import { inputsFor, kongSim, provider, type Raw } from "../helpers/provider-fixture";

/** The database a case runs against. */
type State = "empty" | "2.1.4" | "2.0.5" | "2.0.5+up 2.1.4" | "ee 2.8.4.2";

interface Case {
  readonly name: string;
  readonly state?: State;
  /** Replaces top-level inputs; `database`/`runner` given as functions change the base's. */
  readonly news: (base: Raw) => Raw;
  readonly property: string;
  readonly reason: RegExp;
}

const K8S = { kind: "kubernetes", namespace: "kong" };
const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: { server: https://127.0.0.1:6443 }\n";
const set = (o: Raw) => (b: Raw) => ({ ...b, ...o });
const db = (o: Raw) => (b: Raw) => ({ ...b, database: { ...(b.database as Raw), ...o } });
const runner = (o: Raw) => (b: Raw) => ({ ...b, runner: o });
const k8s = (o: Raw) => runner({ ...K8S, ...o });
const ee = (version: string) => set({ kongVersion: version, edition: "enterprise" });
const without = (key: string) => (b: Raw) => {
  const { [key]: _gone, ...rest } = b;
  void _gone;
  return rest;
};

/** A next step: every reason must tell the user what to do, not only what is wrong. */
const NEXT_STEP =
  /\b(give|set|leave it out|remove|use|upgrade|check|pass|run|did you mean|drop|finish|restore|return|lower|raise|keep)\b|:\s*"|e\.g\./i;

const CASES: readonly Case[] = [
  // kongVersion: types, shapes, releases that do not exist
  { name: "kongVersion missing", news: without("kongVersion"), property: "kongVersion", reason: /^kongVersion is required/ },
  { name: "kongVersion empty", news: set({ kongVersion: "" }), property: "kongVersion", reason: /^kongVersion is required/ },
  { name: "kongVersion a number", news: set({ kongVersion: 2.1 }), property: "kongVersion", reason: /^kongVersion is required/ },
  {
    name: "kongVersion with v prefix",
    news: set({ kongVersion: "v2.1.4" }),
    property: "kongVersion",
    reason: /drop the "v" prefix \("2\.1\.4"\)/,
  },
  {
    name: "kongVersion two parts",
    news: set({ kongVersion: "2.1" }),
    property: "kongVersion",
    reason: /^"2\.1" is not a Kong version \(expected MAJOR\.MINOR\.PATCH/,
  },
  {
    name: "kongVersion pre-release",
    news: set({ kongVersion: "2.1.4-beta1" }),
    property: "kongVersion",
    reason: /^"2\.1\.4-beta1" is not a Kong version/,
  },
  { name: "kongVersion latest", news: set({ kongVersion: "latest" }), property: "kongVersion", reason: /^"latest" is not a Kong version/ },
  {
    name: "kongVersion with spaces",
    news: set({ kongVersion: " 2.1.4" }),
    property: "kongVersion",
    reason: /^" 2\.1\.4" is not a Kong version/,
  },
  {
    name: "non-existent release 2.1.99",
    news: set({ kongVersion: "2.1.99" }),
    property: "kongVersion",
    reason: /^Kong 2\.1\.99 is not a release: the newest 2\.1 release this package knows is 2\.1\.4\. Check/,
  },
  {
    name: "non-existent release 2.1.5",
    news: set({ kongVersion: "2.1.5" }),
    property: "kongVersion",
    reason: /^Kong 2\.1\.5 is not a release/,
  },
  {
    name: "non-existent release 3.9.9",
    news: set({ kongVersion: "3.9.9" }),
    property: "kongVersion",
    reason: /^Kong 3\.9\.9 is not a release: the newest 3\.9 release this package knows is 3\.9\.3/,
  },
  {
    name: "non-existent release 1.5.7",
    news: set({ kongVersion: "1.5.7" }),
    property: "kongVersion",
    reason: /^Kong 1\.5\.7 is not a release/,
  },
  {
    name: "older than the catalogue 0.14.1",
    news: set({ kongVersion: "0.14.1" }),
    property: "kongVersion",
    reason: /^Kong 0\.14\.1 is older than this package's catalogue/,
  },
  {
    name: "newer than the catalogue 9.9.0",
    // planWith "kong" (the local runner's default) defers an uncatalogued series to the runner's Kong
    // (preview-kong.test.ts); planning with the catalogue alone refuses it.
    news: set({ kongVersion: "9.9.0", planWith: "catalogue" }),
    property: "kongVersion",
    reason: /^Kong 9\.9\.0 is newer than this package's catalogue .*upgrade pulumi-kong-migrations$/,
  },
  {
    name: "OSS version with four parts",
    news: set({ kongVersion: "2.1.4.1" }),
    property: "kongVersion",
    reason: /has four components, which only Kong Enterprise versions have: set edition to "enterprise"/,
  },
  // Enterprise/OSS version shapes
  {
    name: "Enterprise 2.1.4 with three parts",
    news: ee("2.1.4"),
    property: "kongVersion",
    reason: /^"2\.1\.4" has three components, but Kong Enterprise versions have four .*e\.g\. 2\.1\.4\.0.*or set edition to "oss"/,
  },
  { name: "Enterprise 3.4.3 with three parts", news: ee("3.4.3"), property: "kongVersion", reason: /^"3\.4\.3" has three components/ },
  {
    name: "Enterprise 2.8.4.999",
    news: ee("2.8.4.999"),
    property: "kongVersion",
    reason: /^Kong Enterprise 2\.8\.4\.999 is not a release: its build number 999 is implausible/,
  },
  {
    name: "Enterprise 2.8.9.0",
    news: ee("2.8.9.0"),
    property: "kongVersion",
    reason: /^Kong Enterprise 2\.8\.9\.0 is not a release: the newest 2\.8 release this package knows is 2\.8\.4\.x/,
  },
  { name: "Enterprise 3.9.7.1", news: ee("3.9.7.1"), property: "kongVersion", reason: /^Kong Enterprise 3\.9\.7\.1 is not a release/ },
  {
    name: "Enterprise 2.0.5.0 (there was no EE 2.0)",
    news: ee("2.0.5.0"),
    property: "kongVersion",
    reason: /Kong Enterprise 2\.0\.5\.0 is (older than|not a release series)/,
  },
  {
    name: "Enterprise 9.0.0.0",
    news: ee("9.0.0.0"),
    property: "kongVersion",
    reason: /^Kong Enterprise 9\.0\.0\.0 is newer than this package's catalogue/,
  },
  {
    name: "Enterprise version with five parts",
    news: ee("2.8.4.2.1"),
    property: "kongVersion",
    reason: /^"2\.8\.4\.2\.1" is not a Kong version \(expected MAJOR\.MINOR\.PATCH\[\.BUILD\]/,
  },
  // edition
  {
    name: "edition community",
    news: set({ edition: "community" }),
    property: "edition",
    reason: /^edition must be "oss" or "enterprise" \(got "community"\): set the edition your Kong nodes run, or leave it out for "oss"\.$/,
  },
  {
    name: "edition upper case",
    news: set({ edition: "OSS" }),
    property: "edition",
    reason: /^edition must be "oss" or "enterprise" \(got "OSS"\): /,
  },
  { name: "edition empty", news: set({ edition: "" }), property: "edition", reason: /\(got ""\)/ },
  { name: "edition a number", news: set({ edition: 1 }), property: "edition", reason: /\(got 1\)/ },
  // decommissionedOld
  {
    name: "decommissionedOld a string",
    news: set({ decommissionedOld: "true" }),
    property: "decommissionedOld",
    reason:
      /^decommissionedOld must be true or false \(got "true"\): set a boolean \(not a string or number\), or leave it out for false\.$/,
  },
  { name: "decommissionedOld a number", news: set({ decommissionedOld: 1 }), property: "decommissionedOld", reason: /\(got 1\)/ },
  { name: "decommissionedOld null", news: set({ decommissionedOld: null }), property: "decommissionedOld", reason: /\(got null\)/ },
  // unknown top-level keys
  {
    name: "misspelled decomissionedOld",
    news: set({ decomissionedOld: true }),
    property: "decomissionedOld",
    reason:
      /^decomissionedOld is not an input of KongDatabaseMigration: did you mean decommissionedOld\? Valid keys: database, password, kongVersion/,
  },
  { name: "kongversion in lower case", news: set({ kongversion: "2.1.4" }), property: "kongversion", reason: /did you mean kongVersion\?/ },
  { name: "plugin instead of plugins", news: set({ plugin: ["acl"] }), property: "plugin", reason: /did you mean plugins\?/ },
  {
    name: "lockTimeout without Seconds",
    news: set({ lockTimeout: 5 }),
    property: "lockTimeout",
    reason: /did you mean lockTimeoutSeconds\?/,
  },
  {
    name: "commandTimeout without Seconds",
    news: set({ commandTimeout: 5 }),
    property: "commandTimeout",
    reason: /did you mean commandTimeoutSeconds\?/,
  },
  { name: "databse", news: set({ databse: { host: "x" } }), property: "databse", reason: /did you mean database\?/ },
  {
    name: "a key with no near match",
    news: set({ replicas: 3 }),
    property: "replicas",
    reason: /^replicas is not an input of KongDatabaseMigration: remove it\. Valid keys: database, password, kongVersion/,
  },
  {
    name: "an output given as input",
    news: set({ phase: "up-to-date" }),
    property: "phase",
    reason: /^phase is an output of KongDatabaseMigration, read from the database; remove it from the inputs\.$/,
  },
  // timeouts
  {
    name: "lockTimeoutSeconds 0",
    news: set({ lockTimeoutSeconds: 0 }),
    property: "lockTimeoutSeconds",
    reason:
      /^lockTimeoutSeconds must be a whole number of seconds from 1 to 86400 \(got 0\): set one, or leave it out for the default 60\.$/,
  },
  { name: "lockTimeoutSeconds negative", news: set({ lockTimeoutSeconds: -1 }), property: "lockTimeoutSeconds", reason: /\(got -1\)/ },
  { name: "lockTimeoutSeconds fractional", news: set({ lockTimeoutSeconds: 1.5 }), property: "lockTimeoutSeconds", reason: /\(got 1\.5\)/ },
  { name: "lockTimeoutSeconds a string", news: set({ lockTimeoutSeconds: "60" }), property: "lockTimeoutSeconds", reason: /\(got "60"\)/ },
  {
    name: "lockTimeoutSeconds over a day",
    news: set({ lockTimeoutSeconds: 86401 }),
    property: "lockTimeoutSeconds",
    reason: /\(got 86401\)/,
  },
  {
    name: "dbTimeoutSeconds 0",
    news: set({ dbTimeoutSeconds: 0 }),
    property: "dbTimeoutSeconds",
    reason: /^dbTimeoutSeconds must be .*default 60\.$/,
  },
  { name: "dbTimeoutSeconds NaN", news: set({ dbTimeoutSeconds: NaN }), property: "dbTimeoutSeconds", reason: /\(got null\)/ },
  {
    name: "commandTimeoutSeconds Infinity",
    news: set({ commandTimeoutSeconds: Infinity }),
    property: "commandTimeoutSeconds",
    reason: /default 1800\.$/,
  },
  {
    name: "commandTimeoutSeconds a string",
    news: set({ commandTimeoutSeconds: "1800" }),
    property: "commandTimeoutSeconds",
    reason: /\(got "1800"\)/,
  },
  {
    name: "commandTimeoutSeconds null",
    news: set({ commandTimeoutSeconds: null }),
    property: "commandTimeoutSeconds",
    reason: /\(got null\)/,
  },
  // plugins
  {
    name: "plugins empty list",
    news: set({ plugins: [] }),
    property: "plugins",
    reason: /^plugins is empty: leave it out \(or give \["bundled"\]\) for Kong's bundled plugins, or give \["off"\] for none\.$/,
  },
  {
    name: "plugins a string",
    news: set({ plugins: "bundled" }),
    property: "plugins",
    reason: /^plugins must be a list of plugin names \(KONG_PLUGINS\)/,
  },
  {
    name: "plugins comma-joined",
    news: set({ plugins: ["bundled,acl"] }),
    property: "plugins",
    reason: /^plugins must be a list of plugin names/,
  },
  { name: "plugins empty name", news: set({ plugins: [""] }), property: "plugins", reason: /^plugins must be a list/ },
  { name: "plugins blank name", news: set({ plugins: ["  "] }), property: "plugins", reason: /^plugins must be a list/ },
  { name: "plugins a number", news: set({ plugins: [1] }), property: "plugins", reason: /^plugins must be a list/ },
  {
    name: "plugin name with quotes and a semicolon",
    news: set({ plugins: ["bundled", `acl"; DROP TABLE acls; --`] }),
    property: "plugins",
    reason: /^plugins: "acl\\"; DROP TABLE acls; --" is not a plugin name \(letters, digits, "-" and "_"/,
  },
  {
    name: "plugin name with an apostrophe",
    news: set({ plugins: ["it's"] }),
    property: "plugins",
    reason: /^plugins: "it's" is not a plugin name/,
  },
  { name: "plugin name with a space", news: set({ plugins: ["my plugin"] }), property: "plugins", reason: /is not a plugin name/ },
  {
    name: "plugin given as a module path",
    news: set({ plugins: ["kong.plugins.acl"] }),
    property: "plugins",
    reason: /is not a plugin name/,
  },
  {
    name: "plugins listed twice",
    news: set({ plugins: ["bundled", "bundled"] }),
    property: "plugins",
    reason: /^plugins lists a name twice/,
  },
  {
    name: "plugins off with others",
    news: set({ plugins: ["off", "acl"] }),
    property: "plugins",
    reason: /^plugins: "off" cannot be combined/,
  },
  // database
  {
    name: "database missing",
    news: without("database"),
    property: "database",
    reason: /^database is required: give at least database\.host\.$/,
  },
  {
    name: "database a URL string",
    news: set({ database: "postgres://kong@db/kong" }),
    property: "database",
    reason: /^database is required/,
  },
  {
    name: "database.host empty",
    news: db({ host: "" }),
    property: "database.host",
    reason: /^database\.host is empty: give the PostgreSQL host name/,
  },
  { name: "database.host blank", news: db({ host: "   " }), property: "database.host", reason: /^database\.host is empty/ },
  {
    name: "database.host a number",
    news: db({ host: 5 }),
    property: "database.host",
    reason: /^database\.host must be a string \(got number\): give it as text, or leave it out for the default "127\.0\.0\.1"\.$/,
  },
  {
    name: "database.port 0",
    news: db({ port: 0 }),
    property: "database.port",
    reason:
      /^database\.port must be a whole number from 1 to 65535 \(got 0\): give the PostgreSQL port \(KONG_PG_PORT\), or leave it out for 5432\.$/,
  },
  { name: "database.port 70000", news: db({ port: 70000 }), property: "database.port", reason: /\(got 70000\)/ },
  { name: "database.port a string", news: db({ port: "5432" }), property: "database.port", reason: /\(got "5432"\)/ },
  { name: "database.port fractional", news: db({ port: 5432.5 }), property: "database.port", reason: /\(got 5432\.5\)/ },
  {
    name: "database.user empty",
    news: db({ user: "" }),
    property: "database.user",
    reason: /^database\.user is empty: give the PostgreSQL role/,
  },
  { name: "database.user a number", news: db({ user: 1 }), property: "database.user", reason: /^database\.user must be a string/ },
  {
    name: "database.database empty",
    news: db({ database: "" }),
    property: "database.database",
    reason: /^database\.database is empty: give the database name/,
  },
  {
    name: "database.database a boolean",
    news: db({ database: false }),
    property: "database.database",
    reason: /must be a string \(got boolean\)/,
  },
  {
    name: "database.schema empty",
    news: db({ schema: "" }),
    property: "database.schema",
    reason: /^database\.schema is empty: give the name of an existing PostgreSQL schema/,
  },
  {
    name: "database.schema with a double quote",
    news: db({ schema: 'kong"; DROP SCHEMA public; --' }),
    property: "database.schema",
    reason: /contains quotes, a semicolon, a backslash or a control character: give the name/,
  },
  {
    name: "database.schema with quote and semicolon",
    news: db({ schema: "kong';" }),
    property: "database.schema",
    reason: /^database\.schema "kong';" contains quotes/,
  },
  {
    name: "database.schema with a newline",
    news: db({ schema: "kong\nx" }),
    property: "database.schema",
    reason: /contains quotes, a semicolon, a backslash or a control character/,
  },
  {
    name: "database.schema too long",
    news: db({ schema: "s".repeat(64) }),
    property: "database.schema",
    reason: /longer than PostgreSQL's 63-byte limit/,
  },
  { name: "database.schema padded", news: db({ schema: " kong" }), property: "database.schema", reason: /leading or trailing spaces/ },
  {
    name: "database.schema a number",
    news: db({ schema: 7 }),
    property: "database.schema",
    reason: /^database\.schema must be a string \(got number\): give it as text\.$/,
  },
  {
    name: "database.ssl a string",
    news: db({ ssl: "on" }),
    property: "database.ssl",
    reason: /^database\.ssl must be true or false \(got "on"\): set a boolean/,
  },
  {
    name: "database.sslVerify a string",
    news: db({ sslVerify: "true" }),
    property: "database.sslVerify",
    reason: /^database\.sslVerify must be true or false/,
  },
  {
    name: "database.hostname",
    news: db({ hostname: "db" }),
    property: "database.hostname",
    reason: /^database\.hostname is not an input of KongDatabaseMigration: did you mean database\.host\? Valid database keys: host, port/,
  },
  { name: "database.pasword", news: db({ pasword: "x" }), property: "database.pasword", reason: /did you mean database\.password\?/ },
  {
    name: "database.sslverify",
    news: db({ sslverify: true }),
    property: "database.sslverify",
    reason: /did you mean database\.sslVerify\?/,
  },
  { name: "database.name", news: db({ name: "kong" }), property: "database.name", reason: /^database\.name is not an input/ },
  {
    name: "password a number",
    news: set({ password: 123 }),
    property: "password",
    reason: /^password must be a string \(got number\): give it as text\.$/,
  },
  {
    name: "database.password an object",
    news: db({ password: {} }),
    property: "database.password",
    reason: /^database\.password must be a string \(got object\)/,
  },
  // runner shapes
  {
    name: "runner a string",
    news: set({ runner: "local" }),
    property: "runner",
    reason: /^runner must be \{ kind: "local", \.\.\. \} or \{ kind: "kubernetes", \.\.\. \}\.$/,
  },
  {
    name: "runner kind docker",
    news: runner({ kind: "docker" }),
    property: "runner.kind",
    reason: /^runner\.kind must be "local" or "kubernetes" \(got "docker"\): use "local" to run a kong command/,
  },
  {
    name: "runner.command empty",
    news: runner({ kind: "local", command: [] }),
    property: "runner.command",
    reason: /^runner\.command must be a non-empty list of non-empty strings, e\.g\. \["kong"\]/,
  },
  {
    name: "runner.command a string",
    news: runner({ kind: "local", command: "kong" }),
    property: "runner.command",
    reason: /\(got "kong"\)/,
  },
  {
    name: "runner.command empty word",
    news: runner({ kind: "local", command: [""] }),
    property: "runner.command",
    reason: /\(got \[""\]\)/,
  },
  {
    name: "runner.command a number in it",
    news: runner({ kind: "local", command: ["kong", 5] }),
    property: "runner.command",
    reason: /\(got \["kong",5\]\)/,
  },
  {
    name: "runner.env a number value",
    news: runner({ kind: "local", env: { KONG_LOG_LEVEL: 1 } }),
    property: "runner.env",
    reason:
      /^runner\.env must map names to strings \(got \{"KONG_LOG_LEVEL":1\}\): give an object such as \{ KONG_LOG_LEVEL: "debug" \}, or leave it out\.$/,
  },
  {
    name: "runner.env a list",
    news: runner({ kind: "local", env: ["A=1"] }),
    property: "runner.env",
    reason: /^runner\.env must map names to strings/,
  },
  {
    name: "runner.env with the password",
    news: runner({ kind: "local", env: { KONG_PG_PASSWORD: "x" } }),
    property: "runner.env",
    reason: /^runner\.env must not carry KONG_PG_PASSWORD: pass the password as database\.password/,
  },
  {
    name: "runner.env with the password file",
    news: runner({ kind: "local", env: { KONG_PG_PASSWORD_FILE: "/x" } }),
    property: "runner.env",
    reason: /must not carry KONG_PG_PASSWORD_FILE/,
  },
  {
    name: "local runner with an image",
    news: runner({ kind: "local", image: "kong:2.1.4" }),
    property: "runner.image",
    reason:
      /^runner\.image belongs to the Kubernetes Job runner \(kind: "kubernetes"\), but runner\.kind is "local": set runner\.kind or remove runner\.image\.$/,
  },
  {
    name: "local runner with cmd",
    news: runner({ kind: "local", cmd: ["kong"] }),
    property: "runner.cmd",
    reason: /did you mean runner\.command\?/,
  },
  {
    name: "runner.image 5",
    news: k8s({ image: 5 }),
    property: "runner.image",
    reason:
      /^runner\.image must be a non-empty string: the Kong image of the Job, e\.g\. "kong:2\.1\.4" \(got 5\); leave it out for the default\.$/,
  },
  { name: 'runner.image ""', news: k8s({ image: "" }), property: "runner.image", reason: /\(got ""\); leave it out for the default/ },
  { name: "runner.image with a space", news: k8s({ image: "kong 2.1.4" }), property: "runner.image", reason: /contains whitespace/ },
  {
    name: "Kubernetes runner without namespace",
    news: runner({ kind: "kubernetes" }),
    property: "runner.namespace",
    reason: /^runner\.namespace is required for the Kubernetes Job runner: give the namespace/,
  },
  { name: "runner.namespace empty", news: k8s({ namespace: "" }), property: "runner.namespace", reason: /^runner\.namespace is required/ },
  {
    name: "runner.namespace not a DNS label",
    news: k8s({ namespace: "Kong_NS" }),
    property: "runner.namespace",
    reason: /is not a Kubernetes namespace name/,
  },
  {
    name: "runner.namespace a number",
    news: k8s({ namespace: 5 }),
    property: "runner.namespace",
    reason: /^runner\.namespace must be a string/,
  },
  {
    name: "runner.kubeconfig a number",
    news: k8s({ kubeconfig: 5 }),
    property: "runner.kubeconfig",
    reason: /^runner\.kubeconfig must be a non-empty string: the contents of a kubeconfig file/,
  },
  { name: "runner.kubeconfig empty", news: k8s({ kubeconfig: "" }), property: "runner.kubeconfig", reason: /\(got ""\)/ },
  {
    name: "runner.kubeconfig a home path",
    news: k8s({ kubeconfig: "~/.kube/config" }),
    property: "runner.kubeconfig",
    reason: /^runner\.kubeconfig looks like a file path \("~\/\.kube\/config"\): pass the file's contents/,
  },
  {
    name: "runner.kubeconfig an absolute path",
    news: k8s({ kubeconfig: "/etc/kong/kubeconfig.yaml" }),
    property: "runner.kubeconfig",
    reason: /looks like a file path/,
  },
  {
    name: "runner.kubeconfig without clusters",
    news: k8s({ kubeconfig: "apiVersion: v1\nkind: Config\nusers: []\n" }),
    property: "runner.kubeconfig",
    reason: /^runner\.kubeconfig is not a kubeconfig: it has no clusters/,
  },
  {
    name: "runner.kubeconfig an object",
    news: k8s({ kubeconfig: { clusters: [] } }),
    property: "runner.kubeconfig",
    reason: /must be a non-empty string/,
  },
  {
    name: "runner.passwordSecret a string",
    news: k8s({ kubeconfig: KUBECONFIG, passwordSecret: "kong-db" }),
    property: "runner.passwordSecret",
    reason: /^runner\.passwordSecret must be \{ name, key \} of a Kubernetes Secret/,
  },
  {
    name: "runner.passwordSecret without key",
    news: k8s({ passwordSecret: { name: "kong-db" } }),
    property: "runner.passwordSecret",
    reason: /\(got \{"name":"kong-db"\}\)/,
  },
  {
    name: "runner.oldPodSelector a list",
    news: k8s({ oldPodSelector: ["app=kong"] }),
    property: "runner.oldPodSelector",
    reason: /^runner\.oldPodSelector must map names to strings \(got \["app=kong"\]\): give an object such as/,
  },
  {
    name: "runner.oldPodSelector a number value",
    news: k8s({ oldPodSelector: { app: 1 } }),
    property: "runner.oldPodSelector",
    reason: /must map names to strings/,
  },
  {
    name: "runner.serviceAccountName empty",
    news: k8s({ serviceAccountName: "" }),
    property: "runner.serviceAccountName",
    reason: /^runner\.serviceAccountName must be a non-empty string/,
  },
  {
    name: "runner.serviceAccountName not a name",
    news: k8s({ serviceAccountName: "Kong Admin" }),
    property: "runner.serviceAccountName",
    reason: /is not a Kubernetes name/,
  },
  {
    name: "Kubernetes runner with a command",
    news: k8s({ command: ["kong"] }),
    property: "runner.command",
    reason: /^runner\.command belongs to the local runner \(kind: "local"\), but runner\.kind is "kubernetes"/,
  },
  {
    name: "Kubernetes runner nameSpace",
    news: runner({ kind: "kubernetes", namespace: "kong", nameSpace: "kong" }),
    property: "runner.nameSpace",
    reason: /did you mean runner\.namespace\?/,
  },
  // downgrades and unsupported paths (the database answers)
  {
    name: "downgrade 2.1.4 -> 2.0.5",
    state: "2.1.4",
    news: set({ kongVersion: "2.0.5" }),
    property: "kongVersion",
    reason:
      /^kongVersion 2\.0\.5 is older than the database, which has run migrations Kong 2\.0\.5 does not know \(core 009_200_to_210, .*Kong cannot downgrade a database: set kongVersion to 2\.1\.3 or later, or restore a backup/,
  },
  {
    name: "downgrade 2.1.4 -> 1.5.1",
    state: "2.1.4",
    news: set({ kongVersion: "1.5.1" }),
    property: "kongVersion",
    reason: /^kongVersion 1\.5\.1 is older than the database.*Kong cannot downgrade a database/,
  },
  {
    name: "unsupported path 2.0.5 -> 3.0.0",
    state: "2.0.5",
    news: set({ kongVersion: "3.0.0" }),
    property: "kongVersion",
    reason:
      /^Kong 3\.0\.0 cannot upgrade a database at 2\.0\.x directly: Kong 3\.x upgrades only from 2\.8\.x\. Upgrade to 2\.8\.x, then 3\.x/,
  },
  {
    name: "unsupported path 2.0.5 -> 3.4.2",
    state: "2.0.5",
    news: set({ kongVersion: "3.4.2" }),
    property: "kongVersion",
    reason: /^Kong 3\.4\.2 cannot upgrade a database at 2\.0\.x directly/,
  },
  {
    name: "new upgrade before the previous finish",
    state: "2.0.5+up 2.1.4",
    news: set({ kongVersion: "2.2.0" }),
    property: "decommissionedOld",
    reason: /pending migrations from an earlier up that was never finished/,
  },
  {
    name: "Enterprise downgrade 2.8.4.2 -> 2.1.4.0",
    state: "ee 2.8.4.2",
    news: ee("2.1.4.0"),
    property: "kongVersion",
    reason: /^kongVersion 2\.1\.4\.0 is older than the database.*Kong cannot downgrade a database: set kongVersion to 2\.8\.0\.0 or later/,
  },
];

interface Snapshot {
  tables: unknown;
  meta: unknown;
  locks: unknown;
}

async function snapshot(d: TestDatabase): Promise<Snapshot> {
  const tables = await query(d, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  const has = (t: string) => tables.some((r) => r.table_name === t);
  return {
    tables,
    meta: has("schema_meta") ? await query(d, "SELECT * FROM schema_meta ORDER BY key, subsystem") : "absent",
    locks: has("locks") ? await query(d, "SELECT key, owner, ttl FROM locks ORDER BY key") : "absent",
  };
}

/** The version whose inputs are the base of a case, and how the database gets to its state. */
const STATES: Record<State, { version: string; edition?: string; prepare: (d: TestDatabase) => Promise<void> }> = {
  empty: { version: "2.1.4", prepare: async () => undefined },
  "2.1.4": { version: "2.1.4", prepare: (d) => sim(d, "2.1.4", "bootstrap") },
  "2.0.5": { version: "2.0.5", prepare: (d) => sim(d, "2.0.5", "bootstrap") },
  "2.0.5+up 2.1.4": {
    version: "2.1.4",
    prepare: async (d) => {
      await sim(d, "2.0.5", "bootstrap");
      await sim(d, "2.1.4", "up");
    },
  },
  "ee 2.8.4.2": {
    version: "2.8.4.2",
    edition: "enterprise",
    prepare: (d) => sim(d, "2.8.4.2", "bootstrap", { KONG_SIM_EDITION: "enterprise" }),
  },
};

async function sim(d: TestDatabase, version: string, command: string, env: Record<string, string> = {}): Promise<void> {
  const r = await kongSim(d, version, ["migrations", command], env);
  assert.equal(r.code, 0, r.stderr);
}

describe("the bad-input table: check refuses, naming the property and the next step; the database stays as it was", function () {
  this.timeout(120_000);
  const databases = new Map<State, TestDatabase>();
  const tally = { cases: 0, refused: 0 };

  before(async () => {
    for (const [state, { version, prepare }] of Object.entries(STATES) as [State, (typeof STATES)[State]][]) {
      const d = await createDatabase();
      databases.set(state, d);
      void version;
      await prepare(d);
    }
  });
  after(async () => {
    for (const d of databases.values()) await dropDatabase(d.database);
    console.log(`      bad-input table: ${tally.refused}/${tally.cases} refused at check with the named property and a next step`);
  });

  it("has at least 90 cases, each a distinct name", () => {
    assert.ok(CASES.length >= 90, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      tally.cases++;
      const state = STATES[c.state ?? "empty"];
      const d = databases.get(c.state ?? "empty")!;
      const base = inputsFor(d, state.version, state.edition ? { edition: state.edition } : {}, {
        ...(state.edition ? { KONG_SIM_EDITION: state.edition } : {}),
      });
      const before = await snapshot(d);
      // The table is about the inputs and the planner's refusals: plan from the catalogue, so that the
      // runner's `kong version` preflight (test/integration/preview-kong*.test.ts) does not answer first.
      const checked = await provider.check!({}, c.news({ planWith: "catalogue", ...base }));
      const failures = checked.failures ?? [];
      assert.deepEqual(
        failures.map((f) => f.property),
        [c.property],
        JSON.stringify(failures, null, 1),
      );
      assert.match(failures[0].reason, c.reason);
      assert.match(failures[0].reason, NEXT_STEP, `no next step in: ${failures[0].reason}`);
      assert.deepEqual(await snapshot(d), before, "check changed the database");
      tally.refused++;
    });
  }
});
