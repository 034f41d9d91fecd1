import { strict as assert } from "node:assert";
import { checkVersion } from "../../provider/kong/catalogue";
import { ENTERPRISE } from "../../provider/kong/catalogue-data/enterprise";
import { OSS } from "../../provider/kong/catalogue-data/oss";
import { checkUpgradePath } from "../../provider/kong/upgrade-paths";

describe("upgrade paths (kong-migrations.md §6)", () => {
  const cases: Array<[string, string, "oss" | "enterprise", RegExp | undefined, number]> = [
    ["2.0.0", "2.1.4", "oss", undefined, 0],
    ["1.0.0", "2.8.5", "oss", undefined, 0],
    ["1.5.0", "3.0.0", "oss", /Upgrade to 2\.8\.x \(from 1\.x, Kong 2\.8 accepts any 1\.0\+ database\), then 3\.x/, 0],
    ["2.7.0", "3.4.0", "oss", /^Kong 3\.4\.0 cannot upgrade a database at 2\.7\.x directly: Kong 3\.x upgrades only from 2\.8\.x\./, 0],
    ["2.8.0", "3.4.2", "oss", undefined, 1],
    ["2.8.0", "3.2.0", "oss", undefined, 2],
    ["3.0.0", "3.1.0", "oss", undefined, 0],
    ["3.0.0", "3.5.0", "oss", undefined, 1],
    [
      "1.3.0.0",
      "2.1.4.0",
      "enterprise",
      /requires 1\.5\.x first, .* Upgrade through 1\.5\.x \(one kongVersion change, up and finish each\), then to 2\.1\.4\.0\.$/,
      0,
    ],
    ["1.2.0.0", "2.1.4.0", "enterprise", /Upgrade through 1\.3\.x, then 1\.5\.x \(one/, 0],
    [
      "1.5.0.0",
      "2.8.4.2",
      "enterprise",
      /Upgrade through 2\.1\.x \(one kongVersion change, up and finish each\), then to 2\.8\.4\.2\.$/,
      0,
    ],
    ["2.1.0.0", "2.8.4.2", "enterprise", undefined, 0],
    // Kong's Enterprise guide: 0.36 -> 1.3 -> 1.5 -> 2.1, each hop accepted, each skip refused naming the hops.
    ["0.36.0.0", "1.3.0.2", "enterprise", undefined, 0],
    ["1.3.0.1", "1.5.0.11", "enterprise", undefined, 0],
    ["1.5.0.0", "2.1.4.1", "enterprise", undefined, 0],
    [
      "0.36.0.0",
      "1.5.0.11",
      "enterprise",
      /^Kong Enterprise 1\.5\.0\.11 cannot upgrade a database at 0\.36\.x directly: Kong's Enterprise upgrade path is 0\.36 -> 1\.3 -> 1\.5 -> 2\.1\. Upgrade through 1\.3\.x \(one kongVersion change, up and finish\), then to 1\.5\.0\.11\.$/,
      0,
    ],
    [
      "0.36.0.0",
      "2.1.4.1",
      "enterprise",
      /Upgrade through 1\.3\.x, then 1\.5\.x \(one kongVersion change, up and finish each\), then to 2\.1\.4\.1\.$/,
      0,
    ],
    ["1.5.0.0", "2.1.4.0", "enterprise", undefined, 0],
    ["2.1.4", "2.1.4", "oss", undefined, 0],
  ];
  for (const [from, to, edition, refusal, warnings] of cases) {
    it(`${edition} ${from} -> ${to}: ${refusal ? "refused" : `${warnings} warning(s)`}`, () => {
      const v = checkUpgradePath(from, to, edition);
      if (refusal) assert.match(v.refusal ?? "", refusal);
      else assert.equal(v.refusal, undefined);
      assert.equal(v.warnings.length, warnings, v.warnings.join(" | "));
    });
  }
});

describe("upgrade paths: the shared-database warning only while old nodes may run", () => {
  it("2.8 -> 3.4 warns about 2.8 nodes on the shared database unless decommissionedOld (a dual-cluster clone) says none runs", () => {
    assert.match(checkUpgradePath("2.8.5", "3.4.2", "oss").warnings.join(" | "), /check that your 2\.8 nodes tolerate 3\.4\.2's up\.$/);
    assert.deepEqual(checkUpgradePath("2.8.5", "3.4.2", "oss", false).warnings, []);
    assert.deepEqual(checkUpgradePath("2.8.5", "3.2.2", "oss", false).warnings, [
      "2.8.x -> 3.2.2 is not one of Kong's guaranteed paths (2.8 -> 3.0, 3.1, or 3.4 LTS).",
    ]);
  });
});

describe("upgrade paths: every hop a refusal names is itself accepted", () => {
  for (const [edition, data] of [
    ["oss", OSS],
    ["enterprise", ENTERPRISE],
  ] as const) {
    it(`${data.label}: from each catalogued series to each later one`, () => {
      const first = (series: string) => (edition === "oss" ? `${series}.0` : `${series}.0.0`);
      const problems: string[] = [];
      let refusals = 0;
      for (const [i, fromSeries] of data.series.entries()) {
        for (const toSeries of data.series.slice(i + 1)) {
          const from = first(fromSeries);
          const to = first(toSeries);
          const refusal = checkUpgradePath(from, to, edition).refusal;
          if (!refusal) continue;
          refusals++;
          const m = /Upgrade (?:through|to) ((?:\d+\.\d+\.x(?:, then |\b))+)/.exec(refusal);
          if (!m) {
            problems.push(`${from} -> ${to}: no hops named in "${refusal}"`);
            continue;
          }
          const hops = [...m[1].matchAll(/(\d+\.\d+)\.x/g)].map((h) => h[1]).filter((h) => h !== toSeries);
          const chain = [from, ...hops.map(first), to];
          for (const v of chain) if (!checkVersion(v, edition).ok) problems.push(`${from} -> ${to}: names ${v}, not catalogued`);
          for (let k = 0; k + 1 < chain.length; k++) {
            const r = checkUpgradePath(chain[k], chain[k + 1], edition).refusal;
            if (r) problems.push(`${from} -> ${to}: its hop ${chain[k]} -> ${chain[k + 1]} is refused: ${r}`);
          }
        }
      }
      assert.deepEqual(problems, []);
      assert.ok(refusals > 0, "some paths are refused");
    });
  }
});
