//go:build tools

// Package tools pins the etcd server that hack/kube-binaries.sh builds from source for envtest.
package tools

import _ "go.etcd.io/etcd/server/v3"
