import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localRunner } from "../../provider/runners/local";
import { assertSucceeded } from "../../provider/runners/outcome";
import { KongMigrationError } from "../../provider/kong/errors";

/** A fake `kong`: a node script given as the command prefix (the runner appends `migrations <cmd> ...`). */
function script(body: string): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fake-kong-")), "kong.js");
  fs.writeFileSync(file, body);
  return [process.execPath, file];
}

describe("local runner", () => {
  it("passes the command as arguments without a shell, the password only in the environment, and redacts it", async () => {
    const command = script(`
      console.log(JSON.stringify(process.argv.slice(2)));
      console.log("password is " + process.env.KONG_PG_PASSWORD);
      console.error("oops $(id) " + process.env.KONG_PG_PASSWORD);
      process.exit(3);`);
    const lines: string[] = [];
    const r = await localRunner({ command, env: { EXTRA: "1" } }).run({
      command: "up",
      flags: ["--db-timeout", "60"],
      env: { KONG_PG_PASSWORD: "pa$$ 'w\"d" },
      secrets: ["pa$$ 'w\"d"],
      timeoutSeconds: 30,
      onLine: (l, s) => lines.push(`${s}: ${l}`),
    });
    assert.equal(r.exitCode, 3);
    assert.equal(r.timedOut, false);
    assert.equal(r.stdout, '["migrations","up","--db-timeout","60"]\npassword is [secret]');
    assert.equal(r.stderr, "oops $(id) [secret]");
    assert.deepEqual(lines.sort(), [
      "stderr: oops $(id) [secret]",
      'stdout: ["migrations","up","--db-timeout","60"]',
      "stdout: password is [secret]",
    ]);
  });

  it("kills the whole process group on timeout and reports it as COMMAND_TIMEOUT", async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fake-kong-")), "child.pid");
    const command = script(`
      const { spawn } = require("node:child_process");
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
      require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      console.log("migrating core on database 'kong'...");
      setTimeout(() => {}, 60000);`);
    const started = Date.now();
    const r = await localRunner({ command, env: {} }).run({ command: "up", flags: [], env: {}, secrets: [], timeoutSeconds: 1 });
    assert.ok(Date.now() - started < 10_000);
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, "SIGTERM");
    const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
    await new Promise((res) => setTimeout(res, 200));
    // Gone, or a zombie waiting for a reaper: either way no longer running.
    const state = fs.existsSync(`/proc/${grandchild}/stat`)
      ? fs.readFileSync(`/proc/${grandchild}/stat`, "utf8").split(") ")[1]?.[0]
      : "gone";
    assert.ok(state === "gone" || state === "Z", `the grandchild was killed with the group (state ${state})`);
    assert.throws(
      () => assertSucceeded("up", r, 1),
      (e: unknown) =>
        e instanceof KongMigrationError &&
        e.code === "COMMAND_TIMEOUT" &&
        /^kong migrations up \(local process\) did not end within commandTimeoutSeconds \(1 s\) and was killed\./.test(e.message),
    );
  });

  it("reports a command that cannot start", async () => {
    const r = await localRunner({ command: ["/nonexistent/kong"], env: {} }).run({
      command: "list",
      flags: [],
      env: {},
      secrets: [],
      timeoutSeconds: 5,
    });
    assert.equal(r.exitCode, 127);
    assert.equal(r.stderr, "could not start /nonexistent/kong: spawn /nonexistent/kong ENOENT");
  });
});
