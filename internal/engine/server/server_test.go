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

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

const goodBody = enginetest.GoodBody

// The explanation parts of the fixture's trail-hero answer.
const (
	purposeSentenceText = "Purpose: We use the products you view to suggest others you may like."
	sportsText          = "the sports you browsed, to pick the banner"
	postalText          = "your postal code, to show your nearest store"
)

// writeDocument compiles the fixture (after change) into dir/decision.json and returns
// its bytes.
func writeDocument(t *testing.T, path string, change func(*document.Document)) []byte {
	t.Helper()
	d := compile.Document(enginetest.Campaign(), enginetest.Policy(), true)
	if change != nil {
		change(d)
	}
	data, err := document.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	// Write then rename, as the kubelet's symlink swap makes a new file appear at once.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return data
}

type testServer struct {
	srv   *Server
	store *Store
	api   *httptest.Server
	ops   *httptest.Server
	logs  *bytes.Buffer
	path  string
}

func newTestServer(t *testing.T, write bool) *testServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), document.FileName)
	if write {
		writeDocument(t, path, nil)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := NewStore(path, log)
	srv := NewServer(store, NewMetrics(), log, func() time.Time { return enginetest.Now }, []byte("test-key"))
	store.LoadInitial()
	ts := &testServer{srv: srv, store: store, logs: logs, path: path,
		api: httptest.NewServer(srv.DecisionHandler()), ops: httptest.NewServer(srv.OpsHandler())}
	t.Cleanup(ts.api.Close)
	t.Cleanup(ts.ops.Close)
	return ts
}

