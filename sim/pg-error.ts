/**
 * PostgreSQL and socket errors worded as Kong's driver (pgmoon over LuaSocket) words them, so that
 * messages such as `failed to run migration '…' up: ERROR: division by zero` match Kong's:
 * server errors are `<SEVERITY>: <message>` plus ` (<position>)` and `\n<detail>` when present
 * (pgmoon `parse_error`); a refused connection is `connection refused`; an unresolvable host is
 * `host or service not provided, or not known` (seen in Kong/kong#11432); any timeout is `timeout`;
 * a server without TLS asked for it is `the server does not support SSL connections`.
 * Pure.
 */
interface PgLikeError {
  message?: string;
  code?: string;
  severity?: string;
  position?: string;
  detail?: string;
}

/** True for node-pg's client-side timeouts (query read timeout, connection timeout). */
export function isTimeout(e: unknown): boolean {
  const m = (e as PgLikeError)?.message ?? "";
  return /timeout/i.test(m) && (e as PgLikeError)?.severity === undefined;
}

export function pgErrorText(e: unknown): string {
  const err = (e ?? {}) as PgLikeError;
  if (err.severity) {
    let msg = `${err.severity}: ${err.message ?? ""}`;
    if (err.position) msg += ` (${err.position})`;
    if (err.detail) msg += `\n${err.detail}`;
    return msg;
  }
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host or service not provided, or not known";
    case "ETIMEDOUT":
      return "timeout";
    case "ECONNRESET":
    case "EPIPE":
      return "closed";
  }
  if (isTimeout(e)) return "timeout";
  if (err.message === "The server does not support SSL connections") return "the server does not support SSL connections";
  if (err.message && /Connection terminated/i.test(err.message)) return "closed";
  return err.message ?? String(e);
}
