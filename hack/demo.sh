#!/usr/bin/env bash
# `make demo`: Ethos's whole job on this machine, with no cluster and no registry (docs/demo.md).
#
#   1. a local single-node Kubernetes (hack/local-cluster) with the Ethos image imported;
#   2. Ethos installed from dist/install.yaml: CRDs, the manager Deployment, its webhook with
#      certificates the manager issues and rotates itself;
#   3. the samples applied with kubectl: the policies and ethical Campaigns accepted, the biased
#      Campaign rejected with the webhook's message;
#   4. the ethical Campaign Ready, its engine pods answering decisions through their Service
#      (consent granted, denied, unknown, and Global Privacy Control after a policy change);
#   5. `kubectl get campaigns,consentpolicies`, and the cluster left running.
#
# Where the machine cannot run a node (not root, not Linux, no containerd), the same story runs on
# a control plane only (etcd + kube-apiserver) with the manager and one decision engine as local
# processes: no pods, and the Campaign is not Ready (it has no engine pods), but the rest is
# identical. LOCAL_CLUSTER_MODE=control-plane forces it.
#
# Environment: IMG (the image reference, default ghcr.io/ethos-operator/ethos:dev), IMAGE_TAR,
# DEMO_NAMESPACE (default shop), LOCAL_CLUSTER_MODE (auto | node | control-plane), LOCAL_CLUSTER_DIR,
# ETHOS_SKIP_BUILD=1 (use IMAGE_TAR and dist/install.yaml as they are).
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"

IMG=${IMG:-ghcr.io/ethos-operator/ethos:dev}
NS=${DEMO_NAMESPACE:-shop}
CAMPAIGN=spring-running
POLICY=eu-web
SAMPLES=config/samples
CLUSTER=hack/local-cluster/cluster.sh
export LOCAL_CLUSTER_DIR=${LOCAL_CLUSTER_DIR:-$repo/bin/local-cluster}
export KUBECONFIG=$LOCAL_CLUSTER_DIR/kubeconfig
IMAGE_TAR=${IMAGE_TAR:-bin/ethos-image.tar}
# Fallback mode: the local manager's ports and the local engine's.
LOCAL_WEBHOOK_PORT=19443 LOCAL_HEALTH_PORT=18081 LOCAL_ENGINE_PORT=18080 LOCAL_ENGINE_OPS_PORT=18082

T0=$(date +%s)
bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' red=$'\e[31m' off=$'\e[0m'
if [[ ! -t 1 ]]; then bold='' dim='' green='' red='' off=''; fi
N=0
step() { N=$((N + 1)); printf '\n%s== %d. %s%s %s(%ss)%s\n' "$bold" "$N" "$*" "$off" "$dim" "$(($(date +%s) - T0))" "$off"; }
say() { printf '   %s\n' "$*"; }
fail() { printf '\n%sdemo failed: %s%s\n' "$red" "$*" "$off" >&2; exit 1; }
# Reported once, by the main shell (command substitutions inherit the trap with set -E).
trap 'if ((BASH_SUBSHELL == 0)); then fail "line $LINENO: $BASH_COMMAND (cluster logs: $LOCAL_CLUSTER_DIR/logs; stop it: make demo-down)"; fi' ERR

# progress LABEL CMD...: runs CMD and, while it runs, says so every 30 s (first builds take minutes).
progress() {
  local label=$1 pid n=0 rc=0
  shift
  "$@" &
  pid=$!
  trap 'kill "$pid" 2> /dev/null || true' INT TERM
  while kill -0 "$pid" 2> /dev/null; do
    sleep 1
    n=$((n + 1))
    ((n % 30)) || say "... still $label (${n}s)"
  done
  wait "$pid" || rc=$?
  trap - INT TERM
  return "$rc"
}

k() { "$KUBECTL" "$@"; }
# show ARGS...: prints `kubectl ARGS` as a user would type it (quoting what needs it), then runs it.
show() {
  local a line="kubectl"
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,@-]+$ ]]; then line+=" $a"; else line+=" '$a'"; fi
  done
  printf '   %s$ %s%s\n' "$dim" "$line" "$off"
  k "$@" 2>&1 | sed 's/^/     /'
}

