#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s), one after the other,
# and fails on the first crash. New targets are found by name (func FuzzXxx in a _test.go file),
# so a package's new fuzz target is run without editing this script. A crash writes its input
# to the package's testdata/fuzz/FuzzXxx/ (commit it: it becomes a regression seed).
#
#   hack/fuzz.sh                 FUZZTIME=10s for each target
#   FUZZTIME=5m hack/fuzz.sh     longer, locally
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}

mapfile -t files < <(grep -rlE '^func Fuzz[A-Z][A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' . | grep -v '^./bin/' | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "fuzz: no fuzz target found" >&2; exit 1; }
count=0
for file in "${files[@]}"; do
  pkg=./$(dirname "${file#./}")
  for target in $(sed -nE 's/^func (Fuzz[A-Z][A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$file"); do
    echo "== fuzz $pkg $target ($FUZZTIME)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME"
    count=$((count + 1))
  done
done
echo "fuzz: $count targets ran for $FUZZTIME each, no crash"
