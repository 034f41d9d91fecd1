#!/usr/bin/env bash
# Make the Pulumi CLI usable offline and print (as the LAST stdout line) the
# absolute path of a directory to put on PATH. All progress goes to stderr.
#
# 1. If `pulumi` is on PATH and `pulumi-language-nodejs` is beside it or on
#    PATH, print the directory of that `pulumi` and stop.
# 2. Otherwise build, from Go modules (Go module proxy only, no other network),
#    into ${PULUMI_KONG_CACHE:-$HOME/.cache/pulumi-kong-migrations}/pulumi-<ver>/bin:
#      pulumi                        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi @ PULUMI_CLI_VERSION
#      pulumi-language-nodejs        see "Language host" below
#      pulumi-resource-pulumi-nodejs shell script from node_modules/@pulumi/pulumi
#    The build happens in a temp dir inside the cache and is renamed into place,
#    so an interrupted build never leaves a half-filled cache. A second run with
#    the same pins does nothing but print the directory.
#
# Language host: the matching host lives in the nested module
# github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which is
# untagged. The Go module proxy reachable here answers 403 "This module version
# is not available" for it at every version (commit, pseudo-version, @latest,
# @v/list). The script tries it first (at the commit of tag pkg/<cli-version>,
# re-pinning pkg and sdk) and otherwise falls back to the newest host that was
# still a package *inside* github.com/pulumi/pulumi/sdk/v3 and is served:
# sdk/v3@v3.68.0 (the next served one, v3.90.0, no longer has it). The v3.248.0
# engine still supports such an old host (GetRequiredPackages falls back to
# GetRequiredPlugins, etc.). Known limitation of the fallback host: its
# resource-monitor proxy only forwards the RPCs that existed in v3.68
# (RegisterResource, ReadResource, Invoke, Call, SupportsFeature, ...), so SDK
# features that need newer monitor RPCs (stack transforms, resource hooks,
# parameterized packages) are expected to fail; a program calling
# pulumi.runtime.registerResourceTransform did fail in testing. Dynamic
# providers and stack init/preview/up/destroy work (tested with
# @pulumi/pulumi 3.248.0 on Node 20, file backend, no network).
#
# Env knobs: PULUMI_KONG_CACHE (cache root), PULUMI_KONG_FORCE_BUILD=1 (ignore
# a pulumi found on PATH and use/build the cache).
set -euo pipefail

# --- pins -------------------------------------------------------------------
# CLI version must match the @pulumi/pulumi devDependency (3.248.0: last SDK
# that declares Node 20). If it is ever bumped, update the commit below too.
PULUMI_CLI_VERSION="v3.248.0"
# Commit of tag pkg/v3.248.0 (go mod download -json ...pkg/v3@v3.248.0 -> Origin.Hash).
PULUMI_PKG_COMMIT="dc7edd58bc13179f81b80983aab4eb7f74a01b41"
NODEJS_HOST_MODULE="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
# Fallback host: package inside sdk/v3 (last served sdk/v3 version that has it).
LEGACY_HOST_SDK_VERSION="v3.68.0"
LEGACY_HOST_PKG="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
# Bump when the recipe changes in a way that needs a rebuild.
RECIPE_REV="1"

STAMP="cli=${PULUMI_CLI_VERSION} pkg-commit=${PULUMI_PKG_COMMIT} legacy-host=sdk/v3@${LEGACY_HOST_SDK_VERSION} recipe=${RECIPE_REV}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
NPM_PLUGIN_SCRIPT="${REPO_ROOT}/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

abs_dir_of() { (cd "$(dirname "$1")" && pwd); }

# --- 1. an existing pulumi on PATH ------------------------------------------
if [[ "${PULUMI_KONG_FORCE_BUILD:-}" != "1" ]] && command -v pulumi >/dev/null 2>&1; then
  pulumi_path="$(command -v pulumi)"
  pulumi_dir="$(abs_dir_of "${pulumi_path}")"
  if [[ -x "${pulumi_dir}/pulumi-language-nodejs" ]] || command -v pulumi-language-nodejs >/dev/null 2>&1; then
    if [[ ! -x "${pulumi_dir}/pulumi-resource-pulumi-nodejs" ]] && ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then
      log "warning: pulumi-resource-pulumi-nodejs not found beside ${pulumi_path} nor on PATH; dynamic providers will fail"
    fi
    log "using existing ${pulumi_path}"
    printf '%s\n' "${pulumi_dir}"
    exit 0
  fi
  log "found ${pulumi_path} but no pulumi-language-nodejs; using the cached build instead"
