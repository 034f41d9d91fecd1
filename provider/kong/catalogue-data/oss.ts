/**
 * Kong Gateway (OSS) migrations, 1.0.0 through 3.9.x, per subsystem in Kong's list order
 * (`kong/db/migrations/core/init.lua`, `kong/plugins/<name>/migrations/init.lua`).
 *
 * Sources, in order of authority:
 * - kong-migrations.md §5.1 (core) and §5.2 (plugins): names, first release, postgres teardown —
 *   computed there by diffing every release tag.
 * - Kong/kong release rockspecs (module lists): `kong-1.0.0-0.rockspec` (the 1.x-only
 *   `001_14_to_15` / `002_15_to_10` of core and plugins), `kong-2.0.0-0.rockspec` (they are gone in
 *   2.0.0; `kong-plugin-session ~> 2.2` and `kong-plugin-acme ~> 0.2` become bundled rocks),
 *   `kong-2.1.4-0.rockspec`, `kong-3.9.1-0.rockspec` (the 3.9 plugin set).
 * - Kong/kong CHANGELOG 1.3.0: "New bundled plugin: the session plugin" (#4685).
 * - Published `kong migrations bootstrap` logs for 1.1.2 (24 migrations) and 1.3.x (27), and a
 *   `pg_dump` of a 2.1.3+ database (session `000_base_session`, acme `000_base_acme` only).
 * - The stored Lua files of the 1.x-only migrations for their teardown flags (their exact tag is
 *   not pinned; the flag only matters when `up` migrates a 0.14 database, which 1.x alone does).
 *
 * `verified: false` marks what none of these settles (UNVERIFIED, see the comments).
 */
import { entry as e, seriesRange, type EditionData } from "./entry";

const TEARDOWN = true;
/** The 0.14 -> 1.0 steps exist in 1.0.0-1.5.x only (removed by c486717207, 2.0.0). */
const ONLY_1X = { until: "2.0.0" } as const;
const UNVERIFIED = { verified: false } as const;

