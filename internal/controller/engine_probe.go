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
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/resources"
)

// EngineProber asks one engine pod which decision document it serves: its /readyz as
// wire.Readiness (docs/decision-engine.md, "Fail-closed reloads").
type EngineProber interface {
	Probe(ctx context.Context, pod *corev1.Pod) (wire.Readiness, error)
}

// ProbeTimeout bounds one probe of one pod: /readyz answers from memory.
const ProbeTimeout = 2 * time.Second

// maxReadinessBody is the most of a /readyz body read; the engine's is well under 4 KiB.
const maxReadinessBody = 64 << 10

// HTTPProber probes GET /readyz on the pod IP and the engine container's named ops port
// (resources.HealthPortName), with Accept: application/json.
type HTTPProber struct {
	client *http.Client
}

// NewHTTPProber returns a prober that never uses a proxy (pod IPs are in-cluster) and never
// follows redirects.
func NewHTTPProber() *HTTPProber {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	return &HTTPProber{client: &http.Client{
		Transport: transport,
		Timeout:   ProbeTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Probe reads the pod's Readiness. A 503 with a Readiness body (not loaded, shutting down)
// is an answer, not an error.
func (p *HTTPProber) Probe(ctx context.Context, pod *corev1.Pod) (wire.Readiness, error) {
	url := "http://" + net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(int(opsPort(pod)))) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return wire.Readiness{}, err
	}
	req.Header.Set("Accept", wire.ReadinessContentType)
	resp, err := p.client.Do(req)
	if err != nil {
		return wire.Readiness{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReadinessBody))
	if err != nil {
		return wire.Readiness{}, fmt.Errorf("failed to read %s: %w", url, err)
	}
	var r wire.Readiness
	if err := json.Unmarshal(body, &r); err != nil || r.State == "" {
		// An engine older than this manager answers text; say so rather than guess.
		return wire.Readiness{}, fmt.Errorf("%s answered %d without a readiness object (an engine image older than the manager?)",
			url, resp.StatusCode)
	}
	return r, nil
}

// opsPort is the engine container's port named resources.HealthPortName, else HealthPort.
func opsPort(pod *corev1.Pod) int32 {
	for _, c := range pod.Spec.Containers {
		if c.Name != resources.ContainerName {
			continue
		}
		for _, p := range c.Ports {
			if p.Name == resources.HealthPortName {
				return p.ContainerPort
			}
		}
	}
	return resources.HealthPort
}

// engineDocuments is what the engine pods said about the decision document: the worst pod's
// state, the configHash it serves, and the EngineAvailable reason and message when that is
// not Current.
type engineDocuments struct {
	state   ethosv1alpha1.EngineDocumentState
	served  string
	reason  string
	message string
}

// documentRank orders the states from best to worst; the worst pod speaks for the engine.
var documentRank = map[ethosv1alpha1.EngineDocumentState]int{
	ethosv1alpha1.EngineDocumentCurrent:      0,
	ethosv1alpha1.EngineDocumentStale:        1,
	ethosv1alpha1.EngineDocumentUnknown:      2,
	ethosv1alpha1.EngineDocumentNotLoaded:    3,
	ethosv1alpha1.EngineDocumentFailedClosed: 4,
}

// maxEngineError bounds the engine's error quoted in a condition message.
const maxEngineError = 512

// classify turns one pod's answer into an engineDocuments, against the expected configHash.
func classify(pod string, r wire.Readiness, err error, want string) engineDocuments {
	if err != nil {
		return engineDocuments{state: ethosv1alpha1.EngineDocumentUnknown, reason: ethosv1alpha1.ReasonEngineUnreachable,
			message: fmt.Sprintf("Engine pod %s did not say which decision document it serves: %s; retrying", pod, truncate(err.Error(), maxEngineError))}
	}
	state := ethosv1alpha1.EngineDocumentState(r.State)
	why := truncate(r.Error, maxEngineError)
	switch {
	case state == ethosv1alpha1.EngineDocumentCurrent && r.ServedConfigHash == want:
		return engineDocuments{state: state, served: r.ServedConfigHash}
	case state == ethosv1alpha1.EngineDocumentCurrent:
		return engineDocuments{state: ethosv1alpha1.EngineDocumentStale, served: r.ServedConfigHash, reason: ethosv1alpha1.ReasonEngineStale,
			message: fmt.Sprintf("Engine pod %s serves decision document %s, not the current %s; waiting for it to reload", pod, r.ServedConfigHash, want)}
	case state == ethosv1alpha1.EngineDocumentStale:
		return engineDocuments{state: state, served: r.ServedConfigHash, reason: ethosv1alpha1.ReasonEngineStale,
			message: fmt.Sprintf("Engine pod %s cannot read decision document %s and still answers from %s (%s); "+
				"upgrade the engine image to one that reads it", pod, want, r.ServedConfigHash, why)}
	case state == ethosv1alpha1.EngineDocumentFailedClosed:
		return engineDocuments{state: state, served: r.ServedConfigHash, reason: ethosv1alpha1.ReasonDocumentRejected,
			message: fmt.Sprintf("Engine pod %s rejected decision document %s and answers only the fallback (%s); "+
				"upgrade the engine image to one that reads it", pod, want, why)}
	case state == ethosv1alpha1.EngineDocumentNotLoaded:
		return engineDocuments{state: state, reason: ethosv1alpha1.ReasonDocumentRejected,
			message: fmt.Sprintf("Engine pod %s has no decision document loaded (%s)", pod, why)}
	default:
		return engineDocuments{state: ethosv1alpha1.EngineDocumentUnknown, served: r.ServedConfigHash, reason: ethosv1alpha1.ReasonEngineUnreachable,
			message: fmt.Sprintf("Engine pod %s reports state %q; retrying", pod, truncate(r.State, 64))}
	}
}

// probeablePods are the engine pods to ask: ready, with an IP, not terminating.
func probeablePods(pods []corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range pods {
		p := &pods[i]
		if p.DeletionTimestamp != nil || p.Status.PodIP == "" || !podReady(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// maxConcurrentProbes bounds the probes of one Campaign's pods at once.
const maxConcurrentProbes = 8

// probeEngines asks every probeable pod and returns the worst answer; Current only when
// every pod serves want as written.
func probeEngines(ctx context.Context, prober EngineProber, pods []*corev1.Pod, want string) engineDocuments {
	if len(pods) == 0 {
		return engineDocuments{state: ethosv1alpha1.EngineDocumentUnknown, reason: ethosv1alpha1.ReasonEngineUnreachable,
			message: "No ready engine pod to ask which decision document it serves yet; retrying"}
	}
	results := make([]engineDocuments, len(pods))
	sem := make(chan struct{}, maxConcurrentProbes)
	var wg sync.WaitGroup
	for i, pod := range pods {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
			defer cancel()
			r, err := prober.Probe(pctx, pod)
			results[i] = classify(pod.Name, r, err, want)
		})
	}
	wg.Wait()
	worst, bad := results[0], 0
	for _, r := range results {
		if r.state != ethosv1alpha1.EngineDocumentCurrent {
			bad++
		}
		if documentRank[r.state] > documentRank[worst.state] {
			worst = r
		}
	}
	if bad > 0 {
		worst.message = fmt.Sprintf("%d of %d engine pods do not serve the current decision document. %s", bad, len(results), worst.message)
	}
	return worst
}

// Probe backoff: the first retry after probeBackoffBase, doubling up to probeBackoffMax.
const (
	probeBackoffBase = 2 * time.Second
	probeBackoffMax  = 2 * time.Minute
)

// probeKey is what a convergence holds for: the Campaign, its document and its Deployment's
// generation (a new pod template, such as a new engine image, is asked again).
type probeKey struct {
	uid        types.UID
	configHash string
	generation int64
}

// probeRecord is one Campaign's probing: converged for key, or attempts made so far.
type probeRecord struct {
	key       probeKey
	converged bool
	attempts  int
}

// engineProbes remembers, per Campaign, whether its engines were seen serving the current
// document, so probing stops once they do: a resync of a converged Campaign asks no pod.
// The memory is the manager's own; after a restart every rolled-out Campaign is asked once.
type engineProbes struct {
	mu      sync.Mutex
	records map[types.NamespacedName]probeRecord
}

func (p *engineProbes) converged(name types.NamespacedName, key probeKey) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.records[name]
	return ok && r.converged && r.key == key
}

// record stores the outcome of a probe round and returns when to probe again (0: converged).
func (p *engineProbes) record(name types.NamespacedName, key probeKey, converged bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.records == nil {
		p.records = map[types.NamespacedName]probeRecord{}
	}
	r := p.records[name]
	if r.key != key {
		r = probeRecord{key: key}
	}
	r.converged = converged
	if converged {
		r.attempts = 0
		p.records[name] = r
		return 0
	}
	delay := probeBackoffMax
	if r.attempts < 10 {
		delay = min(probeBackoffBase<<r.attempts, probeBackoffMax)
	}
	r.attempts++
	p.records[name] = r
	return delay
}

func (p *engineProbes) forget(name types.NamespacedName) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.records, name)
}

