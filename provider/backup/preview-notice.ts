/**
 * What a preview says about an irreversible step (design.md §7): `check` adds `plan.irreversible`
 * (the command, where the backup goes or that none is configured, and the warning text) so that
 * `pulumi preview --diff` shows it, and the resource class turns the warning into a Pulumi warning
 * on the resource. Pure.
 */
import type { Inputs, PlanSummary } from "../inputs";
import { hasTeardown } from "../kong/catalogue";
import { irreversibleNotice } from "./irreversible";

/**
 * Adds `irreversible` to the plan when the update would run a step that cannot be undone: the
 * planned command, or the `finish` that follows `up` in the same update when `decommissionedOld`
 * turns true together with the version raise (an in-place upgrade, `../reconcile.ts`). A `finish`
 * names the teardowns it runs: the pending migrations, or, after `up` in the same update, the
 * planned ones with a teardown (a migration the catalogue does not know counts as one: the
 * preview errs on the side of calling it destructive).
 */
export function withIrreversibleNotice(plan: PlanSummary, inputs: Inputs, olds: Record<string, unknown>): PlanSummary {
  const namespace = inputs.runner.kind === "kubernetes" ? inputs.runner.namespace : undefined;
  const finishFollows = plan.command === "kong migrations up" && inputs.decommissionedOld && olds.decommissionedOld !== true;
  const notice = finishFollows
    ? irreversibleNotice("finish", inputs.backup, namespace, plan.command, teardownsAfterUp(plan, inputs))
    : irreversibleNotice(plan.command, inputs.backup, namespace, undefined, plan.wouldRun["kong migrations finish"]);
  return notice ? { ...plan, irreversible: notice } : plan;
}

/** The migrations of the planned `up` that `finish` will then tear down. */
function teardownsAfterUp(plan: PlanSummary, inputs: Inputs): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [subsystem, names] of Object.entries(plan.wouldRun["kong migrations up"] ?? {})) {
    const torn = names.filter((name) => hasTeardown(inputs.edition, subsystem, name) !== false);
    if (torn.length > 0) out[subsystem] = torn;
  }
  return out;
}
