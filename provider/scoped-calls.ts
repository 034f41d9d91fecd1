/**
 * One shape for every dynamic provider's calls: the serialized object (`index.ts` of each provider)
 * loads a `calls` module at call time, and each call runs inside a log scope naming its resource
 * (the hidden `__urn` input, see ./log.ts), so that its progress lines and warnings are attributed
 * to that resource in the Pulumi display.
 */
import type * as pulumi from "@pulumi/pulumi";
import { withResource } from "./log";

type Props = Record<string, unknown>;

/** A provider's handlers, as its `*-handlers.ts` module exports them (no log scope of their own). */
export interface ProviderHandlers {
  /** Validates and normalizes the inputs; receives the inputs as the engine sent them. */
  check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  /** Compares the stored inputs (`olds`) with the checked new ones. */
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  /** Creates the resource from its checked inputs. */
  create(news: Props): Promise<pulumi.dynamic.CreateResult>;
  /** Refreshes the resource from what it really is. */
  read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  /** Moves the resource from the stored inputs to the checked new ones. */
  update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  /** Deletes the resource (the engine's `delete`). */
  remove(id: string): Promise<void>;
}

/** The calls the serialized provider object makes: the handlers, each inside its resource's log scope. */
export interface ScopedCalls extends Omit<ProviderHandlers, "remove"> {
  /** The engine's `delete`: `props` (the stored outputs, for the resource's `__urn`) may be absent. */
  remove(id: string, props?: Props): Promise<void>;
}

/**
 * Wraps `handlers` so that each call runs in the log scope of its resource: the new inputs' `__urn`
 * (check, diff and update fall back to the stored one), the stored one for read and delete.
 *
 * @param handlers the provider's handlers; looked up at each call, not bound when wrapped.
 */
export function scopedCalls(handlers: ProviderHandlers): ScopedCalls {
  return {
    check: (olds, news) => withResource(news.__urn ?? olds.__urn, () => handlers.check(olds, news)),
    diff: (id, olds, news) => withResource(news.__urn ?? olds.__urn, () => handlers.diff(id, olds, news)),
    create: (news) => withResource(news.__urn, () => handlers.create(news)),
    read: (id, props) => withResource(props.__urn, () => handlers.read(id, props)),
    update: (id, olds, news) => withResource(news.__urn ?? olds.__urn, () => handlers.update(id, olds, news)),
    remove: (id, props = {}) => withResource(props.__urn, () => handlers.remove(id)),
  };
}
