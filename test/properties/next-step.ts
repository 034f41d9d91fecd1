/**
 * The next step a refusal names, read from its message the way a user reads it (issue 10, item 3:
 * "every refusal names a next step that, taken, makes progress"). A refusal whose message matches
 * no row here names no step a user could take: the property fails on it. Pure.
 */
import { LADDER } from "./actions";

export type NextStep =
  /** Set decommissionedOld; `olderThan`: only nodes older than this version are gone (the message says so). */
  | { readonly kind: "decommission"; readonly value: boolean; readonly olderThan?: string }
  | { readonly kind: "version"; readonly version: string }
  /** Wait until no live lock row is left, then `pulumi up` again (with the fault switch removed). */
  | { readonly kind: "up-again"; readonly waitForLock: boolean };

const NEWEST_28 = LADDER.find((v) => v.startsWith("2.8."))!;

/** The step named by a refusal (a check failure's reason, or a typed error's message); undefined: none. */
export function nextStepOf(message: string): NextStep | undefined {
  let m: RegExpMatchArray | null;
  if (/Set decommissionedOld to false for this upgrade/.test(message)) return { kind: "decommission", value: false };
  if ((m = message.match(/once no node older than Kong (\S+) uses the database, set decommissionedOld: true and run pulumi up/))) {
    return { kind: "decommission", value: true, olderThan: m[1] };
  }
  if ((m = message.match(/set kongVersion to (\d+\.\d+\.\d+) or later/))) return { kind: "version", version: m[1] };
  if ((m = message.match(/first set kongVersion to (\d+\.\d+\.\d+)/))) return { kind: "version", version: m[1] };
  if (/set kongVersion to the newest 2\.8 release/.test(message)) return { kind: "version", version: NEWEST_28 };
  if (/run pulumi up again once that node is done/.test(message)) return { kind: "up-again", waitForLock: true };
  if (/run pulumi up again later/.test(message)) return { kind: "up-again", waitForLock: true };
  if (/run pulumi up again/.test(message)) return { kind: "up-again", waitForLock: false };
  return undefined;
}