func post(t *testing.T, url, body string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+DecisionsPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

func TestServerDecision(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	hash := ts.store.Current().ConfigHash()
	code, body := post(t, ts.api.URL, goodBody, nil)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(body).To(Equal(map[string]any{
		"campaign": "shop/spring-running", "personalized": true, "experience": "trail-hero",
		"content": map[string]any{"headline": "New trail shoes", "stores": "https://shop.example.com/stores?near=75011"},
		"items":   []any{"sku-1"}, "reason": "Matched",
		"explanation": "We showed this because of: " + sportsText + "; " + postalText + ". " + purposeSentenceText,
		"configHash":  hash,
	}))

	// Sec-GPC: 1 withdraws the purposes in optsOutOf.
	ts2 := newTestServer(t, false)
	writeDocument(t, ts2.path, func(d *document.Document) { d.Personalization.GlobalPrivacyControlWithdraws = true })
	g.Expect(ts2.store.Reload()).To(BeTrue())
	code, body = post(t, ts2.api.URL, goodBody, http.Header{"Sec-Gpc": {"1"}})
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(body["reason"]).To(Equal("GlobalPrivacyControl"))
	g.Expect(body["personalized"]).To(BeFalse())
	g.Expect(body["explanation"]).To(Equal(wire.NeutralExplanation))

	// Logs hold a keyed hash of the visitor, never the raw id or attribute values.
	g.Expect(ts.logs.String()).To(ContainSubstring(ts.srv.VisitorHash("anon-7f3a")))
	for _, secret := range []string{"anon-7f3a", "75011", "secret-value", "trail\""} {
		g.Expect(ts.logs.String()).NotTo(ContainSubstring(secret))
	}
}

func TestServerErrors(t *testing.T) {
	ts := newTestServer(t, true)
	many := `{"visitor":{"id":"v"},"candidates":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, 1001), ",") + `]}`
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{"malformed JSON", `{"visitor":`, map[string]any{"code": "InvalidRequest", "message": "malformed JSON at byte 11"}},
		{"wrong type", `{"visitor":{"id":"v"},"impressions":"2"}`, map[string]any{"code": "InvalidRequest", "field": "impressions", "message": "must be a number, not string"}},
		{"wrong attribute type", `{"visitor":{"id":"v"},"attributes":{"a":{}}}`, map[string]any{"code": "InvalidRequest", "field": "attributes.a", "message": "must be a string, number, boolean or list of strings"}},
		{"body over 1 MiB", `{"visitor":{"id":"v"},"zone":"` + strings.Repeat("x", wire.MaxBodyBytes) + `"}`, map[string]any{"code": "InvalidRequest", "message": "request body is larger than 1048576 bytes"}},
		{"1,001 candidates", many, map[string]any{"code": "InvalidRequest", "field": "candidates", "message": "must hold at most 1000 items, got 1001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			code, body := post(t, ts.api.URL, tt.body, nil)
			g.Expect(code).To(Equal(http.StatusBadRequest))
			g.Expect(body).To(Equal(tt.want))
		})
	}
	t.Run("GET is not allowed", func(t *testing.T) {
		g := NewWithT(t)
		resp, err := http.Get(ts.api.URL + DecisionsPath)
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusMethodNotAllowed))
		g.Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"))
	})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestReadinessAndReload(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, false)

	// No document yet: alive, not ready, decisions answer 503 with a JSON error.
	code, _ := get(t, ts.ops.URL+"/healthz")
	g.Expect(code).To(Equal(http.StatusOK))
	code, _ = get(t, ts.ops.URL+"/readyz")
	g.Expect(code).To(Equal(http.StatusServiceUnavailable))
	code, body := post(t, ts.api.URL, goodBody, nil)
	g.Expect(code).To(Equal(http.StatusServiceUnavailable))
	g.Expect(body["code"]).To(Equal("NotReady"))

	// A broken first file keeps it unready.
	g.Expect(os.WriteFile(ts.path, []byte(`{"apiVersion":`), 0o600)).To(Succeed())
	_, err := ts.store.Reload()
	g.Expect(err).To(HaveOccurred())
	code, _ = get(t, ts.ops.URL+"/readyz")
	g.Expect(code).To(Equal(http.StatusServiceUnavailable))

	// A good file: ready, answers carry its hash.
	good := writeDocument(t, ts.path, nil)
	g.Expect(ts.store.Reload()).To(BeTrue())
	code, _ = get(t, ts.ops.URL+"/readyz")
	g.Expect(code).To(Equal(http.StatusOK))
	_, body = post(t, ts.api.URL, goodBody, nil)
	g.Expect(body["configHash"]).To(Equal(document.Hash(good)))
	old := ts.store.Current()

	// A Personalize document of a newer version keeps the last good one (an upgrade in
	// progress), and says so in /readyz; the same content is not re-parsed or re-logged.
	v1 := `{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"spring-running"},"mode":"Personalize","fallback":{"content":{}}}`
	g.Expect(os.WriteFile(ts.path, []byte(v1), 0o600)).To(Succeed())
	ts.store.reloadAndLog()
	ts.store.reloadAndLog()
	g.Expect(ts.store.Current()).To(BeIdenticalTo(old))
	_, body = post(t, ts.api.URL, goodBody, nil)
	g.Expect(body["configHash"]).To(Equal(document.Hash(good)))
	g.Expect(body["reason"]).To(Equal("Matched"))
	g.Expect(strings.Count(ts.logs.String(), "Rejected decision document")).To(Equal(2)) // and the missing file at start
	g.Expect(ts.logs.String()).To(ContainSubstring(`unsupported apiVersion \"decision.ethos.dev/v9\", this engine reads \"decision.ethos.dev/v2\"`))
	code, readyz := get(t, ts.ops.URL+"/readyz")
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(readyz).To(Equal("Stale serving " + document.Hash(good) + ", file " + document.Hash([]byte(v1)) +
		": unsupported apiVersion \"decision.ethos.dev/v9\", this engine reads \"decision.ethos.dev/v2\"\n"))

	// A new good file (suspended) replaces it.
	next := writeDocument(t, ts.path, func(d *document.Document) { d.Mode, d.Reason = document.ModeFallbackOnly, document.FallbackSuspended })
	g.Expect(ts.store.Reload()).To(BeTrue())
	_, body = post(t, ts.api.URL, goodBody, nil)
	g.Expect(body["configHash"]).To(Equal(document.Hash(next)))
	g.Expect(body["reason"]).To(Equal("Suspended"))

	// Metrics count decisions by reason and experience, and reloads.
	_, metrics := get(t, ts.ops.URL+"/metrics")
	g.Expect(metrics).To(ContainSubstring(`ethos_decisions_total{experience="trail-hero",reason="Matched"} 2`))
	g.Expect(metrics).To(ContainSubstring(`ethos_decisions_total{experience="",reason="Suspended"} 1`))
	g.Expect(metrics).To(ContainSubstring(`ethos_document_reloads_total{result="failure"} 3`))
	g.Expect(metrics).To(ContainSubstring(`ethos_document_reloads_total{result="success"} 2`))
	g.Expect(metrics).To(ContainSubstring(`ethos_decision_duration_seconds_count 3`))
	g.Expect(metrics).To(ContainSubstring(`ethos_engine_document_state{state="Current"} 1`))
	g.Expect(metrics).To(ContainSubstring(`ethos_engine_document_state{state="Stale"} 0`))
}

