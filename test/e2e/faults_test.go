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
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
)

// The fault scenarios of issue 17 on the local node (`make test-faults`; docs/reliability.md).
// Each runs in a namespace of its own with the eu-web policy and the spring-running Campaign
// under a steady decision load (faultLoad), breaks one thing, and prints one summary line of
// counts. Every scenario asserts that no answer broke consent and that everything converges
// without a human.

// TestFaultManagerKilled: the leading manager is SIGKILLed while 50 Campaigns are being created
// and 20 of them edited; after its restart every Campaign converges to the configHash of its
// current spec, with exactly one set of engine objects each and none stuck.
func TestFaultManagerKilled(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-manager-kill")
	url := faultSetup(t, ns, campaignName, 1)
	load := startFaultLoad(t, url)
	restartsBefore := managerRestarts(g)

	const created, edited, killAfter = 50, 20, 15
	names, bodies := make([]string, created), make([]string, created)
	edits := map[string]string{}
	for i := range created {
		names[i] = fmt.Sprintf("churn-%02d", i)
		bodies[i] = faultCampaign(t, names[i], 0, "") // built here: t.Fatal only from the test's goroutine
		if i < edited {
			edits[names[i]] = "Edited " + names[i]
		}
	}
	var refused, done atomic.Int64
	errs := make(chan error, 2)
	exists := make(chan string, created)
	var wg sync.WaitGroup
	wg.Go(func() { // creations, one after the other, as a GitOps tool applies a directory
		defer close(exists)
		for i, n := range names {
			if err := retryWrite(&refused, func() result {
				return kubectlStdin(bodies[i], "apply", "-n", ns, "-f", "-")
			}); err != nil {
				errs <- err
				return
			}
			done.Add(1)
			exists <- n
		}
	})
	wg.Go(func() { // edits of the first 20, each as soon as it exists
		for n := range exists {
			if h := edits[n]; h != "" {
				if err := retryWrite(&refused, func() result {
					return kubectl("patch", "-n", ns, "campaign", n, "--type=json", "-p", editHeadline(h))
				}); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	g.Eventually(done.Load).WithTimeout(shortTimeout).WithPolling(100 * time.Millisecond).Should(BeNumerically(">=", killAfter))
	leader := leaderPod(g)
	keepLogs(leader)
	how := sigkillContainer(t, systemNamespace, leader, "manager")
	killed := time.Now()
	t.Logf("%s the leading manager %s after %d of %d Campaigns were created", how, leader, done.Load(), created)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	writesDone := time.Since(killed)

	all := append([]string{campaignName}, names...)
	g.Eventually(func(g Gomega) { expectConverged(g, ns, all, edits) }).
		WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
	converged := time.Since(killed)
	if r := kubectlTimeout(6*time.Minute, "-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment, "--timeout=5m"); r.err != nil {
		t.Fatal(r)
	}
	restarts := managerRestarts(g) - restartsBefore
	if how == "sigkill" && restarts < 1 {
		t.Errorf("the killed manager container was not restarted (restarts %d)", restarts)
	}
	load.summarize(t, "manager-killed",
		faultFigure{"kill", how}, faultFigure{"campaigns", created + 1}, faultFigure{"edited", edited},
		faultFigure{"refusedWrites", refused.Load()}, faultFigure{"writesDoneAfterKill", writesDone},
		faultFigure{"convergedAfterKill", converged}, faultFigure{"managerRestarts", restarts})
	load.expectNoFailures(t)
}

// TestFaultEnginePodsKilled: with two engine replicas and their PodDisruptionBudget, an engine
// pod is evicted every five seconds under load (graceful: the preStop delay lets the Service
// drop the pod before it stops), then SIGKILLed (a crash: no delay at all); both failure counts
// are reported, and no answer breaks consent.
func TestFaultEnginePodsKilled(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-engine-kill")
	url := faultSetup(t, ns, campaignName, 2)
	mustKubectl(t, "get", "-n", ns, "poddisruptionbudget", engineName)

	const rounds, every = 8, 5 * time.Second
	ready := func(g Gomega) {
		c := campaign(g, ns, campaignName)
		expectCurrent(g, c)
		g.Expect(enginePods(g, ns, campaignName)).To(HaveLen(2))
	}

	load := startFaultLoad(t, url)
	start := time.Now()
	evicted, budgetRefused := 0, 0
	for range rounds {
		time.Sleep(every)
		pods := enginePods(g, ns, campaignName)
		if len(pods) == 0 {
			budgetRefused++
			continue
		}
		pod := pods[0].Name
		eviction := fmt.Sprintf(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":%q,"namespace":%q}}`, pod, ns)
		r := kubectlStdin(eviction, "create", "--raw", "/api/v1/namespaces/"+ns+"/pods/"+pod+"/eviction", "-f", "-")
		switch {
		case r.err == nil:
			evicted++
		case strings.Contains(r.stderr, "disruption budget"), strings.Contains(r.stderr, "TooManyRequests"):
			budgetRefused++ // the PDB keeps one pod serving: the eviction waits for the next round
		default:
			t.Fatal(r)
		}
	}
	g.Eventually(ready).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	load.summarize(t, "engine-pods-evicted", faultFigure{"evicted", evicted}, faultFigure{"refusedByPDB", budgetRefused},
		faultFigure{"every", every}, faultFigure{"wall", time.Since(start)})
	if evicted == 0 {
		t.Errorf("no engine pod was evicted in %d rounds", rounds)
	}

	crash := startFaultLoad(t, url)
	start = time.Now()
	killed := 0
	for range rounds / 2 {
		time.Sleep(every)
		g.Eventually(ready).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
		pods := enginePods(g, ns, campaignName)
		if sigkillContainer(t, ns, pods[0].Name, "decision-engine") == "sigkill" {
			killed++
		}
	}
	g.Eventually(ready).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	crash.summarize(t, "engine-pods-sigkilled", faultFigure{"sigkilled", killed}, faultFigure{"wall", time.Since(start)})
}

// TestFaultAPIServerRestarted: ten Campaigns are edited, one a second, while the kube-apiserver
// restarts (stopped with SIGTERM, started again: cluster.sh restart), so reconciles run into the
// shutdown and edits wait for its return; the controllers recover by themselves (watches
// re-established, leader election held or retaken, a manager that lost its Lease restarted by its
// Deployment) and every edit converges, as does a second round made once the manager is whole.
// The engines never needed the API server, so no decision fails.
func TestFaultAPIServerRestarted(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-apiserver")
	url := faultSetup(t, ns, campaignName, 1)
	names := createChurn(t, ns, "reconcile", 10)
	all := append([]string{campaignName}, names...)
	g.Eventually(func(g Gomega) { expectConverged(g, ns, all, nil) }).
		WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
	restartsBefore := managerRestarts(g)

	load := startFaultLoad(t, url)
	edits := map[string]string{}
	var refused atomic.Int64
	var down time.Duration
	var wg sync.WaitGroup
	wg.Go(func() { down = restartComponent(t, "kube-apiserver") })
	start := time.Now()
	for _, n := range names {
		edits[n] = "Edited " + n
		if err := retryWrite(&refused, func() result {
			return kubectl("patch", "-n", ns, "campaign", n, "--type=json", "-p", editHeadline(edits[n]))
		}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	wg.Wait()
	g.Eventually(func(g Gomega) { expectConverged(g, ns, all, edits) }).
		WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
	firstRound := time.Since(start)

	waitForManager(t)
	for _, n := range names {
		edits[n] = "Edited again " + n
		if err := retryWrite(&refused, func() result {
			return kubectl("patch", "-n", ns, "campaign", n, "--type=json", "-p", editHeadline(edits[n]))
		}); err != nil {
			t.Fatal(err)
		}
	}
	g.Eventually(func(g Gomega) { expectConverged(g, ns, all, edits) }).
		WithTimeout(settleTimeout).WithPolling(2 * poll).Should(Succeed())
	load.summarize(t, "apiserver-restarted", faultFigure{"apiserverRestart", down},
		faultFigure{"refusedWrites", refused.Load()}, faultFigure{"editsConvergedAfterRestartBegan", firstRound},
		faultFigure{"wholeAgainAfter", time.Since(start)}, faultFigure{"managerRestarts", managerRestarts(g) - restartsBefore})
	load.expectNoFailures(t)
}

// TestFaultManagerDown: with the manager scaled to zero its webhook has no endpoint, so writes
// of Campaigns and ConsentPolicies are refused (fail closed) with a message naming the webhook,
// while writes of every other group pass and the engines keep serving. Scaled back, the refused
// write goes through and converges.
func TestFaultManagerDown(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-manager-down")
	url := faultSetup(t, ns, campaignName, 1)
	load := startFaultLoad(t, url)
	restoreManager(t)

	start := time.Now()
	scaleManager(t, 0)
	scaledDown := time.Since(start)

	refusedWrites := 0
	refused := func(webhook string, r result) {
		t.Helper()
		g.Expect(r.err).To(HaveOccurred(), "kubectl %s was admitted with no webhook to check it", strings.Join(r.args, " "))
		g.Expect(r.stderr).To(ContainSubstring(`failed calling webhook "` + webhook + `"`))
		g.Expect(r.stderr).To(Or(ContainSubstring("no endpoints available"), ContainSubstring("connection refused"),
			ContainSubstring("context deadline exceeded")))
		t.Logf("refused as expected: %s", strings.TrimSpace(r.stderr))
		refusedWrites++
	}
	const campaignHook, policyHook = "vcampaign.personalization.ethos.dev", "vconsentpolicy.personalization.ethos.dev"
	newCampaign := faultCampaign(t, "while-down", 0, "")
	refused(campaignHook, kubectlStdin(newCampaign, "apply", "-n", ns, "-f", "-"))
	refused(campaignHook, kubectl("patch", "-n", ns, "campaign", campaignName, "--type=json", "-p", editHeadline("Edited while down")))
	refused(policyHook, kubectl("create", "-n", ns, "-f", sample("02-consentpolicy-us-ca.yaml")))
	refused(policyHook, kubectl("patch", "-n", ns, "consentpolicy", policyName, "--type=merge", "-p",
		`{"spec":{"frequencyCap":{"maxImpressions":4,"per":"24h"}}}`))

	// Every other group: core and apps objects are created, changed and deleted as usual.
	otherWrites := [][]string{
		{"create", "-n", ns, "configmap", "fault-other", "--from-literal=k=v"},
		{"patch", "-n", ns, "configmap", "fault-other", "--type=merge", "-p", `{"data":{"k":"w"}}`},
		{"create", "-n", ns, "deployment", "fault-other", "--image=" + envOr("E2E_IMG", "ghcr.io/ethos-operator/ethos:dev"), "--replicas=0"},
		{"scale", "-n", ns, "deployment/fault-other", "--replicas=0"},
		{"delete", "-n", ns, "deployment", "fault-other"},
		{"delete", "-n", ns, "configmap", "fault-other"},
	}
	for _, w := range otherWrites {
		mustKubectl(t, w...)
	}
	// The engine kept serving throughout, personalized for those who consented.
	expectPersonalizes(g, url)

	start = time.Now()
	scaleManager(t, 2)
	var refusedAgain atomic.Int64
	if err := retryWrite(&refusedAgain, func() result { return kubectlStdin(newCampaign, "apply", "-n", ns, "-f", "-") }); err != nil {
		t.Fatal(err)
	}
	writable := time.Since(start)
	g.Eventually(func(g Gomega) { expectConverged(g, ns, []string{campaignName, "while-down"}, nil) }).
		WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	load.summarize(t, "manager-down", faultFigure{"scaleDown", scaledDown}, faultFigure{"refusedEthosWrites", refusedWrites},
		faultFigure{"otherGroupWrites", len(otherWrites)}, faultFigure{"writableAfterScaleUp", writable})
	load.expectNoFailures(t)
}

// TestFaultPolicyDeletedAndRecreated: deleting a ConsentPolicy that two Campaigns use waits on
// its finalizer (the Campaigns keep their policy); when the finalizer is removed by hand and the
// policy disappears, both engines stop personalizing (FallbackOnly, reason Blocked) and none
// personalizes until the policy is re-created, after which everything converges again.
func TestFaultPolicyDeletedAndRecreated(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-policy")
	const second = "autumn-running"
	url := faultSetup(t, ns, campaignName, 1)
	url2 := faultSetup(t, ns, second, 1)
	load := startFaultLoad(t, url, url2)
	bound := []string{campaignName, second}

	// 1. Deletion waits: the policy stays, says why, and the Campaigns stay Active.
	mustKubectl(t, "delete", "-n", ns, "consentpolicy", policyName, "--wait=false")
	g.Eventually(func(g Gomega) {
		var p ethosv1alpha1.ConsentPolicy
		g.Expect(getJSON(ns, "consentpolicy/"+policyName, &p)).To(Succeed())
		g.Expect(p.DeletionTimestamp).NotTo(BeNil())
		g.Expect(p.Finalizers).To(ContainElement(ethosv1alpha1.ConsentPolicyFinalizer))
		g.Expect(p.Status.Conditions).To(ContainElement(And(
			HaveField("Reason", ethosv1alpha1.ReasonInUse), HaveField("Message", ContainSubstring(campaignName)))))
		for _, n := range bound {
			c := campaign(g, ns, n)
			expectCurrent(g, c)
			g.Expect(c.Status.Phase).To(BeEquivalentTo("Active"))
		}
		expectPersonalizes(g, url)
		expectPersonalizes(g, url2)
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())

	// 2. The finalizer removed by hand: the policy goes, and personalization stops.
	mustKubectl(t, "patch", "-n", ns, "consentpolicy", policyName, "--type=json", "-p",
		`[{"op":"remove","path":"/metadata/finalizers"}]`)
	gone := time.Now()
	g.Eventually(func() bool { return notFound(ns, "consentpolicy/"+policyName) }).
		WithTimeout(shortTimeout).WithPolling(poll).Should(BeTrue())
	g.Eventually(func(g Gomega) {
		for _, n := range bound {
			c := campaign(g, ns, n)
			g.Expect(c.Status.Phase).To(BeEquivalentTo("Pending"))
			g.Expect(condition(c.Status.Conditions, ethosv1alpha1.ConditionConsentPolicyResolved)).To(Equal(metav1.ConditionFalse))
			d := deployment(g, ns, c.EngineName())
			g.Expect(d.Spec.Template.Annotations).To(HaveKeyWithValue(configHashKey, c.Status.Engine.ConfigHash))
			g.Expect(d.Status.ObservedGeneration).To(Equal(d.Generation))
			g.Expect(d.Status.UpdatedReplicas).To(Equal(d.Status.Replicas))
			g.Expect(d.Status.AvailableReplicas).To(Equal(d.Status.Replicas))
		}
		expectAllFallback(g, url, "Blocked", 20)
		expectAllFallback(g, url2, "Blocked", 20)
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	stopped := time.Since(gone)
	// From here to the re-creation, no answer may be personalized: the load runs 300 more
	// requests and the count of personalized answers must not move.
	before, sent := load.personalized.Load(), load.sent.Load()
	g.Eventually(load.sent.Load).WithTimeout(shortTimeout).WithPolling(poll).Should(BeNumerically(">=", sent+300))
	withoutPolicy := load.personalized.Load() - before
	if withoutPolicy != 0 {
		t.Errorf("%d answers were personalized while the Campaigns had no ConsentPolicy", withoutPolicy)
	}
	// Blocked engines still roll out and stay available; their pods serve the fallback document.
	for _, n := range bound {
		g.Expect(enginePods(g, ns, n)).NotTo(BeEmpty())
	}

	// 3. Re-created: the finalizer is back, both Campaigns bound and personalizing again.
	recreate := time.Now()
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
	g.Eventually(func(g Gomega) {
		expectConverged(g, ns, bound, nil)
		var p ethosv1alpha1.ConsentPolicy
		g.Expect(getJSON(ns, "consentpolicy/"+policyName, &p)).To(Succeed())
		g.Expect(p.Finalizers).To(ContainElement(ethosv1alpha1.ConsentPolicyFinalizer))
		g.Expect(p.Status.BoundCampaigns).To(BeEquivalentTo(2))
		expectPersonalizes(g, url)
		expectPersonalizes(g, url2)
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	load.summarize(t, "policy-deleted-recreated", faultFigure{"personalizationStoppedAfter", stopped},
		faultFigure{"personalizedWithoutPolicy", withoutPolicy}, faultFigure{"convergedAfterRecreate", time.Since(recreate)})
}

// corruptDocument is what the hand edit writes into the engine's ConfigMap: a truncated
// decision document, which no engine can parse.
const corruptDocument = `{"schemaVersion":1,"mode":"Personalize","campaign":"fault/corrupt","experien`

// TestFaultCorruptDocument: a hand edit corrupts the decision document in an engine ConfigMap.
// With the manager running, the drift is undone at once. With the manager down, the engines see
// the corrupt file: they keep their last good document's fallback (FailedClosed, never
// personalizing on a file they cannot read), say so in /readyz and the
// ethos_engine_document_state metric, and keep answering; the manager, back, restores the
// ConfigMap, reports the rejection in an Event, and the engines serve the document again.
func TestFaultCorruptDocument(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "fault-corrupt")
	url := faultSetup(t, ns, campaignName, 2)
	load := startFaultLoad(t, url)
	restoreManager(t)
	good := campaign(g, ns, campaignName).Status.Engine.ConfigHash
	corrupt := func() {
		t.Helper()
		patch, _ := json.Marshal(map[string]any{"data": map[string]string{document.FileName: corruptDocument}})
		mustKubectl(t, "patch", "-n", ns, "configmap", engineName, "--type=merge", "-p", string(patch))
	}
	restored := func(g Gomega) {
		var cm corev1.ConfigMap
		g.Expect(getJSON(ns, "configmap/"+engineName, &cm)).To(Succeed())
		g.Expect(document.Hash([]byte(cm.Data[document.FileName]))).To(Equal(good))
	}
	serving := func(g Gomega) {
		pods := enginePods(g, ns, campaignName)
		g.Expect(pods).To(HaveLen(2))
		for i := range pods {
			r, current := engineReadiness(g, &pods[i], "Current")
			g.Expect(r.State).To(Equal("Current"), "pod %s", pods[i].Name)
			g.Expect(r.ServedConfigHash).To(Equal(good), "pod %s", pods[i].Name)
			g.Expect(current).To(Equal("1"), "pod %s ethos_engine_document_state{state=Current}", pods[i].Name)
		}
		expectCurrent(g, campaign(g, ns, campaignName))
	}

	// 1. The manager running: the controller undoes the edit.
	start := time.Now()
	corrupt()
	g.Eventually(restored).WithTimeout(shortTimeout).WithPolling(100 * time.Millisecond).Should(Succeed())
	undone := time.Since(start)
	g.Eventually(serving).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())

	// 2. The manager down: the engines see the corrupt file and fail closed on their last good
	// document's fallback, still answering.
	scaleManager(t, 0)
	start = time.Now()
	corrupt()
	g.Eventually(func(g Gomega) {
		pods := enginePods(g, ns, campaignName)
		g.Expect(pods).To(HaveLen(2))
		for i := range pods {
			r, failed := engineReadiness(g, &pods[i], "FailedClosed")
			g.Expect(r.State).To(Equal("FailedClosed"), "pod %s", pods[i].Name)
			g.Expect(r.Error).NotTo(BeEmpty())
			g.Expect(failed).To(Equal("1"), "pod %s ethos_engine_document_state{state=FailedClosed}", pods[i].Name)
		}
		expectAllFallback(g, url, "Blocked", 10)
	}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
	seen := time.Since(start)

	// 3. The manager back: the ConfigMap is restored, the rejection reported, the document served.
	start = time.Now()
	scaleManager(t, 2)
	g.Eventually(restored).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())
	g.Eventually(serving).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	recovered := time.Since(start)
	var events corev1.EventList
	g.Expect(getJSON(ns, "events", &events)).To(Succeed())
	var reported []string
	for _, e := range events.Items {
		if e.InvolvedObject.Kind == "Campaign" && e.InvolvedObject.Name == campaignName &&
			strings.Contains(e.Message, "rejected decision document") {
			reported = append(reported, e.Reason+": "+e.Message)
		}
	}
	g.Expect(reported).NotTo(BeEmpty(), "an Event on the Campaign reports the rejected document")
	t.Logf("Events: %s", strings.Join(reported, "\n"))
	load.summarize(t, "corrupt-document", faultFigure{"driftUndone", undone}, faultFigure{"enginesFailedClosedAfter", seen},
		faultFigure{"recoveredAfterManagerBack", recovered}, faultFigure{"events", len(reported)})
	load.expectNoFailures(t)
}
