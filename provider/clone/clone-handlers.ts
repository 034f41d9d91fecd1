/**
 * `KongDatabaseClone`'s provider methods. `./index.ts` is the thin object Pulumi serializes into
 * state; it loads this module inside each call (design.md §4).
 *
 * - check: validates, reads the source's `schema_meta` and the target's contents read-only, and
 *   refuses a non-empty target (naming `target.database` and the next step) before anything runs.
 * - create: checks the target again, refuses while another node holds Kong's migrations lock on
 *   the source, then the real `pg_dump --format=custom` of Kong's schema and `pg_restore` in one
 *   transaction (nothing is left half restored), through `../postgres/pg-tools.ts` (passwords in a
 *   private password file, never argv). The dump is removed afterwards: the source database, which
 *   nothing here changes, is the backup.
 * - update: runs nothing (a clone is taken once); a new source or target is a replacement.
 * - delete: drops nothing, neither the clone nor the source.
 */
import { isDeepStrictEqual } from "node:util";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown, type Failure } from "../inputs";
import { log, progress } from "../log";
import { classifyDatabaseError } from "../postgres/db-errors";
import { pgDump, pgRestore } from "../postgres/pg-tools";
import { observeDatabase, type SchemaMetaSnapshot } from "../postgres/schema-meta";
import type { DatabaseSettings } from "../postgres/settings";
import { redact } from "../runners/types";
import {
  CLONE_USER_KEYS,
  databaseId,
  normalizeCloneInputs,
  sourceSettings,
  targetSettings,
  type CloneInputs,
  type ClonePlan,
} from "./clone-inputs";
import { describeSource, summarizeSource, type SourceState } from "./source-state";
import { nonEmptyTargetReason, readTargetContents } from "./target-contents";

/** Preview reads are bounded like the migration's (Kong's default pg_timeout, 5 s). */
const CHECK_TIMEOUT_SECONDS = 5;

type Props = Record<string, unknown>;

function secretsOf(i: CloneInputs): string[] {
  return [i.sourcePassword, i.targetPassword].filter((p): p is string => typeof p === "string" && p !== "");
}

function scrub(e: unknown, i: CloneInputs): string {
  return redact(e instanceof Error ? e.message : String(e), secretsOf(i));
}

/** `source` and `target` name the same databases in both (host, port, database, schema). */
function sameDatabases(a: Props, b: Props): boolean {
  const where = (v: unknown) => {
    const d = (v ?? {}) as Props;
    return [d.host, d.port, d.database, d.schema ?? null];
  };
  return isDeepStrictEqual(where(a.source), where(b.source)) && isDeepStrictEqual(where(a.target), where(b.target));
}

/** A classified read error as a failure of `<side>.*`, or a warning when the server was not reachable. */
function problemOf(e: unknown, side: "source" | "target", settings: DatabaseSettings): { failure?: Failure; warning?: string } {
  const p = classifyDatabaseError(e, settings, CHECK_TIMEOUT_SECONDS);
  if (p.kind === "unreachable") return { warning: `${side} ${databaseId(settings)} could not be reached at preview (${p.detail})` };
  return {
    failure: { property: p.property.replace(/^database/, side), reason: p.reason.replace(/\bdatabase\.(?=[a-zA-Z])/g, `${side}.`) },
  };
}

function lockHeld(snapshot: SchemaMetaSnapshot): string | undefined {
  const l = snapshot.lock;
  if (!l || l.expired) return undefined;
  return `another node (${l.owner ?? "unknown"}) holds Kong's migrations lock on the source until ${l.expiresAt ?? "?"}: a kong migrations command is running there`;
}

