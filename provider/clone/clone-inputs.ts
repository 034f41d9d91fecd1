/**
 * Validation and normalization of `KongDatabaseClone`'s inputs (the `check` half that needs no
 * I/O). Every failure names the property and the next step. Pure.
 */
import type { Edition } from "../kong/catalogue-types";
import { closestKey } from "../input-keys";
import { containsUnknown, database, type Failure } from "../inputs";
import type { DatabaseSettings } from "../postgres/settings";

/** Keys a user sets (the passwords travel as their own secret inputs). */
export const CLONE_USER_KEYS = ["source", "sourcePassword", "target", "targetPassword", "edition", "timeoutSeconds"] as const;
/** Computed by check. */
const CLONE_COMPUTED_KEYS = ["plan"] as const;
/** Outputs, declared by the resource class as `undefined` inputs. */
export const CLONE_OUTPUT_KEYS = [
  "sourceState",
  "dumpSizeBytes",
  "targetSizeBytes",
  "dumpSha256",
  "durationMs",
  "dumpDurationMs",
  "restoreDurationMs",
  "pgDumpVersion",
  "serverVersion",
  "clonedAt",
] as const;

export const DEFAULT_CLONE_TIMEOUT_SECONDS = 1800;

export interface CloneInputs {
  readonly source: Omit<DatabaseSettings, "password">;
  readonly sourcePassword?: string;
  readonly target: Omit<DatabaseSettings, "password">;
  readonly targetPassword?: string;
  /** Whose catalogue reads the source's version (`oss` default). */
  readonly edition: Edition;
  /** Kill pg_dump or pg_restore after this many seconds. */
  readonly timeoutSeconds: number;
}

/** What check found, recorded as a computed input so that `pulumi preview --diff` shows it. */
export interface ClonePlan {
  /** `clone`, `none` (cloned already), or `unknown until apply`. */
  readonly action: "clone" | "none" | "unknown until apply";
  /** One line: what would happen. */
  readonly description: string;
  /** The source's migration state as read at preview (absent when it could not be read). */
  readonly source?: string;
  readonly warnings?: string[];
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** `database(...)`'s failures, renamed from `database.*` to `<side>.*`. */
function side(raw: unknown, name: "source" | "target", failures: Failure[]) {
  const own: Failure[] = [];
  const d = database(raw, own);
  for (const f of own) {
    failures.push({
      property: f.property.replace(/^database/, name),
      reason: f.reason
        .replace(/\bdatabase is required\b/, `${name} is required`)
        .replace(/\bdatabase\.(?=[a-zA-Z])/g, `${name}.`)
        .replace(/KongDatabaseMigration/g, "KongDatabaseClone"),
    });
  }
  return d;
}

export function databaseId(d: Pick<DatabaseSettings, "host" | "port" | "database">): string {
  return `${d.host}:${d.port}/${d.database}`;
}

/** Validates and fills defaults. Unknown values (preview) are not failures. */
export function normalizeCloneInputs(news: Raw): { inputs: CloneInputs; failures: Failure[] } {
  const failures: Failure[] = [];
  for (const key of Object.keys(news)) {
    if (key.startsWith("__") || (CLONE_USER_KEYS as readonly string[]).includes(key)) continue;
    if ((CLONE_COMPUTED_KEYS as readonly string[]).includes(key)) continue;
    if ((CLONE_OUTPUT_KEYS as readonly string[]).includes(key) && (news[key] === undefined || news[key] === null)) continue;
    const suggestion = closestKey(key, CLONE_USER_KEYS);
    failures.push({
      property: key,
      reason:
        `${key} is not an input of KongDatabaseClone` +
        (suggestion ? `: did you mean ${suggestion}?` : ": remove it.") +
        ` Valid keys: ${CLONE_USER_KEYS.join(", ")}.`,
    });
  }
  const source = side(news.source, "source", failures);
  const target = side(news.target, "target", failures);
  const edition = news.edition ?? "oss";
  if (edition !== "oss" && edition !== "enterprise") {
    failures.push({
      property: "edition",
      reason: `edition must be "oss" or "enterprise" (got ${JSON.stringify(edition)}): the edition of the Kong that wrote the source, or leave it out for "oss".`,
    });
  }
  let timeoutSeconds = DEFAULT_CLONE_TIMEOUT_SECONDS;
  const t = news.timeoutSeconds;
  if (t !== undefined) {
    if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 86400) {
      failures.push({
        property: "timeoutSeconds",
        reason: `timeoutSeconds must be a whole number of seconds from 1 to 86400 (got ${JSON.stringify(t)}): set one, or leave it out for ${DEFAULT_CLONE_TIMEOUT_SECONDS}.`,
      });
    } else timeoutSeconds = t;
  }
  const s = source.settings;
  const g = target.settings;
  if (isObject(news.source) && isObject(news.target) && s.host === g.host && s.port === g.port && s.database === g.database) {
    failures.push({
      property: "target.database",
      reason:
        `target is the source database itself (${databaseId(s)}): a clone needs a second, empty database. ` +
        `Create one (e.g. CREATE DATABASE kong_new OWNER kong, or a postgresql.Database resource) and give its name as target.database.`,
    });
  }
  if ((s.schema ?? "") !== (g.schema ?? "")) {
    failures.push({
      property: "target.schema",
      reason:
        `target.schema (${JSON.stringify(g.schema ?? "")}) differs from source.schema (${JSON.stringify(s.schema ?? "")}): ` +
        `pg_restore recreates Kong's tables in the schema they were dumped from, so the new cluster must use the same KONG_PG_SCHEMA. Give both the same schema.`,
    });
  }
  const sourcePassword = typeof news.sourcePassword === "string" ? news.sourcePassword : source.password;
  const targetPassword = typeof news.targetPassword === "string" ? news.targetPassword : target.password;
  const inputs: CloneInputs = {
    source: s,
    ...(sourcePassword !== undefined ? { sourcePassword } : {}),
    target: g,
    ...(targetPassword !== undefined ? { targetPassword } : {}),
    edition: edition === "enterprise" ? "enterprise" : "oss",
    timeoutSeconds,
  };
  return { inputs, failures: failures.filter((f) => !containsUnknown(valueAt(news, f.property))) };
}

function valueAt(obj: Raw, property: string): unknown {
  let v: unknown = obj;
  for (const part of property.split(".")) v = isObject(v) ? v[part] : undefined;
  return v;
}

export function sourceSettings(i: CloneInputs): DatabaseSettings {
  return { ...i.source, ...(i.sourcePassword !== undefined ? { password: i.sourcePassword } : {}) };
}

export function targetSettings(i: CloneInputs): DatabaseSettings {
  return { ...i.target, ...(i.targetPassword !== undefined ? { password: i.targetPassword } : {}) };
}
