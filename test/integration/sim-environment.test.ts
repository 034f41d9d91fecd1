/**
 * kong-sim configured like Kong through the environment, and its `check-compat` command, against
 * real PostgreSQL: KONG_PG_SCHEMA (and the server's CURRENT_SCHEMA fallback), KONG_PLUGINS off vs
 * bundled, a password with quotes, spaces and non-ASCII, and the blue/green compatibility story.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { knownMigrations } from "../../provider/kong/catalogue";
import { metaRows, runSim, simEnv, tableNames, type SimResult } from "../helpers/kong-sim";
import { query, useFreshDatabase, withClient } from "../helpers/postgres";

describe("kong-sim environment and check-compat", function () {
  this.timeout(30_000);
  const db = useFreshDatabase();
  const run = (version: string, args: string[], extra: Record<string, string> = {}): Promise<SimResult> =>
    runSim(args, simEnv(db(), version, extra));
  const compat = (version: string, extra: Record<string, string> = {}) => run(version, ["check-compat"], extra);

  it("check-compat across 2.0.5 -> 2.1.4 (bundled plugins): up keeps the old version working, finish breaks it", async () => {
    assert.equal((await run("2.0.5", ["migrations", "bootstrap"])).code, 0);
    const old0 = await compat("2.0.5");
    assert.equal(old0.code, 0, old0.stderr);
    assert.match(
      old0.stdout,
      /^compatible: database '.*', schema 'public' holds all \d+ tables Kong 2\.0\.5 \(oss, KONG_PLUGINS=bundled\) reads\n$/,
    );
    const new0 = await compat("2.1.4");
    assert.equal(new0.code, 1, "2.1.4 cannot run before up");
    assert.match(new0.stderr, /\n {2}missing table "ksim\/core\/009_200_to_210" \(core 009_200_to_210\)\n/);

    assert.equal((await run("2.1.4", ["migrations", "up"])).code, 0);
    assert.equal((await compat("2.0.5")).code, 0, "the old cluster keeps working between up and finish");
    assert.equal((await compat("2.1.4")).code, 0, "the new cluster can start");

    assert.equal((await run("2.1.4", ["migrations", "finish"])).code, 0);
    const old = await compat("2.0.5");
    assert.equal(old.code, 1);
    assert.equal(old.stdout, "");
    assert.match(
      old.stderr,
      /^incompatible: database '.*', schema 'public' lacks \d+ of the \d+ tables Kong 2\.0\.5 \(oss, KONG_PLUGINS=bundled\) reads:\n/,
    );
    for (const line of [
      '  missing table "ksim/core/008_150_to_200" (core 008_150_to_200)',
      '  missing table "ksim/acl/002_130_to_140" (acl 002_130_to_140)',
      '  missing table "ksim/oauth2/003_130_to_140" (oauth2 003_130_to_140)',
    ]) {
      assert.ok(old.stderr.split("\n").includes(line), `${line}\n${old.stderr}`);
    }
    assert.equal((await compat("2.1.4")).code, 0);
  });

  it("check-compat follows KONG_PLUGINS and reports errors with exit 2", async () => {
    await run("2.1.4", ["migrations", "bootstrap"], { KONG_PLUGINS: "off" });
    assert.equal((await compat("2.1.4", { KONG_PLUGINS: "off" })).code, 0);
    const bundled = await compat("2.1.4");
    assert.equal(bundled.code, 1, "plugin tables were never created");
    assert.match(bundled.stderr, /missing table "ksim\/acl\/000_base_acl" \(acl 000_base_acl\)/);
    const down = await compat("2.1.4", { KONG_PG_PORT: "1" });
    assert.equal(down.code, 2);
    assert.match(down.stderr, /^Error: \[PostgreSQL error\] connection refused\n/);
  });

  it("KONG_PLUGINS=off runs core only; bundled (the default) adds the version's plugin subsystems", async () => {
    await run("2.1.4", ["migrations", "bootstrap"], { KONG_PLUGINS: "off" });
    assert.deepEqual(
      (await metaRows(db())).map((r) => r.subsystem),
      ["core"],
    );
    const bundled = knownMigrations({ version: "2.1.4", edition: "oss" });
    const plugins = bundled.map((s) => s.subsystem).filter((s) => s !== "core");
    assert.ok(plugins.includes("acl") && plugins.includes("bot-detection"), plugins.join());

    const list = await run("2.1.4", ["migrations", "list"]);
    assert.equal(list.code, 5, "the plugins' migrations are new");
    const newBlock = list.stdout.split("New migrations available:\n")[1].split("\n\n")[0].split("\n");
    assert.deepEqual(
      newBlock.map((l) => l.split(":")[0].trim()),
      plugins,
      "in Kong's order: plugins sorted by name",
    );

    const up = await run("2.1.4", ["migrations", "up"]);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(
      (await metaRows(db())).map((r) => r.subsystem),
      ["core", ...plugins].sort(),
    );
    assert.match(up.stdout, /^migrating acl on database '.*'\.\.\.$/m);
  });

  it("KONG_PG_SSL=on asks for TLS (this test server has none: pgmoon's message), off by default", async () => {
    const r = await run("2.1.4", ["migrations", "list"], { KONG_PG_SSL: "on" });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "Error: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: the server does not support SSL connections\n" +
        "\n  Run with --v (verbose) or --vv (debug) for more details\n",
    );
    assert.equal((await run("2.1.4", ["migrations", "list"], { KONG_PG_SSL: "off" })).code, 3);
  });

  it("a plugin the catalogue does not know contributes no migrations (said with --v)", async () => {
    const env = { KONG_PLUGINS: "bundled,my-custom-plugin" };
    assert.equal((await run("2.1.4", ["migrations", "bootstrap"], env)).code, 0);
    const list = await run("2.1.4", ["migrations", "list", "--v"], env);
    assert.equal(list.code, 0);
    assert.match(
      list.stdout,
      / \[verbose\] kong-sim: plugin 'my-custom-plugin' is not in the catalogue; treated as a plugin without migrations\n/,
    );
    assert.ok(!(await metaRows(db())).some((r) => r.subsystem === "my-custom-plugin"));
  });

  it("KONG_PG_SCHEMA puts every table in that schema (quoted: a space and a quote in its name)", async () => {
    const schema = 'kong "blue" side';
    const env = { KONG_PG_SCHEMA: schema, KONG_PLUGINS: "off" };
    const boot = await run("2.1.4", ["migrations", "bootstrap"], env);
    assert.equal(boot.code, 0, boot.stderr);
    assert.deepEqual(await tableNames(db(), "public"), []);
    assert.ok((await tableNames(db(), schema)).includes("schema_meta"));
    assert.equal((await metaRows(db(), schema))[0].executed?.length, 10);
    assert.equal((await run("2.1.4", ["migrations", "list"], env)).code, 0);
    assert.equal((await run("2.1.4", ["migrations", "list"], { KONG_PLUGINS: "off" })).code, 3, "public was not bootstrapped");
    assert.equal((await compat("2.1.4", env)).code, 0);
    const reset = await run("2.1.4", ["migrations", "reset", "-y"], env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(await tableNames(db(), schema), []);
  });

  it("an empty KONG_PG_SCHEMA uses the server's CURRENT_SCHEMA (the role's search_path)", async () => {
    await query(db(), "CREATE SCHEMA other");
    await query(db(), `ALTER DATABASE "${db().database}" SET search_path = other`);
    const boot = await run("2.1.4", ["migrations", "bootstrap"], { KONG_PLUGINS: "off" });
    assert.equal(boot.code, 0, boot.stderr);
    assert.deepEqual(await tableNames(db(), "public"), []);
    assert.ok((await tableNames(db(), "other")).includes("schema_meta"));
  });

  describe("a password with quotes, spaces and non-ASCII", () => {
    const role = `kong_sim_${randomBytes(4).toString("hex")}`;
    const password = `p'a"ss w\u00f6rd \u2713 \\ $1`;
    after(() => withClient("postgres", (c) => c.query(`DROP ROLE IF EXISTS ${role}`)));

    it("authenticates (SCRAM) and never appears in the output", async () => {
      await withClient("postgres", async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
        await c.query(`ALTER DATABASE "${db().database}" OWNER TO ${role}`);
      });
      const env = { KONG_PG_USER: role, KONG_PG_PASSWORD: password, KONG_PLUGINS: "off" };
      const boot = await run("2.1.4", ["migrations", "bootstrap", "--vv"], env);
      assert.equal(boot.code, 0, boot.stderr);
      const list = await run("2.1.4", ["migrations", "list", "--vv"], env);
      assert.equal(list.code, 0);
      for (const r of [boot, list]) assert.ok(!(r.stdout + r.stderr).includes("w\u00f6rd"), "the password is never printed");
      const wrong = await run("2.1.4", ["migrations", "list"], { ...env, KONG_PG_PASSWORD: password.slice(0, -1) });
      assert.equal(wrong.code, 1, "and it is the real password that authenticates");
    });
  });
});
