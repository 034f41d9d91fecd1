/**
 * What a provider operation costs (issue 10 item 5, issue 9's preflight): one database connection
 * per operation, Kong started only when its answer can differ, and a preview that fails fast on a
 * server that stops answering. Real PostgreSQL, kong-sim as Kong (through a fixture that records
 * each start, or cuts the provider's connection).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { connectionsOpened } from "../../provider/postgres/connect";
import { deploy, inputsFor, kongSim, provider, type Raw } from "../helpers/provider-fixture";
import { createDatabase, dropDatabase, serverSettings, useFreshDatabase, type TestDatabase } from "../helpers/postgres";

const FIXTURES = path.resolve(__dirname, "..", "fixtures");

function recordingRunner(version: string): { runner: Raw; starts: () => string[][] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "argv-")), "argv.jsonl");
  return {
    runner: {
      kind: "local",
      command: [process.execPath, path.join(FIXTURES, "record-argv.js")],
      env: { KONG_SIM_VERSION: version, ARGV_RECORD_FILE: file },
    },
    starts: () =>
      fs.existsSync(file)
        ? fs
            .readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .map((l) => (JSON.parse(l) as { argv: string[] }).argv.slice(2, 4))
        : [],
  };
}

/** Kong's starts in a fixed order: a check's `kong version` and `kong migrations list` overlap, so either may start first. */
function sorted(starts: string[][]): string[][] {
  return [...starts].sort((a, b) => a.join(" ").localeCompare(b.join(" ")));
}

/** Calls `fn` and returns its result with the number of connections the provider opened meanwhile. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; connections: number }> {
  const before = connectionsOpened();
  const result = await fn();
  return { result, connections: connectionsOpened() - before };
}

/**
 * A TCP proxy to the test server that forwards the login, then drops everything the server sends
 * after its first ReadyForQuery: a server that authenticates and then never answers a query.
 */
async function silentAfterLogin(): Promise<{ port: number; close: () => void }> {
  const target = serverSettings();
  const sockets: net.Socket[] = [];
  const proxy = net.createServer((client) => {
    const server = net.connect(target.port, target.host);
    sockets.push(client, server);
    client.on("data", (d) => server.write(d));
    let pending = Buffer.alloc(0);
    let silent = false;
    server.on("data", (d: Buffer) => {
      if (silent) return;
      pending = Buffer.concat([pending, d]);
      // Backend messages: 1-byte type, 4-byte length (including itself), payload.
      while (pending.length >= 5 && !silent) {
        const length = pending.readUInt32BE(1);
        if (pending.length < 1 + length) break;
        const message = pending.subarray(0, 1 + length);
        pending = pending.subarray(1 + length);
        client.write(message);
        if (message[0] === 0x5a) silent = true; // 'Z': ReadyForQuery, the login is complete
      }
    });
    for (const s of [client, server]) s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      proxy.close();
    },
  };
}

