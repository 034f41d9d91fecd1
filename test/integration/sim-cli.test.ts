/**
 * kong-sim's command line without a database: `version`, help texts, Kong's usage errors
 * (Penlight lapp: usage on stderr, exit 1), and configuration errors (`Error: …`, exit 1).
 */
import { strict as assert } from "node:assert";
import { runSim } from "../helpers/kong-sim";

const RUN_WITH_V = "\n  Run with --v (verbose) or --vv (debug) for more details\n";

describe("kong-sim command line", function () {
  this.timeout(20_000);

  it("version prints like `kong version`: the bare version (OSS), 'Kong Enterprise x' (Enterprise)", async () => {
    assert.deepEqual(await runSim(["version"], { KONG_SIM_VERSION: "2.1.4" }), { code: 0, signal: null, stdout: "2.1.4\n", stderr: "" });
    assert.deepEqual(await runSim(["version"], { KONG_SIM_VERSION: "2.8.4.2", KONG_SIM_EDITION: "enterprise" }), {
      code: 0,
      signal: null,
      stdout: "Kong Enterprise 2.8.4.2\n",
      stderr: "",
    });
  });

  it("KONG_SIM_VERSION is required and checked against the catalogue", async () => {
    const missing = await runSim(["migrations", "list"], {});
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `Error: KONG_SIM_VERSION is not set: kong-sim needs the Kong version it impersonates (e.g. KONG_SIM_VERSION=2.1.4)\n${RUN_WITH_V}`,
    );
    const unknown = await runSim(["migrations", "list"], { KONG_SIM_VERSION: "9.9.0" });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^Error: Kong 9\.9\.0 is newer than this package's catalogue/);
    const edition = await runSim(["version"], { KONG_SIM_VERSION: "2.1.4", KONG_SIM_EDITION: "ee" });
    assert.equal(edition.code, 1);
    assert.match(edition.stderr, /^Error: KONG_SIM_EDITION must be 'oss' or 'enterprise' \(got 'ee'\)\n/);
  });

  it("--help documents the commands, the environment and every fault switch; check-compat says it is not Kong's", async () => {
    const help = await runSim(["--help"], {});
    assert.equal(help.code, 0);
    assert.equal(help.stderr, "");
    for (const word of ["migrations", "check-compat", "NOT a Kong command", "KONG_PG_SCHEMA", "KONG_SIM_VERSION", "KONG_SIM_EDITION"]) {
      assert.ok(help.stdout.includes(word), word);
    }
    for (const fault of [
      "KONG_SIM_FAIL_AT",
      "KONG_SIM_CRASH_AFTER_SQL",
      "KONG_SIM_HOLD_LOCK_SECONDS",
      "KONG_SIM_SLEEP_SECONDS",
      "KONG_SIM_SLEEP_AT",
    ]) {
      assert.ok(help.stdout.includes(fault), fault);
    }
    const cc = await runSim(["check-compat", "--help"], {});
    assert.equal(cc.code, 0);
    assert.match(cc.stdout, /^Usage: kong-sim check-compat\n\nNOT a Kong command/);
  });

  it("migrations: unknown sub-command, missing sub-command, -h, unknown flag: usage on stderr, exit 1", async () => {
    const env = { KONG_SIM_VERSION: "2.1.4" };
    const usage = (await runSim(["migrations"], env)).stderr;
    assert.ok(usage.startsWith("Usage: kong migrations COMMAND [OPTIONS]\n\nManage database schema migrations.\n"), usage);
    assert.ok(usage.endsWith(" --v              verbose\n --vv             debug\n"), usage);
    assert.deepEqual(await runSim(["migrations", "upp"], env), {
      code: 1,
      signal: null,
      stdout: "",
      stderr: `No such command for migrations: upp\n\n${usage}`,
    });
    assert.deepEqual(await runSim(["migrations", "up", "-h"], env), { code: 1, signal: null, stdout: "", stderr: usage });
    assert.deepEqual(await runSim(["migrations", "up", "--bogus"], env), {
      code: 1,
      signal: null,
      stdout: "",
      stderr: `kong: unrecognized parameter: --bogus\n\n${usage}`,
    });
    const v3 = (await runSim(["migrations"], { KONG_SIM_VERSION: "3.4.0" })).stderr;
    assert.ok(v3.includes("  status                            Dump the database migration status in JSON format\n"), v3);
    assert.ok(!usage.includes("status"), "2.x has no status command");
  });

  it("an unknown top-level command: 'No such command' + help, exit 1; kong-sim reads no config file", async () => {
    const r = await runSim(["start"], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^No such command: start\n\nUsage: kong-sim COMMAND/);
    const conf = await runSim(["migrations", "list", "-c", "/etc/kong/kong.conf"], { KONG_SIM_VERSION: "2.1.4" });
    assert.equal(conf.code, 1);
    assert.match(
      conf.stderr,
      /^Error: kong-sim reads no configuration file \(\/etc\/kong\/kong\.conf\): configure it with KONG_\* environment variables\n/,
    );
  });
});
