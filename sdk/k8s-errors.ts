/**
 * Errors the Kubernetes components throw while a program runs (before anything is deployed):
 * invalid combinations of inputs. `code` is stable; the message names the input and the next step.
 */
export type KongKubernetesErrorCode =
  | "INVALID_VERSION"
  | "DOWNGRADE"
  | "TRAFFIC_OUT_OF_RANGE"
  | "TRAFFIC_TO_MISSING_CLUSTER"
  | "WEIGHTED_TRAFFIC_NEEDS_GATEWAY"
  | "RETIRE_WITHOUT_UPGRADE"
  | "RETIRE_NEW_CLUSTER"
  | "RETIRE_WITH_TRAFFIC"
  | "RESERVED_ENV"
  | "NEW_DATABASE_REQUIRED"
  | "CUT_OVER_WITH_TRAFFIC"
  | "DROP_BEFORE_CUT_OVER"
  | "UPGRADE_FLAG_WITHOUT_UPGRADE"
  | "DROP_DATABASE_BEFORE_CLUSTER";

export class KongKubernetesError extends Error {
  override readonly name = "KongKubernetesError";
  constructor(
    readonly code: KongKubernetesErrorCode,
    message: string,
    /** The argument at fault, e.g. `greenTrafficPercent`. */
    readonly property?: string,
  ) {
    super(message);
  }
}
