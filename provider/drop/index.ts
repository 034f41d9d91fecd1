/**
 * The `KongDatabaseDrop` dynamic provider: a thin object whose methods load `./calls` at call time,
 * so that the text Pulumi serializes into state (`__provider`) stays small and captures no secret
 * (design.md §4; the same shape as `../index.ts`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { portableModuleId } from "../module-id";

const HANDLERS: string = portableModuleId(require.resolve("./calls"));

export const kongDatabaseDropProvider: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => require(HANDLERS).check(olds, news),
  diff: (id, olds, news) => require(HANDLERS).diff(id, olds, news),
  create: (inputs) => require(HANDLERS).create(inputs),
  read: (id, props) => require(HANDLERS).read(id, props),
  update: (id, olds, news) => require(HANDLERS).update(id, olds, news),
  delete: (id, props) => require(HANDLERS).remove(id, props),
};
