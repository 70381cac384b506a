#!/usr/bin/env bash
# Runs govulncheck over the module against Go's vulnerability database, offline.
#
# The database comes through the Go module proxy like any dependency: golang.org/x/vulndb holds
# every report as OSV JSON (data/osv), and its own cmd/indexdb turns that folder into the v1
# database layout govulncheck reads with -db file://. Both are pinned below; bump VULNDB_VERSION
# (a pseudo-version of golang.org/x/vulndb) to pick up newer reports.
#
#   hack/vulncheck.sh            scan ./... (symbol level: only vulnerabilities our code reaches fail)
#   VULNCHECK_STDLIB_WAIVER=go1.26.8 hack/vulncheck.sh
#                                standard-library findings of exactly that toolchain are reported, not failed
#                                (hack/vulncheck/main.go says why)
set -euo pipefail
cd "$(dirname "$0")/.."

VULN_VERSION=${VULN_VERSION:-v1.9.0}
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
LOCALBIN=${LOCALBIN:-$PWD/bin}
govulncheck=$LOCALBIN/govulncheck-$VULN_VERSION
indexdb=$LOCALBIN/indexdb-$VULNDB_VERSION
db=$LOCALBIN/vulndb-$VULNDB_VERSION

log() { echo "vulncheck: $*" >&2; }

install() { # install BINARY PACKAGE@VERSION
  [[ -x $1 ]] && return
  log "installing $2"
  local tmp
  tmp=$(mktemp -d)
  GOBIN=$tmp go install "$2"
  mv "$tmp"/* "$1"
  rm -rf "$tmp"
}
mkdir -p "$LOCALBIN"
install "$govulncheck" "golang.org/x/vuln/cmd/govulncheck@$VULN_VERSION"
install "$indexdb" "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION"

if [[ ! -f $db/index/db.json ]]; then
  src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d $src/data/osv ]] || { log "ERROR: no data/osv in golang.org/x/vulndb@$VULNDB_VERSION"; exit 1; }
  log "indexing $(find "$src/data/osv" -name '*.json' | wc -l) reports of golang.org/x/vulndb@$VULNDB_VERSION"
  rm -rf "$db.tmp" && "$indexdb" -vulns "$src/data/osv" -out "$db.tmp" && mv "$db.tmp" "$db"
fi

log "govulncheck $VULN_VERSION, database golang.org/x/vulndb@$VULNDB_VERSION ($(go version | cut -d' ' -f3))"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
# govulncheck -format json exits 0 with findings; the decision is hack/vulncheck's.
"$govulncheck" -db "file://$db" -format json ./... >"$json"
go run ./hack/vulncheck -stdlib-waiver "${VULNCHECK_STDLIB_WAIVER:-}" <"$json"
