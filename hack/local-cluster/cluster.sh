#!/usr/bin/env bash
# Ethos's local Kubernetes: a real single-node cluster (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy v1.37, built from source by hack/kube-binaries.sh; containerd and
# runc from the distribution) with no registry: images are imported from local OCI archives.
#
#   cluster.sh check            can this machine run the node? Prints why not; exit 1 when it cannot
#   cluster.sh up               start the cluster (see LOCAL_CLUSTER_MODE); idempotent
#   cluster.sh down             stop every process by PID, remove the cluster's state, restore the host
#   cluster.sh status           components, PIDs, kubeconfig
#   cluster.sh import TAR [REF] import an OCI archive into the node (and tag it REF)
#   cluster.sh spawn NAME CMD.. run CMD as a process of the cluster (logged, stopped by `down`)
#   cluster.sh restart NAME     stop a component (SIGTERM, as `down` does) and start it again with
#                               the same command line, appending to its log (the fault suite)
#   cluster.sh collect-logs DIR copy every component's log (and the pods' logs) into DIR
#   cluster.sh kubectl ARGS...  the pinned kubectl against the cluster
#
# Environment (defaults in brackets):
#   LOCAL_CLUSTER_DIR   state, logs and kubeconfig [<repo>/bin/local-cluster]
#   LOCAL_CLUSTER_MODE  node | control-plane | auto [auto]. control-plane runs etcd + kube-apiserver
#                       only, on loopback, with no root; auto picks node when `check` passes
#   IMAGES              OCI archives to import on `up` (space separated)
#   LOCAL_CLUSTER_INSTALL_PACKAGES  1: install missing Debian packages with apt-get [1 when root]
#   API_PORT [16443] ETCD_PORT [23790] SERVICE_CIDR [10.96.0.0/16] POD_CIDR [10.244.0.0/24]
#   NODE_NAME [ethos-local] NODE_IP [the address of the default route's interface]
#
# The kubeconfig is $LOCAL_CLUSTER_DIR/kubeconfig. Logs stay in $LOCAL_CLUSTER_DIR/logs after `down`.
# Why each setting is what it is: docs/demo.md ("The local node").
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

DIR=${LOCAL_CLUSTER_DIR:-$repo/bin/local-cluster}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# The state dir holds container filesystems and pod volumes that change under a running cluster;
# a go.mod marks it as another module, so `go test ./...`, `go vet ./...` and friends skip it.
[[ -f $DIR/go.mod ]] || printf '// Not Go code: the local cluster'"'"'s state (hack/local-cluster). ./... patterns skip it.\nmodule localcluster\n' > "$DIR/go.mod"
RUN=$DIR/run           # everything the running cluster writes; removed by `down`
LOGS=$DIR/logs         # kept after `down`; the previous run's move to logs.previous on `up`
CACHE=$DIR/cache       # the sandbox image; kept
STATE_DIR=$DIR         # host-state snapshot lives in $DIR/host-state
PIDS=$RUN/pids
KUBECONFIG_OUT=$DIR/kubeconfig

MODE=${LOCAL_CLUSTER_MODE:-auto}
API_PORT=${API_PORT:-16443}
ETCD_PORT=${ETCD_PORT:-23790}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-23800}
ETCD_METRICS_PORT=${ETCD_METRICS_PORT:-23810}
KCM_PORT=${KCM_PORT:-10257}
SCHEDULER_PORT=${SCHEDULER_PORT:-10259}
KUBELET_PORT=${KUBELET_PORT:-10250}
KUBELET_HEALTHZ_PORT=${KUBELET_HEALTHZ_PORT:-10248}
KUBE_PROXY_METRICS_PORT=${KUBE_PROXY_METRICS_PORT:-10249}
KUBE_PROXY_HEALTHZ_PORT=${KUBE_PROXY_HEALTHZ_PORT:-10256}
SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/16}
POD_CIDR=${POD_CIDR:-10.244.0.0/24}
NODE_NAME=${NODE_NAME:-ethos-local}
BRIDGE=${BRIDGE:-ethoscni0}
PAUSE_IMAGE=local.ethos.dev/pause:v1
# The first address of the service range is the `kubernetes` Service.
KUBERNETES_SERVICE_IP=$(echo "${SERVICE_CIDR%/*}" | awk -F. '{print $1"."$2"."$3"."$4+1}')