export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = normalizeCloneInputs(news);
  if (failures.length) return { inputs: news, failures };
  const checked = (plan: ClonePlan) => ({ inputs: { ...news, ...inputs, plan } });
  if (containsUnknown(news)) {
    return checked({
      action: "unknown until apply",
      description: "some inputs are not known until apply; the target's emptiness is checked before the restore",
    });
  }
  if (olds.source !== undefined && sameDatabases(olds, news)) {
    return checked({
      action: "none",
      description: `cloned already into ${databaseId(inputs.target)}; a clone is taken once and nothing runs`,
    });
  }
  const warnings: string[] = [];
  let sourceLine: string | undefined;
  try {
    const snapshot = await observeDatabase(sourceSettings(inputs), CHECK_TIMEOUT_SECONDS);
    if (!snapshot.rows) {
      return {
        inputs: news,
        failures: [
          {
            property: "source.database",
            reason:
              `source ${databaseId(inputs.source)} has no schema_meta in schema ${snapshot.schema}: it is not a Kong database ` +
              `(or was never bootstrapped), so there is nothing to clone. Give the database your running Kong cluster uses as source.`,
          },
        ],
      };
    }
    sourceLine = describeSource(summarizeSource(snapshot.schema, snapshot.rows, inputs.edition));
    const held = lockHeld(snapshot);
    if (held) warnings.push(`${held}; the clone waits for nobody and is refused while the lock is held.`);
  } catch (e) {
    const { failure, warning } = problemOf(e, "source", sourceSettings(inputs));
    if (failure) return { inputs: news, failures: [{ ...failure, reason: redact(failure.reason, secretsOf(inputs)) }] };
    warnings.push(`${warning}; it is read again before the dump.`);
  }
  try {
    const contents = await readTargetContents(targetSettings(inputs), CHECK_TIMEOUT_SECONDS);
    if (contents.count > 0)
      return { inputs: news, failures: [{ property: "target.database", reason: nonEmptyTargetReason(inputs.target, contents) }] };
  } catch (e) {
    const { failure, warning } = problemOf(e, "target", targetSettings(inputs));
    // A target database created in the same deployment does not exist yet at preview.
    const why =
      warning ?? `target ${databaseId(inputs.target)} could not be read at preview (${redact(failure!.reason, secretsOf(inputs))})`;
    warnings.push(`${why}; it must exist and be empty, which is checked again right before the restore.`);
  }
  return checked({
    action: "clone",
    description:
      `pg_dump of ${databaseId(inputs.source)} (Kong's schema${inputs.source.schema ? ` ${inputs.source.schema}` : ""}) restored with pg_restore ` +
      `into the empty ${databaseId(inputs.target)}; the source is only read`,
    ...(sourceLine ? { source: sourceLine } : {}),
    ...(warnings.length ? { warnings } : {}),
  });
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  if (CLONE_USER_KEYS.some((k) => containsUnknown(news[k]))) return { changes: true };
  const replaces = sameDatabases(olds, news) ? [] : ["target"];
  const changed = CLONE_USER_KEYS.filter((k) => !isDeepStrictEqual(olds[k], news[k]));
  return { changes: changed.length > 0 || replaces.length > 0, ...(replaces.length ? { replaces } : {}) };
}

/** The clone's outputs (the passwords are outputs too: secret because their inputs are). */
export interface CloneOutputs {
  readonly sourceState: SourceState;
  readonly dumpSizeBytes: number;
  readonly targetSizeBytes: number;
  readonly dumpSha256: string;
  readonly durationMs: number;
  readonly dumpDurationMs: number;
  readonly restoreDurationMs: number;
  readonly pgDumpVersion: string;
  readonly serverVersion: string;
  readonly clonedAt: string;
}

