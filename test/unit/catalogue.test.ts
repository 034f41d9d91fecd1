import { strict as assert } from "node:assert";
import type { KongTarget, Subsystem } from "../../provider/kong/catalogue-types";
import {
  bundledPlugins,
  checkVersion,
  databaseVersionLowerBound,
  introducedIn,
  knownMigrations,
  newestCataloguedVersion,
  uncataloguedPlugins,
} from "../../provider/kong/catalogue";
import { ENTERPRISE } from "../../provider/kong/catalogue-data/enterprise";
import { OSS } from "../../provider/kong/catalogue-data/oss";
import { computeState, countMigrations, type MigrationsBySubsystem, type SchemaMetaRow } from "../../provider/kong/state";
import { compareVersions, parseKongVersion } from "../../provider/kong/version";

const oss = (version: string, plugins?: readonly string[]): KongTarget => ({ version, edition: "oss", plugins });
const ee = (version: string, plugins?: readonly string[]): KongTarget => ({ version, edition: "enterprise", plugins });

/** subsystem -> names, in order. */
const names = (subsystems: readonly Subsystem[]): Record<string, string[]> =>
  Object.fromEntries(subsystems.map((s) => [s.subsystem, s.migrations.map((m) => m.name)]));
const coreNames = (target: KongTarget): string[] => names(knownMigrations(target)).core;

/** Rows a `kong migrations bootstrap` by `target` writes: everything executed, nothing pending. */
const bootstrapRows = (target: KongTarget): SchemaMetaRow[] =>
  knownMigrations(target).map((s) => ({
    key: "schema_meta",
    subsystem: s.subsystem,
    last_executed: s.migrations.at(-1)?.name ?? null,
    executed: s.migrations.map((m) => m.name),
    pending: null,
  }));

/** Rows after `kong migrations up` by `target` (§2.2, §1.2): teardown migrations pending, others executed. */
function rowsAfterUp(rows: readonly SchemaMetaRow[], target: KongTarget): SchemaMetaRow[] {
  const known = knownMigrations(target);
  const fresh = computeState(rows, known).new;
  const out = new Map(rows.map((r) => [r.subsystem, { ...r }]));
  for (const s of known) {
    for (const m of s.migrations.filter((x) => fresh[s.subsystem]?.includes(x.name))) {
      const r = out.get(s.subsystem) ?? { key: "schema_meta", subsystem: s.subsystem, last_executed: null, executed: null, pending: null };
      if (m.teardown) out.set(s.subsystem, { ...r, pending: [...(r.pending ?? []), m.name] });
      else out.set(s.subsystem, { ...r, executed: [...(r.executed ?? []), m.name], last_executed: m.name });
    }
  }
  return [...out.values()];
}

const recorded = (rows: readonly SchemaMetaRow[]): MigrationsBySubsystem =>
  Object.fromEntries(rows.map((r) => [r.subsystem, [...(r.executed ?? []), ...(r.pending ?? [])]]));

const total = (target: KongTarget): number => knownMigrations(target).reduce((n, s) => n + s.migrations.length, 0);

const CORE_1_5 = [
  "000_base",
  "001_14_to_15",
  "002_15_to_1",
  "003_100_to_110",
  "004_110_to_120",
  "005_120_to_130",
  "006_130_to_140",
  "007_140_to_150",
];
const CORE_2_0 = ["000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140", "007_140_to_150", "008_150_to_200"];
const CORE_2_1_4 = [...CORE_2_0, "009_200_to_210", "010_210_to_211", "011_212_to_213"];
const CORE_3_9 = [
  ...CORE_2_1_4,
  "012_213_to_220",
  "013_220_to_230",
  "014_230_to_270",
  "015_270_to_280",
  "016_280_to_300",
  "017_300_to_310",
  "018_310_to_320",
  "019_320_to_330",
  "020_330_to_340",
  "021_340_to_350",
  "022_350_to_360",
  "023_360_to_370",
  "024_380_to_390",
];
const OSS_PLUGINS_3_9 = [
  "acl",
  "acme",
  "ai-proxy",
  "basic-auth",
  "bot-detection",
  "hmac-auth",
  "http-log",
  "ip-restriction",
  "jwt",
  "key-auth",
  "oauth2",
  "opentelemetry",
  "post-function",
  "pre-function",
  "rate-limiting",
  "response-ratelimiting",
  "session",
];