describe("provider economy: one connection per operation, Kong asked only when the answer can differ", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();

  it("an up 2.0.5 -> 2.1.4: check opens one connection and starts kong version once per runner; the update one connection and Kong once", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const { runner, starts } = recordingRunner("2.1.4");
    const news = inputsFor(db(), "2.1.4", { runner });

    const first = await counted(() => provider.check!(s.inputs, news));
    assert.deepEqual(first.result.failures ?? [], []);
    assert.equal(first.connections, 1, "check: one connection");
    const second = await counted(() => provider.check!(s.inputs, news));
    assert.equal(second.connections, 1, "second check: one connection");
    assert.deepEqual(second.result.inputs, first.result.inputs, "the same plan");
    // `kong version` once for this runner; `kong migrations list` once for this state of schema_meta.
    assert.deepEqual(sorted(starts()), [["migrations", "list"], ["version"]]);

    const checked = second.result.inputs as Raw;
    assert.equal((await provider.diff!(s.id, s.outs, checked)).changes, true);
    const updated = await counted(() => provider.update!(s.id, s.outs, checked));
    assert.equal(updated.connections, 1, "update: one connection for the look before, the verification after");
    assert.deepEqual(starts().slice(2), [["migrations", "up"]], "the update started Kong once: the up");
    const outs = updated.result.outs as Raw;
    assert.equal(outs.phase, "pending-finish");

    const refreshed = await counted(() => provider.read!(s.id, outs));
    assert.equal(refreshed.connections, 1, "refresh: one connection");
    const { lastRun: _l, ...now } = refreshed.result.props as Raw;
    const { lastRun: _r, ...was } = outs;
    assert.deepEqual(now, was, "the outputs equal a refresh");
  });

  it("kong migrations list is asked once per distinct schema_meta state: a second database in the same state shares it, a changed row asks again", async () => {
    const other = await createDatabase();
    try {
      const a = await deploy(inputsFor(db(), "2.0.5"));
      const b = await deploy(inputsFor(other, "2.0.5"));
      const { runner, starts } = recordingRunner("2.1.4");
      const planA = await provider.check!(a.inputs, inputsFor(db(), "2.1.4", { runner }));
      const planB = await provider.check!(b.inputs, inputsFor(other, "2.1.4", { runner }));
      assert.deepEqual(planA.failures ?? [], []);
      assert.deepEqual(planB.failures ?? [], []);
      assert.deepEqual(sorted(starts()), [["migrations", "list"], ["version"]], "one list for two databases holding the same rows");
      const plan = (r: typeof planA) => {
        const { source, command, wouldRun } = (r.inputs as Raw).plan as Raw;
        return { source, command, wouldRun };
      };
      assert.deepEqual(plan(planB), plan(planA));
      assert.equal(plan(planA).source, "kong");

      // The rows changed behind the provider's back (a manual kong migrations up): Kong is asked again.
      assert.equal((await kongSim(other, "2.1.4", ["migrations", "up"])).code, 0);
      const changed = await provider.check!(b.inputs, inputsFor(other, "2.1.4", { runner }));
      assert.deepEqual(sorted(starts()), [["migrations", "list"], ["migrations", "list"], ["version"]]);
      assert.deepEqual(changed.failures ?? [], []);
      assert.equal(plan(changed).command, "none");
    } finally {
      await dropDatabase(other.database);
    }
  });

  it("a connection cut while Kong runs is reopened for the verification; the update succeeds", async () => {
    const s = await deploy(inputsFor(db(), "2.0.5"));
    const news = inputsFor(db(), "2.1.4", {
      runner: {
        kind: "local",
        command: [process.execPath, path.join(FIXTURES, "cut-provider-connection.js")],
        env: { KONG_SIM_VERSION: "2.1.4" },
      },
    });
    const checked = await provider.check!(s.inputs, news);
    assert.deepEqual(checked.failures ?? [], []);
    const updated = await counted(() => provider.update!(s.id, s.outs, checked.inputs));
    assert.equal(updated.connections, 2, "the cut connection and its replacement");
    assert.equal((updated.result.outs as Raw).phase, "pending-finish");
    assert.equal(((updated.result.outs as Raw).lastRun as Raw).exitCode, 0);
  });

  it("check behind a lock on schema_meta answers within the 5 s bound, planned from the catalogue with a warning", async () => {
    await deploy(inputsFor(db(), "2.0.5"));
    const d: TestDatabase = db();
    const holder = new Client({ ...d });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE schema_meta IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      const r = await provider.check!({}, inputsFor(d, "2.1.4", { planWith: "catalogue" }));
      const ms = Date.now() - started;
      assert.deepEqual(r.failures ?? [], []);
      const plan = (r.inputs as Raw).plan as Raw;
      assert.equal(plan.source, "catalogue");
      assert.match(
        String((plan.warnings as string[])[0]),
        /could not be reached \(no answer from 127\.0\.0\.1:\d+ within 5 s \(canceling statement due to statement timeout\)\)/,
      );
      assert.ok(ms >= 4900 && ms < 6500, `took ${ms} ms`);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
  });

  it("check against a server that logs in and then never answers ends within the bound, planned from the catalogue", async () => {
    const proxy = await silentAfterLogin();
    try {
      const d = { ...db(), port: proxy.port };
      const started = Date.now();
      const r = await provider.check!({}, inputsFor(d, "2.1.4", { planWith: "catalogue" }));
      const ms = Date.now() - started;
      assert.deepEqual(r.failures ?? [], []);
      const plan = (r.inputs as Raw).plan as Raw;
      assert.equal(plan.source, "catalogue");
      assert.match(
        String((plan.warnings as string[])[0]),
        /could not be reached \(no answer from 127\.0\.0\.1:\d+ within 5 s \(Query read timeout\)\)/,
      );
      assert.ok(ms >= 4900 && ms < 7000, `took ${ms} ms`);
    } finally {
      proxy.close();
    }
  });
});
