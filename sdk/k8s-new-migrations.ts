/**
 * Whether an upgrade needs migrations, from the migration catalogue (no database access): the
 * number of migrations `to` knows that `from` does not. Used at program time to choose between an
 * in-place rolling update and a blue/green upgrade.
 */
import { knownMigrations } from "../provider/kong/catalogue";
import type { Edition } from "../provider/kong/catalogue-types";

/**
 * @param plugins the plugin list, or `["all"]` (every catalogued plugin) when it is not known while
 *   the program runs: over-counting only ever chooses the blue/green shape, which is always safe.
 * @returns undefined when the catalogue does not know one of the versions.
 */
export function countNewMigrations(edition: Edition, plugins: readonly string[]) {
  return (from: string, to: string): number | undefined => {
    try {
      const names = (version: string) =>
        new Set(knownMigrations({ version, edition, plugins }).flatMap((s) => s.migrations.map((m) => `${s.subsystem}/${m.name}`)));
      const before = names(from);
      return [...names(to)].filter((n) => !before.has(n)).length;
    } catch {
      return undefined;
    }
  };
}
