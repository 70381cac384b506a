#!/usr/bin/env bash
# Builds the Kubernetes binaries Ethos tests and demos need from source, through the Go module proxy,
# at the versions pinned in hack/tools/{kube,etcd}/go.mod. No download site is needed.
#
#   hack/kube-binaries.sh envtest   kube-apiserver + etcd (+ kubectl) in setup-envtest's store layout;
#                                   prints the directory (use it as KUBEBUILDER_ASSETS)
#   hack/kube-binaries.sh node      everything a local single-node cluster needs; prints the directory
#
# Binaries are reused when present; the Go build cache makes rebuilds quick. KUBEBUILDER_ASSETS in the
# environment wins for `envtest` when it already holds kube-apiserver and etcd.
set -euo pipefail

KUBE_VERSION=1.37.2
ETCD_VERSION=3.6.16
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
os=$(go env GOOS) arch=$(go env GOARCH)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
# setup-envtest's store: <data dir>/kubebuilder-envtest/k8s/<version>-<os>-<arch>
store="$data_home/kubebuilder-envtest/k8s/${KUBE_VERSION}-${os}-${arch}"

log() { echo "kube-binaries: $*" >&2; }

check_proxy() {
  local proxy
  proxy=$(go env GOPROXY)
  if [[ $(go env GOFLAGS) == *-mod=vendor* ]]; then return; fi
  if ! (cd "$here/tools/etcd" && go mod download go.etcd.io/etcd/server/v3 >/dev/null 2>&1); then
    log "ERROR: cannot download Go modules through GOPROXY=$proxy."
    log "These binaries are built from source: make the Go module proxy reachable, or set"
    log "KUBEBUILDER_ASSETS to a directory holding kube-apiserver and etcd ${KUBE_VERSION%.*}.x."
    exit 1
  fi
}

# version_ldflags stamps the version the way Kubernetes' release build does; without it clients
# cannot parse the server version (v0.0.0-master+$Format:%H$).
version_ldflags() {
  local v="v$KUBE_VERSION" minor
  minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
  echo "-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1" \
    "-X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    "-X k8s.io/component-base/version.buildDate=2026-01-01T00:00:00Z" \
    "-X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1" \
    "-X k8s.io/client-go/pkg/version.gitMinor=$minor"
}

# build DIR MODULE-DIR PACKAGE NAME: builds PACKAGE from the pinned module into DIR/NAME unless present.
build() {
  local dir=$1 mod=$2 pkg=$3 name=$4 start
  [[ -x "$dir/$name" ]] && return
  start=$(date +%s)
  log "building $name from $pkg (first build takes minutes; later ones use the Go build cache)"
  mkdir -p "$dir"
  # A per-process temporary name: two runs at once (parallel test jobs) must not move each other's file.
  (cd "$here/tools/$mod" && GOFLAGS=-mod=mod go build -ldflags "$(version_ldflags)" -o "$dir/$name.tmp.$$" "$pkg") &
  # A heartbeat, so a first build (minutes) shows progress rather than silence; the build stops with us.
  local pid=$! n=0
  # shellcheck disable=SC2064 # the PID is fixed now; the trap may run after this function's locals are gone
  trap "kill $pid 2>/dev/null || true" EXIT
  while kill -0 "$pid" 2>/dev/null; do sleep 1; n=$((n + 1)); ((n % 30)) || log "still building $name (${n}s)"; done
  wait "$pid"
  trap - EXIT
  mv "$dir/$name.tmp.$$" "$dir/$name"
  log "built $name in $(( $(date +%s) - start ))s"
}

envtest() {
  if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    echo "$KUBEBUILDER_ASSETS"; return
  fi
  if [[ ! -x "$store/kube-apiserver" || ! -x "$store/etcd" || ! -x "$store/kubectl" ]]; then check_proxy; fi
  build "$store" etcd go.etcd.io/etcd/server/v3 etcd
  build "$store" kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
  build "$store" kube k8s.io/kubernetes/cmd/kubectl kubectl
  echo "$store"
}

node() {
  local dir="$data_home/ethos/kube-${KUBE_VERSION}-${os}-${arch}"
  envtest >/dev/null
  for c in kube-apiserver etcd kubectl; do
    mkdir -p "$dir"; [[ -e "$dir/$c" ]] || ln -sf "$store/$c" "$dir/$c"
  done
  check_proxy
  for c in kube-controller-manager kube-scheduler kubelet kube-proxy; do
    build "$dir" kube "k8s.io/kubernetes/cmd/$c" "$c"
  done
  echo "$dir"
}

case "${1:-envtest}" in
  envtest) envtest ;;
  node) node ;;
  *) echo "usage: $0 envtest|node" >&2; exit 2 ;;
esac
