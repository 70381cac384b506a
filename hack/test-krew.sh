#!/usr/bin/env bash
# Proves the krew plugin manifest works, offline: builds the release for this machine's platform
# (hack/release.sh), validates ethos.yaml with krew's own validator (validate-krew-manifest),
# installs the plugin from the manifest and the local archive into a throw-away KREW_ROOT, and
# runs the installed kubectl-ethos.
set -euo pipefail
cd "$(dirname "$0")/.."
KREW=${KREW:-bin/krew}
VALIDATE=${VALIDATE_KREW_MANIFEST:-bin/validate-krew-manifest}
VERSION=v0.0.0-krewtest
platform=$(go env GOOS)/$(go env GOARCH)
VERSION=$VERSION PLATFORMS=$platform hack/release.sh >/dev/null
out=dist/release/$VERSION
"$VALIDATE" -manifest "$out/ethos.yaml" -skip-install

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
KREW_ROOT=$root "$KREW" install --manifest="$out/ethos.yaml" \
  --archive="$out/kubectl-ethos_${VERSION}_$(go env GOOS)_$(go env GOARCH).tar.gz" </dev/null
installed=$root/bin/kubectl-ethos
[[ -x $installed ]] || { echo "test-krew: krew did not install $installed" >&2; exit 1; }
# The installed plugin is the one just built: it runs and knows the rules.
"$installed" explain ETH001 | grep -q SensitiveAttribute || {
  echo "test-krew: the installed kubectl-ethos does not explain ETH001" >&2; exit 1; }
# krew's receipt records the manifest it installed from (`krew list` needs the index, which is
# not there offline).
grep -q "version: $VERSION" "$root/receipts/ethos.yaml" || {
  echo "test-krew: krew wrote no receipt for ethos $VERSION" >&2; exit 1; }
echo "test-krew: ethos.yaml validates and installs ($platform)"