describe("catalogue: OSS core (kong-migrations.md §5.1)", () => {
  it("1.5.0 still has the 0.14 upgrade steps", () => {
    assert.deepEqual(coreNames(oss("1.5.0")), CORE_1_5);
  });

  it("2.0.5 drops them and adds 008_150_to_200", () => {
    assert.deepEqual(coreNames(oss("2.0.5")), CORE_2_0);
  });

  it("2.1.4 has the patch-release migrations of 2.1.1 and 2.1.3", () => {
    assert.deepEqual(coreNames(oss("2.1.4")), CORE_2_1_4);
  });

  it("3.9.0 ends at 024_380_to_390 (nothing in 3.8, master's 025 not yet)", () => {
    assert.deepEqual(coreNames(oss("3.9.0")), CORE_3_9);
    assert.deepEqual(coreNames(oss("3.8.1")), CORE_3_9.slice(0, -1));
  });

  it("teardown flags at 3.9.0 match the doc's teardown column", () => {
    const withTeardown = knownMigrations(oss("3.9.0")).flatMap((s) =>
      s.migrations.filter((m) => m.teardown).map((m) => `${s.subsystem}/${m.name}`),
    );
    assert.deepEqual(withTeardown, [
      "core/005_120_to_130",
      "core/008_150_to_200",
      "core/009_200_to_210",
      "core/012_213_to_220",
      "core/016_280_to_300",
      "acl/003_200_to_210",
      "acl/004_212_to_213",
      "acme/003_350_to_360",
      "ai-proxy/001_360_to_370",
      "bot-detection/001_200_to_210",
      "http-log/001_280_to_300",
      "ip-restriction/001_200_to_210",
      "oauth2/004_200_to_210",
      "opentelemetry/001_331_to_332",
      "post-function/001_280_to_300",
      "pre-function/001_280_to_300",
      "rate-limiting/006_350_to_360",
      "response-ratelimiting/001_350_to_360",
    ]);
  });
});

describe("catalogue: plugin lists against published bootstrap logs", () => {
  it("1.1.2 bootstraps 24 migrations with the 1.x plugin numbering", () => {
    assert.equal(total(oss("1.1.2")), 24);
    assert.deepEqual(names(knownMigrations(oss("1.1.2"))), {
      core: ["000_base", "001_14_to_15", "002_15_to_1", "003_100_to_110"],
      acl: ["000_base_acl", "001_14_to_15"],
      "basic-auth": ["000_base_basic_auth", "001_14_to_15"],
      "hmac-auth": ["000_base_hmac_auth", "001_14_to_15"],
      jwt: ["000_base_jwt", "001_14_to_15"],
      "key-auth": ["000_base_key_auth", "001_14_to_15"],
      oauth2: ["000_base_oauth2", "001_14_to_15", "002_15_to_10"],
      "rate-limiting": ["000_base_rate_limiting", "001_14_to_15", "002_15_to_10", "003_10_to_112"],
      "response-ratelimiting": ["000_base_response_rate_limiting", "001_14_to_15", "002_15_to_10"],
    });
  });

  it("1.1.0 lacks rate-limiting 003_10_to_112 (patch release 1.1.2)", () => {
    assert.deepEqual(names(knownMigrations(oss("1.1.0")))["rate-limiting"], ["000_base_rate_limiting", "001_14_to_15", "002_15_to_10"]);
  });

  it("1.3.0 adds session (27 migrations); 2.3.x and 2.6.0 bootstrap 41", () => {
    assert.equal(total(oss("1.3.0")), 27);
    assert.deepEqual(names(knownMigrations(oss("1.3.0"))).session, ["000_base_session"]);
    assert.equal(total(oss("2.3.3")), 41);
    assert.equal(total(oss("2.6.0")), 41);
  });

  it("bundledPlugins follows the version", () => {
    assert.deepEqual(bundledPlugins("1.2.0", "oss"), [
      "acl",
      "basic-auth",
      "hmac-auth",
      "jwt",
      "key-auth",
      "oauth2",
      "rate-limiting",
      "response-ratelimiting",
    ]);
    assert.deepEqual(bundledPlugins("2.0.5", "oss"), [
      "acl",
      "acme",
      "basic-auth",
      "hmac-auth",
      "jwt",
      "key-auth",
      "oauth2",
      "rate-limiting",
      "response-ratelimiting",
      "session",
    ]);
    assert.deepEqual(bundledPlugins("3.9.0", "oss"), OSS_PLUGINS_3_9);
  });
});

