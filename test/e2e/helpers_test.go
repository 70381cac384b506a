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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Generous timeouts: the node shares two cores with the build.
const (
	settleTimeout = 5 * time.Minute
	shortTimeout  = 2 * time.Minute
	poll          = time.Second
)

// result is what a kubectl (or helm) run printed; it is an error when the command failed.
type result struct {
	tool           string
	args           []string
	stdout, stderr string
	err            error
}

func (r result) Error() string {
	return fmt.Sprintf("%s %s: %v: %s", r.tool, strings.Join(r.args, " "), r.err, strings.TrimSpace(r.stderr))
}

// kubectl runs the pinned kubectl against the cluster in KUBECONFIG, as a user would.
func kubectl(args ...string) result { return kubectlTimeout(2*time.Minute, args...) }

func kubectlTimeout(timeout time.Duration, args ...string) result {
	return command(timeout, kubectlPath, "", args...)
}

// kubectlStdin runs kubectl with stdin (for `apply -f -`).
func kubectlStdin(stdin string, args ...string) result {
	return command(2*time.Minute, kubectlPath, stdin, args...)
}

// helm runs the pinned helm (bin/helm) against the cluster in KUBECONFIG.
func helm(timeout time.Duration, args ...string) result {
	return command(timeout, helmPath, "", args...)
}

func command(timeout time.Duration, path, stdin string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{tool: filepath.Base(path), args: args, stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// mustKubectl fails the test when kubectl fails.
func mustKubectl(t *testing.T, args ...string) string {
	t.Helper()
	r := kubectl(args...)
	if r.err != nil {
		t.Fatal(r)
	}
	return r.stdout
}

// getJSON reads one object with `kubectl get -o json` into out.
func getJSON(ns, resource string, out any) error {
	r := kubectl("get", "-n", ns, resource, "-o", "json")
	if r.err != nil {
		return r
	}
	return json.Unmarshal([]byte(r.stdout), out)
}

// notFound reports whether `kubectl get` says the object does not exist.
func notFound(ns, resource string) bool {
	r := kubectl("get", "-n", ns, resource)
	return r.err != nil && strings.Contains(r.stderr, "NotFound")
}

func campaign(g Gomega, ns, name string) *ethosv1alpha1.Campaign {
	c := &ethosv1alpha1.Campaign{}
	g.Expect(getJSON(ns, "campaign/"+name, c)).To(Succeed())
	return c
}

func deployment(g Gomega, ns, name string) *appsv1.Deployment {
	d := &appsv1.Deployment{}
	g.Expect(getJSON(ns, "deployment/"+name, d)).To(Succeed())
	return d
}

func condition(conds []metav1.Condition, typ string) metav1.ConditionStatus {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status
		}
	}
	return metav1.ConditionUnknown
}

// expectCurrent asserts kstatus "Current" with the rules sigs.k8s.io/cli-utils/pkg/kstatus applies
// to custom resources (not imported, to keep the module's dependencies small): the controller has
// observed the latest generation, and neither Reconciling nor Stalled is True. Ready=True is
// asserted too, since Ethos sets it in every settled state.
func expectCurrent(g Gomega, c *ethosv1alpha1.Campaign) {
	g.Expect(c.Status.ObservedGeneration).To(Equal(c.Generation), "status.observedGeneration")
	g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionReconciling)).NotTo(Equal(metav1.ConditionTrue), "Reconciling")
	g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionStalled)).NotTo(Equal(metav1.ConditionTrue), "Stalled")
	g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionReady)).To(Equal(metav1.ConditionTrue), "Ready")
}

// newNamespace creates a namespace for one test and deletes it afterwards (without waiting).
func newNamespace(t *testing.T, name string) string {
	t.Helper()
	_ = kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=true", "--timeout=2m")
	mustKubectl(t, "create", "namespace", name)
	t.Cleanup(func() {
		if t.Failed() {
			describeNamespace(t, name)
		}
		_ = kubectl("delete", "namespace", name, "--wait=false")
	})
	return name
}

// describeNamespace logs, and keeps under logsDir, what a failed test's namespace held.
func describeNamespace(t *testing.T, ns string) {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{
		{"get", "campaigns,consentpolicies,deployments,replicasets,pods,services,configmaps", "-o", "wide"},
		{"get", "campaigns,consentpolicies", "-o", "yaml"},
		{"get", "events", "--sort-by=.lastTimestamp"},
	} {
		r := kubectl(append([]string{"-n", ns}, args...)...)
		fmt.Fprintf(&b, "$ kubectl -n %s %s\n%s%s\n", ns, strings.Join(args, " "), r.stdout, r.stderr)
	}
	_ = os.WriteFile(filepath.Join(logsDir, "failed-"+ns+".txt"), []byte(b.String()), 0o644)
	t.Log(b.String())
}

// answer is the decision engine's answer (SPEC §6).
type answer struct {
	Campaign     string            `json:"campaign"`
	Personalized bool              `json:"personalized"`
	Experience   string            `json:"experience"`
	Content      map[string]string `json:"content"`
	Items        []string          `json:"items"`
	Reason       string            `json:"reason"`
	Explanation  string            `json:"explanation"`
	ConfigHash   string            `json:"configHash"`
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// decide POSTs a decision request to an engine; headers are name, value pairs.
func decide(baseURL, body string, headers ...string) (answer, error) {
	var a answer
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v1/decisions", strings.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return a, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return a, err
	}
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("POST %s/v1/decisions: %s: %s", baseURL, resp.Status, b)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("cannot decode the answer %s: %w", b, err)
	}
	return a, nil
}

// engineURL is the decision API of a Campaign's engine, reached by the Service's ClusterIP from
// this host (kube-proxy's rules): the local node has no cluster DNS.
func engineURL(g Gomega, ns, campaignName string) string {
	url, err := serviceURL(ns, campaignName)
	g.Expect(err).NotTo(HaveOccurred())
	return url
}

func serviceURL(ns, campaignName string) (string, error) {
	r := kubectl("get", "-n", ns, "service", campaignName+"-engine", "-o", "jsonpath={.spec.clusterIP}")
	if r.err != nil {
		return "", r
	}
	ip := strings.TrimSpace(r.stdout)
	if ip == "" {
		return "", fmt.Errorf("service %s/%s-engine has no ClusterIP", ns, campaignName)
	}
	return "http://" + ip + ":8080", nil
}

// podNames lists the names of the pods matching a label selector (running or not).
func podNames(g Gomega, ns, selector string) []string {
	r := kubectl("get", "pods", "-n", ns, "-l", selector, "-o", "jsonpath={.items[*].metadata.name}")
	g.Expect(r.err).NotTo(HaveOccurred())
	return strings.Fields(r.stdout)
}
