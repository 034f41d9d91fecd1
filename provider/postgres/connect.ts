/**
 * Opens the provider's PostgreSQL connections: one per provider operation (check, create, update,
 * read), closed by the caller in `finally`. Counted, so that a test can prove an operation opens
 * exactly one (issue 10: an `up` used to open three fresh connections of six statements each).
 */
import type { Client } from "pg";
import { clientConfig, type DatabaseSettings } from "./settings";

let opened = 0;

/** How many connections this process has opened through {@link connect} (tests and benchmarks). */
export function connectionsOpened(): number {
  return opened;
}

/**
 * A connected client with Kong's settings, bounded by `timeoutSeconds` for the connect (TCP, TLS,
 * authentication), each statement (server side) and each query's answer (client side: a server that
 * stops answering after authentication costs that bound, not a hung process). Throws what `pg`
 * throws; the client is closed when connecting fails.
 */
export async function connect(settings: DatabaseSettings, timeoutSeconds: number): Promise<Client> {
  // Required here, not at module level: the provider is serialized into state (design.md §4).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg") as typeof import("pg");
  const client = new Client(clientConfig(settings, timeoutSeconds));
  client.on("error", () => undefined); // a dropped connection surfaces through the pending query
  opened++;
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}
