/**
 * The input keys the resource accepts, and the check that refuses any other key with a "did you
 * mean" suggestion: a misspelled `decomissionedOld` silently ignored would leave `finish` waiting
 * (or worse, a misspelled guard silently off). Pure.
 */

/** Keys a user sets; a change in any of them is an update (password: so refresh uses the new one). */
export const USER_KEYS = [
  "database",
  "password",
  "kongVersion",
  "edition",
  "plugins",
  "decommissionedOld",
  "runner",
  "planWith",
  "lockTimeoutSeconds",
  "dbTimeoutSeconds",
  "commandTimeoutSeconds",
  "migrateCommunityEntities",
  "backup",
] as const;

/** `plan` is the computed input `check` adds; check replaces whatever it holds. */
const COMPUTED_KEYS = ["plan"] as const;

/**
 * Output names: the resource class declares them with `undefined` inputs so that they become
 * outputs; they are accepted only while they hold no value.
 */
const OUTPUT_KEYS = ["phase", "databaseVersion", "executed", "pending", "lastRun", "lastBackup", "reloadRequired"] as const;

export const DATABASE_KEYS = ["host", "port", "user", "password", "database", "schema", "ssl", "sslVerify"] as const;
export const LOCAL_RUNNER_KEYS = ["kind", "command", "env"] as const;
export const KUBERNETES_RUNNER_KEYS = [
  "kind",
  "namespace",
  "image",
  "kubeconfig",
  "passwordSecret",
  "oldPodSelector",
  "env",
  "serviceAccountName",
] as const;

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest known key, when it is close enough to be a typo (case-insensitive, distance <= 1/3 of its length). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  if (best && best.d <= Math.max(2, Math.floor(best.k.length / 3))) return best.k;
  // A shortened or extended name: `lockTimeout`, `hostname`, `cmd`.
  const k = key.toLowerCase();
  const related = (o: string) => (k.length >= 3 && (o.startsWith(k) || k.startsWith(o))) || (k.length >= 3 && isSubsequence(k, o));
  return known.find((o) => related(o.toLowerCase()));
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i++;
  return i === short.length;
}

/**
 * The unknown keys of `obj` (for `prefix` "" the top level, else e.g. `database.`), each with a
 * reason that names the key, a suggestion when one is close, and the keys that exist. Keys
 * starting with `__` are Pulumi's own (`__provider`, and any it adds later) and always allowed.
 */
export function unknownKeys(obj: Record<string, unknown>, known: readonly string[], prefix = ""): { property: string; reason: string }[] {
  const extra = prefix === "" ? [...COMPUTED_KEYS] : [];
  const out: { property: string; reason: string }[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith("__") || known.includes(key) || extra.includes(key as never)) continue;
    if (prefix === "" && (OUTPUT_KEYS as readonly string[]).includes(key) && (value === undefined || value === null)) continue;
    const suggestion = closestKey(key, known);
    const output = prefix === "" && (OUTPUT_KEYS as readonly string[]).includes(key);
    out.push({
      property: `${prefix}${key}`,
      reason: output
        ? `${prefix}${key} is an output of KongDatabaseMigration, read from the database; remove it from the inputs.`
        : `${prefix}${key} is not an input of KongDatabaseMigration` +
          (suggestion ? `: did you mean ${prefix}${suggestion}?` : `: remove it.`) +
          ` Valid ${prefix ? `${prefix.slice(0, -1)} ` : ""}keys: ${known.join(", ")}.`,
    });
  }
  return out;
}