# ---------------------------------------------------------------------------------------------------
step "Checking this machine"
if "$CLUSTER" status > /dev/null 2>&1; then
  MODE=$(cat "$LOCAL_CLUSTER_DIR/run/mode")
  say "A local cluster is already running ($MODE mode): reusing it ('make demo-down' stops it)."
else
  if reason=$("$CLUSTER" check); then MODE=node; else MODE=control-plane; fi
  if [[ -n ${LOCAL_CLUSTER_MODE:-} && $LOCAL_CLUSTER_MODE != auto ]]; then MODE=$LOCAL_CLUSTER_MODE; fi
  say "$reason"
fi
if [[ $MODE == control-plane ]]; then
  say "${bold}Fallback:${off} a control plane only (etcd + kube-apiserver) with the Ethos manager and one"
  say "decision engine as local processes: the same story, minus pods (docs/demo.md)."
fi
export LOCAL_CLUSTER_MODE=$MODE

step "Kubernetes v1.37 binaries, built from source through the Go module proxy"
say "The first run builds them (about 8-10 minutes on 2 cores; progress below), then they are cached"
say "in ~/.local/share; later runs skip this step."
# The pinned kubectl (built with the envtest binaries), never the machine's.
KUBECTL=$(hack/kube-binaries.sh envtest 2> >(sed 's/^/   /' >&2))/kubectl
if [[ $MODE == node ]]; then hack/kube-binaries.sh node 2> >(sed 's/^/   /' >&2) > /dev/null; fi
say "ready: $(dirname "$KUBECTL")"

# ---------------------------------------------------------------------------------------------------
if [[ $MODE == node ]]; then
  step "Building the Ethos image (manager, decision-engine, kubectl-ethos) and dist/install.yaml"
  if [[ ${ETHOS_SKIP_BUILD:-0} == 1 ]]; then
    say "ETHOS_SKIP_BUILD=1: using $IMAGE_TAR and dist/install.yaml as they are"
  else
    progress "building the image" make --no-print-directory build-image IMG="$IMG" IMAGE_TAR="$IMAGE_TAR" 2>&1 | sed 's/^/   /' ||
      fail "make build-image failed (output above)"
    make --no-print-directory build-installer IMG="$IMG" IMAGE_PULL_POLICY=Never 2>&1 | tail -n 1 | sed 's/^/   /' ||
      fail "make build-installer failed (run it alone to see why)"
  fi

  step "Starting a local single-node Kubernetes (v1.37, built from source) and importing the image"
  IMAGES=$IMAGE_TAR "$CLUSTER" up 2>&1 | sed 's/^/   /'
  show get nodes -o wide

  step "Installing Ethos: CRDs, RBAC, the manager Deployment and its validating webhook"
  applied=$(k apply --server-side --force-conflicts -f dist/install.yaml)
  grep -E '^(customresourcedefinition|deployment|validatingwebhookconfiguration)' <<< "$applied" | sed 's/^/     /'
  say "  and $(grep -cvE '^(customresourcedefinition|deployment|validatingwebhookconfiguration)' <<< "$applied") more: the namespace, RBAC, Services, the certificate Secret, a PodDisruptionBudget"
  say "Waiting for the manager (it issues its own webhook certificate and injects the CA bundle)..."
  k -n ethos-system rollout status deployment/ethos-controller-manager --timeout=5m | sed 's/^/     /'
  show -n ethos-system get pods -o wide
