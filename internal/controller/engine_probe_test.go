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

package controller

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
	"github.com/ethos-operator/ethos/internal/resources"
)

// testEngine is a real decision engine's ops port (internal/engine/server) on loopback,
// serving the document file the test writes.
type testEngine struct {
	store *server.Store
	path  string
	port  int32
}

func startTestEngine(t *testing.T) *testEngine {
	t.Helper()
	path := filepath.Join(t.TempDir(), document.FileName)
	log := slog.New(slog.DiscardHandler)
	store := server.NewStore(path, log)
	srv := server.NewServer(store, server.NewMetrics(), log, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.OpsHandler(), ReadHeaderTimeout: time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return &testEngine{store: store, path: path, port: int32(ln.Addr().(*net.TCPAddr).Port)}
}

// load writes data as the engine's document file and has the engine reload it, as its
// poll of the mounted ConfigMap does.
func (e *testEngine) load(t *testing.T, data []byte) {
	t.Helper()
	if err := os.WriteFile(e.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _ = e.store.Reload() // the error is the document's: the engine reports it in /readyz
}

// countingProber counts the pods asked.
type countingProber struct {
	inner EngineProber
	n     atomic.Int64
}

func (p *countingProber) Probe(ctx context.Context, pod *corev1.Pod) (wire.Readiness, error) {
	p.n.Add(1)
	return p.inner.Probe(ctx, pod)
}

// createEnginePod plays the Deployment controller and kubelet envtest lacks: an engine pod of
// the Campaign whose ops port is the test engine's, ready on 127.0.0.1.
func createEnginePod(t *testing.T, g Gomega, c *ethosv1alpha1.Campaign, name string, opsPort int32) {
	t.Helper()
	ctx := context.Background()
	// The ServiceAccount admission plugin wants the namespace's default ServiceAccount, which
	// envtest's missing controller-manager never creates.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: "default"}}
	_ = k8s.Create(ctx, sa)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: name, Labels: resources.Labels(c)},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr.To(false),
			Containers: []corev1.Container{{
				Name: resources.ContainerName, Image: testImage,
				Ports: []corev1.ContainerPort{
					{Name: resources.HTTPPortName, ContainerPort: resources.HTTPPort},
					{Name: resources.HealthPortName, ContainerPort: opsPort},
				},
			}},
		},
	}
	g.Expect(k8s.Create(ctx, pod)).To(Succeed())
	pod.Status = corev1.PodStatus{
		Phase: corev1.PodRunning, PodIP: "127.0.0.1", PodIPs: []corev1.PodIP{{IP: "127.0.0.1"}},
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
	}
	g.Expect(k8s.Status().Update(ctx, pod)).To(Succeed())
	// The reconciler lists pods from the manager's cache: wait until it holds this one ready.
	g.Eventually(func(g Gomega) {
		got := &corev1.Pod{}
		g.Expect(cached.Get(ctx, types.NamespacedName{Namespace: c.Namespace, Name: name}, got)).To(Succeed())
		g.Expect(podReady(got)).To(BeTrue())
	}, timeout, poll).Should(Succeed())
}