export const OSS: EditionData = {
  label: "Kong",
  series: [...seriesRange(1, 0, 5), ...seriesRange(2, 0, 8), ...seriesRange(3, 0, 9)],
  subsystems: {
    // §5.1.
    core: [
      e("000_base", "1.0.0"),
      e("001_14_to_15", "1.0.0", TEARDOWN, ONLY_1X),
      e("002_15_to_1", "1.0.0", TEARDOWN, ONLY_1X),
      e("003_100_to_110", "1.1.0"),
      e("004_110_to_120", "1.2.0"),
      e("005_120_to_130", "1.3.0", TEARDOWN),
      e("006_130_to_140", "1.4.0"),
      e("007_140_to_150", "1.5.0"),
      e("008_150_to_200", "2.0.0", TEARDOWN),
      e("009_200_to_210", "2.1.0", TEARDOWN),
      e("010_210_to_211", "2.1.1"),
      e("011_212_to_213", "2.1.3"),
      e("012_213_to_220", "2.2.0", TEARDOWN),
      e("013_220_to_230", "2.3.0"),
      // No core migration in 2.4, 2.5, 2.6.
      e("014_230_to_270", "2.7.0"),
      e("015_270_to_280", "2.8.0"),
      e("016_280_to_300", "3.0.0", TEARDOWN),
      e("017_300_to_310", "3.1.0"),
      e("018_310_to_320", "3.2.0"),
      e("019_320_to_330", "3.3.0"),
      e("020_330_to_340", "3.4.0"),
      e("021_340_to_350", "3.5.0"),
      e("022_350_to_360", "3.6.0"),
      e("023_360_to_370", "3.7.0"),
      // No core migration in 3.8.
      e("024_380_to_390", "3.9.0"),
      // On master (meta.lua 3.10.0) when the doc was written: beyond the catalogued series, kept so
      // that a database touched by 3.10 is recognised as newer (and bounded at 3.10.0).
      e("025_390_to_3100", "3.10.0"),
    ],

    // §5.2; 1.x-only entries from kong-1.0.0-0.rockspec and the 1.1.2 / 1.3 bootstrap logs.
    acl: [
      e("000_base_acl", "1.0.0"),
      e("001_14_to_15", "1.0.0", TEARDOWN, ONLY_1X),
      e("002_130_to_140", "1.4.0"),
      e("003_200_to_210", "2.1.0", TEARDOWN),
      e("004_212_to_213", "2.1.3", TEARDOWN),
    ],
    // A bundled rock (`kong-plugin-acme ~> 0.2`) from 2.0.0, in-tree from 2.6.0.
    acme: [
      // UNVERIFIED for 2.0.x: the name is confirmed for 2.1.x (pg_dump) and 2.3+ (bootstrap logs);
      // acme 0.2.x's changelog lists no migration change, so 2.0.0 is assumed.
      e("000_base_acme", "2.0.0", false, UNVERIFIED),
      e("001_280_to_300", "3.0.0"),
      e("002_320_to_330", "3.3.0"),
      e("003_350_to_360", "3.6.0", TEARDOWN),
    ],
    "ai-proxy": [e("001_360_to_370", "3.7.0", TEARDOWN)],
    "basic-auth": [
      e("000_base_basic_auth", "1.0.0"),
      e("001_14_to_15", "1.0.0", false, ONLY_1X),
      e("002_130_to_140", "1.4.0"),
      e("003_200_to_210", "2.1.0"),
    ],
    "bot-detection": [e("001_200_to_210", "2.1.0", TEARDOWN)],
    "hmac-auth": [
      e("000_base_hmac_auth", "1.0.0"),
      e("001_14_to_15", "1.0.0", false, ONLY_1X),
      e("002_130_to_140", "1.4.0"),
      e("003_200_to_210", "2.1.0"),
    ],
    "http-log": [e("001_280_to_300", "3.0.0", TEARDOWN)],
    "ip-restriction": [e("001_200_to_210", "2.1.0", TEARDOWN)],
    jwt: [
      e("000_base_jwt", "1.0.0"),
      e("001_14_to_15", "1.0.0", false, ONLY_1X),
      e("002_130_to_140", "1.4.0"),
      e("003_200_to_210", "2.1.0"),
    ],
    "key-auth": [
      e("000_base_key_auth", "1.0.0"),
      e("001_14_to_15", "1.0.0", false, ONLY_1X),
      e("002_130_to_140", "1.4.0"),
      e("003_200_to_210", "2.1.0"),
      e("004_320_to_330", "3.3.0"),
    ],
    oauth2: [
      e("000_base_oauth2", "1.0.0"),
      e("001_14_to_15", "1.0.0", TEARDOWN, ONLY_1X),
      e("002_15_to_10", "1.0.0", TEARDOWN, ONLY_1X),
      e("003_130_to_140", "1.4.0"),
      e("004_200_to_210", "2.1.0", TEARDOWN),
      e("005_210_to_211", "2.1.1"), // its teardown is Cassandra-only
      e("006_320_to_330", "3.3.0"),
      e("007_320_to_330", "3.3.0"),
    ],
    // Patch release 3.6.1 (§5.3): empty `up`, teardown only.
    opentelemetry: [e("001_331_to_332", "3.6.1", TEARDOWN)],
    "post-function": [e("001_280_to_300", "3.0.0", TEARDOWN)],
    "pre-function": [e("001_280_to_300", "3.0.0", TEARDOWN)],
    "rate-limiting": [
      e("000_base_rate_limiting", "1.0.0"),
      e("001_14_to_15", "1.0.0", TEARDOWN, ONLY_1X),
      e("002_15_to_10", "1.0.0", TEARDOWN, ONLY_1X),
      e("003_10_to_112", "1.1.2"), // patch release 1.1.2 (§5.3)
      e("004_200_to_210", "2.1.0"),
      e("005_320_to_330", "3.3.0"),
      e("006_350_to_360", "3.6.0", TEARDOWN),
    ],
    "response-ratelimiting": [
      e("000_base_response_rate_limiting", "1.0.0"),
      e("001_14_to_15", "1.0.0", false, ONLY_1X),
      e("002_15_to_10", "1.0.0", TEARDOWN, ONLY_1X),
      e("001_350_to_360", "3.6.0", TEARDOWN),
    ],
    // Bundled from 1.3.0 as the rock `kong-plugin-session` (CHANGELOG 1.3.0), in-tree from 2.6.0.
    session: [
      e("000_base_session", "1.3.0"),
      // UNVERIFIED: shipped by the rock kong-plugin-session 2.4.3 (2.4.1 lacks it), which Kong 2.1
      // and 2.2 both require as `~> 2.4`, so the Kong release that first carried it depends on
      // packaging. A 2.1.3+ database (pg_dump) lacks it; 2.3.x bootstrap logs have it. 2.2.0 is
      // the earliest candidate left: erring early makes a 2.2 database without it look "not up to
      // date" rather than making one with it look newer than its own Kong.
      e("001_add_ttl_index", "2.2.0", false, UNVERIFIED),
      e("002_320_to_330", "3.3.0"),
      e("003_330_to_3100", "3.10.0"), // master (3.10) when the doc was written
    ],
  },
  // Bundled plugins with no migrations in any catalogued release (kong-1.0.0/2.0.0/2.1.4/3.9.1
  // rockspecs; serverless-functions is pre-/post-function, catalogued above).
  pluginsWithoutMigrations: [
    "ai-prompt-decorator",
    "ai-prompt-guard",
    "ai-prompt-template",
    "ai-request-transformer",
    "ai-response-transformer",
    "aws-lambda",
    "azure-functions",
    "correlation-id",
    "cors",
    "datadog",
    "file-log",
    "grpc-gateway",
    "grpc-web",
    "ldap-auth",
    "loggly",
    "prometheus",
    "proxy-cache",
    "redirect",
    "request-size-limiting",
    "request-termination",
    "request-transformer",
    "response-transformer",
    "standard-webhooks",
    "statsd",
    "syslog",
    "tcp-log",
    "udp-log",
    "zipkin",
  ],
};
