/**
 * The local backup: the machine's real `pg_dump` (custom format) of Kong's schema into the declared
 * directory, through `../postgres/pg-tools` (version checked against the server, password only in
 * a private password file, the file linked into place only when complete, never replacing one).
 */
import * as path from "node:path";
import { pgDump } from "../postgres/pg-tools";
import type { DatabaseSettings } from "../postgres/settings";
import { backupFileName, describeDestination } from "./backup-destination";
import type { LocalBackupInput } from "./backup-input";
import type { BackupRecord } from "./backup-record";

export interface BackupRequest {
  readonly settings: DatabaseSettings;
  /** Kong's schema, as the provider observed it. */
  readonly schema: string;
  /** e.g. `finish`. */
  readonly step: string;
  readonly timeoutSeconds: number;
  readonly onLine?: (line: string) => void;
}

export async function localBackup(backup: LocalBackupInput, request: BackupRequest, now = new Date()): Promise<BackupRecord> {
  const file = path.join(backup.directory, backupFileName(request.settings.database, request.schema, request.step, now));
  const dumped = await pgDump(request.settings, {
    file,
    schema: request.schema,
    timeoutSeconds: request.timeoutSeconds,
    onLine: request.onLine,
  });
  return {
    file: dumped.file,
    destination: describeDestination(backup),
    sizeBytes: dumped.sizeBytes,
    sha256: dumped.sha256,
    serverVersion: dumped.server.text,
    schema: request.schema,
    takenAt: new Date().toISOString(),
    beforeStep: `kong migrations ${request.step}`,
    durationMs: dumped.durationMs,
  };
}
