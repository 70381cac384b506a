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
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The decision load every fault scenario runs: steady (a fixed rate, a few workers) and bounded
// (at most faultMaxRequests, whatever the scenario's length), on the engines' ClusterIPs only.
const (
	faultInterval    = 25 * time.Millisecond // 40 requests per second
	faultWorkers     = 4
	faultMaxRequests = 100_000
	faultTimeout     = 5 * time.Second
	// The first error messages kept, to say why requests failed.
	faultErrorSamples = 5
)

// visitorConsent is what a load request says about the personalization purpose. Only granted
// may ever be answered personalized; the other two are the consent violations counted.
type visitorConsent int

const (
	consentGranted visitorConsent = iota
	consentDenied
	consentUnknown // no answer for the purpose: the policy's defaultConsent (Deny) applies
)

// faultRequest is the i-th request of a load: a third of visitors grant consent, a third deny
// it, a third say nothing; all browsed trail running (the spring-running sample's audience).
func faultRequest(i int64) (string, visitorConsent) {
	visitor := fmt.Sprintf("fault-visitor-%d", i%997)
	switch kind := visitorConsent(i % 3); kind {
	case consentGranted:
		return grantedRequest(visitor), kind
	case consentDenied:
		return deniedRequest(visitor), kind
	default:
		return fmt.Sprintf(`{"visitor":{"id":%q},"attributes":{"viewedCategories":["running","trail"],`+
			`"postalCode":"75011"},"zone":"home_hero"}`, visitor), kind
	}
}

// faultLoad is a running decision load and its counts.
type faultLoad struct {
	targets []string
	// sent: requests sent; answered: 200 with a decision; failed: anything else (a transport
	// error, a timeout, another status); violations: personalized answers to visitors who did
	// not grant consent; personalized: personalized answers to those who did.
	sent, answered, failed, violations, personalized atomic.Int64

	mu     sync.Mutex
	errors []string

	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  time.Time
	took   time.Duration
}

// faultClient opens a connection per request (no keep-alive): each request is routed by the
// node's current Service rules, as a new caller would be, rather than pinned to one pod (or,
// before kube-proxy wrote a new Service's rules, to whatever answered the address then).
var faultClient = &http.Client{
	Timeout:   faultTimeout,
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
}

// startFaultLoad starts the load on the engines' base URLs (round robin); stop it with stop.
func startFaultLoad(t *testing.T, targets ...string) *faultLoad {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &faultLoad{targets: targets, cancel: cancel, start: time.Now()}
	work := make(chan int64)
	for range faultWorkers {
		l.wg.Go(func() {
			for i := range work {
				l.one(ctx, i)
			}
		})
	}
	l.wg.Go(func() {
		defer close(work)
		tick := time.NewTicker(faultInterval)
		defer tick.Stop()
		for i := int64(0); i < faultMaxRequests; {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				select {
				case work <- i: // a tick with every worker busy is skipped: the load stays bounded
					i++
				default:
				}
			}
		}
	})
	t.Cleanup(l.stop)
	return l
}

func (l *faultLoad) one(ctx context.Context, i int64) {
	body, kind := faultRequest(i)
	l.sent.Add(1)
	a, err := faultDecide(ctx, l.targets[i%int64(len(l.targets))], body)
	if err != nil {
		if ctx.Err() != nil {
			l.sent.Add(-1) // cut by stop, not by the fault
			return
		}
		l.failed.Add(1)
		l.mu.Lock()
		if len(l.errors) < faultErrorSamples {
			l.errors = append(l.errors, time.Now().UTC().Format(time.TimeOnly)+" "+err.Error())
		}
		l.mu.Unlock()
		return
	}
	l.answered.Add(1)
	switch {
	case a.Personalized && kind != consentGranted:
		l.violations.Add(1)
	case a.Personalized:
		l.personalized.Add(1)
	}
}

// faultDecide POSTs one decision request on a connection of its own (faultClient). A kept-alive
// connection opened before kube-proxy routed a new ClusterIP would stay with whatever answered
// it then, whatever the Service does later.
func faultDecide(ctx context.Context, url, body string) (answer, error) {
	var a answer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/decisions", strings.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := faultClient.Do(req)
	if err != nil {
		return a, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return a, err
	}
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("%s answered %s: %.200s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("%s: cannot decode the answer: %w", url, err)
	}
	return a, nil
}

// stop ends the load and waits for the requests in flight; it can be called more than once.
func (l *faultLoad) stop() {
	l.cancel()
	l.wg.Wait()
	if l.took == 0 {
		l.took = time.Since(l.start)
	}
}

// faultFigure is one named figure of a scenario's summary line (a duration or a count).
type faultFigure struct {
	name  string
	value any
}

// summarize stops the load, prints the scenario's one summary line (also appended to
// fault-summary.txt in the logs directory) and asserts that no answer broke consent and that
// the load was answered at all (so a violation could have been seen).
func (l *faultLoad) summarize(t *testing.T, scenario string, figures ...faultFigure) {
	t.Helper()
	l.stop()
	line := fmt.Sprintf("FAULT %s: sent=%d answered=%d failed=%d consentViolations=%d personalized=%d load=%s",
		scenario, l.sent.Load(), l.answered.Load(), l.failed.Load(), l.violations.Load(), l.personalized.Load(),
		l.took.Round(time.Second))
	for _, f := range figures {
		if d, ok := f.value.(time.Duration); ok {
			f.value = d.Round(100 * time.Millisecond)
		}
		line += fmt.Sprintf(" %s=%v", f.name, f.value)
	}
	fmt.Println(line)
	if f, err := os.OpenFile(filepath.Join(logsDir, "fault-summary.txt"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		_, _ = fmt.Fprintln(f, line)
		_ = f.Close()
	}
	l.mu.Lock()
	for _, e := range l.errors {
		t.Logf("a failed request: %s", e)
	}
	l.mu.Unlock()
	if v := l.violations.Load(); v != 0 {
		t.Errorf("%d answers were personalized for visitors who had not granted consent", v)
	}
	if l.answered.Load() == 0 {
		t.Errorf("no request was answered: the load did not reach the engines")
	}
}

// expectNoFailures asserts that no request of the load failed: for scenarios that leave the
// engine pods alone, so a failure is the fault leaking into the data path.
func (l *faultLoad) expectNoFailures(t *testing.T) {
	t.Helper()
	if f := l.failed.Load(); f != 0 {
		t.Errorf("%d of %d decision requests failed while the engine pods were left alone", f, l.sent.Load())
	}
}
