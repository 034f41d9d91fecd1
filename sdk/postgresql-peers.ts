/**
 * Loaded first by the `pulumi-kong-migrations/postgresql` entry point: fails at import, naming the
 * missing package and how to install it, when the optional peer `@pulumi/postgresql` is absent
 * (rather than Node's bare "Cannot find module" from inside `sdk/kong-database.ts`).
 */
import { assertPeers } from "../provider/optional-peers";

assertPeers(["@pulumi/postgresql"], "pulumi-kong-migrations/postgresql (KongDatabase)");
