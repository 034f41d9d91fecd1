/**
 * `KongCluster`: one Kong deployment of one version on a PostgreSQL database, on Kubernetes.
 *
 * Children (named after the component): `<name>-deployment` (Deployment), `<name>-proxy` (proxy
 * Service) and, while the Admin API is on, `<name>-admin` (admin Service). `dependsOn` given to the
 * component is passed to each child, so that e.g. the Deployment waits for a migration: Pulumi does
 * not make a component's children wait for the component's own dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { DatabaseArgs } from "./args";
import { clusterSelector, KONG_PORTS, kongEnv, kongPorts, kongProbes } from "./k8s-kong-container";
import { proxyService } from "./k8s-traffic";
import { kongImage } from "../provider/kong/image";

export const KONG_CLUSTER_TYPE = "kong-migrations:index:KongCluster";

/** A key of a Kubernetes Secret. */
export interface SecretKeyRefArgs {
  readonly name: pulumi.Input<string>;
  readonly key: pulumi.Input<string>;
}

export interface KongClusterArgs {
  /** Namespace of every object. Changing it replaces them. */
  readonly namespace: pulumi.Input<string>;
  /**
   * The Kong version the pods run, e.g. `2.1.4`: sets the default image, the
   * `app.kubernetes.io/version` label and the readiness path. Changing it rolls the pods (a
   * rolling update, `maxUnavailable: 0`).
   */
  readonly kongVersion: string;
  /** `oss` (default) or `enterprise`: the default image repository (`kong` or `kong/kong-gateway`). */
  readonly edition?: "oss" | "enterprise";
  /** Container image. Default `kong:<kongVersion>` (`kong/kong-gateway:<kongVersion>` for Enterprise). Changing it rolls the pods. */
  readonly image?: pulumi.Input<string>;
  /** Number of pods. Default 2. Changing it scales the Deployment; 0 stops every pod of the cluster. */
  readonly replicas?: pulumi.Input<number>;
  /** Where the database is (`KONG_PG_*`); the password is not taken from here but from `passwordSecret`. Changing it rolls the pods. */
  readonly database: pulumi.Input<Omit<DatabaseArgs, "password">>;
  /** The Secret key holding the database password, read through `secretKeyRef` (never copied into the spec). Default: no password. */
  readonly passwordSecret?: pulumi.Input<SecretKeyRefArgs>;
  /** `KONG_PLUGINS`. Default `["bundled"]`. Changing it rolls the pods; a plugin with migrations also needs them run first. */
  readonly plugins?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The Admin API switch. Default `true`. `false` sets `KONG_ADMIN_LISTEN=off` (no admin listener
   * at all) and removes the admin port and the admin Service. Changing it rolls the pods.
   */
  readonly adminApi?: boolean;
  /** Extra environment (`KONG_*` settings). May not set `KONG_DATABASE`, `KONG_PG_PASSWORD` or `KONG_ADMIN_LISTEN`. Changing it rolls the pods. */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Container resources. Default: none. Changing it rolls the pods. */
  readonly resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
  /** Type of the proxy Service. Default `ClusterIP`. */
  readonly proxyServiceType?: pulumi.Input<string>;
  /** Service account of the pods. Default: the namespace's default. */
  readonly serviceAccountName?: pulumi.Input<string>;
  /** Extra pod labels (not part of the selector). */
  readonly podLabels?: Record<string, string>;
  /** Readiness probe path. Default `/status/ready` from Kong 3.3, `/status` before. */
  readonly readinessPath?: string;
}

export class KongCluster extends pulumi.ComponentResource {
  /** The labels that select this cluster's pods. */
  readonly selector: Record<string, string>;
  /** Whether the Admin API is on. */
  readonly adminApi: boolean;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly proxyService: k8s.core.v1.Service;
  /** The admin Service; absent while the Admin API is off. */
  readonly adminService?: k8s.core.v1.Service;

  constructor(name: string, args: KongClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KONG_CLUSTER_TYPE, name, {}, opts);
    this.selector = clusterSelector(name);
    this.adminApi = args.adminApi ?? true;
    const edition = args.edition ?? "oss";
    const image = args.image ?? kongImage(edition, args.kongVersion);
    const labels = { ...this.selector, "app.kubernetes.io/version": args.kongVersion, "app.kubernetes.io/component": "gateway" };
    const childOpts: pulumi.CustomResourceOptions = { parent: this, ...(opts?.dependsOn ? { dependsOn: opts.dependsOn } : {}) };

    const env = pulumi
      .all([args.database, args.passwordSecret, args.plugins, args.env])
      .apply(([database, passwordSecret, plugins, extra]) =>
        kongEnv({ database, passwordSecret, plugins, adminApi: this.adminApi, edition: args.edition, env: extra }),
      );

    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { namespace: args.namespace, labels },
        spec: {
          replicas: args.replicas ?? 2,
          selector: { matchLabels: this.selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: { ...labels, ...args.podLabels } },
            spec: {
              ...(args.serviceAccountName ? { serviceAccountName: args.serviceAccountName } : {}),
              containers: [
                {
                  name: "kong",
                  image,
                  env,
                  ports: kongPorts(this.adminApi),
                  ...kongProbes(args.kongVersion, args.readinessPath),
                  ...(args.resources ? { resources: args.resources } : {}),
                },
              ],
            },
          },
        },
      },
      childOpts,
    );

    this.proxyService = proxyService(
      `${name}-proxy`,
      { namespace: args.namespace, selector: this.selector, type: args.proxyServiceType, labels },
      childOpts,
    );

    if (this.adminApi) {
      this.adminService = new k8s.core.v1.Service(
        `${name}-admin`,
        {
          metadata: { namespace: args.namespace, labels },
          spec: {
            type: "ClusterIP",
            selector: this.selector,
            ports: [{ name: "admin", port: KONG_PORTS.admin, targetPort: "admin", protocol: "TCP" }],
          },
        },
        childOpts,
      );
    }

    this.registerOutputs({
      selector: this.selector,
      adminApi: this.adminApi,
      deploymentName: this.deployment.metadata.name,
      proxyServiceName: this.proxyService.metadata.name,
      adminServiceName: this.adminService?.metadata.name,
    });
  }
}