describe("catalogue: patch releases with migrations (§5.3)", () => {
  it("2.1.0 -> 2.1.3 adds core 010, 011, acl 004, oauth2 005 (and 2.1.1 only part of them)", () => {
    const diff = (from: string, to: string) => {
      const a = names(knownMigrations(oss(from)));
      const out: Record<string, string[]> = {};
      for (const [s, list] of Object.entries(names(knownMigrations(oss(to))))) {
        const added = list.filter((n) => !(a[s] ?? []).includes(n));
        if (added.length) out[s] = added;
      }
      return out;
    };
    assert.deepEqual(diff("2.1.0", "2.1.3"), {
      core: ["010_210_to_211", "011_212_to_213"],
      acl: ["004_212_to_213"],
      oauth2: ["005_210_to_211"],
    });
    assert.deepEqual(diff("2.1.0", "2.1.1"), { core: ["010_210_to_211"], oauth2: ["005_210_to_211"] });
    assert.deepEqual(diff("2.1.3", "2.1.4"), {});
  });

  it("3.6.1 adds opentelemetry 001_331_to_332 (teardown only); 3.6.0 has no opentelemetry subsystem", () => {
    assert.equal(
      knownMigrations(oss("3.6.0")).find((s) => s.subsystem === "opentelemetry"),
      undefined,
    );
    assert.deepEqual(
      knownMigrations(oss("3.6.1")).find((s) => s.subsystem === "opentelemetry"),
      {
        subsystem: "opentelemetry",
        migrations: [{ name: "001_331_to_332", teardown: true }],
      },
    );
  });
});

describe("catalogue: 2.0.x -> 2.1.4 with bundled plugins (§5.2 last paragraph)", () => {
  const before = bootstrapRows(oss("2.0.5"));

  it("up runs exactly these new migrations", () => {
    assert.deepEqual(computeState(before, knownMigrations(oss("2.1.4"))).new, {
      core: ["009_200_to_210", "010_210_to_211", "011_212_to_213"],
      acl: ["003_200_to_210", "004_212_to_213"],
      "basic-auth": ["003_200_to_210"],
      "bot-detection": ["001_200_to_210"],
      "hmac-auth": ["003_200_to_210"],
      "ip-restriction": ["001_200_to_210"],
      jwt: ["003_200_to_210"],
      "key-auth": ["003_200_to_210"],
      oauth2: ["004_200_to_210", "005_210_to_211"],
      "rate-limiting": ["004_200_to_210"],
    });
  });

  it("after up, computeState reports exactly the doc's pending set and nothing new", () => {
    const after = computeState(rowsAfterUp(before, oss("2.1.4")), knownMigrations(oss("2.1.4")));
    assert.deepEqual(after.pending, {
      core: ["009_200_to_210"],
      acl: ["003_200_to_210", "004_212_to_213"],
      "bot-detection": ["001_200_to_210"],
      "ip-restriction": ["001_200_to_210"],
      oauth2: ["004_200_to_210"],
    });
    assert.deepEqual(after.new, {});
    assert.equal(total(oss("2.1.4")), 38);
    assert.equal(countMigrations(after.executed), 32);
  });

  it("the database's lower bound moves from 2.0.0 to 2.1.3", () => {
    assert.equal(databaseVersionLowerBound(recorded(before), "oss"), "2.0.0");
    assert.equal(databaseVersionLowerBound(recorded(rowsAfterUp(before, oss("2.1.4"))), "oss"), "2.1.3");
  });
});

