/**
 * Loaded first by the `pulumi-kong-migrations/kubernetes` entry point: fails at import, naming the
 * missing package and how to install it, when an optional Kubernetes peer dependency is absent
 * (rather than Node's bare "Cannot find module" from deep inside a component file).
 */
import { assertPeers } from "../provider/optional-peers";

assertPeers(["@pulumi/kubernetes", "@kubernetes/client-node"], "pulumi-kong-migrations/kubernetes (the Kubernetes components)");
