/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package e2e holds Ethos's end-to-end tests (build tag e2e). They run against a real Kubernetes
// node with the real image, installed with the Helm chart (charts/ethos) by the pinned helm, and
// kubectl as the only client, the way users drive Ethos: `make test-e2e` (test/e2e/run.sh) builds
// the image, starts the local node (hack/local-cluster), runs them and keeps every component's log
// under bin/e2e-logs/. TestMain installs the release; TestHelmUpgradeKeepsEngines upgrades it to a
// second revision; when every test passed, TestMain uninstalls it and checks what stays.
//
// With the faults tag as well (`make test-faults-node`), faults_*_test.go add the fault scenarios
// of docs/reliability.md: each breaks one thing under a steady decision load and prints its counts.
//
// Environment: KUBECONFIG (required), E2E_KUBECTL (kubectl to use), E2E_HELM (helm to use),
// E2E_CHART (charts/ethos), E2E_IMAGE (the image the node holds, installed with pullPolicy Never),
// E2E_SAMPLES (config/samples), E2E_LOGS_DIR (where diagnostics go), E2E_CLUSTER_SH (cluster.sh,
// which the fault scenarios use to restart kube-apiserver).
package e2e