// TestMissingFileIsLoggedOncePerStateChange: polling a missing file logs one error, not
// one per interval, and its return is logged once.
func TestMissingFileIsLoggedOncePerStateChange(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, false) // LoadInitial already found no file
	for range 3 {
		ts.store.reloadAndLog()
	}
	g.Expect(strings.Count(ts.logs.String(), "no such file or directory")).To(Equal(1))
	writeDocument(t, ts.path, nil)
	ts.store.reloadAndLog()
	g.Expect(ts.store.Current()).NotTo(BeNil())
	g.Expect(os.Remove(ts.path)).To(Succeed())
	for range 3 {
		ts.store.reloadAndLog()
	}
	g.Expect(strings.Count(ts.logs.String(), "no such file or directory")).To(Equal(2))
	writeDocument(t, ts.path, nil)
	ts.store.reloadAndLog()
	g.Expect(strings.Count(ts.logs.String(), "Decision document is readable again")).To(Equal(2))
}

// TestLargeBodyBuffersAreNotPooled: after a body near the 1 MiB limit, the pool hands out a
// small buffer again instead of keeping the MiB-sized one.
func TestLargeBodyBuffersAreNotPooled(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	big := `{"visitor":{"id":"v"},"zone":"` + strings.Repeat("x", wire.MaxBodyBytes-64) + `"}`
	// In process, on this goroutine, so the pool's per-P cache is the one read below.
	w := httptest.NewRecorder()
	ts.srv.DecisionHandler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, DecisionsPath, strings.NewReader(big)))
	g.Expect(w.Code).To(Equal(http.StatusOK))
	buf := ts.srv.buffers.Get().(*bytes.Buffer)
	g.Expect(buf.Cap()).To(BeNumerically("<=", maxPooledBuffer))
}

// TestWatchPicksUpSymlinkSwap reproduces a ConfigMap volume update: the file is a symlink
// through ..data, which the kubelet points at a new directory.
func TestWatchPicksUpSymlinkSwap(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "..v1"), filepath.Join(dir, "..v2")
	g.Expect(os.Mkdir(v1, 0o700)).To(Succeed())
	g.Expect(os.Mkdir(v2, 0o700)).To(Succeed())
	first := writeDocument(t, filepath.Join(v1, document.FileName), nil)
	second := writeDocument(t, filepath.Join(v2, document.FileName), func(d *document.Document) { d.Personalization.Zones = nil })
	g.Expect(os.Symlink("..v1", filepath.Join(dir, "..data"))).To(Succeed())
	g.Expect(os.Symlink(filepath.Join("..data", document.FileName), filepath.Join(dir, document.FileName))).To(Succeed())

	store := NewStore(filepath.Join(dir, document.FileName), slog.New(slog.DiscardHandler))
	store.LoadInitial()
	g.Expect(store.Current().ConfigHash()).To(Equal(document.Hash(first)))

	ctx := t.Context()
	go store.Watch(ctx, 10*time.Millisecond)
	g.Expect(os.Symlink("..v2", filepath.Join(dir, "..data_tmp"))).To(Succeed())
	g.Expect(os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data"))).To(Succeed())
	g.Eventually(func() string { return store.Current().ConfigHash() }).Should(Equal(document.Hash(second)))
}

// TestServeShutsDownGracefully: cancelling the context (SIGTERM in main) stops both
// servers and Serve returns without error.
func TestServeShutsDownGracefully(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	api, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ctx, api, ops) }()
	code, body := post(t, "http://"+api.Addr().String(), goodBody, nil)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(body["reason"]).To(Equal("Matched"))
	cancel()
	g.Eventually(done).Should(Receive(BeNil()))
	_, err = http.Get("http://" + ops.Addr().String() + "/healthz")
	g.Expect(err).To(HaveOccurred())
}