else
  step "Building Ethos (manager, decision-engine, kubectl-ethos) as local binaries"
  progress "building" go build -trimpath -o bin/ ./cmd/manager ./cmd/decision-engine ./cmd/kubectl-ethos
  say "built bin/manager, bin/decision-engine, bin/kubectl-ethos"

  step "Starting a control plane (etcd + kube-apiserver v1.37, built from source)"
  "$CLUSTER" up 2>&1 | sed 's/^/   /'

  step "Installing Ethos: CRDs, and the manager as a local process serving the webhook on 127.0.0.1"
  make --no-print-directory kustomize > /dev/null
  bin/kustomize build config/crd | k apply --server-side --force-conflicts -f - | sed 's/^/     /'
  certs=$LOCAL_CLUSTER_DIR/run/webhook-certs
  if [[ ! -f $certs/tls.crt ]]; then
    mkdir -p "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$certs/ca.key" -out "$certs/ca.crt" -days 7 -subj /CN=ethos-demo-ca 2> /dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$certs/tls.key" -out "$certs/tls.csr" -subj /CN=127.0.0.1 2> /dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$certs/ext"
    openssl x509 -req -in "$certs/tls.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
      -out "$certs/tls.crt" -days 7 -extfile "$certs/ext" 2> /dev/null
  fi
  # The webhooks of config/webhook, pointed at the local process instead of the in-cluster Service.
  {
    printf 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n'
    printf 'metadata: {name: ethos-validating-webhook-configuration}\nwebhooks:\n'
    for kind in campaign:campaigns consentpolicy:consentpolicies; do
      printf -- '- name: v%s-v1alpha1.personalization.ethos.dev\n' "${kind%%:*}"
      printf '  admissionReviewVersions: [v1]\n  sideEffects: None\n  failurePolicy: Fail\n'
      printf '  clientConfig:\n    url: https://127.0.0.1:%s/validate-personalization-ethos-dev-v1alpha1-%s\n' "$LOCAL_WEBHOOK_PORT" "${kind%%:*}"
      printf '    caBundle: %s\n' "$(base64 < "$certs/ca.crt" | tr -d '\n')"
      printf '  rules: [{apiGroups: [personalization.ethos.dev], apiVersions: [v1alpha1], operations: [CREATE, UPDATE], resources: [%s]}]\n' "${kind##*:}"
    done
  } | k apply -f - | sed 's/^/     /'
  "$CLUSTER" spawn ethos-manager env KUBECONFIG="$KUBECONFIG" bin/manager --leader-elect=false \
    --metrics-bind-address=0 --health-probe-bind-address="127.0.0.1:$LOCAL_HEALTH_PORT" \
    --webhook-port="$LOCAL_WEBHOOK_PORT" --webhook-cert-path="$certs" --disable-cert-rotation \
    --engine-image="$IMG" 2>&1 | sed 's/^/   /'
  say "Waiting for the manager's webhook..."
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$LOCAL_HEALTH_PORT/readyz" > /dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$LOCAL_HEALTH_PORT/readyz" > /dev/null || fail "the manager did not become ready (log: $LOCAL_CLUSTER_DIR/logs/ethos-manager.log)"
fi

# ---------------------------------------------------------------------------------------------------
step "Applying the ConsentPolicies (namespace $NS)"
k create namespace "$NS" --dry-run=client -o yaml | k apply -f - > /dev/null
# The webhook can take a few seconds to answer after the manager reports ready (Service endpoints).
for _ in $(seq 1 60); do
  k apply -n "$NS" --dry-run=server -f "$SAMPLES/01-consentpolicy-eu-web.yaml" > /dev/null 2>&1 && break
  sleep 2
done
show apply -n "$NS" -f "$SAMPLES/01-consentpolicy-eu-web.yaml" -f "$SAMPLES/02-consentpolicy-us-ca.yaml"

step "Applying the ethical Campaigns"
show apply -n "$NS" -f "$SAMPLES/03-campaign-spring-running.yaml" -f "$SAMPLES/04-campaign-email-newsletter.yaml"

step "Applying the biased Campaign: the admission webhook must reject it"
sed -n '1,3p' "$SAMPLES/05-campaign-biased-REJECTED.yaml" | sed 's/^/   /'
printf '   %s$ kubectl apply -n %s -f %s%s\n' "$dim" "$NS" "$SAMPLES/05-campaign-biased-REJECTED.yaml" "$off"
if out=$(k apply -n "$NS" -f "$SAMPLES/05-campaign-biased-REJECTED.yaml" 2>&1); then
  echo "$out" | sed 's/^/     /'
  fail "the biased Campaign was accepted"
fi
# One finding per line: the webhook joins them with "; " in a single Invalid error.
# wrap long lines at word boundaries, continuation lines indented under their finding
echo "$out" | awk '{
  line = $0; indent = "     "
  while (length(line) > 104) {
    cut = 104; while (cut > 40 && substr(line, cut, 1) != " ") cut--
    print indent substr(line, 1, cut - 1); line = substr(line, cut + 1); indent = "         "
  }
  print indent line
}'
say "${green}Rejected${off}: nothing was stored, and the message says what, where, why and how to fix it."

