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

package server_test

// These tests evaluate through the official OpenFeature Go SDK and its OFREP provider, as an
// app team would, against the real handler on loopback. They are tests only: the
// decision-engine binary does not link the SDK.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/open-feature/go-sdk-contrib/providers/ofrep"
	"github.com/open-feature/go-sdk/openfeature"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/evaluator"
	"github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// sdkClient serves the document of (campaign, policy) on loopback and returns an OpenFeature
// client whose OFREP provider talks to it, plus the engine (to compare with /v1/decisions).
func sdkClient(t *testing.T, c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy, opts ...ofrep.Option) (*openfeature.Client, *evaluator.Evaluator) {
	t.Helper()
	data := enginetest.DocumentJSON(c, p, true)
	path := filepath.Join(t.TempDir(), document.FileName)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	store := server.NewStore(path, log)
	srv := server.NewServer(store, server.NewMetrics(), log, func() time.Time { return enginetest.Now }, nil)
	store.LoadInitial()
	api := httptest.NewServer(srv.DecisionHandler()) // 127.0.0.1
	t.Cleanup(api.Close)
	if err := openfeature.SetNamedProviderAndWait(t.Name(), ofrep.NewProvider(api.URL, opts...)); err != nil {
		t.Fatal(err)
	}
	eng, err := evaluator.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return openfeature.NewClient(t.Name()), eng
}

// visitor is the fixture's consenting trail visitor, plus an undeclared attribute (ssn).
func visitor() map[string]any {
	return map[string]any{
		"consent":          map[string]any{"personalization": "granted"},
		"viewedCategories": []any{"running", "trail"},
		"postalCode":       "75011",
		"ssn":              "secret-value",
		"zone":             "home_hero",
		"candidates":       []any{map[string]any{"id": "sku-1", "categories": []any{"trail"}}},
	}
}