// TestFailClosedReloads: a file that replaces a good Personalize document and cannot be
// served as written never leaves the engine personalizing (issue 19): it serves the
// fallback (the envelope's when readable, else the last good one's with reason Blocked),
// stays ready with a /readyz body that says why, and reports FailedClosed in metrics.
func TestFailClosedReloads(t *testing.T) {
	unbuildable := `{"apiVersion":"decision.ethos.dev/v2","campaign":{"namespace":"shop","name":"spring-running"},"mode":"Personalize","fallback":{"content":{"headline":"Env"}},` +
		`"personalization":{"bucketingSeed":"s","purpose":{"name":"personalization"},"defaultConsent":"Deny","assignment":"FirstMatch",` +
		`"experiences":[{"name":"a","weight":1,"rules":[{"attribute":"x","operator":"Gt","values":["many"]}]}]}}`
	newerBlocked := `{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"spring-running"},"mode":"FallbackOnly","reason":"Blocked","fallback":{"content":{"headline":"Welcome"}},"rules":{"new":true}}`
	newerSuspended := `{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"spring-running"},"mode":"FallbackOnly","reason":"Suspended","fallback":{"content":{}}}`
	tests := []struct {
		name string
		// file is the new content; "" removes the file.
		file string
		// fromEnvelope: the answer is the file's envelope fallback (configHash of the file),
		// else the last good document's fallback (its configHash).
		fromEnvelope bool
		wantReason   string
		wantContent  map[string]any
		wantError    string
	}{
		{"garbage", `not json`, false, "Blocked", nil, "failed to decode decision document: invalid character 'o' in literal null (expecting 'u')"},
		{"newer version without mode or fallback", `{"apiVersion":"decision.ethos.dev/v9"}`, false, "Blocked", nil,
			`unsupported apiVersion "decision.ethos.dev/v9", this engine reads "decision.ethos.dev/v2"`},
		{"newer version saying FallbackOnly/Blocked", newerBlocked, true, "Blocked", map[string]any{"headline": "Welcome"},
			`unsupported apiVersion "decision.ethos.dev/v9", this engine reads "decision.ethos.dev/v2"`},
		{"newer version saying FallbackOnly/Suspended", newerSuspended, true, "Suspended", map[string]any{},
			`unsupported apiVersion "decision.ethos.dev/v9", this engine reads "decision.ethos.dev/v2"`},
		{"this version, not buildable", unbuildable, true, "Blocked", map[string]any{"headline": "Env"},
			`failed to build decision document: personalization.experiences[0].rules[0].values[0]: Gt needs a number: strconv.ParseFloat: parsing "many": invalid syntax`},
		{"file removed", "", false, "Blocked", nil, "failed to read decision document: open "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ts := newTestServer(t, true)
			good := ts.store.Current()
			_, before := post(t, ts.api.URL, goodBody, nil)
			g.Expect(before["reason"]).To(Equal("Matched"))
			_, fallback := post(t, ts.api.URL, `{"visitor":{"id":"v"}}`, nil)
			g.Expect(fallback["reason"]).To(Equal("ZoneNotServed"))

			wantHash, fileHash := good.ConfigHash(), "unreadable"
			if tt.file == "" {
				g.Expect(os.Remove(ts.path)).To(Succeed())
			} else {
				g.Expect(os.WriteFile(ts.path, []byte(tt.file), 0o600)).To(Succeed())
				fileHash = document.Hash([]byte(tt.file))
			}
			wantContent := fallback["content"]
			if tt.fromEnvelope {
				wantHash, wantContent = fileHash, tt.wantContent
			}
			ts.store.reloadAndLog()

			_, body := post(t, ts.api.URL, goodBody, nil)
			g.Expect(body).To(Equal(map[string]any{
				"campaign": "shop/spring-running", "personalized": false, "experience": "",
				"content": wantContent, "items": []any{}, "reason": tt.wantReason,
				"explanation": wire.NeutralExplanation, "configHash": wantHash,
			}))
			code, readyz := get(t, ts.ops.URL+"/readyz")
			g.Expect(code).To(Equal(http.StatusOK))
			g.Expect(readyz).To(HavePrefix("FailedClosed serving " + wantHash + ", file " + fileHash + ": " + tt.wantError))
			_, metrics := get(t, ts.ops.URL+"/metrics")
			g.Expect(metrics).To(ContainSubstring(`ethos_engine_document_state{state="FailedClosed"} 1`))
			g.Expect(metrics).To(ContainSubstring(`ethos_engine_document_state{state="Current"} 0`))

			// Polling the same failure changes nothing; the good file coming back is served again.
			ts.store.reloadAndLog()
			g.Expect(ts.store.Status().State).To(Equal(StateFailedClosed))
			writeDocument(t, ts.path, nil)
			ts.store.reloadAndLog()
			_, body = post(t, ts.api.URL, goodBody, nil)
			g.Expect(body["reason"]).To(Equal("Matched"))
			g.Expect(body["configHash"]).To(Equal(good.ConfigHash()))
			_, readyz = get(t, ts.ops.URL+"/readyz")
			g.Expect(readyz).To(Equal("ok " + good.ConfigHash() + "\n"))
		})
	}
}

