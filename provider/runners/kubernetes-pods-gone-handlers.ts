/**
 * Handlers of the `KubernetesPodsGone` dynamic resource: a step that completes only when no pod
 * matches a selector any more. A blue/green upgrade puts it between the old cluster's scale-to-zero
 * and `kong migrations finish`, because Pulumi's own Deployment await returns as soon as the
 * ReplicaSet is scaled down, while terminating pods still run (see `sdk/k8s-pods-gone.ts`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { log } from "../log";
import { hasPeer, missingPeerMessage } from "../optional-peers";
import { labelSelector } from "./kubernetes-config";
import { waitForPodsGone } from "./kubernetes-pods";

export interface PodsGoneInputs {
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly pollIntervalMs?: number;
  readonly kubeconfig?: string;
}

const DEFAULT_TIMEOUT = 600;

export async function check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!hasPeer("@kubernetes/client-node")) {
    failures.push({ property: "namespace", reason: missingPeerMessage("@kubernetes/client-node", "KubernetesPodsGone") });
  }
  if (typeof news.namespace !== "string" || news.namespace === "") {
    failures.push({ property: "namespace", reason: "namespace must be a non-empty string." });
  }
  const sel = news.selector;
  const validSelector =
    typeof sel === "object" &&
    sel !== null &&
    !Array.isArray(sel) &&
    Object.keys(sel).length > 0 &&
    Object.values(sel).every((v) => typeof v === "string");
  if (!validSelector) {
    failures.push({
      property: "selector",
      reason: "selector must be a non-empty map of label names to values (an empty one would match every pod).",
    });
  }
  const timeout = news.timeoutSeconds ?? DEFAULT_TIMEOUT;
  if (typeof timeout !== "number" || !(timeout > 0)) {
    failures.push({ property: "timeoutSeconds", reason: `timeoutSeconds must be a positive number (got ${JSON.stringify(timeout)}).` });
  }
  return { inputs: { ...news, timeoutSeconds: timeout }, failures };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  // Only what is waited for matters; the kubeconfig and the timeout do not make an update wait again.
  const changed = ["namespace", "selector"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
  return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
}

async function waitAndDescribe(inputs: PodsGoneInputs): Promise<Record<string, unknown>> {
  await waitForPodsGone({
    namespace: inputs.namespace,
    selector: inputs.selector,
    kubeconfig: inputs.kubeconfig,
    timeoutSeconds: inputs.timeoutSeconds ?? DEFAULT_TIMEOUT,
    pollIntervalMs: inputs.pollIntervalMs,
    onProgress: log,
  });
  // The kubeconfig is not echoed into the outputs: it stays only in the (secret) inputs.
  return {
    namespace: inputs.namespace,
    selector: inputs.selector,
    timeoutSeconds: inputs.timeoutSeconds,
    gone: true,
    checkedAt: new Date().toISOString(),
  };
}

export async function create(inputs: PodsGoneInputs): Promise<pulumi.dynamic.CreateResult> {
  const outs = await waitAndDescribe(inputs);
  return { id: `${inputs.namespace}/${labelSelector(inputs.selector)}`, outs };
}

export async function update(_id: string, _olds: unknown, news: PodsGoneInputs): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await waitAndDescribe(news) };
}
