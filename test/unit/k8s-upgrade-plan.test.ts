import { strict as assert } from "node:assert";
import { planUpgrade, type UpgradeInputs } from "../../sdk/k8s-upgrade-plan";
import { KongKubernetesError, type KongKubernetesErrorCode } from "../../sdk/k8s-errors";
import { countNewMigrations } from "../../sdk/k8s-new-migrations";

const catalogue = countNewMigrations("oss", ["all"]);
const plan = (inputs: Partial<UpgradeInputs>) => planUpgrade({ currentVersion: "2.0.5", hasGateway: false, ...inputs }, catalogue);
const refused = (inputs: Partial<UpgradeInputs>, code: KongKubernetesErrorCode, property: string, message?: string) =>
  assert.throws(
    () => plan(inputs),
    (e: unknown) => {
      assert.ok(e instanceof KongKubernetesError, String(e));
      assert.deepEqual([e.code, e.property], [code, property]);
      if (message) assert.equal(e.message, message);
      return true;
    },
  );

describe("KongBlueGreenUpgrade plan (pure)", () => {
  it("walks the four steps: clusters, Admin API, replicas, weights, the Service's slot", () => {
    assert.deepEqual(plan({}), {
      shape: "steady",
      live: "blue",
      migrationVersion: "2.0.5",
      clusters: [{ color: "blue", role: "current", version: "2.0.5", adminApi: true, retired: false, dependsOnMigration: true }],
      retiring: undefined,
      weights: { blue: 100 },
      serviceColor: "blue",
    });
    const up = plan({ targetVersion: "2.1.4" });
    assert.equal(up.shape, "blueGreen");
    assert.deepEqual(up.clusters, [
      { color: "blue", role: "current", version: "2.0.5", adminApi: true, retired: false, dependsOnMigration: false },
      { color: "green", role: "target", version: "2.1.4", adminApi: false, retired: false, dependsOnMigration: true },
    ]);
    assert.deepEqual(up.weights, { blue: 100, green: 0 });
    const split = plan({ targetVersion: "2.1.4", greenTrafficPercent: 25, hasGateway: true });
    assert.deepEqual([split.weights, split.serviceColor], [{ blue: 75, green: 25 }, "blue"]);
    assert.equal(plan({ targetVersion: "2.1.4", greenTrafficPercent: 100 }).serviceColor, "green");
    const retire = plan({ targetVersion: "2.1.4", greenTrafficPercent: 100, retireBlue: true });
    assert.equal(retire.retiring, "blue");
    assert.deepEqual(retire.clusters, [
      { color: "blue", role: "current", version: "2.0.5", adminApi: true, retired: true, dependsOnMigration: false },
      { color: "green", role: "target", version: "2.1.4", adminApi: true, retired: false, dependsOnMigration: true },
    ]);
  });

  it("alternates slots: with green live, the next upgrade starts in blue and retireGreen retires green", () => {
    const p = plan({ currentVersion: "2.1.4", liveColor: "green", targetVersion: "2.2.0", greenTrafficPercent: 0, retireGreen: true });
    assert.deepEqual(
      p.clusters.map((c) => [c.color, c.version, c.retired, c.adminApi]),
      [
        ["green", "2.1.4", true, true],
        ["blue", "2.2.0", false, true],
      ],
    );
    assert.equal(p.retiring, "green");
    assert.deepEqual(plan({ currentVersion: "2.1.4", liveColor: "green" }).weights, { green: 100 });
  });

  it("chooses in place only for a patch release without migrations", () => {
    assert.equal(plan({ currentVersion: "2.1.3", targetVersion: "2.1.4" }).shape, "inPlace");
    assert.equal(plan({ currentVersion: "3.6.0", targetVersion: "3.6.1" }).shape, "blueGreen", "opentelemetry 001_331_to_332");
    assert.equal(plan({ currentVersion: "2.1.3", targetVersion: "2.1.4", strategy: "blueGreen" }).shape, "blueGreen");
    assert.equal(
      planUpgrade({ currentVersion: "2.1.3", targetVersion: "2.1.4", hasGateway: false }, () => undefined).shape,
      "blueGreen",
      "unknown to the catalogue: the safe shape",
    );
    assert.equal(
      planUpgrade({ currentVersion: "2.4.0", targetVersion: "2.5.0", hasGateway: false }, () => 0).shape,
      "blueGreen",
      "minor releases always blue/green",
    );
  });

  it("refuses what would break the procedure, naming the input", () => {
    refused({ targetVersion: "2.0.4" }, "DOWNGRADE", "targetVersion");
    refused({ targetVersion: "v2.1" }, "INVALID_VERSION", "targetVersion");
    refused({ greenTrafficPercent: 101 }, "TRAFFIC_OUT_OF_RANGE", "greenTrafficPercent");
    refused({ greenTrafficPercent: 12.5, targetVersion: "2.1.4", hasGateway: true }, "TRAFFIC_OUT_OF_RANGE", "greenTrafficPercent");
    refused(
      { greenTrafficPercent: 50 },
      "TRAFFIC_TO_MISSING_CLUSTER",
      "greenTrafficPercent",
      "greenTrafficPercent 50 sends 50% of the traffic to the green cluster, which does not exist (no upgrade is in progress; blue runs 2.0.5). Set greenTrafficPercent to 0.",
    );
    refused({ targetVersion: "2.1.4", greenTrafficPercent: 50 }, "WEIGHTED_TRAFFIC_NEEDS_GATEWAY", "greenTrafficPercent");
    refused({ retireBlue: true }, "RETIRE_WITHOUT_UPGRADE", "retireBlue");
    refused({ targetVersion: "2.1.4", greenTrafficPercent: 100, retireGreen: true }, "RETIRE_NEW_CLUSTER", "retireGreen");
    refused(
      { targetVersion: "2.1.4", retireBlue: true },
      "RETIRE_WITH_TRAFFIC",
      "retireBlue",
      "retireBlue would scale the blue cluster to zero while it receives 100% of the traffic: move all of it to green first (greenTrafficPercent 100), in an earlier pulumi up.",
    );
  });
});
