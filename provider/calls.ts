/**
 * The provider's methods as the serialized object (`./index.ts`) calls them: each runs inside a
 * log scope naming its resource (the hidden `__urn` input, see ./log.ts), so that its progress
 * lines and warnings are attributed to that resource in the Pulumi display.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as handlers from "./handlers";
import { withResource } from "./log";

type Props = Record<string, unknown>;

/** Check, keeping `__urn` in the checked inputs (an unknown one is dropped: it is only for display). */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { __urn: urn, ...rest } = news;
  const known = typeof urn === "string" && urn.startsWith("urn:") ? urn : undefined;
  const result = await withResource(known ?? olds.__urn, () => handlers.check(olds, rest));
  return known && result.inputs ? { ...result, inputs: { ...result.inputs, __urn: known } } : result;
}
export const diff = (id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> =>
  withResource(news.__urn ?? olds.__urn, () => handlers.diff(id, olds, news));
export const create = (news: Props): Promise<pulumi.dynamic.CreateResult> => withResource(news.__urn, () => handlers.create(news));
export const read = (id: string, props: Props): Promise<pulumi.dynamic.ReadResult> =>
  withResource(props.__urn, () => handlers.read(id, props));
export const update = (id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> =>
  withResource(news.__urn ?? olds.__urn, () => handlers.update(id, olds, news));
export const remove = (id: string, props: Props = {}): Promise<void> => withResource(props.__urn, () => handlers.remove(id));