T0=$(date +%s)
log() { printf '[local-cluster %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
warn() { printf '[local-cluster %4ss] WARNING: %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf '[local-cluster %4ss] ERROR: %s\n' "$(($(date +%s) - T0))" "$*" >&2; exit 1; }

# shellcheck source=host-state.sh
source "$here/host-state.sh"

kube_bin() { # builds the binaries on first use (minutes; progress on stderr), then prints their dir
  if [[ $1 == node ]]; then "$repo/hack/kube-binaries.sh" node; else "$repo/hack/kube-binaries.sh" envtest; fi
}

# ---------------------------------------------------------------------------------------------------
# Processes: started with setsid (their own session: a Ctrl-C in the terminal that ran `up` does not
# reach them) so that $! is the daemon itself; recorded as "PID START-TIME" so that `down` never
# signals a recycled PID.

proc_start_time() {
  if [[ -r /proc/$1/stat ]]; then awk '{print $22}' "/proc/$1/stat"; else ps -o lstart= -p "$1" 2> /dev/null | tr -d ' '; fi
}

start() { # start NAME CMD...: the command line is kept in $PIDS/NAME.cmd for `restart`
  local name=$1 session=()
  shift
  mkdir -p "$PIDS" "$LOGS"
  command -v setsid > /dev/null && session=(setsid) # macOS has none: the fallback runs without it
  if [[ ${START_APPEND_LOG:-0} == 1 ]]; then
    ${session[@]+"${session[@]}"} "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  else
    ${session[@]+"${session[@]}"} "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  fi
  local pid=$!
  echo "$pid $(proc_start_time "$pid")" > "$PIDS/$name.pid"
  printf '%q ' "$@" > "$PIDS/$name.cmd"
  grep -qxF "$name" "$PIDS/order" 2> /dev/null || echo "$name" >> "$PIDS/order"
}

# restart NAME: stops a running component and starts it again with its recorded command line;
# kube-apiserver and etcd are waited for until they answer again.
restart() {
  local name=$1 cmd
  [[ -f $PIDS/$name.cmd ]] || die "no component $name in this cluster (see '$0 status')"
  cmd=$(cat "$PIDS/$name.cmd")
  log "restarting $name"
  stop "$name"
  printf '\n----- restarted by cluster.sh restart at %s\n' "$(date -u +%FT%TZ)" >> "$LOGS/$name.log"
  eval "set -- $cmd"
  START_APPEND_LOG=1 start "$name" "$@"
  case $name in
    kube-apiserver) wait_for "kube-apiserver ready again on https://127.0.0.1:$API_PORT" 180 api_ready ;;
    etcd) wait_for "etcd healthy again" 60 curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" ;;
    *) log "started $name again (pid $(pid_of "$name"))" ;;
  esac
}

pid_of() { [[ -f $PIDS/$1.pid ]] && cut -d' ' -f1 "$PIDS/$1.pid"; }

alive() { # alive NAME: the recorded process still runs (same PID, same start time)
  [[ -f $PIDS/$1.pid ]] || return 1
  local pid st
  read -r pid st < "$PIDS/$1.pid"
  [[ -n $pid && "$(proc_start_time "$pid")" == "$st" ]]
}

stop() { # stop NAME...: SIGTERM to all, up to 15 s for them to exit, then SIGKILL
  local name pid waiting
  for name in "$@"; do
    if alive "$name"; then kill -TERM "$(pid_of "$name")" 2> /dev/null || true; fi
  done
  for _ in $(seq 1 60); do
    waiting=0
    for name in "$@"; do alive "$name" && waiting=1; done
    ((waiting)) || break
    sleep 0.25
  done
  for name in "$@"; do
    if alive "$name"; then
      pid=$(pid_of "$name")
      warn "$name (pid $pid) ignored SIGTERM for 15s; killing it"
      kill -KILL "$pid" 2> /dev/null || true
      for _ in $(seq 1 20); do alive "$name" || break; sleep 0.25; done
    fi
    rm -f "$PIDS/$name.pid"
  done
}