describe("catalogue: KONG_PLUGINS semantics", () => {
  it("undefined means bundled", () => {
    assert.deepEqual(knownMigrations(oss("3.9.0")), knownMigrations(oss("3.9.0", ["bundled"])));
    assert.deepEqual(
      knownMigrations(oss("3.9.0")).map((s) => s.subsystem),
      ["core", ...OSS_PLUGINS_3_9],
    );
  });

  it('["off"] loads no plugin; "off" first wins, "off" later is skipped (kong/conf_loader)', () => {
    assert.deepEqual(names(knownMigrations(oss("2.1.4", ["off"]))), { core: CORE_2_1_4 });
    assert.deepEqual(Object.keys(names(knownMigrations(oss("2.1.4", ["off", "acl"])))), ["core"]);
    assert.deepEqual(Object.keys(names(knownMigrations(oss("2.1.4", ["acl", "off"])))), ["core", "acl"]);
    assert.deepEqual(uncataloguedPlugins(oss("2.1.4", ["off", "my-plugin"])), []);
  });

  it("named plugins are sorted, trimmed, deduplicated; custom names contribute nothing and are reported", () => {
    const t = oss("3.9.0", ["rate-limiting", " acl ", "my-plugin", "cors", "acl", "opentelemetry"]);
    assert.deepEqual(
      knownMigrations(t).map((s) => s.subsystem),
      ["core", "acl", "opentelemetry", "rate-limiting"],
    );
    assert.deepEqual(uncataloguedPlugins(t), ["my-plugin"]);
    assert.deepEqual(uncataloguedPlugins(oss("3.9.0", ["bundled", "my-auth", "my-log"])), ["my-auth", "my-log"]);
    assert.deepEqual(uncataloguedPlugins(oss("3.9.0")), []);
  });

  it("a named plugin with no migration at that version is left out, as Kong does", () => {
    assert.deepEqual(
      knownMigrations(oss("3.6.0", ["opentelemetry", "ai-proxy"])).map((s) => s.subsystem),
      ["core"],
    );
    assert.deepEqual(uncataloguedPlugins(oss("3.6.0", ["opentelemetry", "ai-proxy"])), []);
  });
});

describe('catalogue: ["all"] is the reference for "database newer than the target"', () => {
  it("lists every catalogued subsystem, even with no migration at that version", () => {
    const all = knownMigrations(oss("2.1.4", ["all"]));
    assert.deepEqual(
      all.map((s) => s.subsystem),
      ["core", ...OSS_PLUGINS_3_9],
    );
    assert.deepEqual(names(all)["ai-proxy"], []);
    assert.deepEqual(names(all).opentelemetry, []);
    assert.deepEqual(uncataloguedPlugins(oss("2.1.4", ["all"])), []);
  });

  it("keeps names the version retired, so a database that came from 1.x is not 'newer'", () => {
    assert.deepEqual(names(knownMigrations(oss("2.8.0", ["all"]))).core.slice(0, 4), [
      "000_base",
      "001_14_to_15",
      "002_15_to_1",
      "003_100_to_110",
    ]);
    assert.deepEqual(names(knownMigrations(oss("2.8.0", ["all"]))).oauth2.slice(0, 4), [
      "000_base_oauth2",
      "001_14_to_15",
      "002_15_to_10",
      "003_130_to_140",
    ]);
    // Bootstrapped by 1.5.0, then up+finish with 2.8.0: nothing unknown against 2.8.0's reference.
    const from15 = bootstrapRows(oss("1.5.0"));
    const at28 = rowsAfterUp(from15, oss("2.8.0"));
    assert.deepEqual(computeState(at28, knownMigrations(oss("2.8.0")), knownMigrations(oss("2.8.0", ["all"]))).unknown, {});
  });

  it("a 3.9 database against a 3.4 target: the newer names are unknown", () => {
    const state = computeState(bootstrapRows(oss("3.9.0")), knownMigrations(oss("3.4.2")), knownMigrations(oss("3.4.2", ["all"])));
    assert.deepEqual(state.unknown, {
      core: ["021_340_to_350", "022_350_to_360", "023_360_to_370", "024_380_to_390"],
      acme: ["003_350_to_360"],
      "rate-limiting": ["006_350_to_360"],
      "response-ratelimiting": ["001_350_to_360"],
      // ai-proxy and opentelemetry are reference subsystems with no names at 3.4.
      "ai-proxy": ["001_360_to_370"],
      opentelemetry: ["001_331_to_332"],
    });
  });
});

