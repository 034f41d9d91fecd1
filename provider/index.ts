/**
 * The `KongDatabaseMigration` dynamic provider: a thin object whose methods load `./handlers` at
 * call time. Pulumi serializes this object into every resource's state (`__provider`); keeping it
 * free of captured state and heavy imports keeps that text small and secret-free (design.md §4).
 * The only captured value is `HANDLERS`, the module id of the handlers (see `handlersModuleId`).
 */
import type * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

/**
 * Installed under node_modules, the id is the package path (`pulumi-kong-migrations/dist/...`),
 * resolved by the provider process from the project directory on whatever machine runs it; so
 * state written on one machine works on another. In this repository it is the absolute path.
 */
export function handlersModuleId(absolutePath: string): string {
  const marker = `${path.sep}node_modules${path.sep}`;
  const i = absolutePath.lastIndexOf(marker);
  return i < 0
    ? absolutePath
    : absolutePath
        .slice(i + marker.length)
        .split(path.sep)
        .join("/");
}

const HANDLERS: string = handlersModuleId(require.resolve("./handlers"));

export const kongDatabaseMigrationProvider: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => require(HANDLERS).check(olds, news),
  diff: (id, olds, news) => require(HANDLERS).diff(id, olds, news),
  create: (inputs) => require(HANDLERS).create(inputs),
  read: (id, props) => require(HANDLERS).read(id, props),
  update: (id, olds, news) => require(HANDLERS).update(id, olds, news),
  delete: (id) => require(HANDLERS).remove(id),
};
