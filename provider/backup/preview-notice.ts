/**
 * What a preview says about an irreversible step (design.md §7): `check` adds `plan.irreversible`
 * (the command, where the backup goes or that none is configured, and the warning text) so that
 * `pulumi preview --diff` shows it, and the resource class turns the warning into a Pulumi warning
 * on the resource. Pure.
 */
import type { Inputs, PlanSummary } from "../inputs";
import { irreversibleNotice } from "./irreversible";

/**
 * Adds `irreversible` to the plan when the update would run a step that cannot be undone: the
 * planned command, or the `finish` that follows `up` in the same update when `decommissionedOld`
 * turns true together with the version raise (an in-place upgrade, `../reconcile.ts`).
 */
export function withIrreversibleNotice(plan: PlanSummary, inputs: Inputs, olds: Record<string, unknown>): PlanSummary {
  const namespace = inputs.runner.kind === "kubernetes" ? inputs.runner.namespace : undefined;
  const finishFollows = plan.command === "kong migrations up" && inputs.decommissionedOld && olds.decommissionedOld !== true;
  const notice = finishFollows
    ? irreversibleNotice("finish", inputs.backup, namespace, plan.command)
    : irreversibleNotice(plan.command, inputs.backup, namespace);
  return notice ? { ...plan, irreversible: notice } : plan;
}
