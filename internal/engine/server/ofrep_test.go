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
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// goodContext is goodBody as an OFREP evaluation context.
const goodContext = `{"context":{"targetingKey":"anon-7f3a","consent":{"personalization":"granted"},
	"viewedCategories":["running","trail"],"postalCode":"75011","ssn":"secret-value","zone":"home_hero",
	"candidates":[{"id":"sku-1","categories":["trail"]}]}}`

type answer struct {
	code   int
	header http.Header
	body   string
}

func send(t *testing.T, method, url, body string, header http.Header) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	return out
}

func TestOFREPFlagIsTheDecision(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	_, decision := post(t, ts.api.URL, goodBody, nil)

	a := send(t, http.MethodPost, ts.api.URL+"/ofrep/v1/evaluate/flags/spring-running", goodContext, nil)
	g.Expect(a.code).To(Equal(http.StatusOK), a.body)
	g.Expect(a.header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(a.header.Get("Cache-Control")).To(Equal("no-store"))
	g.Expect(decodeJSON(t, a.body)).To(Equal(map[string]any{
		"key": "spring-running", "reason": "TARGETING_MATCH", "variant": "trail-hero",
		"value":    map[string]any{"experience": "trail-hero", "content": decision["content"], "items": decision["items"], "explanation": decision["explanation"]},
		"metadata": map[string]any{"reason": "Matched", "campaign": "shop/spring-running", "configHash": decision["configHash"], "personalized": true},
	}))
	// "<namespace>/<name>" names the flag too.
	a = send(t, http.MethodPost, ts.api.URL+"/ofrep/v1/evaluate/flags/shop%2Fspring-running", goodContext, nil)
	g.Expect(a.code).To(Equal(http.StatusOK), a.body)

	// No PII in logs on this API either.
	for _, secret := range []string{"anon-7f3a", "75011", "secret-value"} {
		g.Expect(ts.logs.String()).NotTo(ContainSubstring(secret))
	}
	_, metrics := get(t, ts.ops.URL+"/metrics")
	g.Expect(metrics).To(ContainSubstring(`ethos_decisions_total{experience="trail-hero",reason="Matched"} 3`))
}

func TestOFREPErrors(t *testing.T) {
	ts := newTestServer(t, true)
	flag := ts.api.URL + "/ofrep/v1/evaluate/flags/spring-running"
	tests := []struct {
		name, url, body string
		code            int
		want            string
	}{
		{"unknown flag", ts.api.URL + "/ofrep/v1/evaluate/flags/other", goodContext, http.StatusNotFound,
			`{"key":"other","errorCode":"FLAG_NOT_FOUND","errorDetails":"flag \"other\" is not served here: this engine serves the one flag \"spring-running\""}`},
		{"no targetingKey", flag, `{"context":{}}`, http.StatusBadRequest,
			`{"key":"spring-running","errorCode":"TARGETING_KEY_MISSING","errorDetails":"context.targetingKey: is required"}`},
		{"bad context", flag, `{"context":{"targetingKey":"v","consent":{"personalization":"yes"}}}`, http.StatusBadRequest,
			`{"key":"spring-running","errorCode":"INVALID_CONTEXT","errorDetails":"context.consent.personalization: must be \"granted\" or \"denied\"; leave a purpose out when its state is unknown"}`},
		{"context not an object", flag, `{"context":"v"}`, http.StatusBadRequest,
			`{"key":"spring-running","errorCode":"INVALID_CONTEXT","errorDetails":"context: must be an object, not string"}`},
		{"not JSON", flag, `{"context":`, http.StatusBadRequest,
			`{"key":"spring-running","errorCode":"PARSE_ERROR","errorDetails":"malformed JSON at byte 11"}`},
		{"body over 1 MiB", flag, `{"context":{"targetingKey":"` + strings.Repeat("x", wire.MaxBodyBytes) + `"}}`, http.StatusBadRequest,
			`{"key":"spring-running","errorCode":"GENERAL","errorDetails":"request body is larger than 1048576 bytes"}`},
		{"bulk bad context", ts.api.URL + OFREPBulkPath, `{"context":{"targetingKey":3}}`, http.StatusBadRequest,
			`{"errorCode":"INVALID_CONTEXT","errorDetails":"context.targetingKey: must be a string, not number"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			a := send(t, http.MethodPost, tt.url, tt.body, nil)
			g.Expect(a.code).To(Equal(tt.code))
			g.Expect(a.header.Get("Content-Type")).To(Equal("application/json"))
			g.Expect(a.body).To(Equal(tt.want + "\n"))
		})
	}
	t.Run("GET is not allowed", func(t *testing.T) {
		g := NewWithT(t)
		a := send(t, http.MethodGet, flag, "", nil)
		g.Expect(a.code).To(Equal(http.StatusMethodNotAllowed))
		g.Expect(a.body).To(Equal(`{"errorDetails":"use POST"}` + "\n"))
	})
	t.Run("overload is 429 with Retry-After", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(ts.srv.SetLimits(Limits{MaxInFlight: 1, MaxBytesInFlight: wire.MaxBodyBytes})).To(Succeed())
		ts.srv.slots <- struct{}{} // a request in flight
		defer func() { <-ts.srv.slots }()
		w := httptest.NewRecorder()
		ts.srv.DecisionHandler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/ofrep/v1/evaluate/flags/spring-running", strings.NewReader(goodContext)))
		g.Expect(w.Code).To(Equal(http.StatusTooManyRequests))
		g.Expect(w.Header().Get("Retry-After")).To(Equal("1"))
		g.Expect(w.Body.String()).To(Equal(`{"errorDetails":"too many requests in flight, retry in 1 second"}` + "\n"))
	})
	_, metrics := get(t, ts.ops.URL+"/metrics")
	// Rejections are counted, never as decisions; none is a 5xx.
	g := NewWithT(t)
	g.Expect(metrics).To(ContainSubstring(`ethos_decision_requests_rejected_total{code="400"} 6`))
	g.Expect(metrics).To(ContainSubstring(`ethos_decision_requests_rejected_total{code="404"} 1`))
	g.Expect(metrics).NotTo(ContainSubstring(`ethos_decision_requests_rejected_total{code="5`))
	g.Expect(metrics).NotTo(MatchRegexp(`ethos_decisions_total\{[^}]*\} [1-9]`))
}

func TestOFREPBulkETag(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	bulk := ts.api.URL + OFREPBulkPath
	a := send(t, http.MethodPost, bulk, goodContext, nil)
	g.Expect(a.code).To(Equal(http.StatusOK), a.body)
	etag := a.header.Get("ETag")
	g.Expect(etag).To(MatchRegexp(`^"[0-9a-f]{16}"$`))
	out := decodeJSON(t, a.body)
	g.Expect(out).To(HaveKey("flags"))
	g.Expect(out["flags"]).To(HaveLen(1))
	flag := out["flags"].([]any)[0].(map[string]any)
	g.Expect(flag["key"]).To(Equal("spring-running"))
	g.Expect(flag["variant"]).To(Equal("trail-hero"))

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		a = send(t, http.MethodPost, bulk, goodContext, http.Header{"If-None-Match": {inm}})
		g.Expect(a.code).To(Equal(http.StatusNotModified), inm)
		g.Expect(a.body).To(BeEmpty())
		g.Expect(a.header.Get("ETag")).To(Equal(etag))
	}
	// Another answer (here consent withdrawn) is another tag.
	denied := strings.Replace(goodContext, `"granted"`, `"denied"`, 1)
	a = send(t, http.MethodPost, bulk, denied, http.Header{"If-None-Match": {etag}})
	g.Expect(a.code).To(Equal(http.StatusOK))
	g.Expect(a.header.Get("ETag")).NotTo(Equal(etag))
	g.Expect(a.body).To(ContainSubstring(`"reason":"DEFAULT","variant":"fallback"`))
	g.Expect(a.body).To(ContainSubstring(`"metadata":{"reason":"ConsentDenied"`))
}

func TestOFREPGPCHeaderCounts(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, false)
	writeDocument(t, ts.path, func(d *document.Document) { d.Personalization.GlobalPrivacyControlWithdraws = true })
	g.Expect(ts.store.Reload()).To(BeTrue())
	flag := ts.api.URL + "/ofrep/v1/evaluate/flags/spring-running"
	a := send(t, http.MethodPost, flag, goodContext, http.Header{"Sec-Gpc": {"1"}})
	g.Expect(a.code).To(Equal(http.StatusOK))
	g.Expect(a.body).To(ContainSubstring(`"metadata":{"reason":"GlobalPrivacyControl"`))
	a = send(t, http.MethodPost, flag, strings.Replace(goodContext, `{"targetingKey"`, `{"gpc":true,"targetingKey"`, 1), nil)
	g.Expect(a.body).To(ContainSubstring(`"metadata":{"reason":"GlobalPrivacyControl"`))
}

func TestCORS(t *testing.T) {
	const origin = "https://shop.example.com"
	paths := []string{DecisionsPath, "/ofrep/v1/evaluate/flags/spring-running", OFREPBulkPath}
	bodies := []string{goodBody, goodContext, goodContext}

	t.Run("off by default", func(t *testing.T) {
		g := NewWithT(t)
		ts := newTestServer(t, true)
		for i, p := range paths {
			a := send(t, http.MethodOptions, ts.api.URL+p, "", http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}})
			g.Expect(a.code).To(Equal(http.StatusMethodNotAllowed), p)
			a = send(t, http.MethodPost, ts.api.URL+p, bodies[i], http.Header{"Origin": {origin}})
			g.Expect(a.code).To(Equal(http.StatusOK), p)
			for _, h := range []string{"Access-Control-Allow-Origin", "Vary", "Access-Control-Expose-Headers"} {
				g.Expect(a.header.Values(h)).To(BeEmpty(), h)
			}
		}
	})

	t.Run("allowed origins", func(t *testing.T) {
		g := NewWithT(t)
		ts := newTestServer(t, false)
		writeDocument(t, ts.path, func(d *document.Document) {
			d.Engine = &document.EngineSettings{CORS: &document.CORS{AllowedOrigins: []string{"https://other.example", origin}}}
		})
		g.Expect(ts.store.Reload()).To(BeTrue())
		for i, p := range paths {
			a := send(t, http.MethodOptions, ts.api.URL+p, "", http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"},
				"Access-Control-Request-Headers": {"content-type,if-none-match"}})
			g.Expect(a.code).To(Equal(http.StatusNoContent), p)
			g.Expect(a.body).To(BeEmpty())
			g.Expect(a.header.Get("Access-Control-Allow-Origin")).To(Equal(origin))
			g.Expect(a.header.Get("Access-Control-Allow-Methods")).To(Equal("POST"))
			g.Expect(a.header.Get("Access-Control-Allow-Headers")).To(Equal("Content-Type, If-None-Match"))
			g.Expect(a.header.Get("Access-Control-Max-Age")).To(Equal("600"))
			g.Expect(a.header.Values("Vary")).To(Equal([]string{"Origin"}))

			a = send(t, http.MethodPost, ts.api.URL+p, bodies[i], http.Header{"Origin": {origin}})
			g.Expect(a.code).To(Equal(http.StatusOK), p)
			g.Expect(a.header.Get("Access-Control-Allow-Origin")).To(Equal(origin))
			g.Expect(a.header.Get("Access-Control-Expose-Headers")).To(Equal("ETag, Retry-After"))
			g.Expect(a.header.Values("Vary")).To(Equal([]string{"Origin"}))

			// Exact match only: another scheme, a suffix or a prefix is another origin.
			for _, other := range []string{"http://shop.example.com", "https://shop.example.com.evil.example", "https://evil.shop.example.com", "null"} {
				a = send(t, http.MethodOptions, ts.api.URL+p, "", http.Header{"Origin": {other}, "Access-Control-Request-Method": {"POST"}})
				g.Expect(a.code).To(Equal(http.StatusNoContent))
				g.Expect(a.header.Values("Access-Control-Allow-Origin")).To(BeEmpty(), other)
				g.Expect(a.header.Values("Access-Control-Allow-Methods")).To(BeEmpty(), other)
				g.Expect(a.header.Values("Vary")).To(Equal([]string{"Origin"}))
				a = send(t, http.MethodPost, ts.api.URL+p, bodies[i], http.Header{"Origin": {other}})
				g.Expect(a.header.Values("Access-Control-Allow-Origin")).To(BeEmpty(), other)
			}
		}
		// Preflights run no decision: the 3 POSTs with the allowed origin and 12 with others are all.
		_, metrics := get(t, ts.ops.URL+"/metrics")
		g.Expect(metrics).To(ContainSubstring(`ethos_decisions_total{experience="trail-hero",reason="Matched"} 15`))
	})

	t.Run("a fail-closed engine keeps the origins", func(t *testing.T) {
		g := NewWithT(t)
		ts := newTestServer(t, false)
		writeDocument(t, ts.path, func(d *document.Document) {
			d.Engine = &document.EngineSettings{CORS: &document.CORS{AllowedOrigins: []string{origin}}}
		})
		g.Expect(ts.store.Reload()).To(BeTrue())
		g.Expect(ts.store.Current().FailClosed().AllowedOrigins()).To(Equal([]string{origin}))
	})
}

func TestOpenAPIDocumentIsServedAndCopiedToDocs(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	code, body := get(t, ts.api.URL+OpenAPIPath)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(body).To(Equal(string(OpenAPIDocument)))
	g.Expect(json.Valid(OpenAPIDocument)).To(BeTrue())
	docs, err := os.ReadFile("../../../docs/openapi.json")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(docs)).To(Equal(string(OpenAPIDocument)),
		"docs/openapi.json differs from internal/engine/server/openapi.json, which the engine serves: edit the latter and run make docs")
}