# wait_for DESC SECONDS CMD...: polls CMD; fails early when a started component died.
wait_for() {
  local desc=$1 timeout=$2 deadline n
  shift 2
  deadline=$(($(date +%s) + timeout))
  while ! "$@" > /dev/null 2>&1; do
    for n in $(cat "$PIDS/order" 2>/dev/null); do
      if [[ -f $PIDS/$n.pid ]] && ! alive "$n"; then
        warn "$n exited while waiting for $desc; last lines of $LOGS/$n.log:"
        tail -n 20 "$LOGS/$n.log" >&2 || true
        return 1
      fi
    done
    if (($(date +%s) > deadline)); then
      warn "timed out after ${timeout}s waiting for $desc"
      return 1
    fi
    sleep 0.5
  done
  log "$desc"
}

port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# ---------------------------------------------------------------------------------------------------
# check

CNI_BIN_DIR=${CNI_BIN_DIR:-}
find_cni() {
  local d
  for d in ${CNI_BIN_DIR:-} /usr/lib/cni /opt/cni/bin /usr/libexec/cni; do
    [[ -n $d && -x $d/bridge && -x $d/host-local && -x $d/portmap && -x $d/loopback ]] && { echo "$d"; return; }
  done
  return 1
}

missing_packages() {
  local missing=()
  command -v containerd > /dev/null || missing+=(containerd)
  command -v runc > /dev/null || missing+=(runc)
  find_cni > /dev/null || missing+=(containernetworking-plugins)
  command -v iptables > /dev/null || missing+=(iptables)
  command -v conntrack > /dev/null || missing+=(conntrack)
  command -v nft > /dev/null || missing+=(nftables)
  command -v openssl > /dev/null || missing+=(openssl)
  command -v curl > /dev/null || missing+=(curl)
  echo "${missing[*]}"
}

# install_packages: Debian packages the node needs, through apt-get, only when one is missing.
install_packages() {
  local missing
  missing=$(missing_packages)
  [[ -z $missing ]] && return 0
  if [[ ${LOCAL_CLUSTER_INSTALL_PACKAGES:-1} != 1 ]] || ! command -v apt-get > /dev/null || [[ $(id -u) != 0 ]]; then
    return 0
  fi
  log "installing $missing with apt-get"
  # shellcheck disable=SC2086
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; } \
    > "$DIR/apt.log" 2>&1 || { tail -n 20 "$DIR/apt.log" >&2; warn "apt-get failed (full log: $DIR/apt.log)"; }
}

# why_not_node prints the first reason this machine cannot run the node; nothing when it can.
why_not_node() {
  local missing p
  if [[ $(uname -s) != Linux ]]; then echo "the local node needs Linux (this machine runs $(uname -s))"; return; fi
  if [[ $(id -u) != 0 ]]; then echo "the local node needs root (containerd, runc, iptables and network namespaces); run as root or use a cluster of your own"; return; fi
  missing=$(missing_packages)
  if [[ -n $missing ]]; then echo "missing: $missing (Debian/Ubuntu: apt-get install $missing)"; return; fi
  if [[ ! -d /sys/fs/cgroup ]] || [[ -z "$(ls -A /sys/fs/cgroup 2> /dev/null)" ]]; then echo "no cgroup filesystem at /sys/fs/cgroup"; return; fi
  if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2> /dev/null; then echo "the kernel has no overlay filesystem (containerd's snapshotter needs it)"; return; fi
  if [[ -z $(node_ip) ]]; then echo "no IPv4 address on a non-loopback interface (the kubelet refuses 127.0.0.1 as node IP)"; return; fi
  for p in "$API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT" "$KCM_PORT" "$SCHEDULER_PORT" "$KUBELET_PORT" "$KUBELET_HEALTHZ_PORT" "$KUBE_PROXY_METRICS_PORT" "$KUBE_PROXY_HEALTHZ_PORT"; do
    port_free "$p" || { echo "port $p is in use (another cluster running? try '$0 down', or set the *_PORT variables)"; return; }
  done
  if ip -o link show "$BRIDGE" > /dev/null 2>&1; then echo "network interface $BRIDGE already exists (left by another cluster?)"; return; fi
}

