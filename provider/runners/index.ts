/**
 * Picks the runner the inputs ask for. The Kubernetes runner (and its client library) is loaded
 * only when used.
 */
import type { Inputs, KubernetesRunnerInput } from "../inputs";
import { localRunner } from "./local";
import type { KongRunner, MigrationCommand } from "./types";

/** `kong:<version>` for OSS, `kong/kong-gateway:<version>` for Enterprise. */
export function defaultImage(inputs: Pick<Inputs, "kongVersion" | "edition">): string {
  return inputs.edition === "enterprise" ? `kong/kong-gateway:${inputs.kongVersion}` : `kong:${inputs.kongVersion}`;
}

function kubernetesConfig(r: KubernetesRunnerInput, inputs: Inputs) {
  return { ...r, image: r.image ?? defaultImage(inputs) };
}

export function runnerFor(inputs: Inputs): KongRunner {
  const r = inputs.runner;
  if (r.kind === "local") return localRunner({ command: r.command, env: r.env });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("./kubernetes-job");
  return k8s.kubernetesJobRunner(kubernetesConfig(r, inputs)) as KongRunner;
}

/** Checks a runner can make before a command: before `finish`, no old-version pod may be ready. */
export async function preflight(inputs: Inputs, command: MigrationCommand): Promise<void> {
  const r = inputs.runner;
  if (command !== "finish" || r.kind !== "kubernetes" || !r.oldPodSelector) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("./kubernetes-job");
  await k8s.assertOldPodsGone(kubernetesConfig(r, inputs));
}