// +kubebuilder:rbac:groups="",resources=pods,verbs=list;watch

// reconcileEngineDocuments asks the engine pods which document they serve, once the
// Deployment has rolled out and until every ready pod serves the current one as written;
// until then it requeues with backoff, and EngineAvailable says what they serve instead
// (DocumentRejected, EngineStale, EngineUnreachable). Without a Prober it does nothing.
func (r *CampaignReconciler) reconcileEngineDocuments(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	d, c := s.obs.deployment, s.campaign
	name := client.ObjectKeyFromObject(c)
	if r.Prober == nil || d == nil {
		return ctrl.Result{}, nil
	}
	if st, _, _ := engineAvailability(d); st != metav1.ConditionTrue || d.Spec.Replicas != nil && *d.Spec.Replicas == 0 {
		return ctrl.Result{}, nil // the Deployment's own condition speaks until it has rolled out
	}
	key := probeKey{uid: c.UID, configHash: s.obs.configHash, generation: d.Generation}
	if r.probes.converged(name, key) {
		s.obs.documents = &engineDocuments{state: ethosv1alpha1.EngineDocumentCurrent, served: s.obs.configHash}
		return ctrl.Result{}, nil
	}
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(c.Namespace), client.MatchingLabels(resources.SelectorLabels(c))); err != nil {
		return ctrl.Result{}, tag("ListPods", fmt.Errorf("failed to list engine pods: %w", err))
	}
	docs := probeEngines(ctx, r.Prober, probeablePods(pods.Items), s.obs.configHash)
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctrl.Result{}, ctx.Err()
	}
	s.obs.documents = &docs
	return ctrl.Result{RequeueAfter: r.probes.record(name, key, docs.state == ethosv1alpha1.EngineDocumentCurrent)}, nil
}
