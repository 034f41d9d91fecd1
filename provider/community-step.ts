/**
 * When `migrateCommunityEntities: true` runs Kong Enterprise's `kong migrations
 * migrate-community-to-enterprise`, and how a preview shows it. The step runs in the update that
 * sets the input to true (exactly once: an input already true before, or a run recorded in the
 * outputs, never runs it again), on a database Kong accepts for it — nothing new, nothing pending —
 * after the Community nodes are gone (`decommissionedOld: true`). Pure.
 */
import { MIGRATE_COMMUNITY_COMMAND } from "./kong/community-to-enterprise";
import type { Plan } from "./kong/planner";
import type { Inputs, PlanSummary } from "./inputs";

const COMMAND = `kong migrations ${MIGRATE_COMMUNITY_COMMAND}`;

/** What the previous state says (old inputs in check; old outputs in update). */
export interface PreviousCommunityState {
  readonly migrateCommunityEntities?: unknown;
  readonly communityMigration?: unknown;
}

/** The step is due: asked for now, not asked for before, never recorded. */
export function communityStepDue(inputs: Inputs, previous: PreviousCommunityState | undefined): boolean {
  return (
    inputs.migrateCommunityEntities === true && previous?.migrateCommunityEntities !== true && previous?.communityMigration === undefined
  );
}

/** Why the database or the inputs are not ready for the step; undefined when they are. */
export function communityNotReady(inputs: Inputs, plan: Pick<Plan, "step"> | Pick<PlanSummary, "command">): string | undefined {
  const pendingStep = "step" in plan ? plan.step !== "none" : plan.command !== "none";
  if (!pendingStep && inputs.decommissionedOld) return undefined;
  return (
    `migrateCommunityEntities: Kong runs ${COMMAND} only on a database with no new and no pending migrations, and it ` +
    `cannot be undone, so it waits until the Community nodes are gone: run up, then finish (decommissionedOld: true) ` +
    `with edition "enterprise" first, then set migrateCommunityEntities: true.`
  );
}

/** The preview's plan for the step: irreversible, with what it does and why it runs only once. */
export function communityPlan(inputs: Inputs, source: PlanSummary["source"], warnings: readonly string[] = []): PlanSummary {
  return {
    command: COMMAND,
    wouldRun: { [COMMAND]: {} },
    reason:
      `migrateCommunityEntities is true: Kong Enterprise ${inputs.kongVersion} moves the Community entities into the default ` +
      `workspace (runs once; recorded in the communityMigration output).`,
    source,
    warnings: [
      ...warnings,
      `${COMMAND} is irreversible: it rewrites the Community entities for Kong Enterprise (Kong asks for a backup ` +
        `of the production data first); only a restore of a backup brings the database back.`,
    ],
  };
}
