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
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/ethos-operator/ethos/internal/resources"
)

// helmNamespace holds the Campaigns that live through the upgrade and the uninstall: it is not
// deleted when TestHelmUpgradeKeepsEngines ends, so that uninstall (after every test) finds them.
const helmNamespace = "e2e-helm"

// The second Campaign of helmNamespace, the sample under another name: its edit after the upgrade
// shows the upgraded manager reconciling.
const otherCampaign = "spring-trail"

// engineState is what must not change in a Campaign's engine when only the manager changes.
type engineState struct {
	UID        string
	Generation int64
	ConfigHash string   // the pod template's config-hash annotation
	Pods       []string // name/uid/pod-template-hash of every engine pod, sorted
}

func engineOf(g Gomega, ns, name string) engineState {
	d := deployment(g, ns, name+"-engine")
	var pods corev1.PodList
	r := kubectl("get", "pods", "-n", ns, "-l", engineSelectorOf(name), "-o", "json")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(json.Unmarshal([]byte(r.stdout), &pods)).To(Succeed())
	var ids []string
	for _, p := range pods.Items {
		ids = append(ids, p.Name+"/"+string(p.UID)+"/"+p.Labels["pod-template-hash"])
	}
	slices.Sort(ids)
	return engineState{
		UID: string(d.UID), Generation: d.Generation,
		ConfigHash: d.Spec.Template.Annotations[resources.ConfigHashAnnotation], Pods: ids,
	}
}

// engineSelectorOf selects the engine pods of a Campaign (SPEC §5 labels).
func engineSelectorOf(name string) string {
	return "app.kubernetes.io/name=decision-engine,app.kubernetes.io/instance=" + name
}

// releaseRevision is the revision and status of the newest entry of `helm history`.
func releaseRevision(g Gomega) (int, string) {
	r := helm(time.Minute, "history", releaseName, "-n", systemNamespace, "-o", "json")
	g.Expect(r.err).NotTo(HaveOccurred(), "%s", r)
	var history []struct {
		Revision int    `json:"revision"`
		Status   string `json:"status"`
	}
	g.Expect(json.Unmarshal([]byte(r.stdout), &history)).To(Succeed(), r.stdout)
	g.Expect(history).NotTo(BeEmpty())
	last := history[len(history)-1]
	return last.Revision, last.Status
}

