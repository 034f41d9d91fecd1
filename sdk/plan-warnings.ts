/**
 * Turns the provider's plan warnings into real Pulumi warnings on the resource.
 *
 * A dynamic provider runs in a plugin process without an engine connection: its `pulumi.log.warn`
 * falls back to a console line, which the engine shows as an unattributed info message
 * (pulumi-dynamic-providers.md §1.8). The program, however, has the engine. `check` records its
 * warnings in the `plan` input, and because dynamic providers do not support preview the engine
 * answers a preview with the checked inputs as the resource's state (§1.4), so `plan` resolves in
 * `pulumi preview` too. Logging from here makes each warning a `warning:` diagnostic attached to
 * the `KongDatabaseMigration` row, in preview and in up.
 */
import * as pulumi from "@pulumi/pulumi";

export function warnFromPlan(resource: pulumi.Resource, plan: pulumi.Output<{ readonly warnings?: readonly string[] } | undefined>): void {
  plan.apply((p) => {
    for (const w of p?.warnings ?? []) void pulumi.log.warn(w, resource);
  });
}
