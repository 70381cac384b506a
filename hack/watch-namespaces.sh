#!/usr/bin/env bash
# Rewrites a copy of config/namespaced to watch the given namespaces: one directory (a
# RoleBinding of ethos-manager-role) per namespace, and the same list in --watch-namespaces.
# Used by `make build-installer OVERLAY=namespaced WATCH_NAMESPACES=shop,web` on bin/installer,
# never on the tracked files.
#   hack/watch-namespaces.sh <overlay-dir> <ns1,ns2,...>
set -euo pipefail

dir=${1:?usage: $0 <overlay-dir> <ns1,ns2,...>}
list=${2:?usage: $0 <overlay-dir> <ns1,ns2,...> (WATCH_NAMESPACES is empty)}
kustomization="$dir/kustomization.yaml"
example=shop

IFS=, read -r -a names <<<"$list"
watched=()
for ns in "${names[@]}"; do
  ns=${ns// /}
  [[ -z $ns || " ${watched[*]} " == *" $ns "* ]] && continue
  if ! [[ $ns =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]]; then
    echo "WATCH_NAMESPACES: \"$ns\" is not a namespace name (lower-case letters, digits and '-', at most 63)" >&2
    exit 2
  fi
  if [[ $ns == watched-namespace ]]; then
    echo "WATCH_NAMESPACES: \"$ns\" clashes with the overlay's own directory of that name" >&2
    exit 2
  fi
  watched+=("$ns")
done
if [[ ${#watched[@]} -eq 0 ]]; then
  echo "WATCH_NAMESPACES names no namespace; list them separated by commas, such as shop,web" >&2
  exit 2
fi

# Drop the example namespace, then add one directory per watched namespace.
rm -rf "${dir:?}/$example"
sed -i "/^- $example\$/d" "$kustomization"
for ns in "${watched[@]}"; do
  mkdir -p "$dir/$ns"
  printf 'namespace: %s\nresources:\n- ../watched-namespace\n' "$ns" >"$dir/$ns/kustomization.yaml"
  sed -i "s|^- \.\./default\$|&\n- $ns|" "$kustomization"
done
joined=$(IFS=,; echo "${watched[*]}")
sed -i "s|--watch-namespaces=$example\$|--watch-namespaces=$joined|" "$kustomization"
grep -q -- "--watch-namespaces=$joined\$" "$kustomization" || {
  echo "failed to set --watch-namespaces in $kustomization" >&2
  exit 1
}
