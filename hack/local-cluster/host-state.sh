# shellcheck shell=bash
# Host state of the local node: what containerd, the kubelet, kube-proxy and the CNI plugins change
# outside the cluster's own directory, recorded before `up` and restored by `down`.
#
# Sourced by cluster.sh, which defines log(), warn(), $STATE_DIR (the snapshot lives there), $RUN,
# $BRIDGE and $KUBE_BIN. The snapshot is taken once, before the first component starts, and removed
# only when `down` found the host as it was; a failed restore keeps it so that `down` can run again.

# Paths the node's components create outside $RUN even though every configurable path points into it
# (libcni's cache, kubelet's /var/log/containers symlinks, containerd 1.6's shim sockets, netns mounts).
HOST_PATHS=(/var/lib/kubelet /var/lib/cni /var/log/pods /var/log/containers /run/containerd /run/netns
  /var/lib/nri /run/nri /var/lib/containerd /etc/cni /opt/cni /etc/kubernetes)

# Sysctls the kubelet (setupKernelTunables), the bridge CNI plugin (ip_forward) and kube-proxy
# (route_localnet, conntrack) may write.
HOST_SYSCTLS=(net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait)

# Top-level cgroups the kubelet (cgroupfs driver) and containerd create.
HOST_CGROUPS=(kubepods kubepods.slice k8s.io)

hs_dir() { echo "$STATE_DIR/host-state"; }

hs_iptables() { # every rule and chain of every table, both families
  local ipt t
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for t in filter nat mangle raw; do "$ipt" -t "$t" -S 2>/dev/null | sed "s/^/$ipt $t /"; done
  done
}
hs_nft_tables() { command -v nft >/dev/null && nft list tables 2>/dev/null; true; }
hs_links() { { ip -o link show 2>/dev/null || true; } | awk -F': ' '{print $2}' | cut -d@ -f1 | sort; }
hs_mounts() { awk '{print $5}' /proc/self/mountinfo | sort -u; }
hs_cgroups() {
  local h d
  for h in /sys/fs/cgroup /sys/fs/cgroup/*/; do
    h=${h%/}
    for d in "${HOST_CGROUPS[@]}"; do [[ -d $h/$d ]] && echo "$h/$d"; done
  done
  true
}
hs_sysctls() {
  local k v
  for k in "${HOST_SYSCTLS[@]}"; do v=$(sysctl -n "$k" 2>/dev/null) && echo "$k $v"; done
  true
}
hs_paths() { local p; for p in "${HOST_PATHS[@]}"; do [[ -e $p || -L $p ]] && echo "$p"; done; true; }

# hs_capture DIR: writes the current host state into DIR.
hs_capture() {
  local d=$1
  mkdir -p "$d"
  hs_sysctls > "$d/sysctls"
  hs_paths > "$d/paths"
  hs_iptables > "$d/iptables"
  hs_nft_tables > "$d/nft-tables"
  hs_links > "$d/links"
  hs_mounts > "$d/mounts"
  hs_cgroups > "$d/cgroups"
}

# host_state_snapshot records the host before the node touches it (once; see the file comment).
host_state_snapshot() {
  local d
  d=$(hs_dir)
  if [[ -f $d/complete ]]; then
    log "host state recorded by an earlier run is kept (restore it with 'down')"
    return
  fi
  hs_capture "$d"
  touch "$d/complete"
}

# new_in FILE: lines of stdin that FILE does not have.
new_in() { grep -vxF -f "$1" || true; }

# host_state_restore undoes what the node changed, then compares the host with the snapshot.
host_state_restore() {
  local d ipt t ch rule ns m cg k v
  d=$(hs_dir)
  [[ -f $d/complete ]] || return 0

  # kube-proxy's own cleanup first (its iptables and nftables rules), then what remains of the
  # KUBE-* chains (kubelet canaries) and CNI-* chains (bridge plugin masquerade), in both families.
  if [[ -x ${KUBE_BIN:-}/kube-proxy ]]; then "$KUBE_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for t in filter nat mangle raw; do
      { "$ipt" -t "$t" -S 2>/dev/null || true; } | { grep -E '^-A [^ ]+ .*-j (KUBE|CNI)-' || true; } |
        { grep -vE '^-A (KUBE|CNI)-' || true; } | sed 's/^-A /-D /' |
        while read -r rule; do eval "$ipt -t $t $rule" 2>/dev/null || true; done
      for ch in $("$ipt" -t "$t" -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/{print $2}'); do "$ipt" -t "$t" -F "$ch" 2>/dev/null || true; done
      for ch in $("$ipt" -t "$t" -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/{print $2}'); do "$ipt" -t "$t" -X "$ch" 2>/dev/null || true; done
    done
  done
  # Tables iptables-nft created for those rules, when the host had none before.
  if command -v nft >/dev/null; then
    hs_nft_tables | new_in "$d/nft-tables" | while read -r _ fam name; do
      case $name in filter|nat|mangle|raw|security|kube-proxy) nft delete table "$fam" "$name" 2>/dev/null || true ;; esac
    done
  fi

  # Network namespaces of pods whose sandboxes were not torn down, the CNI bridge, leftover veths.
  for ns in /run/netns/cni-*; do
    [[ -e $ns ]] || continue
    umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
    rm -f "$ns"
  done
  hs_links | new_in "$d/links" | while read -r m; do
    if [[ $m == "$BRIDGE" || $m == veth* ]]; then ip link del "$m" 2>/dev/null || true; fi
  done

  # Mounts (container rootfs, pod volumes, netns) under the run dir and the node's host paths.
  hs_mounts | new_in "$d/mounts" | sort -r | while read -r m; do
    case $m in "$RUN"/*|/run/netns*|/run/containerd*|/var/lib/kubelet*|/var/lib/containerd*)
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true ;;
    esac
  done

  # Cgroups: remove the pods' hierarchy bottom-up (only empty cgroups can go, so this runs last).
  hs_cgroups | new_in "$d/cgroups" | while read -r cg; do
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done

  # Paths that did not exist before.
  hs_paths | new_in "$d/paths" | while read -r m; do
    if [[ $m == /run/netns ]] && mountpoint -q "$m"; then umount "$m" 2>/dev/null || true; fi
    rm -rf "$m"
  done

  # Sysctls back to their recorded values.
  while read -r k v; do
    [[ "$(sysctl -n "$k" 2>/dev/null)" == "$v" ]] || sysctl -qw "$k=$v" 2>/dev/null || warn "could not restore sysctl $k=$v"
  done < "$d/sysctls"

  host_state_compare
}

# host_state_compare prints what still differs from the snapshot; on no difference it removes the
# snapshot. Returns 1 when something differs.
host_state_compare() {
  local d now diffs=0 f
  d=$(hs_dir)
  now=$(mktemp -d)
  hs_capture "$now"
  for f in sysctls paths iptables nft-tables links mounts cgroups; do
    if ! diff -q "$d/$f" "$now/$f" >/dev/null; then
      diffs=1
      warn "host $f differ from before the cluster started:"
      diff "$d/$f" "$now/$f" | grep '^[<>]' | sed 's/^</  before:/; s/^>/  now:   /' | head -20 >&2
    fi
  done
  rm -rf "$now"
  if ((diffs)); then
    warn "host state not fully restored; the record is kept in $d (run 'down' again, or inspect it)"
    return 1
  fi
  rm -rf "$d"
  log "host state restored (sysctls, iptables, nftables, links, mounts, cgroups, paths as before)"
}
