/** `kong-sim --help`: what kong-sim is, its commands, its environment and its fault switches. */
import { FAULTS_HELP } from "./faults";

export const SIM_HELP = `Usage: kong-sim COMMAND [OPTIONS]

kong-sim stands in for the \`kong\` CLI's database migration commands (Kong itself cannot be
installed here). It writes Kong's schema_meta and locks tables, takes Kong's cluster lock, and
prints Kong's messages with Kong's exit codes, against a real PostgreSQL database.

Commands:
  migrations COMMAND [OPTIONS]   like \`kong migrations\`: bootstrap, up, finish, list, reset, and
                                 status (Kong >= 3.0); flags -y/--yes, -f/--force, -q/--quiet,
                                 --db-timeout, --lock-timeout, --v, --vv
  version                        like \`kong version\`
  check-compat                   NOT a Kong command: exits 0 when the database still holds every
                                 table the impersonated version reads (kong-sim's SQL model), 1
                                 when not (naming the missing tables on stderr), 2 on errors

Environment (as Kong):
  KONG_PG_HOST (127.0.0.1), KONG_PG_PORT (5432), KONG_PG_USER (kong), KONG_PG_PASSWORD,
  KONG_PG_DATABASE (kong), KONG_PG_SCHEMA (empty: the server's CURRENT_SCHEMA, else public),
  KONG_PG_SSL / KONG_PG_SSL_VERIFY (on|true), KONG_PG_TIMEOUT (ms, 5000; used by 3.7.1+ when
  --db-timeout is not given), KONG_PLUGINS (comma list; default bundled; off = none)
Environment (kong-sim):
  KONG_SIM_VERSION   required: the Kong version impersonated, e.g. 2.1.4 or 2.8.4.2
  KONG_SIM_EDITION   oss (default) or enterprise

${FAULTS_HELP}
`;

export const CHECK_COMPAT_HELP = `Usage: kong-sim check-compat

NOT a Kong command (Kong has no equivalent). Checks that the database (KONG_PG_*) still holds
every table that Kong KONG_SIM_VERSION (KONG_SIM_EDITION, KONG_PLUGINS) reads in kong-sim's SQL
model: schema_meta, locks, and one table per migration the version knows, except a migration's
table that a later teardown migration of that version replaces.
Exit 0: compatible. Exit 1: incompatible (missing tables on stderr). Exit 2: error.
`;