// TestOverloadAnswers503: past either in-flight bound a request is refused at once with
// 503, Retry-After: 1 and a JSON error, and the slot or bytes are given back afterwards.
func TestOverloadAnswers503(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	g.Expect(ts.srv.SetLimits(Limits{MaxInFlight: 1, MaxBytesInFlight: wire.MaxBodyBytes})).To(Succeed())
	decide := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		ts.srv.DecisionHandler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, DecisionsPath, strings.NewReader(goodBody)))
		return w
	}
	expectOverloaded := func(w *httptest.ResponseRecorder, message string) {
		g.Expect(w.Code).To(Equal(http.StatusServiceUnavailable))
		g.Expect(w.Header().Get("Retry-After")).To(Equal("1"))
		g.Expect(w.Header().Get("Content-Type")).To(Equal("application/json"))
		g.Expect(w.Body.String()).To(Equal(`{"code":"Overloaded","message":"` + message + `, retry in 1 second"}` + "\n"))
	}

	ts.srv.slots <- struct{}{} // a request in flight
	expectOverloaded(decide(), "too many requests in flight")
	<-ts.srv.slots
	g.Expect(decide().Code).To(Equal(http.StatusOK))

	g.Expect(ts.srv.bodyBytes.tryAcquire(wire.MaxBodyBytes - int64(len(goodBody)))).To(BeTrue()) // a large body being read
	expectOverloaded(decide(), "too many request bytes in flight")
	ts.srv.bodyBytes.release(wire.MaxBodyBytes - int64(len(goodBody)))
	g.Expect(decide().Code).To(Equal(http.StatusOK))
	g.Expect(ts.srv.bodyBytes.used.Load()).To(BeZero())
	g.Expect(ts.srv.slots).To(BeEmpty())

	_, metrics := get(t, ts.ops.URL+"/metrics")
	g.Expect(metrics).To(ContainSubstring(`ethos_decision_requests_rejected_total{code="503"} 2`))
}

func TestLimitsValidateAndReservation(t *testing.T) {
	g := NewWithT(t)
	g.Expect(DefaultLimits.Validate()).To(Succeed())
	g.Expect(Limits{MaxInFlight: 0, MaxBytesInFlight: 32 << 20}.Validate()).To(MatchError("--max-in-flight must be at least 1, got 0"))
	g.Expect(Limits{MaxInFlight: 1, MaxBytesInFlight: 1000}.Validate()).To(MatchError("--max-bytes-in-flight must be at least 1048576 (the request body limit), got 1000"))
	for _, tt := range []struct{ contentLength, budget, want int64 }{
		{100, 32 << 20, 101},
		{-1, 32 << 20, wire.MaxBodyBytes + 1},      // chunked: the body limit
		{5 << 20, 32 << 20, wire.MaxBodyBytes + 1}, // over the limit: only limit+1 bytes are read
		{-1, wire.MaxBodyBytes, wire.MaxBodyBytes}, // never more than the whole budget
		{0, 32 << 20, 1},
	} {
		g.Expect(bodyReservation(tt.contentLength, tt.budget)).To(Equal(tt.want), "contentLength %d", tt.contentLength)
	}
}

