/**
 * Kong version strings: `MAJOR.MINOR.PATCH` for Kong OSS (`2.1.4`) and an optional fourth
 * component for Kong Enterprise (`2.8.4.2`). Pure.
 */
export interface KongVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Fourth component of Enterprise versions (`3.4.3.12` -> 12); 0 when absent. */
  readonly build: number;
  /** The text as given. */
  readonly text: string;
}

const VERSION_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?$/;

/** Parses `2.1.4` or `3.4.3.12`; returns undefined for anything else (no `v` prefix, no suffixes). */
export function parseKongVersion(text: string): KongVersion | undefined {
  const m = VERSION_RE.exec(text);
  if (!m) return undefined;
  return { major: +m[1], minor: +m[2], patch: +m[3], build: m[4] === undefined ? 0 : +m[4], text };
}

/** Parses or throws a plain Error naming the text (callers turn it into a field error). */
export function requireKongVersion(text: string): KongVersion {
  const v = parseKongVersion(text);
  if (!v) throw new Error(`"${text}" is not a Kong version (expected MAJOR.MINOR.PATCH, e.g. 2.1.4)`);
  return v;
}

/** Negative, zero or positive like a sort comparator. */
export function compareVersions(a: KongVersion | string, b: KongVersion | string): number {
  const x = typeof a === "string" ? requireKongVersion(a) : a;
  const y = typeof b === "string" ? requireKongVersion(b) : b;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch || x.build - y.build;
}

/** `2.1` for `2.1.4`: the release series a version belongs to. */
export function minorSeries(v: KongVersion | string): string {
  const x = typeof v === "string" ? requireKongVersion(v) : v;
  return `${x.major}.${x.minor}`;
}
