/**
 * Registering a resource, Pulumi's Node SDK (3.248 runtime/rpc.js `transferProperties`) makes four
 * promises per property and records a stack trace on each (runtime/debuggable.js), which it prints
 * only when PULUMI_DEBUG_PROMISE_LEAKS is set. Pulumi runs every program under ts-node, whose
 * source-map-support maps each frame of each of those traces: for `KongDatabaseMigration`'s 20-odd
 * properties, about 10 ms of CPU per resource, half of what 50 resources added to a preview (bench (b),
 * measured 2026-12-03).
 *
 * While the SDK registers the resource, the traces are captured with no frames, unless
 * PULUMI_DEBUG_PROMISE_LEAKS asks for them. The resource's source position is unaffected: the SDK's
 * `Resource.callsites` sets `Error.stackTraceLimit` itself for its one trace. An error thrown during
 * registration keeps its message (its stack has no frames).
 */

/** Lowers `Error.stackTraceLimit` to 0 (unless PULUMI_DEBUG_PROMISE_LEAKS is set); returns the undo. */
export function withoutPromiseStacks(): () => void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}
