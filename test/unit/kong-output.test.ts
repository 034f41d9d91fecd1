/** Parsing `kong version` and `kong migrations list` (kong-migrations.md §2.4), and the version check. Pure. */
import { strict as assert } from "node:assert";
import { versionMismatch } from "../../provider/kong/kong-answer";
import { parseKongList } from "../../provider/kong/list-output";
import { parseKongVersionOutput } from "../../provider/kong/version-output";

describe("kong version output", () => {
  it("reads OSS (bare), Enterprise, and older or prefixed forms; the last version line wins", () => {
    assert.deepEqual(parseKongVersionOutput("2.1.4\n"), { version: "2.1.4", edition: "oss", line: "2.1.4" });
    assert.deepEqual(parseKongVersionOutput("Kong Enterprise 2.8.4.2\n"), {
      version: "2.8.4.2",
      edition: "enterprise",
      line: "Kong Enterprise 2.8.4.2",
    });
    assert.equal(parseKongVersionOutput("Kong version: 0.9.0")?.version, "0.9.0");
    assert.equal(parseKongVersionOutput("Kong 3.9.1")?.version, "3.9.1");
    assert.equal(parseKongVersionOutput("Unable to find image 'kong:3.4'\n3.4.2\n")?.version, "3.4.2");
    assert.equal(parseKongVersionOutput("Error: boom"), undefined);
  });

  it("a mismatch names both versions; an Enterprise MAJOR.MINOR.PATCH matches any build of it", () => {
    const r = parseKongVersionOutput("Kong Enterprise 3.4.3.12")!;
    assert.equal(versionMismatch(r, { kongVersion: "3.4.3", edition: "enterprise" }, "local process"), undefined);
    assert.equal(versionMismatch(r, { kongVersion: "3.4.3.11", edition: "enterprise" }, "local process")?.property, "kongVersion");
    assert.equal(versionMismatch(r, { kongVersion: "3.4.3", edition: "oss" }, "local process")?.property, "edition");
  });
});

describe("kong migrations list output", () => {
  it("exit 3 is needs-bootstrap; 1 is no answer", () => {
    assert.deepEqual(parseKongList(3, "Database needs bootstrapping or is older than Kong 1.0.\n"), {
      needsBootstrap: true,
      executed: {},
      pending: {},
      new: {},
    });
    assert.equal(parseKongList(1, ""), undefined);
  });

  it("reads the Executed, Pending and New blocks with right-aligned subsystems (exit 4)", () => {
    const stdout = [
      "Executed migrations:",
      "         core: 000_base, 003_100_to_110",
      "rate-limiting: 000_base_rate_limiting",
      "",
      "Pending migrations:",
      "core: 009_200_to_210",
      "",
      "New migrations available:",
      " core: 010_210_to_211",
      "  acl: 003_200_to_210, 004_212_to_213",
      "",
      "Run 'kong migrations finish' when ready",
    ].join("\n");
    assert.deepEqual(parseKongList(4, stdout), {
      needsBootstrap: false,
      executed: { core: ["000_base", "003_100_to_110"], "rate-limiting": ["000_base_rate_limiting"] },
      pending: { core: ["009_200_to_210"] },
      new: { core: ["010_210_to_211"], acl: ["003_200_to_210", "004_212_to_213"] },
    });
  });
});
