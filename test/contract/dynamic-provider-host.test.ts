/**
 * Contract test: the real dynamic-provider host that ships inside @pulumi/pulumi, driven over
 * gRPC with the serialized provider exactly as the engine would (pulumi-dynamic-providers.md §2.5).
 * The provider runs in a fresh process, from the compiled package (dist/), against real PostgreSQL.
 */
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as runtime from "@pulumi/pulumi/runtime";
import { useFreshDatabase } from "../helpers/postgres";
import { inputsFor, kongSim } from "../helpers/provider-fixture";

/* eslint-disable @typescript-eslint/no-require-imports */
const pb = require("@pulumi/pulumi/proto/provider_pb");
const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const URN = "urn:pulumi:dev::contract::pulumi-nodejs:dynamic/kong-migrations:KongDatabaseMigration::db";
type Raw = Record<string, unknown>;

function call<Res>(client: Record<string, (...a: unknown[]) => unknown>, method: string, req: unknown): Promise<Res> {
  return new Promise((resolve, reject) => client[method].call(client, req, (err: unknown, res: Res) => (err ? reject(err) : resolve(res))));
}

describe("contract: Pulumi's dynamic-provider host over gRPC", function () {
  this.timeout(120_000);
  const db = useFreshDatabase();
  let host: ChildProcess;
  let client: Record<string, (...a: unknown[]) => unknown> & { close(): void };
  let serialized: string;
  const hostOutput: string[] = [];

  before(async () => {
    // The compiled package (built by `npm test`'s pretest): the host process cannot load TypeScript.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { kongDatabaseMigrationProvider } = require(path.resolve(__dirname, "..", "..", "dist", "provider"));
    serialized = (await runtime.serializeFunction(() => kongDatabaseMigrationProvider, { allowSecrets: true })).text;
    const script = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
    host = spawn(process.execPath, [script, "127.0.0.1:1"], {
      cwd: path.resolve(__dirname, "..", ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = createInterface({ input: host.stdout! });
    const port = await new Promise<string>((resolve) => lines.once("line", resolve));
    lines.on("line", (l) => hostOutput.push(l));
    host.stderr!.on("data", (d) => hostOutput.push(String(d)));
    client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const configure = new pb.ConfigureRequest();
    configure.setArgs(Struct.fromJavaScript({}));
    const res = await call<{ getAcceptsecrets(): boolean; getSupportspreview(): boolean }>(client, "configure", configure);
    assert.equal(res.getAcceptsecrets(), false);
    assert.equal(res.getSupportspreview(), false);
  });

  after(() => {
    client?.close();
    host?.kill();
  });

  const struct = (o: Raw) => Struct.fromJavaScript({ ...o, __provider: serialized } as never);

  async function check(olds: Raw, news: Raw) {
    const req = new pb.CheckRequest();
    req.setUrn(URN);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    const res = await call<{ getInputs(): Struct; getFailuresList(): Array<{ getProperty(): string; getReason(): string }> }>(
      client,
      "check",
      req,
    );
    return {
      inputs: res.getInputs().toJavaScript() as Raw,
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async function diff(id: string, olds: Raw, news: Raw): Promise<number> {
    const req = new pb.DiffRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    return (await call<{ getChanges(): number }>(client, "diff", req)).getChanges();
  }

  it("runs Check, Create, Diff, Update, Read and Delete through the host", async () => {
    const DIFF_NONE = pb.DiffResponse.DiffChanges.DIFF_NONE;
    const DIFF_SOME = pb.DiffResponse.DiffChanges.DIFF_SOME;

    const bad = await check({}, inputsFor(db(), "2.1"));
    assert.equal(bad.failures.length, 1);
    assert.equal(bad.failures[0].property, "kongVersion");

    const c1 = await check({}, inputsFor(db(), "2.0.5"));
    assert.deepEqual(c1.failures, []);
    assert.equal((c1.inputs.plan as Raw).command, "kong migrations bootstrap");
    const create = new pb.CreateRequest();
    create.setUrn(URN);
    create.setProperties(Struct.fromJavaScript(c1.inputs as never));
    const created = await call<{ getId(): string; getProperties(): Struct }>(client, "create", create);
    const id = created.getId();
    const outs1 = created.getProperties().toJavaScript() as Raw;
    assert.equal(id, `${db().host}:${db().port}/${db().database}`);
    assert.equal(outs1.phase, "up-to-date");
    assert.equal(typeof outs1.__provider, "string");

    assert.equal(await diff(id, outs1, (await check(c1.inputs, inputsFor(db(), "2.0.5"))).inputs), DIFF_NONE);
    const c2 = await check(c1.inputs, inputsFor(db(), "2.1.4"));
    assert.deepEqual(((c2.inputs.plan as Raw).wouldRun as Record<string, Raw>)["kong migrations up"].core, [
      "009_200_to_210",
      "010_210_to_211",
      "011_212_to_213",
    ]);
    assert.equal(await diff(id, outs1, c2.inputs), DIFF_SOME);

    const update = new pb.UpdateRequest();
    update.setId(id);
    update.setUrn(URN);
    update.setOlds(Struct.fromJavaScript(outs1 as never));
    update.setNews(Struct.fromJavaScript(c2.inputs as never));
    const outs2 = (await call<{ getProperties(): Struct }>(client, "update", update)).getProperties().toJavaScript() as Raw;
    assert.equal(outs2.phase, "pending-finish");
    assert.equal((outs2.lastRun as Raw).command, "kong migrations up");

    assert.equal((await kongSim(db(), "2.1.4", ["migrations", "finish"])).code, 0);
    const read = new pb.ReadRequest();
    read.setId(id);
    read.setUrn(URN);
    read.setProperties(Struct.fromJavaScript(outs2 as never));
    const refreshed = (await call<{ getProperties(): Struct }>(client, "read", read)).getProperties().toJavaScript() as Raw;
    assert.equal(refreshed.phase, "up-to-date");

    const del = new pb.DeleteRequest();
    del.setId(id);
    del.setUrn(URN);
    del.setProperties(Struct.fromJavaScript(refreshed as never));
    await call(client, "delete", del);
    assert.equal((await kongSim(db(), "2.1.4", ["check-compat"])).code, 0, "delete left the database usable");
    assert.ok(
      hostOutput.some((l) => l.includes("[kong-migrations] kong: core migrated up to: 009_200_to_210 (pending)")),
      "provider progress reached the host's stdout",
    );
    assert.ok(!hostOutput.join("\n").includes(db().password), "no password in the host's output");
  });
});
