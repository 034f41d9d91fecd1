/**
 * The Kong container of a `KongCluster`: labels, environment, ports and probes. Pure functions of
 * plain values, so that the components stay thin and tests can assert the exact objects.
 */
import { KongKubernetesError } from "./k8s-errors";

/** Container ports (Kong's defaults for the proxy and Admin API; the Helm chart's for status). */
export const KONG_PORTS = { proxy: 8000, proxyTls: 8443, admin: 8001, status: 8100 } as const;

/** The labels that select one cluster's pods (also its Deployment selector, which is immutable). */
export function clusterSelector(clusterName: string): Record<string, string> {
  return { "app.kubernetes.io/name": "kong", "app.kubernetes.io/instance": clusterName };
}

/** Connection settings of the database, without the password (that comes from a Secret). */
export interface PlainDatabaseSettings {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly database?: string;
  readonly schema?: string;
  readonly ssl?: boolean;
  readonly sslVerify?: boolean;
}

export interface KongEnvSettings {
  readonly database: PlainDatabaseSettings;
  readonly passwordSecret?: { readonly name: string; readonly key: string };
  readonly plugins?: readonly string[];
  readonly adminApi: boolean;
  /** Kong Enterprise also has Admin-API-like listeners (Kong Manager, Dev Portal API): off with the Admin API. */
  readonly edition?: "oss" | "enterprise";
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Kong Enterprise's other listeners that write through the Admin API's data path: Kong Manager
 * (`admin_gui_listen`) and the Dev Portal API (`portal_api_listen`). With the Admin API switched off
 * (the green cluster before `finish`) they are switched off too.
 */
export const ENTERPRISE_ADMIN_LISTENERS: readonly string[] = ["KONG_ADMIN_GUI_LISTEN", "KONG_PORTAL_API_LISTEN"];

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Variables the component owns: setting them through `env` would defeat the Admin API switch or leak the password. */
export const RESERVED_ENV: readonly string[] = ["KONG_DATABASE", "KONG_PG_PASSWORD", "KONG_ADMIN_LISTEN"];

const onOff = (b: boolean) => (b ? "on" : "off");

/**
 * Kong's configuration as container environment (kong-migrations.md §8): only the database
 * settings given are set (Kong's defaults apply to the others), the password only as a
 * `secretKeyRef`, and `KONG_ADMIN_LISTEN=off` when the Admin API is switched off. `env` entries
 * override the defaults of the same name, in place.
 */
export function kongEnv(s: KongEnvSettings): EnvVar[] {
  for (const name of Object.keys(s.env ?? {})) {
    if (!s.adminApi && s.edition === "enterprise" && ENTERPRISE_ADMIN_LISTENERS.includes(name)) {
      throw new KongKubernetesError(
        "RESERVED_ENV",
        `env sets ${name}, but adminApi is false: Kong Enterprise's Kong Manager and Dev Portal API listeners stay off with the Admin API (use adminApi).`,
        "env",
      );
    }
    if (RESERVED_ENV.includes(name)) {
      throw new KongKubernetesError(
        "RESERVED_ENV",
        `env sets ${name}, which the component manages (${name === "KONG_PG_PASSWORD" ? "use passwordSecret" : name === "KONG_ADMIN_LISTEN" ? "use adminApi" : "always postgres"}).`,
        "env",
      );
    }
  }
  const d = s.database;
  const env: EnvVar[] = [{ name: "KONG_DATABASE", value: "postgres" }];
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) env.push({ name, value });
  };
  set("KONG_PG_HOST", d.host);
  set("KONG_PG_PORT", d.port === undefined ? undefined : String(d.port));
  set("KONG_PG_USER", d.user);
  set("KONG_PG_DATABASE", d.database);
  set("KONG_PG_SCHEMA", d.schema);
  set("KONG_PG_SSL", d.ssl === undefined ? undefined : onOff(d.ssl));
  set("KONG_PG_SSL_VERIFY", d.sslVerify === undefined ? undefined : onOff(d.sslVerify));
  if (s.passwordSecret) {
    env.push({ name: "KONG_PG_PASSWORD", valueFrom: { secretKeyRef: { name: s.passwordSecret.name, key: s.passwordSecret.key } } });
  }
  set("KONG_PLUGINS", (s.plugins && s.plugins.length > 0 ? s.plugins : ["bundled"]).join(","));
  set("KONG_PROXY_LISTEN", `0.0.0.0:${KONG_PORTS.proxy}, 0.0.0.0:${KONG_PORTS.proxyTls} ssl`);
  set("KONG_ADMIN_LISTEN", s.adminApi ? `0.0.0.0:${KONG_PORTS.admin}` : "off");
  if (!s.adminApi && s.edition === "enterprise") for (const name of ENTERPRISE_ADMIN_LISTENERS) set(name, "off");
  set("KONG_STATUS_LISTEN", `0.0.0.0:${KONG_PORTS.status}`);
  set("KONG_PROXY_ACCESS_LOG", "/dev/stdout");
  set("KONG_ADMIN_ACCESS_LOG", "/dev/stdout");
  set("KONG_PROXY_ERROR_LOG", "/dev/stderr");
  set("KONG_ADMIN_ERROR_LOG", "/dev/stderr");
  for (const [name, value] of Object.entries(s.env ?? {})) {
    const existing = env.find((e) => e.name === name);
    if (existing) existing.value = value;
    else env.push({ name, value });
  }
  return env;
}

/**
 * Readiness path on the Status API: `/status/ready` (ready only once Kong has loaded its
 * configuration) exists from Kong 3.3; older versions only have `/status`.
 */
export function readinessPath(kongVersion: string): string {
  const [major, minor] = kongVersion.split(".").map(Number);
  return major > 3 || (major === 3 && minor >= 3) ? "/status/ready" : "/status";
}

export function kongPorts(adminApi: boolean): { name: string; containerPort: number; protocol: string }[] {
  return [
    { name: "proxy", containerPort: KONG_PORTS.proxy, protocol: "TCP" },
    { name: "proxy-tls", containerPort: KONG_PORTS.proxyTls, protocol: "TCP" },
    ...(adminApi ? [{ name: "admin", containerPort: KONG_PORTS.admin, protocol: "TCP" }] : []),
    { name: "status", containerPort: KONG_PORTS.status, protocol: "TCP" },
  ];
}

export function kongProbes(kongVersion: string, readiness?: string) {
  const probe = (path: string) => ({
    httpGet: { path, port: "status", scheme: "HTTP" },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    timeoutSeconds: 5,
    successThreshold: 1,
    failureThreshold: 3,
  });
  return { readinessProbe: probe(readiness ?? readinessPath(kongVersion)), livenessProbe: probe("/status") };
}