describe("catalogue: Enterprise", () => {
  it("core diverges from OSS after 013_220_to_230 (§5.1)", () => {
    const shared = CORE_2_1_4.concat(["012_213_to_220", "013_220_to_230"]);
    assert.deepEqual(coreNames(ee("2.8.4.2")), [...shared, "014_230_to_260", "015_260_to_270", "016_270_to_280"]);
    assert.deepEqual(coreNames(oss("2.8.5")), [...shared, "014_230_to_270", "015_270_to_280"]);
    assert.deepEqual(coreNames(ee("3.9.1.0")).slice(shared.length), [
      "014_230_to_260",
      "015_260_to_270",
      "016_270_to_280",
      "016_280_to_300",
      "017_300_to_310",
      "018_310_to_320",
      "019_320_to_330",
      "020_330_to_340",
      "021_340_to_350",
      "022_350_to_360",
      "023_360_to_370",
      "024_380_to_390",
    ]);
  });

  it("the enterprise subsystem comes second, in its init.lua order", () => {
    const known = knownMigrations(ee("3.4.3.12", ["off"]));
    assert.deepEqual(
      known.map((s) => s.subsystem),
      ["core", "enterprise"],
    );
    assert.deepEqual(names(known).enterprise, [
      "000_base",
      "006_1301_to_1500",
      "006_1301_to_1302",
      "010_1500_to_2100",
      "007_1500_to_1504",
      "008_1504_to_1505",
      "007_1500_to_2100",
      "009_1506_to_1507",
      "009_2100_to_2200",
      "010_2200_to_2211",
      "010_2200_to_2300",
      "010_2200_to_2300_1",
      "011_2300_to_2600",
      "012_2600_to_2700",
      "012_2600_to_2700_1",
      "013_2700_to_2800",
      "014_2800_to_3000",
      "015_3000_to_3100",
      "016_3100_to_3200",
      "017_3200_to_3300",
      "018_3300_to_3400",
    ]);
    assert.deepEqual(names(knownMigrations(ee("2.1.0.0", ["off"]))).enterprise, [
      "000_base",
      "006_1301_to_1500",
      "006_1301_to_1302",
      "007_1500_to_1504",
      "008_1504_to_1505",
      "007_1500_to_2100",
      "009_1506_to_1507",
    ]);
  });

  it("Enterprise plugins follow OSS of the same x.y.z", () => {
    assert.deepEqual(bundledPlugins("2.8.4.2", "enterprise"), bundledPlugins("2.8.4", "oss"));
  });

  it("the EE 1.x line of Kong's guide (0.36 -> 1.3 -> 1.5): core and enterprise lists", () => {
    const core036 = ["000_base", "001_13_to_14", "001_14_to_15", "002_15_to_1", "003_100_to_110", "004_110_to_120"];
    const ent036 = ["000_base", "001_034_to_035", "002_035_to_035-1", "003_035-1_to_036-2"];
    const lists = (v: string) => names(knownMigrations(ee(v, ["off"])));
    assert.deepEqual(lists("0.36.0.2"), { core: core036, enterprise: ent036 });
    assert.deepEqual(lists("1.3.0.2"), {
      core: [...core036, "005_120_to_130"],
      enterprise: [...ent036, "004_036-2_to_037", "005_037_to_1301", "006_1301_to_1302"],
    });
    assert.deepEqual(lists("1.5.0.11"), {
      core: [...core036, "005_120_to_130", "006_130_to_140", "007_140_to_150"],
      enterprise: [
        ...ent036,
        "004_036-2_to_037",
        "005_037_to_1301",
        "006_1301_to_1500",
        "006_1301_to_1302",
        "007_1500_to_1504",
        "008_1504_to_1505",
        "009_1506_to_1507",
      ],
    });
    // Bundled plugins of the CE release each line was built on: CE 1.2 (0.36), 1.3 (session), 1.5.
    assert.deepEqual(bundledPlugins("0.36.0.2", "enterprise"), [
      "acl",
      "basic-auth",
      "hmac-auth",
      "jwt",
      "key-auth",
      "oauth2",
      "rate-limiting",
      "response-ratelimiting",
    ]);
    assert.deepEqual(bundledPlugins("1.3.0.2", "enterprise"), bundledPlugins("1.3.0", "oss"));
    assert.deepEqual(bundledPlugins("1.5.0.11", "enterprise"), bundledPlugins("1.5.0", "oss"));
  });

  it("every Enterprise entry is marked unverified", () => {
    const unmarked = Object.entries(ENTERPRISE.subsystems).flatMap(([s, list]) =>
      list.filter((m) => m.verified !== false).map((m) => `${s}/${m.name}`),
    );
    assert.deepEqual(unmarked, []);
  });
});

