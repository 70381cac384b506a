//go:build e2e

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

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Where Ethos lives once the chart is installed as release "ethos" in ethos-system (the names
// are config/default's, which the chart's templates are generated from).
const (
	releaseName       = "ethos"
	systemNamespace   = "ethos-system"
	managerDeployment = "ethos-controller-manager"
	managerSelector   = "control-plane=controller-manager"
	leaseName         = "79102344.ethos.dev"
)

// Settings from the environment (see doc.go).
var (
	kubectlPath = envOr("E2E_KUBECTL", "kubectl")
	helmPath    = envOr("E2E_HELM", "../../bin/helm")
	chartDir    = envOr("E2E_CHART", "../../charts/ethos")
	image       = envOr("E2E_IMAGE", "ghcr.io/ethos-operator/ethos:dev")
	samplesDir  = envOr("E2E_SAMPLES", "../../config/samples")
	logsDir     = envOr("E2E_LOGS_DIR", "../../bin/e2e-logs")
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// TestMain installs Ethos the way a user does (helm install of the chart, then wait for the
// manager and its webhook), runs the tests, always writes the cluster's state and every pod's
// log to logsDir, and, when the tests passed, uninstalls the release and checks what
// docs/install.md promises of `helm uninstall`. On failure it prints the manager's last lines.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBECONFIG") == "" {
		fmt.Fprintln(os.Stderr, "e2e: KUBECONFIG is not set; run `make test-e2e`, which starts a local node")
		return 1
	}
	if err := os.MkdirAll(logsDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	start := time.Now()
	if err := install(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: installing Ethos failed:", err)
		dumpCluster()
		printManagerTail()
		return 1
	}
	fmt.Printf("e2e: Ethos installed and its webhook answering after %s\n", time.Since(start).Round(time.Second))
	code := m.Run()
	dumpCluster()
	if code != 0 {
		printManagerTail()
		return code
	}
	start = time.Now()
	if err := uninstall(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: helm uninstall:", err)
		return 1
	}
	fmt.Printf("e2e: helm uninstall checked after %s\n", time.Since(start).Round(time.Second))
	return 0
}

// imageValues are the chart's image values for the image the node imported (IMG), which is
// never pulled.
func imageValues() []string {
	repo, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	return []string{"--set", "image.repository=" + repo, "--set", "image.tag=" + tag, "--set", "image.pullPolicy=Never"}
}

// install runs `helm install` of the chart as docs/install.md shows it (the release namespace
// made first, with its Pod Security label) and waits until the manager is available and its
// webhook answers a server-side dry run (the CA bundle is injected and the Service has endpoints).
func install() error {
	if r := kubectl("create", "namespace", systemNamespace); r.err != nil && !strings.Contains(r.stderr, "AlreadyExists") {
		return r
	}
	if r := kubectl("label", "namespace", systemNamespace, "pod-security.kubernetes.io/enforce=restricted"); r.err != nil {
		return r
	}
	args := append([]string{"install", releaseName, chartDir, "-n", systemNamespace}, imageValues()...)
	if r := helm(5*time.Minute, args...); r.err != nil {
		return r
	}
	if r := kubectlTimeout(6*time.Minute, "-n", systemNamespace, "rollout", "status",
		"deployment/"+managerDeployment, "--timeout=5m"); r.err != nil {
		return r
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r := kubectl("apply", "-n", "default", "--dry-run=server", "-f", sample("01-consentpolicy-eu-web.yaml"))
		if r.err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the webhook did not answer within 3 minutes: %w", r)
		}
		time.Sleep(2 * time.Second)
	}
}

func sample(name string) string { return filepath.Join(samplesDir, name) }

// dumpCluster writes what CI shows when a test fails: objects, events, descriptions and every
// container's log (current and previous instance) of every pod.
func dumpCluster() {
	write := func(name string, args ...string) {
		r := kubectlTimeout(time.Minute, args...)
		_ = os.WriteFile(filepath.Join(logsDir, name), []byte(r.stdout+r.stderr), 0o644)
	}
	write("cluster-state.txt", "get", "nodes,all,leases,campaigns,consentpolicies,validatingwebhookconfigurations",
		"-A", "-o", "wide")
	write("events.txt", "get", "events", "-A", "--sort-by=.lastTimestamp")
	write("ethos-objects.yaml", "get", "campaigns,consentpolicies", "-A", "-o", "yaml")
	write("pods-describe.txt", "describe", "pods", "-A")
	write("deployments-describe.txt", "describe", "deployments", "-A")

	dir := filepath.Join(logsDir, "pods")
	_ = os.MkdirAll(dir, 0o755)
	r := kubectl("get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}")
	for _, p := range strings.Fields(r.stdout) {
		ns, name, _ := strings.Cut(p, "/")
		base := filepath.Join(dir, ns+"_"+name)
		cur := kubectl("logs", "-n", ns, name, "--all-containers", "--timestamps")
		_ = os.WriteFile(base+".log", []byte(cur.stdout+cur.stderr), 0o644)
		if prev := kubectl("logs", "-n", ns, name, "--all-containers", "--timestamps", "--previous"); prev.err == nil {
			_ = os.WriteFile(base+".previous.log", []byte(prev.stdout), 0o644)
		}
	}
	fmt.Printf("e2e: cluster state and pod logs written to %s\n", logsDir)
}

func printManagerTail() {
	r := kubectl("logs", "-n", systemNamespace, "-l", managerSelector, "--all-containers", "--prefix", "--tail=40")
	fmt.Printf("e2e: last lines of the manager's logs:\n%s%s\n", r.stdout, r.stderr)
}
