/**
 * Property-based sequences of user actions (issue 10, item 3), seeded: random kongVersion moves
 * over a ladder with patch releases with and without migrations, decommissionedOld toggles, in-place
 * upgrades, refreshes, a manual `kong-sim migrations finish` behind the provider's back and injected
 * kong-sim faults, each sequence on its own real database. The invariants are in `world.ts`.
 *
 * In `npm test`: a fixed seed, 50 sequences, 5 in flight. `npm run soak` runs
 * 1,000 (SEQUENCES, SEED, WORKERS override; FC_PATH replays one failure exactly and shrinks it).
 */
import { strict as assert } from "node:assert";
import { describeCounts, optionsFromEnv, runProperty } from "./property-run";

const SOAK = process.env.SOAK === "1";
const options = optionsFromEnv({
  seed: 20261202,
  sequences: SOAK ? 1000 : 50,
  workers: 5,
  endOnFailure: !SOAK,
});

describe("property: random sequences of user actions keep the provider's promises", function () {
  this.timeout(SOAK ? 0 : 600_000);

  it(`${options.sequences} sequences (seed ${options.seed}): finish gated, running versions compatible, outputs equal a refresh, refusals lead on`, async () => {
    const r = await runProperty(options);
    console.log(`      ${describeCounts(options, r)}`);
    if (r.failures.length) assert.fail(`${r.failures.length} worker(s) failed:\n\n${r.failures.join("\n\n")}`);
    // A replay (FC_PATH) runs the one sequence it names.
    if (!options.path) assert.ok(r.counts.sequences >= options.sequences, `ran ${r.counts.sequences} sequences`);
  });
});