// getReadiness reads /readyz as JSON (Accept: application/json), as the manager does.
func getReadiness(t *testing.T, url string) (int, wire.Readiness) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/readyz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", wire.ReadinessContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != wire.ReadinessContentType {
		t.Fatalf("Content-Type %q, want %q", ct, wire.ReadinessContentType)
	}
	var out wire.Readiness
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("/readyz is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

// TestReadinessJSON: /readyz with Accept: application/json reports the document state the
// manager surfaces on the Campaign (issue 19), with the text form's status codes.
func TestReadinessJSON(t *testing.T) {
	newerBlocked := `{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"spring-running"},"mode":"FallbackOnly","reason":"Blocked","fallback":{"content":{"headline":"Welcome"}}}`
	newerPersonalize := `{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"spring-running"},"mode":"Personalize","fallback":{"content":{}}}`
	unsupported := `unsupported apiVersion "decision.ethos.dev/v9", this engine reads "decision.ethos.dev/v2"`
	tests := []struct {
		name string
		// file replaces the good document; "-" writes none at all.
		file  string
		drain bool
		want  func(good, file string) wire.Readiness
		code  int
	}{
		{"current", "", false, func(good, _ string) wire.Readiness {
			return wire.Readiness{Ready: true, State: "Current", ServedConfigHash: good, FileConfigHash: good}
		}, http.StatusOK},
		{"newer FallbackOnly document: failed closed", newerBlocked, false, func(_, file string) wire.Readiness {
			return wire.Readiness{Ready: true, State: "FailedClosed", ServedConfigHash: file, FileConfigHash: file, Error: unsupported}
		}, http.StatusOK},
		{"newer Personalize document: stale", newerPersonalize, false, func(good, file string) wire.Readiness {
			return wire.Readiness{Ready: true, State: "Stale", ServedConfigHash: good, FileConfigHash: file, Error: unsupported}
		}, http.StatusOK},
		{"shutting down", "", true, func(good, _ string) wire.Readiness {
			return wire.Readiness{State: "ShuttingDown", ServedConfigHash: good, FileConfigHash: good}
		}, http.StatusServiceUnavailable},
		{"nothing loaded", "-", false, func(string, string) wire.Readiness {
			return wire.Readiness{State: "NotLoaded", Error: "failed to read decision document: open "}
		}, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ts := newTestServer(t, tt.file != "-")
			good, file := "", ""
			if e := ts.store.Current(); e != nil {
				good, file = e.ConfigHash(), e.ConfigHash()
			}
			if tt.file != "" && tt.file != "-" {
				g.Expect(os.WriteFile(ts.path, []byte(tt.file), 0o600)).To(Succeed())
				file = document.Hash([]byte(tt.file))
				ts.store.reloadAndLog()
			}
			ts.srv.draining.Store(tt.drain)
			code, got := getReadiness(t, ts.ops.URL)
			g.Expect(code).To(Equal(tt.code))
			want := tt.want(good, file)
			if tt.file == "-" {
				g.Expect(got.Error).To(HavePrefix(want.Error))
				got.Error = want.Error
			}
			g.Expect(got).To(Equal(want))
		})
	}
}

// TestServerLanguageAndEscaping: Accept-Language chooses the explanation's language (the
// body's locale wins), and the postal code comes back URL-encoded in the stores URL.
func TestServerLanguageAndEscaping(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, false)
	writeDocument(t, ts.path, func(d *document.Document) {
		d.Personalization.Purpose.DescriptionTranslations = document.Translations{"fr": "Nous vous suggérons des produits."}
		d.Personalization.Attributes[0].DescriptionTranslations = document.Translations{"fr": "Les sports consultés"}
		d.Personalization.Attributes[1].DescriptionTranslations = document.Translations{"fr": "Votre code postal"}
	})
	g.Expect(ts.store.Reload()).To(BeTrue())
	attack := strings.Replace(goodBody, `"75011"`, `"75011\"><script>x()</script>"`, 1)
	french := "Nous vous montrons ceci en raison de : les sports consultés ; votre code postal. Finalité : Nous vous suggérons des produits."

	code, body := post(t, ts.api.URL, attack, http.Header{"Accept-Language": {"fr-CH, de;q=0.8, en;q=0.5"}})
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(body["explanation"]).To(Equal(french))
	g.Expect(body["content"]).To(HaveKeyWithValue("stores", "https://shop.example.com/stores?near=75011%22%3E%3Cscript%3Ex%28%29%3C%2Fscript%3E"))

	// The body's locale wins over the header.
	withLocale := strings.Replace(goodBody, `"zone"`, `"locale":"en","zone"`, 1)
	_, body = post(t, ts.api.URL, withLocale, http.Header{"Accept-Language": {"fr"}})
	g.Expect(body["explanation"]).To(HavePrefix("We showed this because of: "))

	// Neutral answers follow the language too.
	denied := strings.Replace(goodBody, `"granted"`, `"denied"`, 1)
	_, body = post(t, ts.api.URL, denied, http.Header{"Accept-Language": {"it-IT"}})
	g.Expect(body["explanation"]).To(Equal(wire.NeutralExplanationIn(wire.Italian)))
}
