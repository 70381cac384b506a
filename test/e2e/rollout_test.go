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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/resources"
)

// Load of the rollout test: loadWorkers keep-alive clients, each sending one decision, then
// pausing loadPause.
const (
	loadWorkers = 4
	loadPause   = 10 * time.Millisecond
)

// load is a steady decision load against one engine Service, as a shop's backend sends it
// (keep-alive connections, no retries), recording when each configHash was answered and every
// failure.
type load struct {
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	mu     sync.Mutex
	total  int
	hashes map[string]*hashSeen
	// failures on a fresh connection or with an HTTP status other than 200: what the rollout's
	// design (maxUnavailable 0, readiness, preStop, graceful shutdown) must prevent.
	failed []string
	// transport errors on a reused keep-alive connection that the server closed as the client
	// sent on it (the engine's graceful shutdown closes idle connections).
	failedReused []string
}

type hashSeen struct {
	count       int
	first, last time.Time
}

func startLoad(url, body string) *load {
	l := &load{stop: make(chan struct{}), hashes: map[string]*hashSeen{}}
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers, IdleConnTimeout: time.Minute},
	}
	for range loadWorkers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				l.record(l.send(client, url, body))
				time.Sleep(loadPause)
			}
		})
	}
	return l
}

type outcome struct {
	at         time.Time
	configHash string
	reused     bool
	err        error
}

func (l *load) send(client *http.Client, url, body string) outcome {
	var o outcome
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { o.reused = info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodPost, url+"/v1/decisions", strings.NewReader(body))
	if err != nil {
		o.err = err
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	o.at = time.Now()
	if err != nil {
		o.err = err
		return o
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		o.err = err
	case resp.StatusCode != http.StatusOK:
		o.err, o.reused = fmt.Errorf("%s: %s", resp.Status, b), false
	default:
		var a answer
		if err := json.Unmarshal(b, &a); err != nil {
			o.err = fmt.Errorf("cannot decode the answer %s: %w", b, err)
		}
		o.configHash = a.ConfigHash
	}
	return o
}

func (l *load) record(o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	switch {
	case o.err != nil && o.reused:
		l.failedReused = append(l.failedReused, o.at.Format(time.StampMilli)+" "+o.err.Error())
	case o.err != nil:
		l.failed = append(l.failed, o.at.Format(time.StampMilli)+" "+o.err.Error())
	default:
		h := l.hashes[o.configHash]
		if h == nil {
			h = &hashSeen{first: o.at}
			l.hashes[o.configHash] = h
		}
		h.count++
		h.last = o.at
	}
}

func (l *load) answered(hash string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := l.hashes[hash]; h != nil {
		return h.count
	}
	return 0
}

// end stops the load and waits for its requests in flight (once; later calls return at once).
func (l *load) end() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// TestRolloutKeepsServing times a Campaign edit on a 2-replica engine under a steady decision
// load through its Service (issue #16's rollout figure, docs/benchmarks.md): from the edit to
// every replica serving the new configHash, and the requests that failed meanwhile. The rolling
// update adds a pod before it removes one (maxUnavailable 0), a pod is Ready only once it serves
// its document, and a terminating pod keeps serving through its preStop delay while kube-proxy
// stops routing new connections to it: so no request may fail with an HTTP error or on a new
// connection. A keep-alive connection that the old pod's graceful shutdown closes just as the
// client reuses it fails at the client (HTTP/1.1 lets a server close an idle connection; Go's
// client does not resend a POST): those are counted and reported, not asserted (docs/benchmarks.md).
func TestRolloutKeepsServing(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "e2e-rollout")
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
	mustKubectl(t, "apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml"))
	mustKubectl(t, "patch", "-n", ns, "campaign", campaignName, "--type=merge", "-p", `{"spec":{"engine":{"replicas":2}}}`)

	var oldHash string
	g.Eventually(func(g Gomega) {
		c := campaign(g, ns, campaignName)
		expectCurrent(g, c)
		g.Expect(c.Status.Engine.ReadyReplicas).To(BeEquivalentTo(2))
		oldHash = c.Status.Engine.ConfigHash
		d, pods := engineRollout(g, ns)
		g.Expect(rolledOut(d, pods, oldHash)).To(BeTrue())
	}).WithTimeout(settleTimeout).WithPolling(poll).Should(Succeed())
	url := engineURL(g, ns, campaignName)

	l := startLoad(url, grantedRequest("e2e-rollout-visitor"))
	defer l.end()
	g.Eventually(func() int { return l.answered(oldHash) }).WithTimeout(shortTimeout).Should(BeNumerically(">=", 100))

	edited := time.Now()
	mustKubectl(t, "patch", "-n", ns, "campaign", campaignName, "--type=json", "-p",
		`[{"op":"replace","path":"/spec/experiences/0/content/headline","value":"Trail season is here"}]`)
	// Every replica serves the new document: the Deployment rolled out to 2 ready pods of the new
	// template, and each says so on /readyz (read through the API server's pod proxy).
	var newHash string
	g.Eventually(func(g Gomega) {
		d, pods := engineRollout(g, ns)
		newHash = d.Spec.Template.Annotations[resources.ConfigHashAnnotation]
		g.Expect(newHash).NotTo(Equal(oldHash))
		g.Expect(rolledOut(d, pods, newHash)).To(BeTrue())
		for _, p := range pods {
			if p.DeletionTimestamp == nil {
				g.Expect(readiness(g, ns, p.Name)).To(Equal(wire.Readiness{
					Ready: true, State: "Current", ServedConfigHash: newHash, FileConfigHash: newHash,
				}), "/readyz of %s", p.Name)
			}
		}
	}).WithTimeout(shortTimeout).WithPolling(250 * time.Millisecond).Should(Succeed())
	allNew := time.Since(edited)
	// The replaced pods drain (preStop) and go.
	g.Eventually(func(g Gomega) {
		_, pods := engineRollout(g, ns)
		g.Expect(pods).To(HaveLen(2))
	}).WithTimeout(shortTimeout).WithPolling(250 * time.Millisecond).Should(Succeed())
	oldGone := time.Since(edited)
	// A last second of load on the new pods only.
	time.Sleep(time.Second)
	l.end()

	l.mu.Lock()
	defer l.mu.Unlock()
	old, cur := l.hashes[oldHash], l.hashes[newHash]
	g.Expect(cur).NotTo(BeNil(), "no answer carried the new configHash %s", newHash)
	since := func(at time.Time) string { return at.Sub(edited).Round(10 * time.Millisecond).String() }
	t.Logf("rollout figure: edit → every replica serving the new configHash %s (Deployment rolled out, "+
		"each pod's /readyz) in %s; first answer with it after %s, last answer with the old one after %s, "+
		"replaced pods gone after %s", newHash, allNew.Round(10*time.Millisecond), since(cur.first), since(old.last),
		oldGone.Round(10*time.Millisecond))
	t.Logf("rollout figure: %d requests (%d workers, keep-alive), %d old and %d new answers, %d failed "+
		"(HTTP error or fresh connection), %d failed on a reused connection the server closed",
		l.total, loadWorkers, old.count, cur.count, len(l.failed), len(l.failedReused))
	for _, f := range l.failedReused {
		t.Logf("failed on a reused connection: %s", f)
	}
	g.Expect(l.failed).To(BeEmpty(), "requests failed during the rollout")
	g.Expect(l.hashes).To(HaveLen(2), "only the old and the new configHash are answered")
}