fi

# --- 2. cached build ---------------------------------------------------------
CACHE_ROOT="${PULUMI_KONG_CACHE:-${HOME}/.cache/pulumi-kong-migrations}"
VERSION_DIR="${CACHE_ROOT}/pulumi-${PULUMI_CLI_VERSION#v}"
BIN_DIR="${VERSION_DIR}/bin"

cache_ok() {
  [[ -x "${BIN_DIR}/pulumi" && -x "${BIN_DIR}/pulumi-language-nodejs" &&
     -x "${BIN_DIR}/pulumi-resource-pulumi-nodejs" && -f "${VERSION_DIR}/stamp" ]] &&
    [[ "$(cat "${VERSION_DIR}/stamp")" == "${STAMP}" ]]
}

if cache_ok; then
  printf '%s\n' "${BIN_DIR}"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build pulumi ${PULUMI_CLI_VERSION})"
mkdir -p "${CACHE_ROOT}"

# One builder at a time; others wait, then find the finished cache.
exec 9>"${CACHE_ROOT}/.lock"
have_lock=0
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || { log "another build holds ${CACHE_ROOT}/.lock; waiting"; flock 9; }
  have_lock=1
fi
if cache_ok; then
  printf '%s\n' "${BIN_DIR}"
  exit 0
fi

