/**
 * `KongDatabaseClone`'s methods as the serialized object (`./index.ts`) calls them, each inside a
 * log scope naming its resource (the hidden `__urn` input, see `../log.ts`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { withResource } from "../log";
import * as handlers from "./clone-handlers";

type Props = Record<string, unknown>;

export const check = (olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> =>
  withResource(news.__urn ?? olds.__urn, () => handlers.check(olds, news));
export const diff = (id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> =>
  withResource(news.__urn ?? olds.__urn, () => handlers.diff(id, olds, news));
export const create = (news: Props): Promise<pulumi.dynamic.CreateResult> => withResource(news.__urn, () => handlers.create(news));
export const read = (id: string, props: Props): Promise<pulumi.dynamic.ReadResult> =>
  withResource(props.__urn, () => handlers.read(id, props));
export const update = (id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> =>
  withResource(news.__urn ?? olds.__urn, () => handlers.update(id, olds, news));
export const remove = (id: string, props: Props = {}): Promise<void> => withResource(props.__urn, () => handlers.remove(id));
