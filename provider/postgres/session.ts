/**
 * One provider operation's database connection (create, update): opened at the first read, reused
 * for every later read of the operation (before the step, after it, after a lock abort), closed at
 * the end. A connection that died while Kong ran (a restart, an idle cut by a proxy during a long
 * Kubernetes Job) is reopened at the next read instead of failing a step that succeeded.
 */
import type { Client } from "pg";
import { connect } from "./connect";
import { readSnapshot, type SchemaMetaSnapshot } from "./schema-meta";
import type { DatabaseSettings } from "./settings";

export interface DatabaseSession {
  /** The `schema_meta`/`locks` snapshot as of now. */
  snapshot(): Promise<SchemaMetaSnapshot>;
  close(): Promise<void>;
}

export function databaseSession(settings: DatabaseSettings, timeoutSeconds: number): DatabaseSession {
  let client: Client | undefined;
  let dead = false;
  const close = async () => {
    const c = client;
    client = undefined;
    if (c) await c.end().catch(() => undefined);
  };
  return {
    async snapshot() {
      if (client && dead) await close();
      if (!client) {
        client = await connect(settings, timeoutSeconds);
        dead = false;
        const died = () => (dead = true);
        client.once("end", died);
        client.once("error", died);
      }
      return readSnapshot(client, settings.schema);
    },
    close,
  };
}
