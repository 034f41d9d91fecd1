#!/usr/bin/env bash
# Make a local Kubernetes control plane and the Pulumi Kubernetes provider plugin
# available offline, and print (as the LAST stdout line) a PATH fragment
# (directories joined by ':') that holds them. All progress goes to stderr.
#
# Usage: scripts/ensure-kubernetes.sh [all|control-plane|plugin]   (default: all)
#
# What the tests need (see ../shared/docs/real-kubernetes.md for why these pins):
#   control plane  etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
#   plugin         pulumi-resource-kubernetes (the real Pulumi Kubernetes provider)
#
# 1. A binary already on PATH wins (all of a group must be there, e.g. a
#    developer's own etcd/kube-apiserver/...); set PULUMI_KONG_FORCE_BUILD=1 to
#    ignore PATH.
# 2. Otherwise it is built from Go modules (Go module proxy only) into
#      ${PULUMI_KONG_CACHE:-$HOME/.cache/pulumi-kong-migrations}/k8s-<pins>/bin
#      ${PULUMI_KONG_CACHE:-...}/pulumi-resource-kubernetes-<ver>-<commit>/bin
#    Each group is built in a temp dir inside the cache and renamed into place,
#    so an interrupted build never leaves a half-filled cache; the next run
#    with the same pins does nothing but print the directories. One build at a
#    time (flock on ${cache}/.lock-kubernetes): a second caller waits and then
#    finds the finished cache.
#
# Measured 2026-12-02 on the 2-core machine (load ~3-4, Go caches warm only
# from the Pulumi CLI build): control plane 8m31s (kube-apiserver 6m02s,
# controller manager 0m52s, scheduler 0m04s, etcd 0m10s, kwok 1m09s), plugin
# 7m27s (schema regeneration 0m44s, build 6m34s); 15m58s wall in all, 1500
# CPU-s, peak RSS 4.06 GB (one compile of the plugin). Warm: 0.6 s.
#
# The plugin: pulumi-kubernetes' provider module at the newest commit the Go
# proxy serves (a January 2026 pseudo-version; `@master` answers 403 and
# `@latest` resolves to this one). Its go.mod replaces sdk/v4 with ../sdk, so a
# wrapper module re-points it at the published sdk/v4 it requires. main.go
# go:embeds schema-embed.json and terraform-mapping-embed.json, which the module
# zip lacks; the module's own generate.go makes them (with VERSION set). The
# binary is built and registered as the version @pulumi/kubernetes asks for
# (its package.json version), because the Node SDK requests exactly that plugin
# version. Pulumi finds it on PATH ("ambient" plugin): put the printed fragment
# on PATH (scripts/kubernetes-env.sh does).
set -euo pipefail

# --- pins -------------------------------------------------------------------
KUBE_VERSION="1.34.4"            # kube-apiserver, controller manager, scheduler
ETCD_VERSION="3.6.4"             # 3.4 (Debian) lacks RequestWatchProgress: kwok loses pod events
KWOK_VERSION="0.8.0"
PK8S_PROVIDER_MODULE="github.com/pulumi/pulumi-kubernetes/provider/v4"
PK8S_PROVIDER_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
PK8S_SDK_VERSION="v4.24.0"       # what that provider's go.mod requires (its replace points at ../sdk)
PK8S_PLUGIN_VERSION="4.34.2"     # must equal node_modules/@pulumi/kubernetes version
RECIPE_REV="1"                   # bump when the recipe changes in a way that needs a rebuild

CP_NAME="k8s-v${KUBE_VERSION}-etcd${ETCD_VERSION}-kwok${KWOK_VERSION}"
CP_STAMP="kube=${KUBE_VERSION} etcd=${ETCD_VERSION} kwok=${KWOK_VERSION} recipe=${RECIPE_REV}"
CP_BINS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
PL_NAME="pulumi-resource-kubernetes-${PK8S_PLUGIN_VERSION}-${PK8S_PROVIDER_VERSION##*-}"
PL_STAMP="provider=${PK8S_PROVIDER_VERSION} sdk=${PK8S_SDK_VERSION} plugin=${PK8S_PLUGIN_VERSION} recipe=${RECIPE_REV}"
PL_BINS=(pulumi-resource-kubernetes)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
CACHE_ROOT="${PULUMI_KONG_CACHE:-${HOME}/.cache/pulumi-kong-migrations}"
WHAT="${1:-all}"
case "${WHAT}" in all | control-plane | plugin) ;; *)
  echo "usage: $0 [all|control-plane|plugin]" >&2
  exit 2
  ;;
esac

