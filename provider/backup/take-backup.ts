/**
 * The hook every irreversible step passes through: `backupBeforeIrreversible(inputs, step, schema)`
 * is called by the reconcile path before it runs any step. For a reversible step it does nothing;
 * before `finish` or `migrate-community-to-enterprise` it takes the declared backup, and throws a
 * `BackupError` (so the step does not run) when that fails. Without a declared backup it only
 * says so in the log: the preview has warned already (`./preview-notice.ts`).
 */
import { databaseSettings, type Inputs } from "../inputs";
import { log } from "../log";
import { redact } from "../runners/types";
import { describeDestination } from "./backup-destination";
import { BackupError } from "./backup-error";
import type { BackupRecord } from "./backup-record";
import { isIrreversible, stepName } from "./irreversible";
import { localBackup, type BackupRequest } from "./local-backup";

function namespaceOf(inputs: Inputs): string | undefined {
  return inputs.runner.kind === "kubernetes" ? inputs.runner.namespace : undefined;
}

/** Runs the backup the inputs declare, before `step`. Undefined when the step is reversible or no backup is declared. */
export async function backupBeforeIrreversible(inputs: Inputs, step: string, schema: string): Promise<BackupRecord | undefined> {
  if (!isIrreversible(step)) return undefined;
  const name = stepName(step);
  const backup = inputs.backup;
  if (!backup) {
    log(`no backup configured: kong migrations ${name} runs without one (set backup to have a pg_dump taken first)`);
    return undefined;
  }
  const settings = databaseSettings(inputs);
  const secrets = settings.password ? [settings.password] : [];
  const where = describeDestination(backup, namespaceOf(inputs));
  const request: BackupRequest = {
    settings,
    schema,
    step: name,
    timeoutSeconds: inputs.commandTimeoutSeconds,
    onLine: (line) => log(`pg_dump: ${redact(line, secrets)}`),
  };
  log(`backing up schema ${schema} of ${settings.host}:${settings.port}/${settings.database} to ${where} before kong migrations ${name}`);
  let record: BackupRecord;
  try {
    if (backup.kind === "local") {
      record = await localBackup(backup, request);
    } else {
      // Loaded only when used: it needs @kubernetes/client-node (an optional peer).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { kubernetesBackup } = require("./kubernetes-backup") as typeof import("./kubernetes-backup");
      record = await kubernetesBackup(backup, inputs, request);
    }
  } catch (e) {
    const reason = (e as { code?: unknown }).code;
    throw new BackupError(
      typeof reason === "string" ? reason : "UNKNOWN",
      `The backup before kong migrations ${name} failed, so ${name} did not run and the database is unchanged. ` +
        redact((e as Error).message ?? String(e), secrets),
      { cause: e },
    );
  }
  log(`backup taken: ${record.file} (${record.sizeBytes} bytes, sha256 ${record.sha256}, PostgreSQL ${record.serverVersion})`);
  return record;
}
