/**
 * The `KubernetesPodsGone` dynamic provider: a thin, state-free object whose methods load the
 * handlers at call time (the same pattern as `provider/index.ts`, for the same reason: Pulumi
 * serializes this object into the resource's state). Delete does nothing: the pods are already gone.
 */
import type * as pulumi from "@pulumi/pulumi";
import { portableModuleId } from "../module-id";

const HANDLERS: string = portableModuleId(require.resolve("./kubernetes-pods-gone-handlers"));

export const kubernetesPodsGoneProvider: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => require(HANDLERS).check(olds, news),
  diff: (id, olds, news) => require(HANDLERS).diff(id, olds, news),
  create: (inputs) => require(HANDLERS).create(inputs),
  update: (id, olds, news) => require(HANDLERS).update(id, olds, news),
  delete: async () => undefined,
};
