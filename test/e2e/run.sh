#!/usr/bin/env bash
# `make test-e2e`: the end-to-end tests on a real local node (docs/demo.md).
#
#   1. builds the Ethos image (make build-image);
#   2. starts the local node (hack/local-cluster) and imports the image;
#   3. runs `go test -tags e2e ./test/e2e/`, which installs Ethos with the pinned helm (bin/helm)
#      from charts/ethos (image.pullPolicy Never), drives it with kubectl, upgrades the release
#      and uninstalls it;
#   4. keeps every log under E2E_LOGS_DIR (bin/e2e-logs/: components/, pod-logs/, pods/, the
#      cluster's state), prints their tails when a test failed, and stops the node it started.
#
# The node needs root and Linux; where it cannot run, this fails and says why. A cluster that is
# already running (make cluster-up / make demo) is refused unless E2E_REUSE_CLUSTER=1, so the
# tests never silently run against stale pods. ETHOS_SKIP_BUILD=1 uses IMAGE_TAR as it is (built
# earlier, e.g. by a previous CI step). E2E_GO_TEST_FLAGS adds `go test` flags
# (E2E_GO_TEST_FLAGS='-run TestBiasedSampleIsRejected'). E2E_TAGS are the build tags (e2e;
# `make test-faults` runs the fault scenarios with e2e,faults).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

IMG=${IMG:-ghcr.io/ethos-operator/ethos:dev}
IMAGE_TAR=${IMAGE_TAR:-bin/ethos-image.tar}
HELM=${HELM:-$repo/bin/helm}
LOGS=${E2E_LOGS_DIR:-$repo/bin/e2e-logs}
export LOCAL_CLUSTER_DIR=${LOCAL_CLUSTER_DIR:-$repo/bin/local-cluster}
CLUSTER=hack/local-cluster/cluster.sh
T0=$(date +%s)
say() { printf '[test-e2e %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }

rm -rf "$LOGS"
mkdir -p "$LOGS"

started=0
if "$CLUSTER" status > /dev/null 2>&1; then
  if [[ ${E2E_REUSE_CLUSTER:-0} != 1 ]]; then
    say "a local cluster is already running ($LOCAL_CLUSTER_DIR); stop it with 'make cluster-down'," >&2
    say "or set E2E_REUSE_CLUSTER=1 to run the tests in it" >&2
    exit 1
  fi
  [[ $(cat "$LOCAL_CLUSTER_DIR/run/mode") == node ]] || { say "the running cluster has no node" >&2; exit 1; }
  say "reusing the running local cluster"
else
  if ! reason=$("$CLUSTER" check); then
    say "$reason" >&2
    say "the end-to-end tests need a real node (root on Linux with containerd); see docs/demo.md" >&2
    exit 1
  fi
fi

if [[ ${ETHOS_SKIP_BUILD:-0} == 1 ]]; then
  say "ETHOS_SKIP_BUILD=1: using $IMAGE_TAR as it is"
else
  say "building the image $IMG ($IMAGE_TAR)"
  make --no-print-directory build-image IMG="$IMG" IMAGE_TAR="$IMAGE_TAR"
  say "image built"
fi
[[ -x $HELM ]] || { say "no helm at $HELM: run 'make helm' (make test-e2e does)" >&2; exit 1; }

finish() {
  local rc=$?
  "$CLUSTER" collect-logs "$LOGS" || true
  if ((rc != 0)) && "$CLUSTER" status > /dev/null 2>&1; then
    # What the cluster looked like when the tests stopped (TestMain's own dump is skipped when
    # `go test` panics on its timeout).
    "$CLUSTER" kubectl get nodes,all,campaigns,consentpolicies,leases -A -o wide > "$LOGS/cluster-state-at-exit.txt" 2>&1 || true
  fi
  if ((rc != 0)); then
    say "FAILED; the last lines of each component's log (all of them: $LOGS):"
    for f in "$LOGS"/components/*.log; do
      [[ -f $f ]] || continue
      printf '\n----- %s (last 25 lines)\n' "$(basename "$f")"
      tail -n 25 "$f"
    done
  fi
  if ((started)); then "$CLUSTER" down || rc=1; fi
  say "done (exit $rc); logs in $LOGS"
  exit "$rc"
}
trap finish EXIT

if "$CLUSTER" status > /dev/null 2>&1; then
  "$CLUSTER" import "$IMAGE_TAR"
else
  started=1
  LOCAL_CLUSTER_MODE=node IMAGES=$IMAGE_TAR "$CLUSTER" up
fi
say "cluster ready"

say "running the end-to-end tests"
KUBECTL=$(hack/kube-binaries.sh envtest)/kubectl
# shellcheck disable=SC2086 # E2E_GO_TEST_FLAGS is split into flags on purpose
E2E_KUBECTL=$KUBECTL E2E_HELM=$HELM KUBECONFIG=$LOCAL_CLUSTER_DIR/kubeconfig E2E_LOGS_DIR=$LOGS \
  E2E_CHART=$repo/charts/ethos E2E_IMAGE=$IMG E2E_SAMPLES=$repo/config/samples \
  go test -tags "${E2E_TAGS:-e2e}" ./test/e2e/ -count=1 -v -timeout 45m ${E2E_GO_TEST_FLAGS:-} 2>&1 | tee "$LOGS/go-test.log"
