/**
 * The user actions of the property-based sequences (issue 10, item 3), and their fast-check
 * arbitraries. Pure data: `world.ts` performs them against a real database.
 *
 * The ladder is Kong OSS 2.0.5 -> 3.0.0 with patch releases that have migrations (2.1.1, 2.1.3),
 * patch releases that have none (2.1.2, 2.1.4, 2.2.2), a minor whose up has no teardown (2.3.0), a
 * release Kong 3.x upgrades from (2.8.5) and one it refuses to skip to (3.0.0 from below 2.8).
 */
import fc from "fast-check";

export const LADDER = ["2.0.5", "2.1.0", "2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.2.0", "2.2.2", "2.3.0", "2.8.5", "3.0.0"] as const;

/** A kong-sim fault switch for one `pulumi up` (sim/faults.ts): at the `at`-th migration step. */
export interface FaultSwitch {
  readonly kind: "fail" | "crash";
  readonly at: number;
}

export type Action =
  /** `pulumi config set kongVersion <version>`, then `pulumi up`. */
  | { readonly kind: "version"; readonly version: string; readonly fault?: FaultSwitch }
  /** `pulumi config set decommissionedOld <value>`, then `pulumi up`. */
  | { readonly kind: "decommission"; readonly value: boolean; readonly fault?: FaultSwitch }
  /** Both at once with decommissionedOld true: an in-place upgrade (every node stopped first). */
  | { readonly kind: "in-place"; readonly version: string; readonly fault?: FaultSwitch }
  /** `pulumi up` with nothing changed. */
  | { readonly kind: "up"; readonly fault?: FaultSwitch }
  /** `pulumi refresh`. */
  | { readonly kind: "refresh" }
  /** An operator runs `kong-sim migrations finish` by hand, as the deployed version, behind the provider's back. */
  | { readonly kind: "manual-finish" };

/** One sequence: how check plans (`kong` spawns kong-sim twice per check: one sequence in eight), then the actions. */
export interface Sequence {
  readonly planWith: "catalogue" | "kong";
  readonly first: string;
  readonly actions: readonly Action[];
}

const version = fc.constantFrom(...LADDER);
/** One `pulumi up` in seven carries a fault switch. */
const fault: fc.Arbitrary<FaultSwitch | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("fail" as const, "crash" as const), at: fc.integer({ min: 1, max: 4 }) }) },
);

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("version" as const), version, fault }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("decommission" as const), value: fc.boolean(), fault }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("in-place" as const), version, fault }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("up" as const), fault }) },
  { weight: 1, arbitrary: fc.constant({ kind: "refresh" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "manual-finish" as const }) },
);

export const sequenceArb: fc.Arbitrary<Sequence> = fc.record({
  planWith: fc.oneof({ weight: 7, arbitrary: fc.constant("catalogue" as const) }, { weight: 1, arbitrary: fc.constant("kong" as const) }),
  // Start low on the ladder most of the time, so that sequences climb through the patch releases.
  first: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("2.0.5", "2.1.0") }, { weight: 1, arbitrary: version }),
  actions: fc.array(actionArb, { minLength: 2, maxLength: 6 }),
});

/** One line per action, for the failure report. */
export function describeAction(a: Action): string {
  const f = "fault" in a && a.fault ? ` with KONG_SIM_${a.fault.kind === "fail" ? "FAIL_AT" : "CRASH_AFTER_SQL"}=${a.fault.at}` : "";
  switch (a.kind) {
    case "version":
      return `kongVersion ${a.version}${f}`;
    case "decommission":
      return `decommissionedOld ${a.value}${f}`;
    case "in-place":
      return `kongVersion ${a.version} and decommissionedOld true${f}`;
    case "up":
      return `pulumi up${f}`;
    case "refresh":
      return "pulumi refresh";
    case "manual-finish":
      return "kong-sim migrations finish by hand";
  }
}
