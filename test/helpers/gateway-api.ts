/**
 * The Gateway API CRDs (GatewayClass, Gateway, HTTPRoute; standard channel v1.3.0, vendored in
 * `test/fixtures/kube/gateway-api-v1.3.0`) for the test cluster, and a Gateway for routes to attach
 * to. No Gateway controller runs: the API server stores and validates the objects (CEL rules
 * included), nothing programs a data plane.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeConfig, V1CustomResourceDefinition } from "@kubernetes/client-node";
import { eventually } from "./kube-objects";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const k8s = () => require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");

export const GATEWAY_API_CRDS = path.resolve(__dirname, "../fixtures/kube/gateway-api-v1.3.0");

/** Installs the CRDs (idempotent) and waits until the API server serves them. */
export async function installGatewayApi(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(k8s().ApiextensionsV1Api);
  for (const file of fs.readdirSync(GATEWAY_API_CRDS).filter((f) => f.endsWith(".yaml"))) {
    const crd = k8s().loadYaml<V1CustomResourceDefinition>(fs.readFileSync(path.join(GATEWAY_API_CRDS, file), "utf8"));
    await ext.createCustomResourceDefinition({ body: crd }).catch((e: { code?: number }) => {
      if (e.code !== 409) throw e;
    });
    await eventually(`CRD ${crd.metadata!.name} established`, async () => {
      const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
    });
  }
}

/** Creates Gateway `name` (one HTTP listener on port 80) in `namespace`. */
export async function createGateway(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  await kc.makeApiClient(k8s().CustomObjectsApi).createNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "gateways",
    body: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name },
      spec: { gatewayClassName: "test", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    },
  });
}
