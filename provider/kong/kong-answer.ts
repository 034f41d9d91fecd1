/**
 * What the runner's Kong answered at the preflight, turned into the planner's terms and compared
 * with the catalogue. Pure.
 *
 * Kong's `kong migrations list` names every migration the release knows that the database has
 * executed, left pending or not run yet (kong-migrations.md §2.4), so their union per subsystem is
 * the release's list; the planner then works on it exactly as on the catalogue's. Before a
 * bootstrap Kong lists nothing (exit 3), so a bootstrap's names come from the catalogue when it
 * knows the release, and are not shown otherwise.
 */
import { hasTeardown, knownMigrations } from "./catalogue";
import type { KnownLists } from "./assess";
import type { KongTarget, Subsystem } from "./catalogue-types";
import type { KongListing } from "./list-output";
import { describeMigrations } from "./planner";
import type { MigrationsBySubsystem, SchemaState } from "./state";
import type { ReportedVersion } from "./version-output";

const BASE = ["core", "enterprise"];

function order(subsystems: string[]): string[] {
  return [...BASE.filter((b) => subsystems.includes(b)), ...subsystems.filter((s) => !BASE.includes(s)).sort()];
}

/** The release's lists from Kong's answer; `catalogued` says whether the catalogue knows the target. */
export function listsFromKong(listing: KongListing, target: KongTarget, catalogued: boolean): KnownLists {
  const catalogueKnown = catalogued ? knownMigrations(target) : [];
  const catalogueAll = catalogued ? knownMigrations({ ...target, plugins: ["all"] }) : [];
  if (listing.needsBootstrap) return { known: catalogueKnown, reference: catalogueAll.length ? catalogueAll : catalogueKnown };
  const names = new Map<string, string[]>();
  for (const block of [listing.executed, listing.pending, listing.new]) {
    for (const [s, list] of Object.entries(block)) {
      const into = names.get(s) ?? [];
      for (const n of list) if (!into.includes(n)) into.push(n);
      names.set(s, into);
    }
  }
  // Kong lists executed names in the order the database recorded them (a finished pending migration
  // comes last); the release's order, as the catalogue has it, keeps executed the same whoever
  // answered (a refresh plans from the catalogue). Names the catalogue lacks keep Kong's order, last.
  const releaseOrder = (subsystem: string, list: string[]): string[] => {
    const rank = new Map((catalogueAll.find((c) => c.subsystem === subsystem)?.migrations ?? []).map((m, i) => [m.name, i]));
    return [...list].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
  };
  const known: Subsystem[] = order([...names.keys()]).map((subsystem) => ({
    subsystem,
    migrations: releaseOrder(subsystem, names.get(subsystem)!).map((name) => ({
      name,
      teardown: (listing.pending[subsystem] ?? []).includes(name) || hasTeardown(target.edition, subsystem, name) === true,
    })),
  }));
  // Names the catalogue's ancestry retired (e.g. the 1.x-only 001_14_to_15) are older, not newer.
  const reference: Subsystem[] = known.map((s) => {
    const extra = catalogueAll.find((c) => c.subsystem === s.subsystem)?.migrations ?? [];
    const have = new Set(s.migrations.map((m) => m.name));
    return { subsystem: s.subsystem, migrations: [...s.migrations, ...extra.filter((m) => !have.has(m.name))] };
  });
  for (const c of catalogueAll) if (!names.has(c.subsystem)) reference.push(c);
  return { known, reference };
}

function sameNames(a: MigrationsBySubsystem, b: MigrationsBySubsystem): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = [...(a[k] ?? [])].sort().join(",");
    const y = [...(b[k] ?? [])].sort().join(",");
    if (x !== y) return false;
  }
  return true;
}

/**
 * Where Kong's answer and the catalogue's state differ, as one warning; undefined when they agree.
 * The plan follows Kong.
 */
export function disagreement(listing: KongListing, catalogue: SchemaState, version: string): string | undefined {
  if (listing.needsBootstrap !== catalogue.needsBootstrap) {
    return `Kong ${version} and the catalogue disagree: Kong says the database ${listing.needsBootstrap ? "needs" : "does not need"} bootstrapping. The plan follows Kong.`;
  }
  if (listing.needsBootstrap) return undefined;
  const parts: string[] = [];
  for (const [label, k, c] of [
    ["executed", listing.executed, catalogue.executed],
    ["pending", listing.pending, catalogue.pending],
    ["new", listing.new, catalogue.new],
  ] as const) {
    if (!sameNames(k, c)) parts.push(`${label}: Kong lists ${describeMigrations(k)}, the catalogue has ${describeMigrations(c)}`);
  }
  if (!parts.length) return undefined;
  return `Kong ${version}'s kong migrations list and this package's catalogue disagree (${parts.join("; ")}). The plan follows Kong; report the catalogue difference if Kong is right.`;
}

/**
 * A mismatch between the declared target and what the runner's `kong version` reports, as a
 * failure naming the input; undefined when they match. An Enterprise `kongVersion` of three
 * components matches any build of it (`3.4.3` and `Kong Enterprise 3.4.3.12`).
 */
export function versionMismatch(
  reported: ReportedVersion,
  declared: { kongVersion: string; edition: "oss" | "enterprise" },
  where: string,
): { property: string; reason: string } | undefined {
  if (reported.edition !== declared.edition) {
    return {
      property: "edition",
      reason:
        `edition is "${declared.edition}", but the runner's Kong is ${reported.edition === "enterprise" ? "Kong Enterprise" : "Kong OSS"} ` +
        `(${where} kong version printed "${reported.line}"). Set edition to "${reported.edition}", or point the runner at the other edition's Kong.`,
    };
  }
  const same =
    reported.version === declared.kongVersion ||
    (declared.edition === "enterprise" &&
      declared.kongVersion.split(".").length === 3 &&
      reported.version.startsWith(`${declared.kongVersion}.`));
  if (same) return undefined;
  return {
    property: "kongVersion",
    reason:
      `kongVersion is ${declared.kongVersion}, but the runner's Kong is ${reported.version} (${where} kong version printed ` +
      `"${reported.line}"). Its migrations would be Kong ${reported.version}'s, not ${declared.kongVersion}'s: run Kong ` +
      `${declared.kongVersion} in the runner (runner.command, or the Kubernetes runner's image), or set kongVersion to ${reported.version}.`,
  };
}