// engineRollout reads the Campaign's engine Deployment and its pods (terminating ones included).
func engineRollout(g Gomega, ns string) (*appsv1.Deployment, []corev1.Pod) {
	d := deployment(g, ns, engineName)
	var pods corev1.PodList
	r := kubectl("get", "pods", "-n", ns, "-l", engineSelector, "-o", "json")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(json.Unmarshal([]byte(r.stdout), &pods)).To(Succeed())
	return d, pods.Items
}

// rolledOut reports whether the Deployment runs 2 ready pods of the template for hash and has
// no other pod left that is not terminating.
func rolledOut(d *appsv1.Deployment, pods []corev1.Pod, hash string) bool {
	if d.Spec.Template.Annotations[resources.ConfigHashAnnotation] != hash || d.Status.ObservedGeneration != d.Generation ||
		d.Status.UpdatedReplicas != 2 || d.Status.ReadyReplicas != 2 || d.Status.Replicas != 2 {
		return false
	}
	serving := 0
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if p.Annotations[resources.ConfigHashAnnotation] != hash || !podReady(p) {
			return false
		}
		serving++
	}
	return serving == 2
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// readiness is an engine pod's /readyz, read through the API server's pod proxy (kubectl get
// --raw asks for JSON, so the engine answers wire.Readiness).
func readiness(g Gomega, ns, pod string) wire.Readiness {
	r := kubectl("get", "--raw", fmt.Sprintf("/api/v1/namespaces/%s/pods/%s:%d/proxy/readyz", ns, pod, resources.HealthPort))
	g.Expect(r.err).NotTo(HaveOccurred())
	var body wire.Readiness
	g.Expect(json.Unmarshal([]byte(r.stdout), &body)).To(Succeed(), r.stdout)
	return body
}
