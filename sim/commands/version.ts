/**
 * `kong version`: Kong OSS prints `meta._VERSION` alone (`2.1.4`, asserted by Kong's spec
 * `spec/02-integration/02-cmd/03-version_spec.lua`); Kong Enterprise prints
 * `Kong Enterprise <version>` (its `kong/cmd/version.lua`). `-a/--all` is not simulated.
 */
import type { Edition } from "../../provider/kong/catalogue-types";

export function versionLine(version: string, edition: Edition): string {
  return edition === "enterprise" ? `Kong Enterprise ${version}` : version;
}
