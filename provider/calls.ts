/**
 * The provider's methods as the serialized object (`./index.ts`) calls them: each runs inside a
 * log scope naming its resource (the hidden `__urn` input, see ./log.ts and ./scoped-calls.ts), so
 * that its progress lines and warnings are attributed to that resource in the Pulumi display.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as handlers from "./handlers";
import { withResource } from "./log";
import { scopedCalls } from "./scoped-calls";

type Props = Record<string, unknown>;

export const { diff, create, read, update, remove } = scopedCalls(handlers);

/**
 * Check, keeping `__urn` in the checked inputs (an unknown one is dropped: it is only for display).
 * Unlike the other providers' check (../scoped-calls.ts), the handler never sees `__urn`: it
 * returns normalized inputs, and a URN is added back only when it is a known `urn:` string.
 */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { __urn: urn, ...rest } = news;
  const known = typeof urn === "string" && urn.startsWith("urn:") ? urn : undefined;
  const result = await withResource(known ?? olds.__urn, () => handlers.check(olds, rest));
  return known && result.inputs ? { ...result, inputs: { ...result.inputs, __urn: known } } : result;
}