# Leftovers of interrupted builds (only the lock holder builds, so none is live).
if [[ "${have_lock}" == 1 ]]; then rm -rf "${CACHE_ROOT}"/.build-pulumi-* 2>/dev/null || true; fi
TMP_DIR="$(mktemp -d "${CACHE_ROOT}/.build-pulumi-${PULUMI_CLI_VERSION#v}.XXXXXX")"
chmod 755 "${TMP_DIR}"
cleanup() { rm -rf "${TMP_DIR}"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export GOWORK=off CGO_ENABLED=0
GO_LDFLAGS_PREFIX="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version="
start_ts=$(date +%s)
log "building pulumi ${PULUMI_CLI_VERSION} into ${BIN_DIR} (cold: several minutes, ~1 GB of modules)"
mkdir -p "${TMP_DIR}/bin" "${TMP_DIR}/wrapper/cli" "${TMP_DIR}/wrapper/nodejs-host"

# Each step runs in a subshell with errexit and its status lands in STEP_RC.
# Never call run_step from `if`, `||`, `&&` or `!`: bash ignores errexit for
# everything run in such a context, even after a `set -e` inside it.
STEP_RC=0
run_step() {
  set +e
  ( set -e; "$@" )
  STEP_RC=$?
  set -e
}

# 2a. CLI. `go install ...@version` is impossible: pkg/go.mod has replace directives.
build_cli() {
  cd "${TMP_DIR}/wrapper/cli"
  go mod init example.invalid/pulumi-kong-migrations/pulumi-cli >&2
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@${PULUMI_CLI_VERSION}" \
         "github.com/pulumi/pulumi/sdk/v3@${PULUMI_CLI_VERSION}" >&2
  local got
  got="$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3 | tr '\n' ' ')"
  if [[ "${got}" != "${PULUMI_CLI_VERSION} ${PULUMI_CLI_VERSION} " ]]; then
    echo "unexpected pkg/sdk versions: ${got}" >&2
    return 1
  fi
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "${GO_LDFLAGS_PREFIX}${PULUMI_CLI_VERSION}" \
    -o "${TMP_DIR}/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
}

# An empty wrapper module for building the language host, as the current directory.
new_host_wrapper() {
  rm -rf "${TMP_DIR}/wrapper/nodejs-host"
  mkdir -p "${TMP_DIR}/wrapper/nodejs-host"
  cd "${TMP_DIR}/wrapper/nodejs-host"
  go mod init example.invalid/pulumi-kong-migrations/pulumi-language-nodejs >&2
}

# 2b. Node.js language host: the matching nested module if the proxy serves it...
build_matching_host() {
  new_host_wrapper
  go get "${NODEJS_HOST_MODULE}@${PULUMI_PKG_COMMIT}" >&2
  # Its go.mod requires a stale pkg/v3: re-pin pkg and sdk to the CLI version.
  go get "github.com/pulumi/pulumi/pkg/v3@${PULUMI_CLI_VERSION}" "github.com/pulumi/pulumi/sdk/v3@${PULUMI_CLI_VERSION}" >&2
  go build -trimpath -ldflags "${GO_LDFLAGS_PREFIX}${PULUMI_CLI_VERSION}" \
    -o "${TMP_DIR}/bin/pulumi-language-nodejs" "${NODEJS_HOST_MODULE}" >&2
}
# ... else the last host that was a package inside sdk/v3.
build_legacy_host() {
  new_host_wrapper
  go get "${LEGACY_HOST_PKG}@${LEGACY_HOST_SDK_VERSION}" >&2
  go build -trimpath -ldflags "${GO_LDFLAGS_PREFIX}${LEGACY_HOST_SDK_VERSION}" \
    -o "${TMP_DIR}/bin/pulumi-language-nodejs" "${LEGACY_HOST_PKG}" >&2
}

run_step build_cli
[[ "${STEP_RC}" == 0 ]] || die "building the pulumi CLI failed"
log "pulumi CLI built ($(( $(date +%s) - start_ts ))s)"

host_desc=""
if (cd "${TMP_DIR}" && go list -m "${NODEJS_HOST_MODULE}@${PULUMI_PKG_COMMIT}") >/dev/null 2>&1; then
  log "proxy serves ${NODEJS_HOST_MODULE}@${PULUMI_PKG_COMMIT:0:12}; building it"
  run_step build_matching_host
  if [[ "${STEP_RC}" == 0 ]]; then
    host_desc="${NODEJS_HOST_MODULE}@${PULUMI_PKG_COMMIT:0:12}"
  else
    log "building the matching language host failed; falling back to sdk/v3@${LEGACY_HOST_SDK_VERSION}"
  fi
else
  log "proxy does not serve ${NODEJS_HOST_MODULE}; using the host inside sdk/v3@${LEGACY_HOST_SDK_VERSION}"
fi
if [[ -z "${host_desc}" ]]; then
  run_step build_legacy_host
  [[ "${STEP_RC}" == 0 ]] || die "building pulumi-language-nodejs failed"
  host_desc="${LEGACY_HOST_PKG}@${LEGACY_HOST_SDK_VERSION}"
fi

# 2c. Dynamic provider plugin (a /bin/sh script; the file name matters).
if [[ -f "${NPM_PLUGIN_SCRIPT}" ]]; then
  cp "${NPM_PLUGIN_SCRIPT}" "${TMP_DIR}/bin/pulumi-resource-pulumi-nodejs"
else
  log "no ${NPM_PLUGIN_SCRIPT} (run npm ci first?); writing an equivalent script"
  cat >"${TMP_DIR}/bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@
fi
EOF
fi
chmod 755 "${TMP_DIR}/bin/pulumi-resource-pulumi-nodejs"

"${TMP_DIR}/bin/pulumi" version >/dev/null || die "the built pulumi does not run"
printf '%s\n' "${STAMP}" >"${TMP_DIR}/stamp"
printf 'language host: %s\nbuilt: %s in %ss\n' "${host_desc}" "$(date -u +%FT%TZ)" "$(( $(date +%s) - start_ts ))" >"${TMP_DIR}/BUILD-INFO"

# 2d. Atomic swap: a stale/partial VERSION_DIR is renamed away, then the new one renamed in.
if [[ -e "${VERSION_DIR}" ]]; then
  mv "${VERSION_DIR}" "${TMP_DIR}.old"
  rm -rf "${TMP_DIR}.old"
fi
mv "${TMP_DIR}" "${VERSION_DIR}"
trap - EXIT
log "done in $(( $(date +%s) - start_ts ))s (language host: ${host_desc})"
printf '%s\n' "${BIN_DIR}"
