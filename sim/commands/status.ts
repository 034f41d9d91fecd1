/**
 * `kong migrations status` (3.0.0+, kong-migrations.md §2.6): the schema state as one JSON object
 * on stdout (Lua `print`, so `-q` does not silence it), exit 0. `needs_bootstrap` plus the
 * non-empty lists of `{subsystem, namespace, migrations: [names]}`. Kong's cjson key order is not
 * guaranteed; kong-sim writes needs_bootstrap, executed, pending, new. With "missing" migrations
 * Kong's cjson fails on the migration modules' functions; kong-sim reports the same error.
 */
import type { Subsystem } from "../../provider/kong/catalogue-types";
import type { Ctx } from "../context";
import { CMD_SITE, KongError } from "../errors";
import type { SimState } from "../schema-state";

/**
 * The Lua module namespace Kong reports. `core` and plugins are as in OSS; the Enterprise
 * namespaces (`enterprise`, `enterprise.<plugin>`) are UNVERIFIED guesses.
 */
export function namespaceOf(subsystem: string): string {
  if (subsystem === "core") return "kong.db.migrations.core";
  if (subsystem === "enterprise") return "kong.enterprise_edition.db.migrations.enterprise";
  if (subsystem.startsWith("enterprise.")) return `kong.plugins.${subsystem.slice("enterprise.".length)}.migrations.enterprise`;
  return `kong.plugins.${subsystem}.migrations`;
}

function encode(groups: readonly Subsystem[]): unknown[] {
  return groups.map((g) => ({
    subsystem: g.subsystem,
    namespace: namespaceOf(g.subsystem),
    migrations: g.migrations.map((m) => m.name),
  }));
}

export function statusCommand(ctx: Ctx, state: SimState): number {
  if (state.missing) throw new KongError("Cannot serialise function: type not supported", CMD_SITE);
  const out: Record<string, unknown> = { needs_bootstrap: state.needsBootstrap };
  if (state.executed) out.executed_migrations = encode(state.executed);
  if (state.pending) out.pending_migrations = encode(state.pending);
  if (state.new) out.new_migrations = encode(state.new);
  ctx.log.print(JSON.stringify(out));
  return 0;
}