// TestHelmUpgradeKeepsEngines upgrades the release to a second revision that changes only the
// manager (manager.logLevel=debug): the manager's Deployment rolls, the Campaigns stay Ready
// and their engines are untouched — same Deployment, same generation, same pods — while an edit
// made after the upgrade is reconciled by the upgraded manager.
func TestHelmUpgradeKeepsEngines(t *testing.T) {
	g := NewWithT(t)
	_ = kubectl("delete", "namespace", helmNamespace, "--ignore-not-found", "--wait=true", "--timeout=2m")
	mustKubectl(t, "create", "namespace", helmNamespace)
	t.Cleanup(func() {
		if t.Failed() {
			describeNamespace(t, helmNamespace)
		}
	})
	ns := helmNamespace
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
	mustKubectl(t, "apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml"))
	spec, err := os.ReadFile(sample("03-campaign-spring-running.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	other := strings.Replace(string(spec), "name: "+campaignName, "name: "+otherCampaign, 1)
	g.Expect(other).NotTo(Equal(string(spec)))
	if r := kubectlStdin(other, "apply", "-n", ns, "-f", "-"); r.err != nil {
		t.Fatal(r)
	}
	for _, name := range []string{campaignName, otherCampaign} {
		g.Eventually(func(g Gomega) {
			c := campaign(g, ns, name)
			expectCurrent(g, c)
			g.Expect(c.Status.Engine).NotTo(BeNil())
			g.Expect(c.Status.Engine.ReadyReplicas).To(BeNumerically(">=", 1))
			d := deployment(g, ns, name+"-engine")
			g.Expect(d.Status.ObservedGeneration).To(Equal(d.Generation))
			g.Expect(d.Status.UpdatedReplicas).To(Equal(d.Status.Replicas))
		}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	}
	url := engineURL(g, ns, campaignName)
	before := engineOf(g, ns, campaignName)
	otherBefore := engineOf(g, ns, otherCampaign)
	managerBefore := deployment(g, systemNamespace, managerDeployment)
	revision, _ := releaseRevision(g)
	t.Logf("before the upgrade: revision %d, engine %+v", revision, before)

	upgraded := time.Now()
	r := helm(6*time.Minute, "upgrade", releaseName, chartDir, "-n", systemNamespace,
		"--reuse-values", "--set", "manager.logLevel=debug")
	g.Expect(r.err).NotTo(HaveOccurred(), "%s", r)
	t.Logf("helm upgrade: %s", r.stdout)
	next, status := releaseRevision(g)
	g.Expect(next).To(Equal(revision + 1))
	g.Expect(status).To(Equal("deployed"))
	mustKubectl(t, "-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment, "--timeout=5m")

	// The manager's Deployment took the new value and rolled.
	manager := deployment(g, systemNamespace, managerDeployment)
	g.Expect(manager.UID).To(Equal(managerBefore.UID))
	g.Expect(manager.Generation).To(BeNumerically(">", managerBefore.Generation))
	g.Expect(manager.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--zap-log-level=debug"))
	g.Expect(manager.Spec.Template.Spec.Containers[0].Image).To(Equal(managerBefore.Spec.Template.Spec.Containers[0].Image),
		"--reuse-values keeps the image values of the install")
	// An upgraded pod leads, and reconciles an edit.
	g.Eventually(func(g Gomega) {
		var p corev1.Pod
		g.Expect(getJSON(systemNamespace, "pod/"+leaderPod(g), &p)).To(Succeed())
		g.Expect(p.Spec.Containers[0].Args).To(ContainElement("--zap-log-level=debug"))
	}).WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
	mustKubectl(t, "patch", "-n", ns, "campaign", otherCampaign, "--type=merge", "-p",
		`{"spec":{"fallback":{"content":{"headline":"Spring sale"}}}}`)
	g.Eventually(func(g Gomega) {
		c := campaign(g, ns, otherCampaign)
		expectCurrent(g, c)
		g.Expect(c.Status.Engine.ConfigHash).NotTo(Equal(otherBefore.ConfigHash))
		now := engineOf(g, ns, otherCampaign)
		g.Expect(now.ConfigHash).To(Equal(c.Status.Engine.ConfigHash))
		g.Expect(now.Generation).To(BeNumerically(">", otherBefore.Generation))
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	t.Logf("upgraded, new leader reconciling, %s after helm upgrade began", time.Since(upgraded).Round(time.Second))

	// The untouched Campaign's engine: the same Deployment at the same generation, the same pods.
	c := campaign(g, ns, campaignName)
	expectCurrent(g, c)
	g.Expect(engineOf(g, ns, campaignName)).To(Equal(before), "the upgrade changed the engine of %s", campaignName)
	a, err := decide(url, deniedRequest("e2e-helm-visitor"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.ConfigHash).To(Equal(before.ConfigHash))
}

// uninstall runs `helm uninstall` and checks docs/install.md's promise: the manager, its webhook
// configuration and its cluster-wide RBAC are gone; the CRDs are kept (Helm never deletes
// crds/), and so are the Campaigns of helmNamespace, whose engines keep answering.
func uninstall() error {
	var kept []string
	r := kubectl("get", "campaigns", "-n", helmNamespace, "-o", "jsonpath={.items[*].metadata.name}")
	if r.err == nil {
		kept = strings.Fields(r.stdout)
	}
	engines := map[string]string{}
	for _, name := range kept {
		var d struct {
			Metadata struct{ UID string } `json:"metadata"`
		}
		if err := getJSON(helmNamespace, "deployment/"+name+"-engine", &d); err != nil {
			return err
		}
		engines[name] = d.Metadata.UID
	}

	r = helm(5*time.Minute, "uninstall", releaseName, "-n", systemNamespace, "--wait")
	if r.err != nil {
		return r
	}
	fmt.Printf("e2e: helm uninstall: %s\n", strings.TrimSpace(r.stdout+r.stderr))
	if r := helm(time.Minute, "status", releaseName, "-n", systemNamespace); r.err == nil || !strings.Contains(r.stderr, "not found") {
		return fmt.Errorf("helm status after uninstall: want release not found, got %v: %s%s", r.err, r.stdout, r.stderr)
	}
	for _, gone := range []string{
		"deployment/" + managerDeployment, "service/ethos-webhook-service", "secret/ethos-webhook-server-cert",
		"validatingwebhookconfiguration/ethos-validating-webhook-configuration",
		"clusterrole/ethos-manager-role", "clusterrolebinding/ethos-manager-rolebinding",
	} {
		if !notFound(systemNamespace, gone) {
			return fmt.Errorf("%s is still there after helm uninstall", gone)
		}
	}
	if err := within(shortTimeout, func() error {
		r := kubectl("get", "pods", "-n", systemNamespace, "-l", managerSelector, "-o", "name")
		if r.err != nil || strings.TrimSpace(r.stdout) != "" {
			return fmt.Errorf("manager pods left: %q %v", r.stdout, r.asError())
		}
		return nil
	}); err != nil {
		return err
	}
	for _, crd := range []string{"campaigns.personalization.ethos.dev", "consentpolicies.personalization.ethos.dev"} {
		if r := kubectl("get", "crd", crd); r.err != nil {
			return fmt.Errorf("the CRD %s must outlive helm uninstall (crds/): %w", crd, r)
		}
	}
	for name, uid := range engines {
		if r := kubectl("get", "-n", helmNamespace, "campaign", name); r.err != nil {
			return fmt.Errorf("Campaign %s/%s did not outlive helm uninstall: %w", helmNamespace, name, r)
		}
		var d struct {
			Metadata struct{ UID string } `json:"metadata"`
		}
		if err := getJSON(helmNamespace, "deployment/"+name+"-engine", &d); err != nil || d.Metadata.UID != uid {
			return fmt.Errorf("the engine of %s/%s changed at helm uninstall (uid %s, was %s): %v", helmNamespace, name, d.Metadata.UID, uid, err)
		}
	}
	if _, ok := engines[campaignName]; ok {
		url, err := serviceURL(helmNamespace, campaignName)
		if err == nil {
			_, err = decide(url, deniedRequest("e2e-helm-visitor"))
		}
		if err != nil {
			return fmt.Errorf("the engine of %s/%s stopped answering after helm uninstall: %w", helmNamespace, campaignName, err)
		}
	}
	fmt.Printf("e2e: after helm uninstall: manager, webhook configuration and RBAC gone; CRDs kept; "+
		"Campaigns %v of %s and their engines kept\n", kept, helmNamespace)
	return nil
}

// within retries check every second until it succeeds or timeout passes.
func within(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(poll)
	}
}
