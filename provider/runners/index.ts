/**
 * Picks the runner the inputs ask for. The Kubernetes runner (and its client library) is loaded
 * only when used.
 */
import type { Inputs } from "../inputs";
import { kongImage } from "../kong/image";
import { localRunner } from "./local";
import { assertPeers } from "../optional-peers";
import type { KongRunner } from "./types";

export function runnerFor(inputs: Inputs): KongRunner {
  const r = inputs.runner;
  if (r.kind === "local") return localRunner({ command: r.command, env: r.env });
  assertPeers(["@kubernetes/client-node"], 'runner { kind: "kubernetes" }');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("./kubernetes-job");
  return k8s.kubernetesJobRunner({ ...r, image: r.image ?? kongImage(inputs.edition, inputs.kongVersion) }) as KongRunner;
}
