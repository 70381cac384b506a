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

package evaluator

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	growthbook "github.com/growthbook/growthbook-golang"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/consent"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

func benchCampaign(withRecs bool) *ethosv1alpha1.Campaign { return enginetest.BenchCampaign(withRecs) }

func benchRequest() *wire.Request {
	r := &wire.Request{
		Visitor: wire.Visitor{ID: "anon-7f3a"},
		Consent: wire.Consent{Purposes: map[string]string{"personalization": "granted", "ad-retargeting": "denied"}},
		Attributes: wire.Attributes{
			"viewedCategories": {Kind: wire.KindList, List: []string{"running", "road"}},
			"visits":           {Kind: wire.KindNumber, Str: "5", Num: 5},
			"loyaltyTier":      {Kind: wire.KindString, Str: "gold"},
			"postalCode":       {Kind: wire.KindString, Str: "75011"},
		},
		Zone:    "home_hero",
		History: wire.History{Purchased: []wire.ItemID{"sku-3", "sku-17", "sku-29", "sku-41", "sku-48"}},
	}
	cats := []string{"running", "road", "trail", "gym", "tennis"}
	for i := range 50 {
		r.Candidates = append(r.Candidates, wire.Candidate{ID: wire.ItemID(fmt.Sprintf("sku-%d", i)), Categories: []string{cats[i%len(cats)]}})
	}
	return r
}

func benchmarkDecide(b *testing.B, withRecs bool) {
	e := mustEngine(benchCampaign(withRecs), fixturePolicy(), true)
	req := benchRequest()
	if a := e.Decide(req, now); a.Reason != wire.ReasonMatched || a.Experience != "road-hero" || (withRecs && len(a.Items) != 10) {
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
		buf = wire.AppendJSON(buf[:0], &a)
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

// benchmarkDecideConsent is BenchmarkDecide's campaign and visitor whose consent comes from
// a TC string (signalPolicy: TCF purposes 1, 5, 6, vendor 755, Consent Mode, GPP opt-outs)
// instead of the purpose map; cold drops the request's strings from the decoded-string cache
// before every decision (consent.Forget, a map delete, is inside the timing).
func benchmarkDecideConsent(b *testing.B, c wire.Consent, cold bool) {
	p := fixturePolicy()
	signalPolicy(p)
	e := mustEngine(benchCampaign(false), p, true)
	req := benchRequest()
	req.Consent = c
	if a := e.Decide(req, now); a.Reason != wire.ReasonMatched || a.Experience != "road-hero" {
		b.Fatalf("unexpected answer %+v", a)
	}
	b.ReportAllocs()
	for b.Loop() {
		if cold {
			consent.Forget(c.TCString)
			consent.Forget(c.GPP)
		}
		_ = e.Decide(req, now)
	}
}

// benchmarkFill decides for the fixture's trail visitor, whose experience fills content
// with placeholders (stores, written as given) and ranks 4 candidates.
func benchmarkFill(b *testing.B, stores string) {
	c := fixtureCampaign()
	c.Spec.Experiences[0].Content["stores"] = stores
	c.Spec.Experiences[0].Content["greeting"] = "<p>Trail shoes for {{ viewedCategories }} fans</p>"
	e := mustEngine(c, fixturePolicy(), true)
	req := baseRequest()
	req.Candidates = []wire.Candidate{{ID: "sku-1", Categories: []string{"trail"}}, {ID: "sku-2", Categories: []string{"road"}}}
	if a := e.Decide(req, now); a.Reason != wire.ReasonMatched || a.Experience != "trail-hero" {
		b.Fatalf("unexpected answer %+v", a)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Decide(req, now)
	}
}

// BenchmarkDecideTCStringWarm: the TC string is in the cache (the common case: a visitor's
// cookie is sent with every page).
func BenchmarkDecideTCStringWarm(b *testing.B) {
	benchmarkDecideConsent(b, wire.Consent{TCString: enginetest.TCStrings["allGranted"]}, false)
}

// BenchmarkDecideTCStringCold decodes the TC string for every decision.
func BenchmarkDecideTCStringCold(b *testing.B) {
	benchmarkDecideConsent(b, wire.Consent{TCString: enginetest.TCStrings["allGranted"]}, true)
}

// BenchmarkDecideAllSignalsWarm: TC string, GPP string (US national section) and Consent Mode.
func BenchmarkDecideAllSignalsWarm(b *testing.B) {
	benchmarkDecideConsent(b, allSignals(), false)
}

// BenchmarkDecideAllSignalsCold decodes both strings for every decision.
func BenchmarkDecideAllSignalsCold(b *testing.B) {
	benchmarkDecideConsent(b, allSignals(), true)
}

func allSignals() wire.Consent {
	return wire.Consent{TCString: enginetest.TCStrings["allGranted"], GPP: enginetest.GPPString(2, 2, false, ""),
		Mode: [4]string{"granted", "granted", "granted", "granted"}}
}

// BenchmarkDecideFillContent fills two content values, one with a bare placeholder in a URL
// and one in HTML text (before encodings existed, both were copied verbatim).
func BenchmarkDecideFillContent(b *testing.B) {
	benchmarkFill(b, "https://shop.example.com/stores?near={{postalCode}}")
}

// BenchmarkDecideFillContentURL is BenchmarkDecideFillContent with the URL placeholder
// written `| url` and a value that needs escaping in both contexts.
func BenchmarkDecideFillContentURL(b *testing.B) {
	benchmarkFill(b, `https://shop.example.com/stores?near={{ postalCode | url }}&q="<x>"`)
}

// BenchmarkDecideFrench is BenchmarkDecide for a French visitor of a translated campaign.
func BenchmarkDecideFrench(b *testing.B) {
	c := benchCampaign(false)
	p := fixturePolicy()
	for i := range c.Spec.DataUsage {
		c.Spec.DataUsage[i].DescriptionTranslations = map[string]string{"fr": "Texte " + c.Spec.DataUsage[i].Attribute}
	}
	p.Spec.Purposes[0].DescriptionTranslations = map[string]string{"fr": "Nous suggérons des produits."}
	e := mustEngine(c, p, true)
	req := benchRequest()
	req.Locale = "fr-CH"
	if a := e.Decide(req, now); a.Reason != wire.ReasonMatched || a.Explanation[:4] != "Nous" {
		b.Fatalf("unexpected answer %+v", a)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Decide(req, now)
	}
}
