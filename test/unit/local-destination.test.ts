/**
 * The preview's check of a local backup directory (provider/backup/local-destination.ts) on the real
 * file system: missing, not a directory, not accepting new entries (sysfs refuses even root, which
 * mode bits would not), and usable (the probe leaves nothing behind).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localDestinationFailure, localDestinationProblem } from "../../provider/backup/local-destination";
import { irreversibleNotice } from "../../provider/backup/irreversible";

describe("local backup destination, checked at preview", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-dest-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names what is wrong, and leaves a usable directory as it was", () => {
    assert.equal(localDestinationProblem(path.join(dir, "missing")), "does not exist");
    fs.writeFileSync(path.join(dir, "file"), "");
    assert.equal(localDestinationProblem(path.join(dir, "file")), "is not a directory");
    if (fs.existsSync("/sys/kernel")) assert.equal(localDestinationProblem("/sys/kernel"), "does not accept new files (EPERM)");
    assert.equal(localDestinationProblem(dir), undefined);
    assert.deepEqual(fs.readdirSync(dir), ["file"], "the probe is removed");
  });

  it("the failure names backup.directory, the step and what to do", () => {
    const backup = { kind: "local" as const, directory: path.join(dir, "missing") };
    const notice = irreversibleNotice("kong migrations migrate-community-to-enterprise", backup)!;
    assert.deepEqual(localDestinationFailure(backup, notice), {
      property: "backup.directory",
      reason:
        `backup.directory ${backup.directory} does not exist: kong migrations migrate-community-to-enterprise runs only after ` +
        `a pg_dump into it, so pulumi up would stop there. Create the directory (writable by the user running Pulumi), or ` +
        `set backup.directory to one that is, then preview again.`,
    });
    assert.equal(localDestinationFailure({ kind: "local", directory: dir }, notice), undefined);
  });
});
