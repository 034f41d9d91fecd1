// Mocha's spec reporter, plus a machine-readable summary for .ci/run: when MOCHA_SUMMARY_FILE is
// set, the real pass/fail/pending counts of this run are written there as JSON at the end.
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => counts.passed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => counts.failed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => counts.skipped++);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(counts));
    });
  }
}

module.exports = SummaryReporter;