func TestOpenFeatureSDK(t *testing.T) {
	ctx := context.Background()
	fallback := map[string]any{"experience": "", "content": map[string]any{"headline": "Spring collection"}, "items": []any{},
		"explanation": wire.NeutralExplanation}

	t.Run("match, with the undeclared attribute dropped", func(t *testing.T) {
		g := NewWithT(t)
		// A placeholder of the undeclared ssn (which admission would refuse; compiled here as
		// if compliant) shows that the engine drops the context's ssn before deciding.
		c := enginetest.Campaign()
		c.Spec.Experiences[0].Content["note"] = "ssn=[{{ssn}}]"
		client, eng := sdkClient(t, c, enginetest.Policy())
		d, err := client.ObjectValueDetails(ctx, "spring-running", nil, openfeature.NewEvaluationContext("anon-7f3a", visitor()))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Reason).To(Equal(openfeature.TargetingMatchReason))
		g.Expect(d.Variant).To(Equal("trail-hero"))
		g.Expect(d.Value).To(Equal(map[string]any{
			"experience": "trail-hero",
			"content": map[string]any{"headline": "New trail shoes", "stores": "https://shop.example.com/stores?near=75011",
				"note": "ssn=[]"},
			"items": []any{"sku-1"},
			"explanation": "We showed this because of: the sports you browsed, to pick the banner; your postal code, to show your nearest store. " +
				"Purpose: We use the products you view to suggest others you may like.",
		}))
		g.Expect(d.FlagMetadata).To(Equal(openfeature.FlagMetadata{"reason": "Matched", "campaign": "shop/spring-running",
			"configHash": eng.ConfigHash(), "personalized": true}))
		// The undeclared ssn reached nothing: the answer equals the decision without it.
		req, err := wire.DecodeRequest([]byte(`{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},` +
			`"attributes":{"viewedCategories":["running","trail"],"postalCode":"75011"},"zone":"home_hero","candidates":[{"id":"sku-1","categories":["trail"]}]}`))
		g.Expect(err).NotTo(HaveOccurred())
		want := eng.Decide(req, enginetest.Now)
		g.Expect(d.Value.(map[string]any)["explanation"]).To(Equal(want.Explanation))
		g.Expect(fmt.Sprint(d.Value)).NotTo(ContainSubstring("secret-value"))
	})

	t.Run("consent denied", func(t *testing.T) {
		g := NewWithT(t)
		client, _ := sdkClient(t, enginetest.Campaign(), enginetest.Policy())
		attrs := visitor()
		attrs["consent"] = map[string]any{"personalization": "denied"}
		d, err := client.ObjectValueDetails(ctx, "spring-running", nil, openfeature.NewEvaluationContext("anon-7f3a", attrs))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Reason).To(Equal(openfeature.DefaultReason))
		g.Expect(d.Variant).To(Equal("fallback"))
		g.Expect(d.Value).To(Equal(fallback))
		g.Expect(d.FlagMetadata["reason"]).To(Equal("ConsentDenied"))
		g.Expect(d.FlagMetadata["personalized"]).To(BeFalse())
	})

	t.Run("Global Privacy Control header", func(t *testing.T) {
		g := NewWithT(t)
		p := enginetest.Policy()
		p.Spec.GlobalPrivacyControl.OptsOutOf = []string{"personalization", "ad-retargeting"}
		client, _ := sdkClient(t, enginetest.Campaign(), p, ofrep.WithHeaderProvider(func() (string, string) { return "Sec-GPC", "1" }))
		d, err := client.ObjectValueDetails(ctx, "spring-running", nil, openfeature.NewEvaluationContext("anon-7f3a", visitor()))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Reason).To(Equal(openfeature.DefaultReason))
		g.Expect(d.Value).To(Equal(fallback))
		g.Expect(d.FlagMetadata["reason"]).To(Equal("GlobalPrivacyControl"))
	})

	t.Run("control group", func(t *testing.T) {
		g := NewWithT(t)
		client, eng := sdkClient(t, enginetest.Campaign(), enginetest.Policy())
		// Find a visitor the 10 % control group holds, by asking the evaluator directly.
		id := ""
		for i := 0; id == "" && i < 1000; i++ {
			cand := fmt.Sprintf("visitor-%d", i)
			req, err := wire.DecodeRequest(fmt.Appendf(nil, `{"visitor":{"id":%q},"consent":{"personalization":"granted"},`+
				`"attributes":{"viewedCategories":["trail"]},"zone":"home_hero"}`, cand))
			g.Expect(err).NotTo(HaveOccurred())
			if eng.Decide(req, enginetest.Now).Reason == wire.ReasonControlGroup {
				id = cand
			}
		}
		g.Expect(id).NotTo(BeEmpty())
		d, err := client.ObjectValueDetails(ctx, "spring-running", nil, openfeature.NewEvaluationContext(id, visitor()))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Reason).To(Equal(openfeature.SplitReason))
		g.Expect(d.Variant).To(Equal("fallback"))
		g.Expect(d.FlagMetadata["reason"]).To(Equal("ControlGroup"))
	})

	t.Run("unknown flag", func(t *testing.T) {
		g := NewWithT(t)
		client, _ := sdkClient(t, enginetest.Campaign(), enginetest.Policy())
		d, err := client.ObjectValueDetails(ctx, "winter-sale", "code default", openfeature.NewEvaluationContext("anon-7f3a", visitor()))
		g.Expect(err).To(HaveOccurred())
		g.Expect(d.ErrorCode).To(Equal(openfeature.FlagNotFoundCode))
		g.Expect(d.Value).To(Equal("code default"))
	})

	t.Run("invalid context", func(t *testing.T) {
		g := NewWithT(t)
		client, _ := sdkClient(t, enginetest.Campaign(), enginetest.Policy())
		d, err := client.ObjectValueDetails(ctx, "spring-running", "code default",
			openfeature.NewEvaluationContext("anon-7f3a", map[string]any{"consent": map[string]any{"personalization": "yes"}}))
		g.Expect(err).To(HaveOccurred())
		g.Expect(d.ErrorCode).To(Equal(openfeature.InvalidContextCode))
		g.Expect(d.ErrorMessage).To(ContainSubstring("context.consent.personalization"))
		d, err = client.ObjectValueDetails(ctx, "spring-running", "code default", openfeature.NewTargetlessEvaluationContext(nil))
		g.Expect(err).To(HaveOccurred())
		g.Expect(d.ErrorCode).To(Equal(openfeature.TargetingKeyMissingCode))
	})
}