# ---------------------------------------------------------------------------------------------------
if [[ $MODE == node ]]; then
  step "Waiting for Campaign $CAMPAIGN to be Ready (its decision-engine Deployment, Service, ConfigMap)"
  k -n "$NS" wait --for=condition=Ready "campaign/$CAMPAIGN" --timeout=5m > /dev/null
  show -n "$NS" get deployment,service,configmap -l "app.kubernetes.io/instance=$CAMPAIGN"
  ip=$(k -n "$NS" get service "$CAMPAIGN-engine" -o jsonpath='{.spec.clusterIP}')
  ENGINE=http://$ip:8080
  say "No cluster DNS on the local node: the engine is reached at its Service's ClusterIP, $ENGINE."
else
  step "Campaign $CAMPAIGN compiled; running its decision engine as a local process"
  k -n "$NS" wait --for=condition=Compliant "campaign/$CAMPAIGN" --timeout=2m > /dev/null
  for _ in $(seq 1 60); do k -n "$NS" get configmap "$CAMPAIGN-engine" > /dev/null 2>&1 && break; sleep 1; done
  DOC=$LOCAL_CLUSTER_DIR/run/$CAMPAIGN-decision.json
  k -n "$NS" get configmap "$CAMPAIGN-engine" -o jsonpath='{.data.decision\.json}' > "$DOC"
  "$CLUSTER" spawn "$CAMPAIGN-engine" "$repo/bin/decision-engine" --config "$DOC" \
    --listen "127.0.0.1:$LOCAL_ENGINE_PORT" --ops-listen "127.0.0.1:$LOCAL_ENGINE_OPS_PORT" 2>&1 | sed 's/^/   /'
  for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$LOCAL_ENGINE_OPS_PORT/readyz" > /dev/null && break; sleep 1; done
  ENGINE=http://127.0.0.1:$LOCAL_ENGINE_PORT
  say "The controller created the Deployment, Service and ConfigMap; with no node there are no pods,"
  say "so the engine runs here from the ConfigMap's document, at $ENGINE."
fi

# decide TITLE EXTRA-CURL-ARGS BODY: POSTs a decision request and prints the answer.
decide() {
  local title=$1 extra=$2 body=$3 answer
  printf '\n   %s%s%s\n' "$bold" "$title" "$off"
  printf "   %s\$ curl -X POST %s/v1/decisions %s-d '%s'%s\n" "$dim" "$ENGINE" "${extra:+$extra }" "$body" "$off"
  # shellcheck disable=SC2086
  answer=$(curl -sS --connect-timeout 3 --max-time 10 --retry 3 --retry-all-errors -X POST "$ENGINE/v1/decisions" \
    -H 'Content-Type: application/json' $extra -d "$body")
  LAST_ANSWER=$answer
  if command -v jq > /dev/null; then
    echo "$answer" | jq '{personalized, reason, experience, content, items, explanation}' | sed 's/^/     /'
  else
    echo "$answer" | sed 's/^/     /'
  fi
}
field() { # field NAME: a top-level string or boolean of the last answer
  echo "$LAST_ANSWER" | grep -o "\"$1\":[^,}]*" | head -n1 | cut -d: -f2- | tr -d '"'
}

step "Asking Campaign $CAMPAIGN's engine for decisions"
# The Campaign keeps 10% of visitors in a control group (they get the fallback, to measure lift):
# pick a visitor who is not, so the answers below show personalization and its absence side by side.
visitor="visitor-1"
for i in $(seq 1 20); do
  visitor=visitor-$i
  reply=$(curl -sS --connect-timeout 3 --max-time 10 --retry 3 --retry-all-errors -X POST "$ENGINE/v1/decisions" -d "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{\"personalization\":\"granted\"},\"attributes\":{\"viewedCategories\":[\"trail\"]},\"zone\":\"home_hero\"}")
  [[ $reply == *'"ControlGroup"'* ]] || break
done
attrs='"attributes":{"viewedCategories":["running","trail"],"postalCode":"75011","age":"41"}'
cands='"candidates":[{"id":"sku-1","categories":["road"]},{"id":"sku-2","categories":["trail"]},{"id":"sku-3","categories":["trail"]},{"id":"sku-4","categories":["running"]},{"id":"sku-5","categories":["trail"]}]'
hist='"history":{"purchased":["sku-3"]}'
decide "Consent granted: personalized, with a plain-language explanation (the undeclared 'age' is ignored)" "" \
  "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{\"personalization\":\"granted\"},$attrs,\"zone\":\"home_hero\",$cands,$hist}"
