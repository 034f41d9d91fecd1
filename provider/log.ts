/**
 * Provider progress lines. In the dynamic-provider process, stdout lines are streamed by the
 * engine as info messages while an operation runs (pulumi-dynamic-providers.md §1.8); tests swap
 * the sink to capture them. Callers redact before logging.
 */
let sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

export function log(line: string): void {
  sink(`[kong-migrations] ${line}`);
}

/** Replaces the sink and returns the previous one (tests). */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = next;
  return prev;
}