node_ip() {
  [[ -n ${NODE_IP:-} ]] && { echo "$NODE_IP"; return; }
  local ip
  ip=$(ip -4 route get 1.1.1.1 2> /dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1)}' | head -n1)
  # No default route (an offline machine): the first global IPv4 address.
  [[ -n $ip ]] || ip=$(ip -4 -o addr show scope global 2> /dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1)
  echo "$ip"
}

check() {
  local reason
  [[ $(uname -s) == Linux && $(id -u) == 0 ]] && install_packages
  reason=$(why_not_node)
  if [[ -n $reason ]]; then echo "cannot run the local node: $reason"; return 1; fi
  echo "this machine can run the local node (node IP $(node_ip), containerd $(containerd --version | awk '{print $3}'))"
}

# ---------------------------------------------------------------------------------------------------
# images

# oci_archive REF BINARY PATH OUT: a one-layer OCI image archive holding BINARY at PATH, with
# nothing else but /etc/passwd and /tmp (no base image, no registry, no Docker).
oci_archive() {
  local ref=$1 bin=$2 dest=$3 out=$4 w ld ls cd cs md ms
  w=$(mktemp -d "$CACHE/oci.XXXX")
  mkdir -p "$w/rootfs$(dirname "$dest")" "$w/rootfs/tmp" "$w/rootfs/etc" "$w/oci/blobs/sha256"
  install -m 0755 "$bin" "$w/rootfs$dest"
  chmod 1777 "$w/rootfs/tmp"
  echo "nobody:x:65534:65534:nobody:/:/sbin/nologin" > "$w/rootfs/etc/passwd"
  echo "nogroup:x:65534:" > "$w/rootfs/etc/group"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00Z' -C "$w/rootfs" -cf "$w/layer.tar" .
  ld=$(sha256sum "$w/layer.tar" | cut -d' ' -f1) ls=$(stat -c %s "$w/layer.tar")
  mv "$w/layer.tar" "$w/oci/blobs/sha256/$ld"
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["%s"],"User":"65534:65534","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(go env GOARCH)" "$dest" "$ld" > "$w/config.json"
  cd=$(sha256sum "$w/config.json" | cut -d' ' -f1) cs=$(stat -c %s "$w/config.json")
  mv "$w/config.json" "$w/oci/blobs/sha256/$cd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cd" "$cs" "$ld" "$ls" > "$w/manifest.json"
  md=$(sha256sum "$w/manifest.json" | cut -d' ' -f1) ms=$(stat -c %s "$w/manifest.json")
  mv "$w/manifest.json" "$w/oci/blobs/sha256/$md"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$md" "$ms" "$ref" "${ref##*:}" > "$w/oci/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$w/oci/oci-layout"
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$w/oci" -cf "$out.tmp" oci-layout index.json blobs
  mv "$out.tmp" "$out"
  rm -rf "$w"
}

pause_image() { # builds (once) the sandbox image from hack/local-cluster/pause; prints the archive
  local out=$CACHE/pause.tar src=$here/pause
  mkdir -p "$CACHE"
  if [[ ! -f $out || $src/main.go -nt $out ]]; then
    log "building the pod sandbox image $PAUSE_IMAGE from $src"
    (cd "$src" && CGO_ENABLED=0 GOFLAGS='' go build -trimpath -ldflags='-s -w' -o "$CACHE/pause" .)
    oci_archive "$PAUSE_IMAGE" "$CACHE/pause" /pause "$out"
  fi
  echo "$out"
}

ctr_() { ctr --address "$RUN/containerd/containerd.sock" --namespace k8s.io "$@"; }

# import TAR [REF]: imports an OCI or Docker archive into the node's containerd; with REF, also tags
# the (first) imported image as REF, so a manifest's `image:` matches whatever name the archive has.
import_image() {
  local tar=$1 ref=${2:-} out name
  [[ -f $tar ]] || die "no image archive at $tar"
  alive containerd || die "the node is not running (no containerd); run '$0 up' first"
  out=$(ctr_ images import "$tar" 2>&1) || { echo "$out" >&2; die "cannot import $tar"; }
  name=$(echo "$out" | awk '/^unpacking /{print $2; exit}')
  [[ -n $name ]] || name=$(echo "$out" | grep -oE '[^ ]+:[^ ]+' | head -n1)
  if [[ -n $ref && -n $name && $name != "$ref" ]]; then
    ctr_ images rm "$ref" > /dev/null 2>&1 || true
    ctr_ images tag "$name" "$ref" > /dev/null
    name=$ref
  fi
  log "imported $(basename "$tar") as ${name:-?}"
}

# ---------------------------------------------------------------------------------------------------
# up

render() { # render TEMPLATE OUT: substitutes the @NAME@ placeholders
  sed -e "s|@RUN@|$RUN|g" -e "s|@PAUSE_IMAGE@|$PAUSE_IMAGE|g" -e "s|@RUNC@|$(command -v runc)|g" \
    -e "s|@CNI_BIN_DIR@|$(find_cni)|g" -e "s|@BRIDGE@|$BRIDGE|g" -e "s|@POD_CIDR@|$POD_CIDR|g" \
    -e "s|@NODE_NAME@|$NODE_NAME|g" -e "s|@KUBELET_PORT@|$KUBELET_PORT|g" \
    -e "s|@KUBELET_HEALTHZ_PORT@|$KUBELET_HEALTHZ_PORT|g" \
    -e "s|@KUBE_PROXY_METRICS_PORT@|$KUBE_PROXY_METRICS_PORT|g" \
    -e "s|@KUBE_PROXY_HEALTHZ_PORT@|$KUBE_PROXY_HEALTHZ_PORT|g" "$1" > "$2"
}

api_ready() {
  curl -sf --max-time 2 --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" --key "$RUN/pki/admin.key" \
    "https://127.0.0.1:$API_PORT/readyz"
}

kubectl_() { "$KUBECTL" --kubeconfig "$RUN/admin.kubeconfig" "$@"; }

running() { [[ -f $RUN/mode ]] && alive etcd && alive kube-apiserver; }

start_etcd_apiserver() { # start_etcd_apiserver ADVERTISE_IP
  local ip=$1 addr
  start etcd "$BIN/etcd" --name ethos-local --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "ethos-local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "http://127.0.0.1:$ETCD_METRICS_PORT" --unsafe-no-fsync
  wait_for "etcd healthy" 60 curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
  if [[ $ip == 127.0.0.1 ]]; then
    # Loopback only: the endpoint reconciler refuses a loopback address, so it is switched off
    # (nothing in-cluster needs the `kubernetes` Service without a node).
    addr=(--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --endpoint-reconciler-type=none)
  else
    # Pods reach the API at the `kubernetes` Service, which kube-proxy sends to this address.
    addr=(--bind-address=0.0.0.0 "--advertise-address=$ip")
  fi
  start kube-apiserver "$BIN/kube-apiserver" "--etcd-servers=http://127.0.0.1:$ETCD_PORT" "${addr[@]}" \
    "--secure-port=$API_PORT" --tls-cert-file="$RUN/pki/apiserver.crt" --tls-private-key-file="$RUN/pki/apiserver.key" \
    --client-ca-file="$RUN/pki/ca.crt" \
    --kubelet-client-certificate="$RUN/pki/apiserver-kubelet-client.crt" --kubelet-client-key="$RUN/pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-key-file="$RUN/pki/sa.pub" --service-account-signing-key-file="$RUN/pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    "--service-cluster-ip-range=$SERVICE_CIDR" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --anonymous-auth=false # it listens on the node's address: every client must present a certificate or token
  wait_for "kube-apiserver ready on https://127.0.0.1:$API_PORT" 180 api_ready
}

up_control_plane() {
  BIN=$(kube_bin envtest)
  KUBECTL=$BIN/kubectl
  echo "$BIN" > "$RUN/bin"
  "$here/pki.sh" "$RUN" "$NODE_NAME" 127.0.0.1 "$API_PORT" "$KUBERNETES_SERVICE_IP"
  start_etcd_apiserver 127.0.0.1
  wait_for "default namespace" 60 kubectl_ get namespace default
}

up_node() {
  local ip cni img
  ip=$(node_ip)
  BIN=$(kube_bin node)
  KUBE_BIN=$BIN
  KUBECTL=$BIN/kubectl
  echo "$BIN" > "$RUN/bin"
  cni=$(find_cni)
  log "node $NODE_NAME at $ip; Kubernetes $("$BIN/kube-apiserver" --version | awk '{print $2}') from $BIN; $(containerd --version | awk '{print "containerd", $3}'); CNI plugins from $cni"
  img=$(pause_image)

  host_state_snapshot
  mkdir -p "$RUN/containerd" "$RUN/cni/conf" "$RUN/cni/ipam" "$RUN/kubelet" "$RUN/pod-logs"
  render "$here/config/containerd.toml" "$RUN/containerd.toml"
  render "$here/config/cni.conflist" "$RUN/cni/conf/10-ethos-local.conflist"
  render "$here/config/kubelet.yaml" "$RUN/kubelet.yaml"
  render "$here/config/kube-proxy.yaml" "$RUN/kube-proxy.yaml"

  start containerd containerd --config "$RUN/containerd.toml"
  wait_for "containerd serving" 30 ctr --address "$RUN/containerd/containerd.sock" version
  import_image "$img"
  for img in ${IMAGES:-}; do import_image "$img"; done

  "$here/pki.sh" "$RUN" "$NODE_NAME" "$ip" "$API_PORT" "$KUBERNETES_SERVICE_IP"
  start_etcd_apiserver "$ip"
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$RUN/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$RUN/controller-manager.kubeconfig" --authorization-kubeconfig="$RUN/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 "--secure-port=$KCM_PORT" \
    --service-account-private-key-file="$RUN/pki/sa.key" --root-ca-file="$RUN/pki/ca.crt" \
    --cluster-signing-cert-file="$RUN/pki/ca.crt" --cluster-signing-key-file="$RUN/pki/ca.key" \
    --use-service-account-credentials=true --leader-elect=false \
    "--service-cluster-ip-range=$SERVICE_CIDR" --allocate-node-cidrs=false
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$RUN/scheduler.kubeconfig" \
    --authentication-kubeconfig="$RUN/scheduler.kubeconfig" --authorization-kubeconfig="$RUN/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 "--secure-port=$SCHEDULER_PORT" --leader-elect=false
  start kubelet "$BIN/kubelet" --config="$RUN/kubelet.yaml" --kubeconfig="$RUN/kubelet.kubeconfig" \
    --root-dir="$RUN/kubelet" --cert-dir="$RUN/kubelet/pki" --hostname-override="$NODE_NAME" --node-ip="$ip" --v=1
  start kube-proxy "$BIN/kube-proxy" --config="$RUN/kube-proxy.yaml"
  wait_for "node $NODE_NAME Ready" 180 kubectl_ wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  wait_for "default service account and root CA published" 120 \
    bash -c "'$KUBECTL' --kubeconfig '$RUN/admin.kubeconfig' get serviceaccount default && '$KUBECTL' --kubeconfig '$RUN/admin.kubeconfig' get configmap kube-root-ca.crt"
  # kube-proxy has written the `kubernetes` Service's rules once the host reaches the API through it.
  wait_for "Service routing (https://$KUBERNETES_SERVICE_IP from the host)" 60 \
    curl -sk --max-time 2 -o /dev/null "https://$KUBERNETES_SERVICE_IP/readyz"
}

up() {
  local mode=$MODE reason
  if running; then
    log "already running ($(cat "$RUN/mode") mode); kubeconfig: $KUBECONFIG_OUT"
    if [[ $(cat "$RUN/mode") == node ]]; then
      for img in ${IMAGES:-}; do import_image "$img"; done
    fi
    return
  fi
  if [[ -d $RUN ]]; then
    log "a previous cluster did not stop cleanly; cleaning it up first"
    down
  fi
  case $mode in
    auto)
      [[ $(uname -s) == Linux && $(id -u) == 0 ]] && install_packages
      reason=$(why_not_node)
      if [[ -n $reason ]]; then
        log "cannot run a local node: $reason."
        log "falling back to a control plane only (etcd + kube-apiserver, no pods)."
        mode=control-plane
      else
        mode=node
      fi
      ;;
    node)
      install_packages
      reason=$(why_not_node)
      [[ -z $reason ]] || die "cannot run the local node: $reason"
      ;;
    control-plane) ;;
    *) die "LOCAL_CLUSTER_MODE must be node, control-plane or auto (not $mode)" ;;
  esac
  if [[ -d $LOGS ]]; then rm -rf "$LOGS.previous" && mv "$LOGS" "$LOGS.previous"; fi
  mkdir -p "$RUN" "$LOGS" "$PIDS"
  echo "$mode" > "$RUN/mode"
  log "starting a $mode cluster in $DIR"
  trap 'trap - ERR; warn "up failed; stopping what started (logs stay in $LOGS)"; down || true; exit 1' ERR
  if [[ $mode == node ]]; then up_node; else up_control_plane; fi
  trap - ERR
  cp "$RUN/admin.kubeconfig" "$KUBECONFIG_OUT"
  echo "$KUBECTL" > "$RUN/kubectl"
  log "cluster up in $(($(date +%s) - T0))s ($mode mode)"
  log "use it: export KUBECONFIG=$KUBECONFIG_OUT; $KUBECTL get namespaces   (stop it: make cluster-down)"
}

