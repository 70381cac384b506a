#!/usr/bin/env bash
# Regenerates every generated file (the Helm chart from config/ included) and tidies go.mod, then fails when anything changed:
# generated code is committed and must never be stale.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory manifests generate chart docs fmt
go mod tidy
(cd hack/tools/kube && go mod tidy)
(cd hack/tools/etcd && go mod tidy)
if [[ -n "$(git status --porcelain)" ]]; then
  echo "verify: the tree changed after regenerating; commit the result:" >&2
  git status --porcelain >&2
  git --no-pager diff --stat >&2
  exit 1
fi
echo "verify: generated code, manifests and go.mod are up to date"