describe("catalogue: checkVersion", () => {
  it("accepts catalogued series", () => {
    for (const v of ["1.0.0", "1.5.0", "2.1.4", "2.8.5", "3.9.3"]) assert.deepEqual(checkVersion(v, "oss"), { ok: true }, v);
    for (const v of ["0.36.0.2", "1.3.0.2", "1.5.0.11", "2.1.0.0", "2.8.4.2", "3.4.3.12", "3.9.1.0"]) {
      assert.deepEqual(checkVersion(v, "enterprise"), { ok: true }, v);
    }
  });

  it("names the newest catalogued version and the next step", () => {
    assert.deepEqual(checkVersion("3.10.0", "oss"), {
      ok: false,
      reason: "Kong 3.10.0 is newer than this package's catalogue (newest: 3.9.x); upgrade pulumi-kong-migrations",
    });
    assert.deepEqual(checkVersion("0.14.1", "oss"), {
      ok: false,
      reason:
        "Kong 0.14.1 is older than this package's catalogue (oldest: 1.0.x, newest: 3.9.x); Kong < 1.0 keeps its " +
        "migrations in the legacy schema_migrations table: upgrade the database with Kong's own tools first (to " +
        "0.14.1, then 1.5.x with kong migrations migrate-apis)",
    });
    assert.deepEqual(checkVersion("2.1", "oss"), {
      ok: false,
      reason: '"2.1" is not a Kong version (expected MAJOR.MINOR.PATCH, e.g. 3.9.0); newest catalogued: 3.9.x',
    });
    assert.deepEqual(checkVersion("v2.1.4", "oss"), {
      ok: false,
      reason: '"v2.1.4" is not a Kong version: drop the "v" prefix ("2.1.4"); newest catalogued: 3.9.x',
    });
  });

  it("rejects Enterprise-shaped OSS versions, missing series, and Enterprise outside 0.36-3.9", () => {
    assert.deepEqual(checkVersion("2.8.4.2", "oss"), {
      ok: false,
      reason:
        '"2.8.4.2" has four components, which only Kong Enterprise versions have: set edition to "enterprise", ' +
        "or give the Kong OSS version as MAJOR.MINOR.PATCH; newest catalogued: 3.9.x",
    });
    assert.deepEqual(checkVersion("1.6.0", "oss"), {
      ok: false,
      reason: "Kong 1.6.0 is not a release series this package catalogues (1.0-1.5, 2.0-2.8, 3.0-3.9); check the version",
    });
    assert.deepEqual(checkVersion("0.35.0.3", "enterprise"), {
      ok: false,
      reason:
        "Kong Enterprise 0.35.0.3 is older than this package's catalogue (oldest: 0.36.x, newest: 3.9.x); Kong " +
        "Enterprise before 0.36 is not catalogued: upgrade the database to Kong Enterprise 0.36 with Kong's own tools first",
    });
    assert.deepEqual(checkVersion("1.4.0.0", "enterprise"), {
      ok: false,
      reason:
        "Kong Enterprise 1.4.0.0 is not a release series this package catalogues (0.36, 1.3, 1.5, 2.1-2.8, 3.0-3.9); check the version",
    });
    assert.deepEqual(checkVersion("3.10.0.0", "enterprise"), {
      ok: false,
      reason: "Kong Enterprise 3.10.0.0 is newer than this package's catalogue (newest: 3.9.x); upgrade pulumi-kong-migrations",
    });
  });

  it("Enterprise 0.36-N is written 0.36.0.N (three components are refused by check: releases.ts)", () => {
    assert.deepEqual(checkVersion("0.36-2", "enterprise"), {
      ok: false,
      reason: '"0.36-2": write Kong Enterprise 0.36-2 with four components, "0.36.0.2"; newest catalogued: 3.9.x',
    });
    assert.deepEqual(checkVersion("2.1", "enterprise"), {
      ok: false,
      reason: '"2.1" is not a Kong version (expected MAJOR.MINOR.PATCH[.BUILD], e.g. 3.4.3.12); newest catalogued: 3.9.x',
    });
  });

  it("knownMigrations, bundledPlugins and uncataloguedPlugins refuse what checkVersion refuses", () => {
    const reason = "Kong 3.10.0 is newer than this package's catalogue (newest: 3.9.x); upgrade pulumi-kong-migrations";
    assert.throws(() => knownMigrations(oss("3.10.0")), { message: reason });
    assert.throws(() => bundledPlugins("3.10.0", "oss"), { message: reason });
    assert.throws(() => uncataloguedPlugins(oss("3.10.0")), { message: reason });
  });

  it("newestCataloguedVersion", () => {
    assert.equal(newestCataloguedVersion("oss"), "3.9.x");
    assert.equal(newestCataloguedVersion("enterprise"), "3.9.x");
  });
});

