import { strict as assert } from "node:assert";
import { backupInput, type BackupFailure } from "../../provider/backup/backup-input";
import { backupFileName, describeDestination } from "../../provider/backup/backup-destination";
import { irreversibleNotice, isIrreversible } from "../../provider/backup/irreversible";
import { withIrreversibleNotice } from "../../provider/backup/preview-notice";
import { normalizeInputs, UNKNOWN, type Inputs, type PlanSummary } from "../../provider/inputs";

function validate(raw: unknown, runnerKind: "local" | "kubernetes" = "local") {
  const failures: BackupFailure[] = [];
  return { value: backupInput(raw, runnerKind, failures), failures };
}

describe("backup input, destination and preview notice (pure)", () => {
  it("accepts the two shapes and leaves an absent backup absent", () => {
    assert.deepEqual(validate({ kind: "local", directory: "/var/backups/kong" }), {
      value: { kind: "local", directory: "/var/backups/kong" },
      failures: [],
    });
    assert.deepEqual(validate({ kind: "kubernetes", persistentVolumeClaim: "kong-backups", image: "postgres:16" }, "kubernetes"), {
      value: { kind: "kubernetes", persistentVolumeClaim: "kong-backups", image: "postgres:16" },
      failures: [],
    });
    assert.deepEqual(validate(undefined), { value: undefined, failures: [] });
  });

  it("refuses each wrong field with its name and what to write instead", () => {
    assert.deepEqual(validate({ kind: "local", directory: "backups" }).failures, [
      {
        property: "backup.directory",
        reason:
          'backup.directory must be an absolute path (got "backups"): the provider runs in its own process, so give e.g. path.resolve("backups").',
      },
    ]);
    assert.deepEqual(validate({ kind: "local" }).failures, [
      {
        property: "backup.directory",
        reason:
          'backup.directory is required for backup { kind: "local" }: an absolute path of a writable directory on the machine that runs Pulumi, e.g. "/var/backups/kong".',
      },
    ]);
    assert.deepEqual(validate({ kind: "s3", bucket: "x" }).failures, [
      {
        property: "backup.kind",
        reason:
          'backup.kind must be "local" or "kubernetes" (got "s3"): { kind: "local", directory: "/absolute/path" } or { kind: "kubernetes", persistentVolumeClaim: "<claim name>" }.',
      },
    ]);
    assert.deepEqual(validate({ kind: "local", directory: "/b", dir: "/c" }).failures, [
      {
        property: "backup.dir",
        reason: "backup.dir is not an input of KongDatabaseMigration: did you mean backup.directory? Valid backup keys: kind, directory.",
      },
    ]);
    assert.deepEqual(validate("/tmp").failures, [
      {
        property: "backup",
        reason:
          'backup must be { kind: "local", directory: "/absolute/path" } or { kind: "kubernetes", persistentVolumeClaim: "<claim name>" } (got "/tmp").',
      },
    ]);
    assert.deepEqual(validate({ kind: "kubernetes", persistentVolumeClaim: "Kong_Backups", image: "" }, "local").failures, [
      {
        property: "backup.persistentVolumeClaim",
        reason:
          'backup.persistentVolumeClaim must name a PersistentVolumeClaim in the runner\'s namespace (lower-case letters, digits, "-" and "."; got "Kong_Backups").',
      },
      {
        property: "backup.image",
        reason:
          'backup.image must be a PostgreSQL client image, e.g. "postgres:15" (got ""); leave it out for postgres:<server major version>.',
      },
      {
        property: "backup.kind",
        reason:
          'backup { kind: "kubernetes" } runs a Job in the Kubernetes runner\'s namespace, but runner.kind is "local": set runner { kind: "kubernetes", ... }, or use backup { kind: "local", directory } with the local runner.',
      },
    ]);
  });

  it("check's validation reports backup failures, and an unknown backup is not one", () => {
    const base = { database: { host: "db" }, kongVersion: "2.1.4" };
    assert.deepEqual(
      normalizeInputs({ ...base, backup: { kind: "local", directory: "rel" } }).failures.map((f) => f.property),
      ["backup.directory"],
    );
    assert.deepEqual(normalizeInputs({ ...base, backup: UNKNOWN }).failures, []);
    assert.deepEqual(normalizeInputs({ ...base, backup: { kind: "local", directory: UNKNOWN } }).failures, []);
    assert.deepEqual(normalizeInputs({ ...base, backup: { kind: "local", directory: "/b" } }).inputs.backup, {
      kind: "local",
      directory: "/b",
    });
    assert.equal("backup" in normalizeInputs(base).inputs, false);
  });

  it("names files by database, schema, step and UTC second, and describes destinations", () => {
    const at = new Date("2026-12-02T13:05:09.123Z");
    assert.equal(backupFileName("kong", "public", "finish", at), "kong-kong-public-before-finish-20261202T130509Z.dump");
    assert.equal(
      backupFileName("a/b c", "Sch ema", "migrate-community-to-enterprise", at),
      "kong-a_b_c-Sch_ema-before-migrate-community-to-enterprise-20261202T130509Z.dump",
    );
    assert.equal(describeDestination({ kind: "local", directory: "/x" }), "local directory /x");
    assert.equal(describeDestination({ kind: "kubernetes", persistentVolumeClaim: "pvc" }, "kong"), "PersistentVolumeClaim kong/pvc");
  });

  it("finish and migrate-community-to-enterprise are irreversible; bootstrap and up are not", () => {
    assert.deepEqual(
      ["bootstrap", "up", "finish", "kong migrations finish", "migrate-community-to-enterprise", "none"].map(isIrreversible),
      [false, false, true, true, true, false],
    );
    assert.equal(irreversibleNotice("kong migrations up", undefined), undefined);
    assert.deepEqual(irreversibleNotice("migrate-community-to-enterprise", { kind: "kubernetes", persistentVolumeClaim: "b" }, "kong"), {
      command: "kong migrations migrate-community-to-enterprise",
      backup: "PersistentVolumeClaim kong/b",
      warning:
        "kong migrations migrate-community-to-enterprise is irreversible: after it, nodes of the old Kong version can no longer " +
        "run on this database. A pg_dump (custom format) of Kong's schema goes to PersistentVolumeClaim kong/b first; kong " +
        "migrations migrate-community-to-enterprise does not run if it fails.",
    });
  });

  it("the plan carries the notice only when the update would run an irreversible step", () => {
    const inputs = normalizeInputs({
      database: { host: "db" },
      kongVersion: "2.1.4",
      decommissionedOld: true,
      backup: { kind: "local", directory: "/b" },
    }).inputs as Inputs;
    const plan = (command: string): PlanSummary => ({ command, wouldRun: {}, reason: "r", source: "database" });
    assert.equal(withIrreversibleNotice(plan("kong migrations finish"), inputs, {}).irreversible?.backup, "local directory /b");
    assert.equal(withIrreversibleNotice(plan("none"), inputs, {}).irreversible, undefined);
    // up with decommissionedOld turning true in the same change: finish follows.
    assert.equal(
      withIrreversibleNotice(plan("kong migrations up"), inputs, { decommissionedOld: false }).irreversible?.command,
      "kong migrations finish",
    );
    // decommissionedOld already true before: reconcile does not run finish right after up.
    assert.equal(withIrreversibleNotice(plan("kong migrations up"), inputs, { decommissionedOld: true }).irreversible, undefined);
    assert.deepEqual(withIrreversibleNotice(plan("none"), inputs, {}), plan("none"));
  });

  it("a finish names the teardowns it runs; after up in the same update, the planned migrations with a teardown (unknown ones included)", () => {
    const inputs = normalizeInputs({ database: { host: "db" }, kongVersion: "2.1.4", decommissionedOld: true }).inputs as Inputs;
    const finish: PlanSummary = {
      command: "kong migrations finish",
      wouldRun: { "kong migrations finish": { core: ["009_200_to_210"] } },
      reason: "r",
      source: "database",
    };
    const notice = withIrreversibleNotice(finish, inputs, { decommissionedOld: true }).irreversible!;
    assert.deepEqual(notice.teardowns, { core: ["009_200_to_210"] });
    assert.match(
      notice.warning,
      /^kong migrations finish is irreversible: it runs the teardowns of 1 migration \(plan.irreversible.teardowns\), and after it/,
    );
    // 010_210_to_211 has no teardown in the catalogue; 999_unknown is not catalogued, so it counts as destructive.
    const up: PlanSummary = {
      command: "kong migrations up",
      wouldRun: { "kong migrations up": { core: ["009_200_to_210", "010_210_to_211", "999_unknown"], session: ["000_base_session"] } },
      reason: "r",
      source: "kong",
    };
    const after = withIrreversibleNotice(up, inputs, { decommissionedOld: false }).irreversible!;
    assert.deepEqual(after.teardowns, { core: ["009_200_to_210", "999_unknown"] });
    assert.match(after.warning, /it runs the teardowns of 2 migrations/);
    assert.equal(irreversibleNotice("finish", undefined, undefined, undefined, {})?.teardowns, undefined, "nothing to tear down: no field");
  });
});
