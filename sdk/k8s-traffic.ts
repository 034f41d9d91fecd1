/**
 * The proxy traffic objects of the two-slot components (`KongBlueGreenUpgrade`,
 * `KongDualClusterUpgrade`): one stable Service whose selector points at
 * one cluster (it switches at 0 % and 100 %), and, when a Gateway API Gateway is given, an
 * HTTPRoute whose backend weights split traffic between both clusters for the steps in between.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** The Gateway (Gateway API `parentRefs` entry) the HTTPRoute attaches to. */
export interface GatewayRefArgs {
  /** Name of the Gateway. */
  readonly name: pulumi.Input<string>;
  /** Namespace of the Gateway. Default: the route's namespace. */
  readonly namespace?: pulumi.Input<string>;
  /** Listener of the Gateway. Default: every listener that allows the route. */
  readonly sectionName?: pulumi.Input<string>;
}

/** The arguments of a component that splits proxy traffic between two slots by weight. */
export interface WeightedTrafficArgs {
  /** A Gateway API Gateway: when set, an HTTPRoute `<name>-route` splits traffic by weight. */
  readonly gateway?: GatewayRefArgs;
  /** Hostnames of the HTTPRoute. Default: all the Gateway's listeners accept. */
  readonly hostnames?: pulumi.Input<pulumi.Input<string>[]>;
}

export function proxyService(
  name: string,
  args: {
    readonly namespace: pulumi.Input<string>;
    readonly selector: Record<string, string>;
    readonly type?: pulumi.Input<string>;
    readonly labels: Record<string, string>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    name,
    {
      metadata: { namespace: args.namespace, labels: args.labels },
      spec: {
        type: args.type ?? "ClusterIP",
        selector: args.selector,
        ports: [
          { name: "proxy", port: 80, targetPort: "proxy", protocol: "TCP" },
          { name: "proxy-tls", port: 443, targetPort: "proxy-tls", protocol: "TCP" },
        ],
      },
    },
    opts,
  );
}

export function weightedRoute(
  name: string,
  args: {
    readonly namespace: pulumi.Input<string>;
    readonly gateway: GatewayRefArgs;
    readonly hostnames?: pulumi.Input<pulumi.Input<string>[]>;
    readonly backends: readonly { readonly service: k8s.core.v1.Service; readonly weight: number }[];
    readonly labels: Record<string, string>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  const g = args.gateway;
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { namespace: args.namespace, labels: args.labels },
      spec: {
        parentRefs: [
          { name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}), ...(g.sectionName ? { sectionName: g.sectionName } : {}) },
        ],
        ...(args.hostnames ? { hostnames: args.hostnames } : {}),
        rules: [
          {
            backendRefs: args.backends.map((b) => ({ name: b.service.metadata.name, port: 80, weight: b.weight })),
          },
        ],
      },
    },
    opts,
  );
}
