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

package decisionengine

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	growthbook "github.com/growthbook/growthbook-golang"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/document"
)

// benchCampaign is the realistic campaign of docs/benchmarks.md: 4 experiences, 6 rules
// (1 audience + 5 in experiences), the chosen experience ranks 50 candidates.
func benchCampaign(withRecs bool) *ethosv1alpha1.Campaign {
	c := fixtureCampaign()
	c.Spec.ControlGroup = &ethosv1alpha1.ControlGroup{Percent: 10}
	c.Spec.Audience.Rules = []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"running", "trail", "road", "gym"}}}
	c.Spec.DataUsage = append(c.Spec.DataUsage,
		ethosv1alpha1.DataUsage{Attribute: "visits", Class: ethosv1alpha1.DataClassBehavioral, Description: "How often you visited"},
		ethosv1alpha1.DataUsage{Attribute: "loyaltyTier", Class: ethosv1alpha1.DataClassPreference, Description: "Your loyalty programme level"})
	var recs *ethosv1alpha1.Recommendations
	if withRecs {
		recs = &ethosv1alpha1.Recommendations{Source: ethosv1alpha1.SourceCandidates, MaxItems: 10, ExcludePurchased: ptr.To(true),
			BoostBy: "viewedCategories", MaxPerCategory: ptr.To[int32](3)}
	}
	c.Spec.Experiences = []ethosv1alpha1.Experience{
		{Name: "trail-hero", Rules: []ethosv1alpha1.Rule{
			{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"trail"}},
			{Attribute: "visits", Operator: ethosv1alpha1.OperatorGt, Values: []string{"2"}}},
			Content: map[string]string{"headline": "New trail shoes"}},
		{Name: "road-hero", Rules: []ethosv1alpha1.Rule{
			{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"road"}},
			{Attribute: "loyaltyTier", Operator: ethosv1alpha1.OperatorNotIn, Values: []string{"staff"}}},
			Content:         map[string]string{"headline": "Road running, reinvented", "image": "https://cdn.example.com/road.jpg"},
			Recommendations: recs},
		{Name: "gym-hero", Rules: []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"gym"}}},
			Content: map[string]string{"headline": "Train indoors"}},
		{Name: "default-hero", Content: map[string]string{"headline": "Run your way"}},
	}
	return c
}

func benchRequest() *Request {
	r := &Request{
		Visitor: Visitor{ID: "anon-7f3a"},
		Consent: map[string]string{"personalization": "granted", "ad-retargeting": "denied"},
		Attributes: Attributes{
			"viewedCategories": {Kind: KindList, List: []string{"running", "road"}},
			"visits":           {Kind: KindNumber, Str: "5", Num: 5},
			"loyaltyTier":      {Kind: KindString, Str: "gold"},
			"postalCode":       {Kind: KindString, Str: "75011"},
		},
		Zone:    "home_hero",
		History: History{Purchased: []ItemID{"sku-3", "sku-17", "sku-29", "sku-41", "sku-48"}},
	}
	cats := []string{"running", "road", "trail", "gym", "tennis"}
	for i := range 50 {
		r.Candidates = append(r.Candidates, Candidate{ID: ItemID(fmt.Sprintf("sku-%d", i)), Categories: []string{cats[i%len(cats)]}})
	}
	return r
}

func benchmarkDecide(b *testing.B, withRecs bool) {
	e := mustEngine(benchCampaign(withRecs), fixturePolicy(), true)
	req := benchRequest()
	if a := e.Decide(req, now); a.Reason != ReasonMatched || a.Experience != "road-hero" || (withRecs && len(a.Items) != 10) {
		b.Fatalf("unexpected answer %+v", a)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Decide(req, now)
	}
}

// BenchmarkDecide is the in-process evaluation without recommendations.
func BenchmarkDecide(b *testing.B) { benchmarkDecide(b, false) }

// BenchmarkDecideWithRecommendations ranks 50 candidates.
func BenchmarkDecideWithRecommendations(b *testing.B) { benchmarkDecide(b, true) }

// BenchmarkDecideAndEncode adds the answer's JSON encoding.
func BenchmarkDecideAndEncode(b *testing.B) {
	e := mustEngine(benchCampaign(true), fixturePolicy(), true)
	req := benchRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		a := e.Decide(req, now)
		buf = AppendJSON(buf[:0], &a)
	}
}

var benchBody = func() []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted","ad-retargeting":"denied"},` +
		`"attributes":{"viewedCategories":["running","road"],"visits":5,"loyaltyTier":"gold","postalCode":"75011"},` +
		`"zone":"home_hero","history":{"purchased":["sku-3","sku-17","sku-29","sku-41","sku-48"]},"candidates":[`)
	cats := []string{"running", "road", "trail", "gym", "tennis"}
	for i := range 50 {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"id":"sku-%d","categories":["%s"]}`, i, cats[i%len(cats)])
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}()

// BenchmarkDecodeRequest decodes the 50-candidate request body.
func BenchmarkDecodeRequest(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if _, err := DecodeRequest(benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandler is the whole HTTP handler in process (no network): read, decode,
// decide, encode, metrics.
func BenchmarkHandler(b *testing.B) {
	path := filepath.Join(b.TempDir(), document.FileName)
	data, _ := document.Marshal(document.Compile(benchCampaign(true), fixturePolicy(), true))
	if err := writeFile(path, data); err != nil {
		b.Fatal(err)
	}
	store := NewStore(path, slog.New(slog.DiscardHandler))
	srv := NewServer(store, NewMetrics(), slog.New(slog.DiscardHandler), func() time.Time { return now }, nil)
	store.LoadInitial()
	h := srv.DecisionHandler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, DecisionsPath, bytes.NewReader(benchBody))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
}

// growthBookFeatures is the GrowthBook equivalent of the campaign's core: a targeting
// condition and a 2-way experiment with hashing v2.
const growthBookFeatures = `{"banner":{"defaultValue":"fallback","rules":[{
	"condition":{"viewedCategories":{"$in":["running","trail","road","gym"]}},
	"key":"spring-running","seed":"shop/spring-running:split","hashVersion":2,
	"variations":["trail-hero","road-hero"],"weights":[0.5,0.5],"coverage":1}]}}`

// BenchmarkGrowthBookEvalFeature: the GrowthBook Go SDK evaluating the equivalent feature
// for one visitor (attributes set per visitor, as a server does per request).
func BenchmarkGrowthBookEvalFeature(b *testing.B) {
	ctx := context.Background()
	client, err := growthbook.NewClient(ctx, growthbook.WithJsonFeatures(growthBookFeatures), growthbook.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	attrs := growthbook.Attributes{"id": "anon-7f3a", "viewedCategories": []any{"running", "road"}}
	if c, _ := client.WithAttributes(attrs); c.EvalFeature(ctx, "banner").Value == "fallback" {
		b.Fatal("GrowthBook feature did not target the visitor")
	}
	b.ReportAllocs()
	for b.Loop() {
		c, _ := client.WithAttributes(attrs)
		_ = c.EvalFeature(ctx, "banner")
	}
}

// BenchmarkGrowthBookEvalFeatureFixedAttributes evaluates on a client whose attributes
// were set once (a lower bound for the SDK).
func BenchmarkGrowthBookEvalFeatureFixedAttributes(b *testing.B) {
	ctx := context.Background()
	client, err := growthbook.NewClient(ctx, growthbook.WithJsonFeatures(growthBookFeatures),
		growthbook.WithAttributes(growthbook.Attributes{"id": "anon-7f3a", "viewedCategories": []any{"running", "road"}}),
		growthbook.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = client.EvalFeature(ctx, "banner")
	}
}
