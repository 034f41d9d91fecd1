# shellcheck shell=bash disable=SC2317
# Source this file from bash (not sh/dash; it needs BASH_SOURCE):
#   source scripts/pulumi-env.sh
# Sets up a fully offline Pulumi CLI (no update check, no plugin downloads, no
# cloud backend) and puts pulumi, pulumi-language-nodejs and
# pulumi-resource-pulumi-nodejs on PATH (building them on first use, see
# scripts/ensure-pulumi.sh). Variables already set by the caller are kept.
# Returns non-zero (without exiting your shell) if ensure-pulumi.sh fails.

_pkm_env_main() {
  local script_dir repo_root pulumi_bin
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)" || return 1
  repo_root="$(cd "${script_dir}/.." && pwd)" || return 1

  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
  export PULUMI_SKIP_CONFIRMATIONS=true
  export PULUMI_DISABLE_REGISTRY_RESOLVE=true
  # The program is type-checked by `npm run typecheck`; every engine run only transpiles it
  # (@pulumi/pulumi 3.248 cmd/run/run.js: ts-node's transpileOnly). Type-checking the quickstart
  # cost about 4.7 s of CPU per preview/up (measured 2026-12-02: 11.7 s user CPU without, 7.0 s
  # with). Pulumi.yaml cannot say this here: the language host ensure-pulumi.sh builds (sdk v3.68.0)
  # does not pass a runtime `tsconfig` option (PULUMI_NODEJS_TSCONFIG_PATH stays unset in the
  # program: tried), and noCheck in tsconfig.json would also stop `tsc --noEmit` from checking.
  export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
  # Keep credentials, plugins and workspace files out of ~/.pulumi (gitignored).
  export PULUMI_HOME="${PULUMI_HOME:-${repo_root}/.pulumi-home}"
  # Local file backend unless the caller chose one (gitignored).
  if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    mkdir -p "${repo_root}/.pulumi-state" || return 1
    export PULUMI_BACKEND_URL="file://${repo_root}/.pulumi-state"
  fi
  # Non-interactive passphrase secrets provider; test-only default.
  if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE="pulumi-kong-migrations-test-passphrase"
  fi

  local out
  out="$(bash "${script_dir}/ensure-pulumi.sh")" || return 1
  pulumi_bin="${out##*$'\n'}"  # last stdout line
  if [ -z "${pulumi_bin}" ] || [ ! -x "${pulumi_bin}/pulumi" ]; then
    echo "pulumi-env.sh: ensure-pulumi.sh did not yield a usable directory" >&2
    return 1
  fi
  case ":${PATH}:" in
    *":${pulumi_bin}:"*) ;;
    *) export PATH="${pulumi_bin}:${PATH}" ;;
  esac
}

if _pkm_env_main; then
  unset -f _pkm_env_main
  return 0 2>/dev/null || exit 0
else
  unset -f _pkm_env_main
  return 1 2>/dev/null || exit 1
fi