decide "Consent denied: the fallback, and an explanation that reveals nothing about the visitor" "" \
  "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{\"personalization\":\"denied\"},$attrs,\"zone\":\"home_hero\"}"
decide "No consent recorded: the EU policy's defaultConsent is Deny, so no personalization" "" \
  "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{},$attrs,\"zone\":\"home_hero\"}"

# Global Privacy Control withdraws the purposes the policy lists in globalPrivacyControl.optsOutOf.
# eu-web lists only ad-retargeting, so the demo tightens the policy: the controller re-compiles the
# Campaign and rolls its engine (the document's hash changes), then Sec-GPC: 1 withdraws
# personalization too.
decide "Sec-GPC: 1 under eu-web as applied: GPC withdraws ad-retargeting only, personalization stays" "-H Sec-GPC:1" \
  "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{\"personalization\":\"granted\"},$attrs,\"zone\":\"home_hero\"}"
old_hash=$(field configHash)
printf '\n   %sThe privacy team tightens the policy: GPC now withdraws personalization as well%s\n' "$bold" "$off"
show -n "$NS" patch consentpolicy "$POLICY" --type=merge -p '{"spec":{"globalPrivacyControl":{"optsOutOf":["ad-retargeting","personalization"]}}}'
if [[ $MODE == control-plane ]]; then
  for _ in $(seq 1 60); do
    k -n "$NS" get configmap "$CAMPAIGN-engine" -o jsonpath='{.data.decision\.json}' > "$DOC.new"
    cmp -s "$DOC" "$DOC.new" || break
    sleep 1
  done
  mv "$DOC.new" "$DOC"
fi
say "Waiting for the engine to serve the re-compiled document..."
for _ in $(seq 1 120); do
  now=$(curl -sS --connect-timeout 2 --max-time 5 -X POST "$ENGINE/v1/decisions" -d '{"visitor":{"id":"probe"}}' 2> /dev/null | grep -o '"configHash":"[^"]*"' | cut -d'"' -f4 || true)
  [[ -n $now && $now != "$old_hash" ]] && break
  sleep 1
done
[[ -n $now && $now != "$old_hash" ]] || fail "the engine still serves the old document after 2 minutes"
if [[ $MODE == node ]]; then
  k -n "$NS" rollout status "deployment/$CAMPAIGN-engine" --timeout=2m > /dev/null
fi
say "Now serving configHash $now (was $old_hash)."
decide "Sec-GPC: 1 now: the visitor's browser signal withdraws personalization" "-H Sec-GPC:1" \
  "{\"visitor\":{\"id\":\"$visitor\"},\"consent\":{\"personalization\":\"granted\"},$attrs,\"zone\":\"home_hero\"}"

# ---------------------------------------------------------------------------------------------------
step "What the cluster shows"
if [[ $MODE == node ]]; then k -n "$NS" wait --for=condition=Ready "campaign/$CAMPAIGN" --timeout=2m > /dev/null || true; fi
show -n "$NS" get campaigns,consentpolicies
if [[ $MODE == node ]]; then
  show -n "$NS" get pods -o wide
else
  show -n "$NS" get deployments,services,configmaps
  say "The engine Deployments exist but have no pods (no node), so the Campaigns are not Ready:"
  say "their EngineAvailable condition waits for pods. With a node (root on Linux) they are."
fi

printf '\n%sDone in %ss.%s The cluster keeps running (%s mode). Use it:\n' "$green" "$(($(date +%s) - T0))" "$off" "$MODE"
printf '   export KUBECONFIG=%s\n' "$KUBECONFIG"
printf '   alias kubectl=%s\n' "$KUBECTL"
printf '   kubectl -n %s get campaigns -o wide; kubectl -n %s describe campaign %s\n' "$NS" "$NS" "$CAMPAIGN"
printf '   curl -X POST %s/v1/decisions -d '\''{"visitor":{"id":"v1"},"consent":{"personalization":"granted"}}'\''\n' "$ENGINE"
printf 'Stop it and restore the machine: %smake demo-down%s\n' "$bold" "$off"