# ---------------------------------------------------------------------------------------------------
# down

# drain_node deletes every pod through the API while the kubelet still runs, so that each sandbox is
# torn down properly (CNI DEL: veth, IP, masquerade rules); controllers are stopped first so that
# nothing is re-created.
drain_node() {
  local n
  stop kube-controller-manager kube-scheduler
  alive kube-apiserver && alive kubelet || return 0
  n=$({ kubectl_ get pods -A --no-headers 2> /dev/null || true; } | wc -l)
  ((n > 0)) || return 0
  log "deleting $n pods so the kubelet tears their sandboxes down"
  kubectl_ delete pods --all -A --grace-period=2 --timeout=60s --wait=true > /dev/null 2>&1 ||
    warn "pods did not go within 60s; removing their containers directly"
}

# stop_containers removes what containerd still runs, then the shims of this containerd (they
# outlive it), found by the socket path on their command line.
stop_containers() {
  local t c pid
  if alive containerd; then
    for t in $(ctr_ tasks ls -q 2> /dev/null); do ctr_ tasks kill -s SIGKILL "$t" > /dev/null 2>&1 || true; done
    sleep 1
    for t in $(ctr_ tasks ls -q 2> /dev/null); do ctr_ tasks delete -f "$t" > /dev/null 2>&1 || true; done
    for c in $(ctr_ containers ls -q 2> /dev/null); do ctr_ containers delete "$c" > /dev/null 2>&1 || true; done
  fi
  stop containerd
  for pid in $(pgrep -f "containerd-shim.*-address $RUN/containerd/containerd.sock" 2> /dev/null || true); do
    kill -KILL "$pid" 2> /dev/null || true
  done
}

