import { strict as assert } from "node:assert";
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