// TestEngineDocumentSurfaced: the Campaign controller asks each ready engine pod which
// document it serves (the real engine's /readyz on loopback, through the pod's named ops
// port) and surfaces a mismatch (issue 19): an engine that cannot read the current document
// and keeps answering from its last good one is EngineStale; one that fails closed on a
// FallbackOnly document of a version it does not read is DocumentRejected; both make
// EngineAvailable and Ready False while the Deployment is available, and requeue. Once the
// engine serves the document as written it is True, and later reconciles ask no pod and
// write nothing.
//
// The reconciler under test has a Prober and is driven by direct Reconcile calls; the
// suite's manager (no Prober) settles the Campaign first and then has no event to react to.
func TestEngineDocumentSurfaced(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())
	c := settle(t, ns, ethosv1alpha1.PhaseActive)
	current, hash := engineDocument(g, ns, c.Name)
	g.Expect(current.Mode).To(Equal(document.ModePersonalize))
	cm := &corev1.ConfigMap{}
	get(g, ns, c.EngineName(), cm)
	currentData := []byte(cm.Data[document.FileName])

	engine := startTestEngine(t)
	createEnginePod(t, g, c, c.EngineName()+"-7d9f-abcde", engine.port)
	prober := &countingProber{inner: NewHTTPProber()}
	r := &CampaignReconciler{Client: campaigns.Client, APIReader: campaigns.APIReader, Options: campaigns.Options, Prober: prober}
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: c.Name}}

	// An older good document, then the current one in a newer version the engine does not
	// read: Personalize (the engine keeps its last good document: Stale), then FallbackOnly.
	older, err := document.Marshal(compile.Document(enginetest.Campaign(), enginetest.Policy(), true))
	g.Expect(err).NotTo(HaveOccurred())
	newer := rewrite(g, currentData, map[string]any{"apiVersion": "decision.ethos.dev/v9"})
	newerBlocked := rewrite(g, currentData, map[string]any{"apiVersion": "decision.ethos.dev/v9", "mode": "FallbackOnly", "reason": "Blocked"})
	unsupported := `unsupported apiVersion "decision.ethos.dev/v9", this engine reads "` + document.APIVersion + `"`

	steps := []struct {
		name       string
		load       [][]byte
		wantStatus metav1.ConditionStatus
		wantReason string
		wantState  ethosv1alpha1.EngineDocumentState
		wantServed string
		wantMsg    []string
	}{
		{"stale: the last good document keeps serving", [][]byte{older, newer}, metav1.ConditionFalse,
			ethosv1alpha1.ReasonEngineStale, ethosv1alpha1.EngineDocumentStale, document.Hash(older),
			[]string{"1 of 1 engine pods do not serve the current decision document", "cannot read decision document " + hash, unsupported}},
		{"failed closed on a FallbackOnly document it cannot fully read", [][]byte{newerBlocked}, metav1.ConditionFalse,
			ethosv1alpha1.ReasonDocumentRejected, ethosv1alpha1.EngineDocumentFailedClosed, document.Hash(newerBlocked),
			[]string{"rejected decision document " + hash + " and answers only the fallback", unsupported}},
		{"fixed: the engine serves the current document", [][]byte{currentData}, metav1.ConditionTrue,
			ethosv1alpha1.ReasonDeploymentAvailable, ethosv1alpha1.EngineDocumentCurrent, hash,
			[]string{"1 of 1 engine replicas are updated and available"}},
	}
	for _, step := range steps {
		for _, data := range step.load {
			engine.load(t, data)
		}
		asked := prober.n.Load()
		res, err := r.Reconcile(ctx, req)
		g.Expect(err).NotTo(HaveOccurred(), step.name)
		g.Expect(prober.n.Load()).To(Equal(asked+1), step.name)
		if step.wantState == ethosv1alpha1.EngineDocumentCurrent {
			g.Expect(res.RequeueAfter).To(BeZero(), step.name)
		} else {
			g.Expect(res.RequeueAfter).To(BeNumerically(">=", probeBackoffBase), step.name)
		}
		got := &ethosv1alpha1.Campaign{}
		get(g, ns, c.Name, got)
		cond := meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionEngineAvailable)
		g.Expect(cond).NotTo(BeNil(), step.name)
		g.Expect(cond.Status).To(Equal(step.wantStatus), step.name)
		g.Expect(cond.Reason).To(Equal(step.wantReason), step.name)
		for _, m := range step.wantMsg {
			g.Expect(cond.Message).To(ContainSubstring(m), step.name)
		}
		g.Expect(got.Status.Engine).NotTo(BeNil())
		g.Expect(got.Status.Engine.ConfigHash).To(Equal(hash), step.name)
		g.Expect(got.Status.Engine.DocumentState).To(Equal(step.wantState), step.name)
		g.Expect(got.Status.Engine.ServedConfigHash).To(Equal(step.wantServed), step.name)
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, ethosv1alpha1.ConditionReady)).To(Equal(step.wantStatus == metav1.ConditionTrue), step.name)
	}

	// Converged: further reconciles (a resync) ask no pod and write nothing.
	asked, wrote := prober.n.Load(), writes.Load()
	for range 3 {
		res, err := r.Reconcile(ctx, req)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res.RequeueAfter).To(BeZero())
	}
	g.Expect(prober.n.Load()).To(Equal(asked))
	g.Expect(writes.Load()).To(Equal(wrote))
}

// rewrite returns the JSON document data with the top-level fields set.
func rewrite(g Gomega, data []byte, set map[string]any) []byte {
	var doc map[string]any
	g.Expect(json.Unmarshal(data, &doc)).To(Succeed())
	maps.Copy(doc, set)
	out, err := json.Marshal(doc)
	g.Expect(err).NotTo(HaveOccurred())
	return out
}

// TestProbeBackoff: probes of a Campaign that has not converged back off from
// probeBackoffBase to probeBackoffMax; a new document starts over; convergence stops them.
func TestProbeBackoff(t *testing.T) {
	g := NewWithT(t)
	var p engineProbes
	name := types.NamespacedName{Namespace: "shop", Name: "spring"}
	key := probeKey{uid: "u", configHash: "a", generation: 1}
	var got []time.Duration
	for range 9 {
		got = append(got, p.record(name, key, false))
	}
	g.Expect(got).To(Equal([]time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
		32 * time.Second, 64 * time.Second, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute}))
	g.Expect(p.converged(name, key)).To(BeFalse())
	next := probeKey{uid: "u", configHash: "b", generation: 2}
	g.Expect(p.record(name, next, false)).To(Equal(2 * time.Second))
	g.Expect(p.record(name, next, true)).To(BeZero())
	g.Expect(p.converged(name, next)).To(BeTrue())
	g.Expect(p.converged(name, key)).To(BeFalse())
	p.forget(name)
	g.Expect(p.converged(name, next)).To(BeFalse())
}