/** The clone itself (no Pulumi): refuses a non-empty target or a held lock, then dump and restore. */
export async function cloneDatabase(inputs: CloneInputs): Promise<CloneOutputs> {
  const started = Date.now();
  const src = sourceSettings(inputs);
  const tgt = targetSettings(inputs);
  const contents = await readTargetContents(tgt, inputs.timeoutSeconds).catch((e) => {
    throw new Error(`cannot read the clone's target ${databaseId(tgt)}: ${scrub(e, inputs)}. Nothing was changed.`);
  });
  if (contents.count > 0) throw new Error(nonEmptyTargetReason(tgt, contents));
  const before = await observeDatabase(src, inputs.timeoutSeconds).catch((e) => {
    throw new Error(`cannot read the clone's source ${databaseId(src)}: ${scrub(e, inputs)}. Nothing was changed.`);
  });
  if (!before.rows) {
    throw new Error(
      `source ${databaseId(src)} has no schema_meta in schema ${before.schema}: not a Kong database, nothing to clone. Nothing was changed.`,
    );
  }
  const held = lockHeld(before);
  if (held) throw new Error(`${held}. Wait until it is done (or the lock expires), then run pulumi up again. Nothing was changed.`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kong-migrations-clone-"));
  try {
    const file = path.join(dir, "source.dump");
    progress(`pg_dump of ${databaseId(src)} (schema ${before.schema})`);
    const dump = await pgDump(src, {
      file,
      schema: before.schema,
      timeoutSeconds: inputs.timeoutSeconds,
      onLine: (l) => progress(`pg_dump: ${l}`),
    });
    progress(`pg_restore into ${databaseId(tgt)} (${dump.sizeBytes} bytes)`);
    const restore = await pgRestore(tgt, { file, timeoutSeconds: inputs.timeoutSeconds, onLine: (l) => progress(`pg_restore: ${l}`) });
    // The state that was cloned is the one the clone holds (pg_dump reads one consistent snapshot).
    const { after, sizeBytes } = await Promise.all([
      observeDatabase(tgt, inputs.timeoutSeconds),
      readTargetContents(tgt, inputs.timeoutSeconds),
    ])
      .then(([after, contents]) => ({ after, sizeBytes: contents.sizeBytes }))
      .catch((e) => {
        throw new Error(
          `the restore into ${databaseId(tgt)} completed, but reading it back failed: ${scrub(e, inputs)}. The target now holds ` +
            `the clone, so the next pulumi up refuses it as not empty: drop and recreate ${tgt.database} (empty), then run pulumi up again.`,
        );
      });
    const sourceState = summarizeSource(after.schema, after.rows ?? [], inputs.edition);
    const out: CloneOutputs = {
      sourceState,
      dumpSizeBytes: dump.sizeBytes,
      targetSizeBytes: sizeBytes,
      dumpSha256: dump.sha256,
      durationMs: Date.now() - started,
      dumpDurationMs: dump.durationMs,
      restoreDurationMs: restore.durationMs,
      pgDumpVersion: dump.tool.text,
      serverVersion: dump.server.text,
      clonedAt: new Date().toISOString(),
    };
    log(
      `cloned ${databaseId(src)} into ${databaseId(tgt)} (${describeSource(sourceState)}): dump ${dump.sizeBytes} bytes, ` +
        `${(out.durationMs / 1000).toFixed(1)} s; the source was only read`,
    );
    return out;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function inputProps(inputs: CloneInputs, news: Props): Props {
  const { plan, __urn } = news;
  return { ...inputs, ...(plan !== undefined ? { plan } : {}), ...(__urn !== undefined ? { __urn } : {}) };
}

export async function create(news: Props): Promise<pulumi.dynamic.CreateResult> {
  const { inputs, failures } = normalizeCloneInputs(news);
  if (failures.length) throw new Error(failures.map((f) => f.reason).join("\n"));
  let outs: CloneOutputs;
  try {
    outs = await cloneDatabase(inputs);
  } catch (e) {
    throw new Error(scrub(e, inputs), { cause: e });
  }
  return { id: `${databaseId(inputs.target)} (clone of ${databaseId(inputs.source)})`, outs: { ...inputProps(inputs, news), ...outs } };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const { inputs } = normalizeCloneInputs(news);
  log(`nothing runs: the clone was taken at ${String(olds.clonedAt)}; a clone is taken once`);
  const kept: Props = {};
  for (const k of Object.keys(olds)) if (!k.startsWith("__") && !(k in inputs) && k !== "plan") kept[k] = olds[k];
  return { outs: { ...kept, ...inputProps(inputs, news) } };
}

/** Refresh reports the clone as it was taken: it is a past event, and the target belongs to the new cluster now. */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function remove(id: string): Promise<void> {
  log(`delete: dropped nothing; ${id} and its source stay exactly as they are`);
}