log() { printf 'ensure-kubernetes: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# The directory holding all of the named binaries on PATH, or nothing.
dir_on_path() {
  [[ "${PULUMI_KONG_FORCE_BUILD:-}" == "1" ]] && return 0
  local first="" b p
  for b in "$@"; do
    p="$(command -v "$b" 2>/dev/null)" || return 0
    [[ -z "${first}" ]] && first="$(cd "$(dirname "$p")" && pwd)"
  done
  printf '%s\n' "${first}"
}

cache_ok() { # <dir> <stamp> <bins...>
  local dir="$1" stamp="$2" b
  shift 2
  [[ -f "${dir}/stamp" && "$(cat "${dir}/stamp")" == "${stamp}" ]] || return 1
  for b in "$@"; do [[ -x "${dir}/bin/${b}" ]] || return 1; done
}

if [[ -f "${REPO_ROOT}/node_modules/@pulumi/kubernetes/package.json" ]]; then
  npm_k8s="$(node -p 'require(process.argv[1]).version' "${REPO_ROOT}/node_modules/@pulumi/kubernetes/package.json")"
  [[ "${npm_k8s}" == "${PK8S_PLUGIN_VERSION}" ]] ||
    die "@pulumi/kubernetes is ${npm_k8s} but this script registers the plugin as ${PK8S_PLUGIN_VERSION}; update PK8S_PLUGIN_VERSION (and check that the provider pin still matches)"
fi

# Each step runs in a subshell with errexit and its status lands in STEP_RC.
# Never call run_step from `if`, `||`, `&&` or `!`: bash ignores errexit there.
STEP_RC=0
run_step() {
  set +e
  ( set -e; "$@" )
  STEP_RC=$?
  set -e
}

export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
TMP_DIR=""
cleanup() { [[ -n "${TMP_DIR}" ]] && rm -rf "${TMP_DIR}"; return 0; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- control plane -------------------------------------------------------------
build_kube() { # wrapper module pinning all staging modules to their published v0.x
  local w="${TMP_DIR}/wrapper/kube" mod kv_minor="${KUBE_VERSION#1.}" ld p c t
  mkdir -p "$w" && cd "$w"
  go mod download -json "k8s.io/kubernetes@v${KUBE_VERSION}" >/dev/null
  mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v${KUBE_VERSION}.mod"
  {
    printf 'module example.invalid/pulumi-kong-migrations/kube\n\ngo 1.24.0\n\ngodebug default=go1.24\n\nreplace (\n'
    sed -n '/^replace/,/^)/p' "${mod}" | grep '=>' | awk -v v="v0.${kv_minor}" '{print "\t" $1 " => " $1 " " v}'
    printf ')\n'
  } >go.mod
  t=$(date +%s)
  go get "k8s.io/kubernetes/cmd/kube-apiserver@v${KUBE_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@v${KUBE_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v${KUBE_VERSION}" >&2
  log "  kube modules resolved ($(elapsed "$t"))"
  # Without these the binaries call themselves v0.0.0-master, and clients
  # (the Pulumi provider, kubectl) read the server version.
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="${ld} -X ${p}.gitVersion=v${KUBE_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${kv_minor%%.*} -X ${p}.gitTreeState=clean"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    t=$(date +%s)
    go build -trimpath -ldflags "${ld}" -o "${TMP_DIR}/bin/${c}" "k8s.io/kubernetes/cmd/${c}" >&2
    log "  ${c} built ($(elapsed "$t"))"
  done
}

build_etcd() { # in a copy of the kube wrapper: adds modules, bumps none, reuses compiled deps
  local w="${TMP_DIR}/wrapper/etcd" t
  mkdir -p "$w" && cp "${TMP_DIR}/wrapper/kube/go.mod" "${TMP_DIR}/wrapper/kube/go.sum" "$w/" && cd "$w"
  sed -i 's#^module .*#module example.invalid/pulumi-kong-migrations/etcd#' go.mod
  t=$(date +%s)
  go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2
  go build -trimpath -ldflags "-s -w" -o "${TMP_DIR}/bin/etcd" go.etcd.io/etcd/server/v3 >&2
  log "  etcd ${ETCD_VERSION} built ($(elapsed "$t"))"
}

build_kwok() { # its go.mod has no replace directives: plain go install works
  local t
  t=$(date +%s)
  mkdir -p "${TMP_DIR}/wrapper/kwok" && cd "${TMP_DIR}/wrapper/kwok"
  GOBIN="${TMP_DIR}/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v${KWOK_VERSION}" >&2
  log "  kwok ${KWOK_VERSION} built ($(elapsed "$t"))"
}

# --- plugin ----------------------------------------------------------------------
build_plugin() {
  local w="${TMP_DIR}/wrapper/pk8s" src t
  mkdir -p "$w/cmd/pulumi-resource-kubernetes" && cd "$w"
  src="$(go mod download -json "${PK8S_PROVIDER_MODULE}@${PK8S_PROVIDER_VERSION}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  [[ -d "${src}/cmd/pulumi-resource-kubernetes" ]] || { echo "no ${src}/cmd/pulumi-resource-kubernetes" >&2; return 1; }
  printf 'module example.invalid/pulumi-kong-migrations/pk8s\n\ngo 1.24.7\n\nreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 %s\n' \
    "${PK8S_SDK_VERSION}" >go.mod
  cp "${src}/cmd/pulumi-resource-kubernetes/"{main.go,generate.go,schema.json,terraform-mapping.json} cmd/pulumi-resource-kubernetes/
  chmod 644 cmd/pulumi-resource-kubernetes/*
  t=$(date +%s)
  go get "${PK8S_PROVIDER_MODULE}@${PK8S_PROVIDER_VERSION}" >&2
  # generate.go is `//go:build ignore`, so tidy leaves its import alone; main.go's imports decide.
  go mod tidy >&2
  log "  provider modules resolved ($(elapsed "$t"))"
  t=$(date +%s)
  (cd cmd/pulumi-resource-kubernetes && VERSION="${PK8S_PLUGIN_VERSION}" go run generate.go >&2)
  log "  embedded schema regenerated with version ${PK8S_PLUGIN_VERSION} ($(elapsed "$t"))"
  t=$(date +%s)
  go build -trimpath \
    -ldflags "-s -w -X ${PK8S_PROVIDER_MODULE}/pkg/version.Version=${PK8S_PLUGIN_VERSION}" \
    -o "${TMP_DIR}/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes >&2
  log "  pulumi-resource-kubernetes built ($(elapsed "$t"))"
}

# ensure_group <label> <name> <stamp> <builder...> -- <bins...>; prints the bin dir.
ensure_group() {
  local label="$1" name="$2" stamp="$3"
  shift 3
  local builders=() bins=()
  while [[ "$1" != "--" ]]; do builders+=("$1"); shift; done
  shift
  bins=("$@")
  local found dir="${CACHE_ROOT}/${name}"
  found="$(dir_on_path "${bins[@]}")"
  if [[ -n "${found}" ]]; then
    log "${label}: using ${bins[*]} found on PATH (${found})"
    RESULT="${found}"
    return 0
  fi
  if cache_ok "${dir}" "${stamp}" "${bins[@]}"; then
    RESULT="${dir}/bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build ${label})"
  mkdir -p "${CACHE_ROOT}"
  exec 8>"${CACHE_ROOT}/.lock-kubernetes"
  if command -v flock >/dev/null 2>&1; then
    flock -n 8 || { log "another build holds ${CACHE_ROOT}/.lock-kubernetes; waiting"; flock 8; }
    # Only the lock holder builds, so leftovers of interrupted builds are dead.
    rm -rf "${CACHE_ROOT}/.build-${name}".* 2>/dev/null || true
  fi
  if cache_ok "${dir}" "${stamp}" "${bins[@]}"; then
    exec 8>&-
    RESULT="${dir}/bin"
    return 0
  fi
  TMP_DIR="$(mktemp -d "${CACHE_ROOT}/.build-${name}.XXXXXX")"
  chmod 755 "${TMP_DIR}"
  mkdir -p "${TMP_DIR}/bin"
  local start b
  start=$(date +%s)
  log "${label}: building into ${dir} (cold: see the top of this script for times)"
  for b in "${builders[@]}"; do
    run_step "$b"
    [[ "${STEP_RC}" == 0 ]] || die "${label}: ${b} failed after $(elapsed "${start}") (nothing was written to ${dir})"
  done
  for b in "${bins[@]}"; do [[ -x "${TMP_DIR}/bin/${b}" ]] || die "${label}: ${b} missing after the build"; done
  rm -rf "${TMP_DIR}/wrapper"
  printf '%s\n' "${stamp}" >"${TMP_DIR}/stamp"
  printf 'built: %s in %ss on %s cores (load before: %s)\n' "$(date -u +%FT%TZ)" "$(( $(date +%s) - start ))" \
    "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >"${TMP_DIR}/BUILD-INFO"
  if [[ -e "${dir}" ]]; then mv "${dir}" "${TMP_DIR}.old" && rm -rf "${TMP_DIR}.old"; fi
  mv "${TMP_DIR}" "${dir}"
  TMP_DIR=""
  exec 8>&-
  log "${label}: done in $(elapsed "${start}")"
  RESULT="${dir}/bin"
}

total_start=$(date +%s)
out=()
if [[ "${WHAT}" != plugin ]]; then
  ensure_group "control plane (kube ${KUBE_VERSION}, etcd ${ETCD_VERSION}, kwok ${KWOK_VERSION})" \
    "${CP_NAME}" "${CP_STAMP}" build_kube build_etcd build_kwok -- "${CP_BINS[@]}"
  out+=("${RESULT}")
fi
if [[ "${WHAT}" != control-plane ]]; then
  ensure_group "pulumi-resource-kubernetes ${PK8S_PLUGIN_VERSION} (provider ${PK8S_PROVIDER_VERSION})" \
    "${PL_NAME}" "${PL_STAMP}" build_plugin -- "${PL_BINS[@]}"
  out+=("${RESULT}")
fi
log "ready in $(elapsed "${total_start}")"
(IFS=:; printf '%s\n' "${out[*]}")