down() {
  local mode n spawned
  if [[ ! -d $RUN ]]; then
    if [[ -f $STATE_DIR/host-state/complete ]]; then host_state_restore || return 1; fi
    log "no cluster to stop"
    return 0
  fi
  mode=$(cat "$RUN/mode" 2> /dev/null || echo node)
  # Written by `up` before anything is started, so a failed `up` can be stopped too.
  KUBE_BIN=$(cat "$RUN/bin" 2> /dev/null || true)
  KUBECTL=$KUBE_BIN/kubectl
  log "stopping the $mode cluster in $DIR"
  # Processes started with `spawn` (the demo's local manager and engine) go first.
  spawned=()
  for n in $(awk '{l[NR] = $0} END {for (i = NR; i > 0; i--) print l[i]}' "$PIDS/order" 2> /dev/null); do
    case $n in containerd | etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kubelet | kube-proxy) ;;
      *) spawned+=("$n") ;;
    esac
  done
  ((${#spawned[@]} == 0)) || stop "${spawned[@]}"
  if [[ $mode == node ]]; then drain_node; fi
  stop kube-proxy kubelet kube-scheduler kube-controller-manager
  stop kube-apiserver
  stop etcd
  if [[ $mode == node ]]; then stop_containers; fi
  log "processes stopped"
  if [[ $mode == node ]]; then host_state_restore || { warn "kept $RUN for inspection"; return 1; }; fi
  # Unmount anything still under the run dir before removing it (only reachable in node mode).
  { awk '{print $5}' /proc/self/mountinfo | grep "^$RUN/" || true; } | sort -r | while read -r m; do umount -l "$m" 2> /dev/null || true; done
  rm -rf "$RUN" "$KUBECONFIG_OUT"
  log "cluster stopped in $(($(date +%s) - T0))s; logs kept in $LOGS"
}

# ---------------------------------------------------------------------------------------------------
# status, spawn, collect-logs

status() {
  local n
  if [[ ! -d $RUN ]]; then echo "no local cluster (state dir $DIR)"; return 1; fi
  echo "mode: $(cat "$RUN/mode")   kubeconfig: $KUBECONFIG_OUT   kubectl: $(cat "$RUN/kubectl" 2> /dev/null)"
  for n in $(cat "$PIDS/order" 2> /dev/null); do
    if alive "$n"; then printf '  %-24s pid %-8s running  (log %s)\n' "$n" "$(pid_of "$n")" "$LOGS/$n.log"
    elif [[ -f $PIDS/$n.pid ]]; then printf '  %-24s pid %-8s EXITED   (log %s)\n' "$n" "$(pid_of "$n")" "$LOGS/$n.log"
    fi
  done
  running
}

collect_logs() {
  local dest=$1 f
  mkdir -p "$dest/components"
  for f in "$LOGS"/*.log; do [[ -f $f ]] && cp "$f" "$dest/components/"; done
  # Container logs written by the kubelet (also those of pods already deleted, while the node runs).
  if [[ -d $RUN/pod-logs ]]; then
    mkdir -p "$dest/pod-logs"
    cp -r "$RUN/pod-logs/." "$dest/pod-logs/" 2> /dev/null || true
  fi
}

case "${1:-}" in
  check) check ;;
  up) up ;;
  down) down ;;
  status) status ;;
  import)
    [[ $# -ge 2 ]] || die "usage: $0 import TAR [REF]"
    import_image "$2" "${3:-}"
    ;;
  spawn)
    [[ $# -ge 3 ]] || die "usage: $0 spawn NAME CMD..."
    running || die "no local cluster running"
    name=$2
    shift 2
    stop "$name"
    start "$name" "$@"
    log "started $name (pid $(pid_of "$name"), log $LOGS/$name.log)"
    ;;
  restart)
    [[ $# -ge 2 ]] || die "usage: $0 restart NAME"
    running || die "no local cluster running"
    restart "$2"
    ;;
  collect-logs)
    [[ $# -ge 2 ]] || die "usage: $0 collect-logs DIR"
    collect_logs "$2"
    ;;
  kubectl)
    shift
    running || die "no local cluster running"
    exec "$(cat "$RUN/kubectl")" --kubeconfig "$KUBECONFIG_OUT" "$@"
    ;;
  *)
    sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
    ;;
esac
