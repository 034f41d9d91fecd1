/**
 * Provider progress lines, attributed to the resource that produced them.
 *
 * Inside Pulumi's dynamic-provider process, plain stdout lines are shown by the engine as the
 * stack's (every resource's lines mixed, all repeated in the Diagnostics summary). Instead, each
 * provider call runs inside {@link withResource} with the resource's URN (the hidden `__urn`
 * input), and lines go to the engine's `Log` RPC with that URN (./engine-log.ts): per-migration
 * lines as ephemeral status (shown while they happen, not in Diagnostics), one summary line per
 * run and warnings as persistent diagnostics of the resource. Outside the engine (tests, scripts)
 * lines go to stdout, or to a sink a test installs. Callers redact before logging.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { engineLogger, type EngineLogger } from "./engine-log";

export type Severity = "info" | "warning";

/** How a line is shown: `ephemeral` lines are progress, replaced by the next one. */
export interface LineKind {
  readonly severity: Severity;
  readonly ephemeral: boolean;
}

export type LogSink = (line: string, kind: LineKind) => void;

const PREFIX = "[kong-migrations] ";
const scope = new AsyncLocalStorage<{ urn?: string; pending: Promise<void>[] }>();
let engine: EngineLogger | undefined | null = null; // null: not looked up yet
let testSink: LogSink | undefined;

function toStdio(line: string, kind: LineKind): void {
  const stream = kind.severity === "warning" ? process.stderr : process.stdout;
  stream.write(`${PREFIX}${kind.severity === "warning" ? "warning: " : ""}${line}\n`);
}

function emit(line: string, kind: LineKind): void {
  if (testSink) return testSink(`${PREFIX}${line}`, kind);
  if (engine === null) engine = engineLogger();
  const ctx = scope.getStore();
  if (!engine || !ctx) return toStdio(line, kind);
  // A line the engine did not take (it went away, or this is not really an engine) goes to stdout.
  ctx.pending.push(engine.log(line, kind, ctx.urn).then((delivered) => (delivered ? undefined : toStdio(line, kind))));
}

/** A persistent line: one per run (what ran, what waits), kept in the Diagnostics summary. */
export function log(line: string): void {
  emit(line, { severity: "info", ephemeral: false });
}

/** A progress line (Kong's own output, "running ..."): shown while it is current, not kept. */
export function progress(line: string): void {
  emit(line, { severity: "info", ephemeral: true });
}

/** A warning of the resource, shown in preview and kept in the Diagnostics summary. */
export function warn(line: string): void {
  emit(line, { severity: "warning", ephemeral: false });
}

/**
 * Runs one provider call with its lines attributed to `urn`, and waits until the engine has
 * received them, so that they appear before the step's result.
 */
export async function withResource<T>(urn: unknown, fn: () => Promise<T>): Promise<T> {
  const ctx = { urn: typeof urn === "string" && urn.startsWith("urn:pulumi:") ? urn : undefined, pending: [] };
  try {
    return await scope.run(ctx, fn);
  } finally {
    await Promise.all(ctx.pending);
  }
}

/** Replaces the sink and returns the previous one (tests). `undefined` restores the default. */
export function setLogSink(next: LogSink | undefined): LogSink | undefined {
  const prev = testSink;
  testSink = next;
  return prev;
}
