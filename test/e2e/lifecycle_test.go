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

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

const (
	campaignName = "spring-running" // config/samples/03-campaign-spring-running.yaml
	policyName   = "eu-web"         // config/samples/01-consentpolicy-eu-web.yaml
	engineName   = campaignName + "-engine"
	// Selects the engine pods of the Campaign (SPEC §5 labels).
	engineSelector = "app.kubernetes.io/name=decision-engine,app.kubernetes.io/instance=" + campaignName
)

// Decision requests for spring-running. The visitor browsed trail running: with consent the
// trail-hero experience answers, with its stores link filled from the postal code.
func grantedRequest(visitor string) string {
	return fmt.Sprintf(`{"visitor":{"id":%q},"consent":{"personalization":"granted"},`+
		`"attributes":{"viewedCategories":["running","trail"],"postalCode":"75011"},"zone":"home_hero",`+
		`"candidates":[{"id":"sku-1","categories":["trail"]},{"id":"sku-2","categories":["road"]}]}`, visitor)
}

func deniedRequest(visitor string) string {
	return fmt.Sprintf(`{"visitor":{"id":%q},"consent":{"personalization":"denied"},`+
		`"attributes":{"viewedCategories":["trail"]},"zone":"home_hero"}`, visitor)
}

// TestCampaignLifecycle follows one ethical Campaign through what users rely on, in order: it
// becomes Ready pods that answer; an edit rolls them; a stricter policy blocks it within seconds;
// killing the manager mid-way loses nothing; deleting it garbage-collects its engine.
func TestCampaignLifecycle(t *testing.T) {
	ns := newNamespace(t, "e2e-shop")
	var url, visitor string

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the ethical sample reaches Ready and kstatus Current", func(t *testing.T) {
			g := NewWithT(t)
			mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
			r := kubectl("apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml"))
			g.Expect(r.err).NotTo(HaveOccurred())
			t.Logf("kubectl apply: %s%s", r.stdout, r.stderr)

			g.Eventually(func(g Gomega) {
				c := campaign(g, ns, campaignName)
				expectCurrent(g, c)
				g.Expect(c.Status.Phase).To(BeEquivalentTo("Active"))
				g.Expect(c.Status.Engine).NotTo(BeNil())
				g.Expect(c.Status.Engine.ReadyReplicas).To(BeNumerically(">=", 1))
			}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
			// The policy is settled too, and counts the Campaign.
			g.Eventually(func(g Gomega) {
				var p ethosv1alpha1.ConsentPolicy
				g.Expect(getJSON(ns, "consentpolicy/"+policyName, &p)).To(Succeed())
				g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
				g.Expect(condition(p.Status.Conditions, ethosv1alpha1.ConditionReady)).To(Equal(metav1.ConditionTrue))
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
		}},

		{"its engine pods answer decisions through the Service", func(t *testing.T) {
			g := NewWithT(t)
			url = engineURL(g, ns, campaignName)
			hash := campaign(g, ns, campaignName).Status.Engine.ConfigHash
			// 10% of visitors are in the control group: pick one who is not (bucketing is
			// deterministic, so the same visitor stays out of it for the rest of the test).
			g.Eventually(func(g Gomega) {
				visitor = ""
				for i := range 50 {
					id := fmt.Sprintf("e2e-visitor-%d", i)
					a, err := decide(url, grantedRequest(id))
					g.Expect(err).NotTo(HaveOccurred())
					if a.Reason != "ControlGroup" {
						visitor = id
						break
					}
				}
				g.Expect(visitor).NotTo(BeEmpty())
			}).WithTimeout(shortTimeout).WithPolling(2 * poll).Should(Succeed())

			a, err := decide(url, grantedRequest(visitor))
			g.Expect(err).NotTo(HaveOccurred())
			t.Logf("consent granted: %+v", a)
			g.Expect(a.Campaign).To(Equal(ns + "/" + campaignName))
			g.Expect(a.Reason).To(Equal("Matched"))
			g.Expect(a.Personalized).To(BeTrue())
			g.Expect(a.Experience).To(Equal("trail-hero"))
			g.Expect(a.Content).To(HaveKeyWithValue("stores", "https://shop.example.com/stores?near=75011"))
			g.Expect(a.Explanation).NotTo(BeEmpty())
			g.Expect(a.ConfigHash).To(Equal(hash), "the pods serve the document the status reports")

			a, err = decide(url, deniedRequest(visitor))
			g.Expect(err).NotTo(HaveOccurred())
			t.Logf("consent denied: %+v", a)
			g.Expect(a.Reason).To(Equal("ConsentDenied"))
			g.Expect(a.Personalized).To(BeFalse())
			g.Expect(a.Content).To(HaveKeyWithValue("headline", "Spring collection"))
			g.Expect(a.Items).To(BeEmpty())
		}},

		{"its engine pods are isolated: no egress, decisions from its own namespace only", func(t *testing.T) {
			expectEngineIsolated(t, ns)
		}},

		{"editing the Campaign rolls the pods and the new config answers", func(t *testing.T) {
			g := NewWithT(t)
			before := podNames(g, ns, engineSelector)
			oldHash := campaign(g, ns, campaignName).Status.Engine.ConfigHash
			mustKubectl(t, "patch", "-n", ns, "campaign", campaignName, "--type=json", "-p",
				`[{"op":"replace","path":"/spec/experiences/0/content/headline","value":"Trail season is here"}]`)

			g.Eventually(func(g Gomega) {
				a, err := decide(url, grantedRequest(visitor))
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(a.Content).To(HaveKeyWithValue("headline", "Trail season is here"))
				g.Expect(a.ConfigHash).NotTo(Equal(oldHash))
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
			g.Eventually(func(g Gomega) {
				c := campaign(g, ns, campaignName)
				expectCurrent(g, c)
				d := deployment(g, ns, engineName)
				g.Expect(d.Spec.Template.Annotations).To(HaveKeyWithValue(
					"personalization.ethos.dev/config-hash", c.Status.Engine.ConfigHash))
				// The pods were replaced, not reloaded in place.
				for _, p := range podNames(g, ns, engineSelector) {
					g.Expect(before).NotTo(ContainElement(p))
				}
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
		}},

		{"tightening the ConsentPolicy blocks personalization within seconds", func(t *testing.T) {
			g := NewWithT(t)
			// The policy no longer covers Proxy data for personalization: the Campaign, which reads
			// the postal code (a proxy), stops complying (ETH009).
			changed := time.Now()
			mustKubectl(t, "patch", "-n", ns, "consentpolicy", policyName, "--type=json", "-p",
				`[{"op":"replace","path":"/spec/purposes/0/dataClasses","value":["Behavioral","Preference","Contextual"]}]`)
			g.Eventually(func(g Gomega) {
				a, err := decide(url, grantedRequest(visitor))
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(a.Reason).To(Equal("Blocked"))
				g.Expect(a.Personalized).To(BeFalse())
				g.Expect(a.Content).To(HaveKeyWithValue("headline", "Spring collection"))
			}).WithTimeout(shortTimeout).WithPolling(250 * time.Millisecond).Should(Succeed())
			took := time.Since(changed)
			t.Logf("personalization stopped %s after the policy changed", took.Round(100*time.Millisecond))
			g.Expect(took).To(BeNumerically("<", 60*time.Second), "personalization must stop within seconds")

			g.Eventually(func(g Gomega) {
				c := campaign(g, ns, campaignName)
				g.Expect(c.Status.ObservedGeneration).To(Equal(c.Generation))
				g.Expect(c.Status.Phase).To(BeEquivalentTo("Blocked"))
				g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionCompliant)).To(Equal(metav1.ConditionFalse))
				g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionStalled)).To(Equal(metav1.ConditionTrue))
				g.Expect(c.Status.Findings).To(ContainElement(HaveField("Rule", "ETH009")))
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())

			// Restoring the policy brings personalization back.
			mustKubectl(t, "patch", "-n", ns, "consentpolicy", policyName, "--type=json", "-p",
				`[{"op":"replace","path":"/spec/purposes/0/dataClasses","value":["Behavioral","Preference","Contextual","Proxy"]}]`)
			g.Eventually(func(g Gomega) {
				a, err := decide(url, grantedRequest(visitor))
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(a.Reason).To(Equal("Matched"))
				expectCurrent(g, campaign(g, ns, campaignName))
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
		}},

		{"killing the manager pod mid-way loses nothing", func(t *testing.T) {
			g := NewWithT(t)
			leader := leaderPod(g)
			t.Logf("killing the leading manager pod %s", leader)
			keepLogs(leader)
			mustKubectl(t, "delete", "pod", "-n", systemNamespace, leader, "--grace-period=0", "--force")

			// While no manager leads, change the Campaign: two replicas and a new fallback.
			// The other replica still serves the webhook; retry while the Service drops the
			// killed pod's endpoint.
			g.Eventually(func() error {
				return kubectl("patch", "-n", ns, "campaign", campaignName, "--type=merge", "-p",
					`{"spec":{"engine":{"replicas":2},"fallback":{"content":{"headline":"Spring sale"}}}}`).asError()
			}).WithTimeout(shortTimeout).WithPolling(2 * poll).Should(Succeed())

			killed := time.Now()
			var newLeader string
			g.Eventually(func(g Gomega) {
				newLeader = leaderPod(g)
				g.Expect(newLeader).NotTo(Equal(leader), "a new leader took over")
				c := campaign(g, ns, campaignName)
				expectCurrent(g, c)
				g.Expect(c.Status.Engine.Replicas).To(BeEquivalentTo(2))
				g.Expect(c.Status.Engine.ReadyReplicas).To(BeEquivalentTo(2))
				d := deployment(g, ns, engineName)
				g.Expect(d.Spec.Replicas).To(HaveValue(BeEquivalentTo(2)))
				a, err := decide(url, deniedRequest(visitor))
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(a.Content).To(HaveKeyWithValue("headline", "Spring sale"))
			}).WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
			t.Logf("%s took over and converged the edit made while nobody led, %s after the kill",
				newLeader, time.Since(killed).Round(time.Second))
			// The Deployment brings the manager back to full strength.
			mustKubectl(t, "-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment, "--timeout=5m")
		}},

		{"deleting the Campaign garbage-collects its Deployment, Service and ConfigMap", func(t *testing.T) {
			g := NewWithT(t)
			children := []string{"deployment/" + engineName, "service/" + engineName, "configmap/" + engineName}
			// The kube-controller-manager's garbage collector follows controller references.
			for _, child := range children {
				var obj struct {
					Metadata metav1.ObjectMeta `json:"metadata"`
				}
				g.Expect(getJSON(ns, child, &obj)).To(Succeed())
				g.Expect(obj.Metadata.OwnerReferences).To(ContainElement(And(
					HaveField("Kind", "Campaign"), HaveField("Name", campaignName),
					HaveField("Controller", HaveValue(BeTrue())))), child)
			}
			mustKubectl(t, "delete", "-n", ns, "campaign", campaignName, "--timeout=2m")
			g.Eventually(func(g Gomega) {
				for _, child := range children {
					g.Expect(notFound(ns, child)).To(BeTrue(), "%s still exists", child)
				}
				g.Expect(podNames(g, ns, engineSelector)).To(BeEmpty())
			}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow() // later steps build on this one
		}
	}
}

// leaderPod is the manager pod holding the leader-election Lease (holderIdentity is
// "<pod>_<uuid>"), and exists.
func leaderPod(g Gomega) string {
	var l coordinationv1.Lease
	g.Expect(getJSON(systemNamespace, "lease/"+leaseName, &l)).To(Succeed())
	g.Expect(l.Spec.HolderIdentity).NotTo(BeNil())
	pod, _, _ := strings.Cut(*l.Spec.HolderIdentity, "_")
	var p corev1.Pod
	g.Expect(getJSON(systemNamespace, "pod/"+pod, &p)).To(Succeed())
	return pod
}

// keepLogs saves a pod's logs before it is killed (the kubelet removes them with the pod).
func keepLogs(pod string) {
	r := kubectl("logs", "-n", systemNamespace, pod, "--all-containers", "--timestamps")
	_ = os.WriteFile(filepath.Join(logsDir, "killed-"+pod+".log"), []byte(r.stdout+r.stderr), 0o644)
}

// asError is nil when kubectl succeeded.
func (r result) asError() error {
	if r.err != nil {
		return r
	}
	return nil
}
