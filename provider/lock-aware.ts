/**
 * A refusal read while another Kong node holds the migrations lock describes a database caught
 * mid-run (an `up` that has recorded its first pending migration looks exactly like an interrupted
 * one). Saying "never finished (or was interrupted)" then sends the user to `decommissionedOld`
 * for a run that is still going; the truthful next step is to wait for that node. Pure.
 */
import { isKongMigrationError, KongMigrationError } from "./kong/errors";
import type { SchemaMetaSnapshot } from "./postgres/schema-meta";

/** Runs `plan`; a refusal thrown while a live lock is held is re-worded to name the lock first. */
export function withLockContext<T>(snapshot: SchemaMetaSnapshot, plan: () => T): T {
  try {
    return plan();
  } catch (e) {
    const lock = snapshot.lock;
    if (!isKongMigrationError(e) || !lock || lock.expired) throw e;
    throw new KongMigrationError(
      e.code,
      `Another Kong node holds the migrations lock (owner ${lock.owner ?? "unknown"}, until ${lock.expiresAt ?? "?"}) and is ` +
        `running migrations now, so the database is mid-run: run pulumi up again once that node is done (the lock ` +
        `is released, or expires if the node died). What the database shows meanwhile: ${e.message}`,
      e.property,
      { cause: e },
    );
  }
}
