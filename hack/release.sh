#!/usr/bin/env bash
# Builds the release artifacts of VERSION (vX.Y.Z) into dist/release/VERSION/:
#   kubectl-ethos_VERSION_OS_ARCH.tar.gz   kubectl-ethos and LICENSE, for each of PLATFORMS
#   SHA256SUMS                             sha256sum of every archive and the chart
#   ethos.yaml                             the krew manifest, with those sums (hack/krew/)
#   ethos-X.Y.Z.tgz                        the Helm chart, version X.Y.Z, appVersion VERSION
# Archives are reproducible: files sorted, owned by 0:0, dated at the commit, gzip without a
# name or timestamp; binaries built with -trimpath and the same ldflags as `make build`.
#   make release VERSION=v0.2.0             (PLATFORMS="linux/amd64" for one archive)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${VERSION:?set VERSION, e.g. make release VERSION=v0.2.0}
if [[ ! $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: VERSION=$VERSION is not a semantic version vX.Y.Z[-pre]: krew and Helm need one (make release VERSION=v0.2.0)" >&2
  exit 1
fi
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
HELM=${HELM:-bin/helm}
COMMIT=$(git rev-parse HEAD)
EPOCH=$(git log -1 --format=%ct)
DATE=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS="-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.date=$DATE"
OUT=dist/release/$VERSION

rm -rf "$OUT" && mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

platforms=""
for platform in $PLATFORMS; do
  os=${platform%/*} arch=${platform#*/}
  bin=kubectl-ethos
  [[ $os == windows ]] && bin=kubectl-ethos.exe
  archive=kubectl-ethos_${VERSION}_${os}_${arch}.tar.gz
  echo "release: building $archive"
  mkdir -p "$work/$os-$arch"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$LDFLAGS" -o "$work/$os-$arch/$bin" ./cmd/kubectl-ethos
  cp LICENSE "$work/$os-$arch/LICENSE"
  tar -C "$work/$os-$arch" --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
    -cf - "$bin" LICENSE | gzip -n -9 > "$OUT/$archive"
  sum=$(sha256sum "$OUT/$archive" | cut -d' ' -f1)
  platforms+=$(sed -e "s|@OS@|$os|" -e "s|@ARCH@|$arch|" -e "s|@VERSION@|$VERSION|" -e "s|@ARCHIVE@|$archive|" \
    -e "s|@SHA256@|$sum|" -e "s|@BIN@|$bin|g" hack/krew/platform.yaml.tmpl)$'\n'
done

# The manifest: the template with VERSION and the platform blocks.
while IFS= read -r line; do
  if [[ $line == "@PLATFORMS@" ]]; then
    printf '%s' "$platforms"
  else
    printf '%s\n' "${line//@VERSION@/$VERSION}"
  fi
done < hack/krew/ethos.yaml.tmpl > "$OUT/ethos.yaml"

"$HELM" package charts/ethos --version "${VERSION#v}" --app-version "$VERSION" --destination "$OUT" >/dev/null

(cd "$OUT" && sha256sum -- *.tar.gz *.tgz > SHA256SUMS)
echo "release: wrote $OUT:"
ls -1 "$OUT"