describe("catalogue: introducedIn and databaseVersionLowerBound", () => {
  it("introducedIn", () => {
    assert.equal(introducedIn("oss", "core", "011_212_to_213"), "2.1.3");
    assert.equal(introducedIn("oss", "rate-limiting", "003_10_to_112"), "1.1.2");
    assert.equal(introducedIn("oss", "opentelemetry", "001_331_to_332"), "3.6.1");
    assert.equal(introducedIn("oss", "core", "014_230_to_260"), undefined);
    assert.equal(introducedIn("oss", "my-plugin", "000_base"), undefined);
    assert.equal(introducedIn("enterprise", "enterprise", "006_1301_to_1500"), "1.5.0.0");
    assert.equal(introducedIn("enterprise", "core", "014_230_to_260"), "2.6.0.0");
  });

  it("lower bounds", () => {
    assert.equal(databaseVersionLowerBound({}, "oss"), undefined);
    assert.equal(databaseVersionLowerBound({ "my-plugin": ["000_base_my_plugin"], core: ["999_future"] }, "oss"), undefined);
    assert.equal(databaseVersionLowerBound({ core: ["000_base"], opentelemetry: ["001_331_to_332"] }, "oss"), "3.6.1");
    // A pending name counts: its up ran (pass executed and pending together).
    assert.equal(databaseVersionLowerBound({ core: [...CORE_2_0, "009_200_to_210"] }, "oss"), "2.1.0");
    assert.equal(databaseVersionLowerBound(recorded(bootstrapRows(oss("1.1.2"))), "oss"), "1.1.2");
    assert.equal(databaseVersionLowerBound(recorded(bootstrapRows(oss("3.9.0"))), "oss"), "3.9.0");
    assert.equal(databaseVersionLowerBound({ core: [...CORE_3_9, "025_390_to_3100"] }, "oss"), "3.10.0");
    assert.equal(databaseVersionLowerBound({ enterprise: ["000_base", "006_1301_to_1500"] }, "enterprise"), "1.5.0.0");
    assert.equal(databaseVersionLowerBound(recorded(bootstrapRows(ee("2.8.4.2"))), "enterprise"), "2.8.0.0");
  });
});

describe("catalogue: data invariants", () => {
  for (const [edition, data] of [
    ["oss", OSS],
    ["enterprise", ENTERPRISE],
  ] as const) {
    it(`${edition}: versions parse, until > since, names unique per subsystem`, () => {
      for (const [subsystem, list] of Object.entries(data.subsystems)) {
        assert.equal(new Set(list.map((m) => m.name)).size, list.length, subsystem);
        for (const m of list) {
          assert.ok(parseKongVersion(m.since), `${subsystem}/${m.name} since ${m.since}`);
          if (m.until) assert.ok(compareVersions(m.until, m.since) > 0, `${subsystem}/${m.name}`);
        }
      }
    });
  }

  it("OSS entries marked unverified are exactly the ones the doc could not settle", () => {
    const unverified = Object.entries(OSS.subsystems).flatMap(([s, list]) =>
      list.filter((m) => m.verified === false).map((m) => `${s}/${m.name}`),
    );
    assert.deepEqual(unverified, ["acme/000_base_acme", "session/001_add_ttl_index"]);
  });
});
