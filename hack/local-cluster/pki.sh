#!/usr/bin/env bash
# Writes the local cluster's certificates and kubeconfigs (openssl only): one CA, the API server's
# serving certificate, a client certificate per component, and the service-account key pair.
#
#   pki.sh RUN_DIR NODE_NAME NODE_IP API_PORT KUBERNETES_SERVICE_IP
#
# Certificates are valid for 30 days; cluster.sh writes a fresh set on every `up`.
set -euo pipefail
run=$1 node=$2 node_ip=$3 api_port=$4 svc_ip=$5
pki=$run/pki
mkdir -p "$pki"
cd "$pki"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 \
  -subj "/CN=ethos-local-ca" 2>/dev/null

# cert NAME CN [O] [SANS]: a certificate signed by the CA; with SANs it also serves TLS.
cert() {
  local name=$1 cn=$2 org=${3:-} sans=${4:-} subj
  subj="/CN=$cn"
  [[ -n $org ]] && subj="/O=$org/CN=$cn"
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n $sans ]]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
    -days 30 -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

cert apiserver kube-apiserver "" "IP:127.0.0.1,IP:$node_ip,IP:$svc_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin ethos-local-admin system:masters
cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
cert controller-manager system:kube-controller-manager
cert scheduler system:kube-scheduler
cert kubelet-client "system:node:$node" system:nodes
cert kubelet-server "$node" "" "IP:127.0.0.1,IP:$node_ip,DNS:$node,DNS:localhost"
cert kube-proxy system:kube-proxy
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
chmod 0600 ./*.key

b64() { base64 < "$1" | tr -d '\n'; } # GNU and BSD base64 alike

# kubeconfig FILE USER CERT: certificates are embedded so the file can be copied elsewhere.
kubeconfig() {
  local file=$1 user=$2 cert=$3
  cat > "$file" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: ethos-local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(b64 ca.crt)
contexts:
- name: ethos-local
  context: {cluster: ethos-local, user: $user}
current-context: ethos-local
users:
- name: $user
  user:
    client-certificate-data: $(b64 "$cert.crt")
    client-key-data: $(b64 "$cert.key")
EOK
  chmod 0600 "$file"
}
kubeconfig "$run/admin.kubeconfig" ethos-local-admin admin
kubeconfig "$run/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
kubeconfig "$run/scheduler.kubeconfig" system:kube-scheduler scheduler
kubeconfig "$run/kubelet.kubeconfig" "system:node:$node" kubelet-client
kubeconfig "$run/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
