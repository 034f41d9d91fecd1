/**
 * Reads `kong version`'s output. Pure.
 *
 * Kong OSS prints `meta._VERSION` alone (`2.1.4`; `kong/cmd/version.lua`, asserted by
 * `spec/02-integration/02-cmd/03-version_spec.lua`: `assert.equal(meta._VERSION, strip(stdout))`).
 * Kong Enterprise prints `Kong Enterprise <package version>` (`Kong Enterprise 2.8.4.2`; the EE
 * spec asserts `"Kong Enterprise " .. package`). Older 0.x releases printed `Kong version: 0.9.0`;
 * `Kong 3.9.0` is accepted too. Other lines (a wrapper's banner, a Docker pull) are skipped: the last
 * line that reads as a version wins.
 */
import type { Edition } from "./catalogue-types";
import { parseKongVersion } from "./version";

export interface ReportedVersion {
  readonly version: string;
  readonly edition: Edition;
  /** The line it came from. */
  readonly line: string;
}

const LINE = /^(Kong Enterprise|Kong(?: version:)?)?\s*(\d+\.\d+\.\d+(?:\.\d+)?)(?:[-+][0-9A-Za-z.-]+)?\s*$/;

export function parseKongVersionOutput(stdout: string): ReportedVersion | undefined {
  let found: ReportedVersion | undefined;
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    const m = LINE.exec(line);
    if (!m || !parseKongVersion(m[2])) continue;
    found = { version: m[2], edition: m[1] === "Kong Enterprise" ? "enterprise" : "oss", line };
  }
  return found;
}
