/**
 * The `KongDatabaseMigration` dynamic provider: a thin object whose methods load `./calls` (the handlers) at
 * call time. Pulumi serializes this object into every resource's state (`__provider`); keeping it
 * free of captured state and heavy imports keeps that text small and secret-free (design.md §4).
 * The only captured value is `HANDLERS`, the module id of `./calls` (see `./module-id`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { portableModuleId } from "./module-id";

const HANDLERS: string = portableModuleId(require.resolve("./calls"));

export const kongDatabaseMigrationProvider: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => require(HANDLERS).check(olds, news),
  diff: (id, olds, news) => require(HANDLERS).diff(id, olds, news),
  create: (inputs) => require(HANDLERS).create(inputs),
  read: (id, props) => require(HANDLERS).read(id, props),
  update: (id, olds, news) => require(HANDLERS).update(id, olds, news),
  delete: (id, props) => require(HANDLERS).remove(id, props),
};
