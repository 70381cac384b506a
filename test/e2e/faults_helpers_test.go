//go:build e2e && faults

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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// clusterScript is hack/local-cluster/cluster.sh, which `restart`s a control-plane component.
var clusterScript = envOr("E2E_CLUSTER_SH", "../../hack/local-cluster/cluster.sh")

const (
	managedBySelector = "app.kubernetes.io/managed-by=ethos"
	configHashKey     = "personalization.ethos.dev/config-hash"
	engineOpsPort     = 8081 // resources.HealthPort: /readyz and /metrics
)

// faultCampaign is the spring-running sample renamed, with replicas engine pods and, when
// headline is set, its first experience's headline replaced (an edit that changes the document).
func faultCampaign(t *testing.T, name string, replicas int32, headline string) string {
	t.Helper()
	raw, err := os.ReadFile(sample("03-campaign-spring-running.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	obj["metadata"] = map[string]any{"name": name}
	spec := obj["spec"].(map[string]any)
	spec["engine"] = map[string]any{"replicas": replicas}
	if headline != "" {
		spec["experiences"].([]any)[0].(map[string]any)["content"].(map[string]any)["headline"] = headline
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// editHeadline is the JSON patch that edits a faultCampaign's first headline.
func editHeadline(headline string) string {
	return fmt.Sprintf(`[{"op":"replace","path":"/spec/experiences/0/content/headline","value":%q}]`, headline)
}

// faultSetup applies the eu-web policy and the Campaign name (the sample, with replicas engine
// pods) in ns, waits until it is Ready with every pod serving personalized answers to a visitor
// who consented, and returns the engine's URL.
func faultSetup(t *testing.T, ns, name string, replicas int32) string {
	t.Helper()
	g := NewWithT(t)
	waitForManager(t)
	var refused atomic.Int64
	if err := retryWrite(&refused, func() result {
		return kubectl("apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := retryWrite(&refused, func() result {
		return kubectlStdin(faultCampaign(t, name, replicas, ""), "apply", "-n", ns, "-f", "-")
	}); err != nil {
		t.Fatal(err)
	}
	g.Eventually(func(g Gomega) {
		c := campaign(g, ns, name)
		expectCurrent(g, c)
		g.Expect(c.Status.Phase).To(BeEquivalentTo("Active"))
		g.Expect(c.Status.Engine.ReadyReplicas).To(BeEquivalentTo(replicas))
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	var url string
	g.Eventually(func(g Gomega) {
		url = engineURL(g, ns, name)
		expectPersonalizes(g, url)
	}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
	return url
}

// waitForManager waits until the manager is whole again: its Deployment rolled out, a leader
// holding the Lease, and the webhook answering a server-side dry run (a scenario before may have
// left it restarting).
func waitForManager(t *testing.T) {
	t.Helper()
	NewWithT(t).Eventually(func(g Gomega) {
		g.Expect(kubectl("-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment, "--timeout=5s").asError()).To(Succeed())
		leaderPod(g)
		g.Expect(kubectl("apply", "-n", "default", "--dry-run=server", "-f", sample("01-consentpolicy-eu-web.yaml")).asError()).To(Succeed())
	}).WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
}

// expectPersonalizes asserts that an engine answers personalized decisions to consenting visitors
// (some visitors are in the control group, so the first ten are asked).
func expectPersonalizes(g Gomega, url string) {
	matched := 0
	for i := range 10 {
		a, err := faultDecide(context.Background(), url, grantedRequest(fmt.Sprintf("fault-probe-%d", i)))
		g.Expect(err).NotTo(HaveOccurred())
		if a.Personalized {
			matched++
		}
	}
	g.Expect(matched).To(BeNumerically(">", 0), "no consenting visitor was answered personalized")
}

// expectAllFallback asserts that n consecutive consenting visitors are answered the fallback
// with reason, none personalized.
func expectAllFallback(g Gomega, url, reason string, n int) {
	for i := range n {
		a, err := faultDecide(context.Background(), url, grantedRequest(fmt.Sprintf("fault-probe-%d", i)))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(a.Personalized).To(BeFalse())
		g.Expect(a.Reason).To(Equal(reason))
		g.Expect(a.Content).To(HaveKeyWithValue("headline", "Spring collection"))
	}
}

// createChurn creates Campaigns with no engine pod (replicas 0: fifty engine pods would not fit
// the two-core node) and returns their names.
func createChurn(t *testing.T, ns, prefix string, n int) []string {
	t.Helper()
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%02d", prefix, i)
		if r := kubectlStdin(faultCampaign(t, names[i], 0, ""), "apply", "-n", ns, "-f", "-"); r.err != nil {
			t.Fatal(r)
		}
	}
	return names
}

// retryWrite runs write until it succeeds (a GitOps tool's retry), for up to two minutes, and
// counts the refused attempts.
func retryWrite(refused *atomic.Int64, write func() result) error {
	deadline := time.Now().Add(shortTimeout)
	for {
		r := write()
		if r.err == nil {
			return nil
		}
		refused.Add(1)
		if time.Now().After(deadline) {
			return r
		}
		time.Sleep(time.Second)
	}
}

// expectConverged asserts that every Campaign of names is kstatus Current with its engine
// objects converged: the ConfigMap holds the document whose hash status.engine.configHash and
// the Deployment's pod template carry, with edited[name] in it when set; and that the namespace
// holds exactly one engine Deployment, Service, ConfigMap and NetworkPolicy per Campaign, each
// controlled by it (no orphan, no duplicate).
func expectConverged(g Gomega, ns string, names []string, edited map[string]string) {
	var campaigns ethosv1alpha1.CampaignList
	g.Expect(getJSON(ns, "campaigns", &campaigns)).To(Succeed())
	byName := map[string]*ethosv1alpha1.Campaign{}
	for i := range campaigns.Items {
		byName[campaigns.Items[i].Name] = &campaigns.Items[i]
	}
	g.Expect(byName).To(HaveLen(len(names)))
	wantChildren := map[string]string{} // engine object name → Campaign UID
	for _, n := range names {
		c := byName[n]
		g.Expect(c).NotTo(BeNil(), "Campaign %s", n)
		expectCurrent(g, c)
		g.Expect(c.Status.Engine).NotTo(BeNil(), "Campaign %s status.engine", n)
		wantChildren[c.EngineName()] = string(c.UID)
	}

	var cms corev1.ConfigMapList
	g.Expect(listJSON(ns, "configmaps", managedBySelector, &cms)).To(Succeed())
	var deps appsv1.DeploymentList
	g.Expect(listJSON(ns, "deployments", managedBySelector, &deps)).To(Succeed())
	for _, cm := range cms.Items {
		owner := campaignOwning(g, &cm.ObjectMeta, wantChildren)
		doc := cm.Data[document.FileName]
		g.Expect(document.Hash([]byte(doc))).To(Equal(byName[owner].Status.Engine.ConfigHash), "ConfigMap %s", cm.Name)
		if h := edited[owner]; h != "" {
			g.Expect(doc).To(ContainSubstring(h), "ConfigMap %s holds the edit", cm.Name)
		}
	}
	for _, d := range deps.Items {
		owner := campaignOwning(g, &d.ObjectMeta, wantChildren)
		g.Expect(d.Spec.Template.Annotations).To(HaveKeyWithValue(configHashKey, byName[owner].Status.Engine.ConfigHash),
			"Deployment %s", d.Name)
	}
	g.Expect(cms.Items).To(HaveLen(len(names)), "one ConfigMap per Campaign")
	g.Expect(deps.Items).To(HaveLen(len(names)), "one Deployment per Campaign")
	for _, kind := range []string{"services", "networkpolicies"} {
		var list metav1.PartialObjectMetadataList
		g.Expect(listJSON(ns, kind, managedBySelector, &list)).To(Succeed())
		g.Expect(list.Items).To(HaveLen(len(names)), "one %s per Campaign", kind)
		for i := range list.Items {
			campaignOwning(g, &list.Items[i].ObjectMeta, wantChildren)
		}
	}
}

// campaignOwning asserts that an engine object is one of want (name → Campaign UID) and
// controlled by that Campaign, and returns the Campaign's name.
func campaignOwning(g Gomega, m *metav1.ObjectMeta, want map[string]string) string {
	uid, ok := want[m.Name]
	g.Expect(ok).To(BeTrue(), "engine object %s belongs to no Campaign of the test (an orphan)", m.Name)
	ref := metav1.GetControllerOfNoCopy(m)
	g.Expect(ref).NotTo(BeNil(), "%s has no controller", m.Name)
	g.Expect(string(ref.UID)).To(Equal(uid), "%s is controlled by %s", m.Name, ref.Name)
	return ref.Name
}

// listJSON reads the objects of a resource matching a label selector into a list.
func listJSON(ns, resource, selector string, out any) error {
	r := kubectl("get", "-n", ns, resource, "-l", selector, "-o", "json")
	if r.err != nil {
		return r
	}
	return json.Unmarshal([]byte(r.stdout), out)
}

// managerRestarts is the sum of the manager pods' container restarts.
func managerRestarts(g Gomega) int32 {
	var pods corev1.PodList
	g.Expect(listJSON(systemNamespace, "pods", managerSelector, &pods)).To(Succeed())
	var n int32
	for _, p := range pods.Items {
		for _, s := range p.Status.ContainerStatuses {
			n += s.RestartCount
		}
	}
	return n
}

// scaleManager scales the manager Deployment and waits: for its pods to be gone at 0, for the
// rollout and the webhook otherwise.
func scaleManager(t *testing.T, replicas int) {
	t.Helper()
	mustKubectl(t, "-n", systemNamespace, "scale", "deployment/"+managerDeployment, "--replicas="+strconv.Itoa(replicas))
	if replicas == 0 {
		if r := kubectlTimeout(3*time.Minute, "-n", systemNamespace, "wait", "--for=delete", "pod", "-l", managerSelector,
			"--timeout=150s"); r.err != nil && !strings.Contains(r.stderr, "no matching resources") {
			t.Fatal(r)
		}
		return
	}
	if r := kubectlTimeout(6*time.Minute, "-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment,
		"--timeout=5m"); r.err != nil {
		t.Fatal(r)
	}
}

// restoreManager scales the manager back to two replicas when a test stops with it scaled down,
// so the next test finds it.
func restoreManager(t *testing.T) {
	t.Cleanup(func() {
		var d appsv1.Deployment
		if err := getJSON(systemNamespace, "deployment/"+managerDeployment, &d); err == nil &&
			d.Spec.Replicas != nil && *d.Spec.Replicas != 2 {
			scaleManager(t, 2)
		}
	})
}

// sigkillContainer sends SIGKILL to the processes of a pod's container, found on this host (the
// local node) by the container ID in their cgroup, as the OOM killer or a crash would end it.
// Where the node is not this host it falls back to a forced pod deletion, and says which it did.
func sigkillContainer(t *testing.T, ns, pod, container string) string {
	t.Helper()
	var p corev1.Pod
	if err := getJSON(ns, "pod/"+pod, &p); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == container {
			_, id, _ = strings.Cut(s.ContainerID, "://")
		}
	}
	killed := 0
	if id != "" {
		procs, _ := filepath.Glob("/proc/[0-9]*/cgroup")
		for _, f := range procs {
			b, err := os.ReadFile(f)
			if err != nil || !strings.Contains(string(b), id) {
				continue
			}
			pid, err := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			if err == nil && syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	}
	if killed > 0 {
		return "sigkill"
	}
	t.Logf("no process of container %s/%s found on this host; force-deleting the pod instead", pod, container)
	mustKubectl(t, "delete", "pod", "-n", ns, pod, "--grace-period=0", "--force")
	return "force-delete"
}

// enginePods are the running, ready, not terminating engine pods of a Campaign.
func enginePods(g Gomega, ns, campaignName string) []corev1.Pod {
	var pods corev1.PodList
	g.Expect(listJSON(ns, "pods", "app.kubernetes.io/name=decision-engine,app.kubernetes.io/instance="+campaignName, &pods)).To(Succeed())
	var out []corev1.Pod
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Status.PodIP != "" && podIsReady(&p) {
			out = append(out, p)
		}
	}
	return out
}

func podIsReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// engineReadiness reads a pod's /readyz as wire.Readiness and the value of its
// ethos_engine_document_state series for state.
func engineReadiness(g Gomega, pod *corev1.Pod, state string) (wire.Readiness, string) {
	base := fmt.Sprintf("http://%s:%d", pod.Status.PodIP, engineOpsPort)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/readyz", nil)
	g.Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", wire.ReadinessContentType)
	resp, err := faultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	var r wire.Readiness
	err = json.NewDecoder(resp.Body).Decode(&r)
	_ = resp.Body.Close()
	g.Expect(err).NotTo(HaveOccurred())

	resp, err = faultClient.Get(base + "/metrics")
	g.Expect(err).NotTo(HaveOccurred())
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	g.Expect(err).NotTo(HaveOccurred())
	series := fmt.Sprintf(`ethos_engine_document_state{state=%q} `, state)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			return r, v
		}
	}
	return r, ""
}

// restartComponent restarts a control-plane process of the local node (cluster.sh restart) and
// returns how long it took until the component answered again.
func restartComponent(t *testing.T, name string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, clusterScript, "restart", name).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh restart %s: %v\n%s", name, err, out)
	}
	t.Logf("cluster.sh restart %s:\n%s", name, out)
	return time.Since(start)
}
