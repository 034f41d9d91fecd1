/**
 * The version check every Kubernetes strategy starts with: `currentVersion` and `targetVersion`
 * (absent: the current one) are Kong versions, and the target is not older (Kong cannot downgrade
 * a database). Pure; what to do instead of a downgrade is each strategy's own sentence.
 */
import { compareVersions, parseKongVersion } from "../provider/kong/version";
import { KongKubernetesError } from "./k8s-errors";

/** The versions a strategy plans with, once checked. */
export interface CheckedVersions {
  /** `currentVersion`: the version the live cluster runs. */
  readonly current: string;
  /** `targetVersion`, or `currentVersion` when it is absent. */
  readonly target: string;
  /** The target is newer than the current version (false: they are the same version). */
  readonly upgrading: boolean;
}

/** How one strategy words its refusals. */
export interface VersionWording {
  /** A version shown as the example in the `INVALID_VERSION` message, e.g. `3.4.2`. */
  readonly example: string;
  /** The `DOWNGRADE` message's next step: how to go back with this strategy instead. */
  readonly rollback: (current: string, target: string) => string;
}

/**
 * @param inputs the component's `currentVersion` and `targetVersion`.
 * @param wording the strategy's example version and rollback advice.
 * @throws KongKubernetesError `INVALID_VERSION` naming the version argument that does not parse,
 *   or `DOWNGRADE` (on `targetVersion`) when the target is older than the current version.
 */
export function checkedVersions(
  inputs: { readonly currentVersion: string; readonly targetVersion?: string },
  wording: VersionWording,
): CheckedVersions {
  const current = inputs.currentVersion;
  const target = inputs.targetVersion ?? current;
  for (const [prop, v] of [
    ["currentVersion", current],
    ["targetVersion", target],
  ] as const) {
    if (!parseKongVersion(v)) {
      throw new KongKubernetesError("INVALID_VERSION", `${prop} "${v}" is not a Kong version (e.g. ${wording.example}).`, prop);
    }
  }
  const order = compareVersions(target, current);
  if (order < 0) {
    throw new KongKubernetesError(
      "DOWNGRADE",
      `targetVersion ${target} is older than currentVersion ${current}: Kong cannot downgrade a database. ${wording.rollback(current, target)}`,
      "targetVersion",
    );
  }
  return { current, target, upgrading: order > 0 };
}
