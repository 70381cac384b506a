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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

const (
	purposeSentenceText = "Purpose: We use the products you view to suggest others you may like."
	sportsText          = "the sports you browsed, to pick the banner"
	postalText          = "your postal code, to show your nearest store"
	controlVisitor      = "visitor-5" // control hash 0.0784 < 0.10
)

func fallback(e *Evaluator, r wire.Reason) wire.Answer {
	return wire.Answer{
		Campaign: "shop/spring-running", Content: map[string]string{"headline": "Spring collection"},
		Items: []string{}, Reason: r, Explanation: wire.NeutralExplanation, ConfigHash: e.ConfigHash(),
	}
}

func TestDecideReasonsAndOrder(t *testing.T) {
	trailMatched := func(e *Evaluator) wire.Answer {
		return wire.Answer{
			Campaign: "shop/spring-running", Personalized: true, Experience: "trail-hero",
			Content: map[string]string{"headline": "New trail shoes", "stores": "https://shop.example.com/stores?near=75011"},
			Items:   []string{}, Reason: wire.ReasonMatched,
			Explanation: "We showed this because of: " + sportsText + "; " + postalText + ". " + purposeSentenceText,
			ConfigHash:  e.ConfigHash(),
		}
	}
	tests := []struct {
		name      string
		campaign  func(c *ethosv1alpha1.Campaign)
		policy    func(p *ethosv1alpha1.ConsentPolicy)
		noPolicy  bool
		compliant *bool
		request   func(r *wire.Request)
		at        time.Time
		want      func(e *Evaluator) wire.Answer
	}{
		{name: "consenting visitor who browsed trail is matched", want: trailMatched},
		{name: "non-compliant campaign is blocked", compliant: ptr.To(false), want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonBlocked) }},
		{name: "missing policy is blocked", noPolicy: true, want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonBlocked) }},
		{name: "blocked beats suspended", compliant: ptr.To(false), campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Suspend = true },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonBlocked) }},
		{name: "suspended", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Suspend = true },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonSuspended) }},
		{name: "suspended beats schedule and consent", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Suspend = true },
			request: func(r *wire.Request) { r.Consent.Purposes["personalization"] = "denied" }, at: now.AddDate(1, 0, 0),
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonSuspended) }},
		{name: "before the schedule", at: time.Date(2027, 2, 28, 23, 59, 59, 0, time.UTC),
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonOutsideSchedule) }},
		{name: "after the schedule", at: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC),
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonOutsideSchedule) }},
		{name: "schedule start is inclusive", at: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), want: trailMatched},
		{name: "schedule beats zone and consent", at: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC),
			request: func(r *wire.Request) { r.Zone = "footer"; r.Consent = wire.Consent{} },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonOutsideSchedule) }},
		{name: "zone not served", request: func(r *wire.Request) { r.Zone = "footer" },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonZoneNotServed) }},
		{name: "no zone while zones are set", request: func(r *wire.Request) { r.Zone = "" },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonZoneNotServed) }},
		{name: "zone beats consent", request: func(r *wire.Request) { r.Zone = "footer"; r.Consent = wire.Consent{} },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonZoneNotServed) }},
		{name: "campaign without zones answers any zone", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Zones = nil },
			request: func(r *wire.Request) { r.Zone = "footer" }, want: trailMatched},
		{name: "consent denied", request: func(r *wire.Request) { r.Consent.Purposes["personalization"] = "denied" },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonConsentDenied) }},
		{name: "consent unknown with default Deny", request: func(r *wire.Request) {
			r.Consent = wire.Consent{Purposes: map[string]string{"ad-retargeting": "granted"}}
		},
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonConsentUnknown) }},
		{name: "consent unknown with default Allow personalizes",
			policy:  func(p *ethosv1alpha1.ConsentPolicy) { p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow },
			request: func(r *wire.Request) { r.Consent = wire.Consent{} }, want: trailMatched},
		{name: "consent denied with default Allow", policy: func(p *ethosv1alpha1.ConsentPolicy) { p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow },
			request: func(r *wire.Request) { r.Consent.Purposes["personalization"] = "denied" },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonConsentDenied) }},
		{name: "GPC beats a granted consent",
			policy: func(p *ethosv1alpha1.ConsentPolicy) {
				p.Spec.GlobalPrivacyControl.OptsOutOf = []string{"personalization"}
			},
			request: func(r *wire.Request) { r.GPC = true },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonGlobalPrivacyControl) }},
		{name: "GPC beats default Allow",
			policy: func(p *ethosv1alpha1.ConsentPolicy) {
				p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow
				p.Spec.GlobalPrivacyControl.OptsOutOf = []string{"personalization"}
			},
			request: func(r *wire.Request) { r.GPC = true; r.Consent = wire.Consent{} },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonGlobalPrivacyControl) }},
		{name: "an explicit denial is reported before GPC",
			policy: func(p *ethosv1alpha1.ConsentPolicy) {
				p.Spec.GlobalPrivacyControl.OptsOutOf = []string{"personalization"}
			},
			request: func(r *wire.Request) { r.GPC = true; r.Consent.Purposes["personalization"] = "denied" },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonConsentDenied) }},
		{name: "GPC does not withdraw purposes outside optsOutOf", request: func(r *wire.Request) { r.GPC = true }, want: trailMatched},
		{name: "GPC not honoured",
			policy: func(p *ethosv1alpha1.ConsentPolicy) {
				p.Spec.GlobalPrivacyControl = &ethosv1alpha1.GlobalPrivacyControl{Honor: false, OptsOutOf: []string{"personalization"}}
			},
			request: func(r *wire.Request) { r.GPC = true }, want: trailMatched},
		{name: "authentication required", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Audience.RequireAuthenticated = true },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotAuthenticated) }},
		{name: "authenticated visitor", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Audience.RequireAuthenticated = true },
			request: func(r *wire.Request) { r.Visitor.Authenticated = true }, want: trailMatched},
		{name: "consent is checked before authentication", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Audience.RequireAuthenticated = true },
			request: func(r *wire.Request) { r.Consent = wire.Consent{} }, want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonConsentUnknown) }},
		{name: "not in audience", request: func(r *wire.Request) {
			r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"tennis"}}
		},
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotInAudience) }},
		{name: "missing audience attribute", request: func(r *wire.Request) { delete(r.Attributes, "viewedCategories") },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotInAudience) }},
		{name: "an undeclared attribute cannot make a visitor match",
			campaign: func(c *ethosv1alpha1.Campaign) {
				c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, ethosv1alpha1.Rule{Attribute: "loyaltyTier", Operator: ethosv1alpha1.OperatorIn, Values: []string{"gold"}})
			},
			request: func(r *wire.Request) { r.Attributes["loyaltyTier"] = wire.Value{Kind: wire.KindString, Str: "gold"} },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotInAudience) }},
		{name: "an undeclared placeholder is filled with nothing",
			campaign: func(c *ethosv1alpha1.Campaign) {
				c.Spec.Experiences[1].Content = map[string]string{"headline": "Hi {{firstName}}!"}
			},
			request: func(r *wire.Request) {
				r.Attributes["firstName"] = wire.Value{Kind: wire.KindString, Str: "Ann"}
				r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"running"}}
			},
			want: func(e *Evaluator) wire.Answer {
				return wire.Answer{Campaign: "shop/spring-running", Personalized: true, Experience: "road-hero",
					Content: map[string]string{"headline": "Hi !"}, Items: []string{}, Reason: wire.ReasonMatched,
					Explanation: "We showed this because of: " + sportsText + ". " + purposeSentenceText, ConfigHash: e.ConfigHash()}
			}},
		{name: "control group never sees personalized content", request: func(r *wire.Request) { r.Visitor.ID = controlVisitor },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonControlGroup) }},
		{name: "audience is checked before the control group",
			request: func(r *wire.Request) {
				r.Visitor.ID = controlVisitor
				r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"tennis"}}
			},
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotInAudience) }},
		{name: "no control group", campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.ControlGroup = nil },
			request: func(r *wire.Request) { r.Visitor.ID = controlVisitor }, want: func(e *Evaluator) wire.Answer {
				a := trailMatched(e)
				return a
			}},
		{name: "second experience when the first does not match",
			request: func(r *wire.Request) {
				r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"running"}}
			},
			want: func(e *Evaluator) wire.Answer {
				return wire.Answer{Campaign: "shop/spring-running", Personalized: true, Experience: "road-hero",
					Content: map[string]string{"headline": "Road running, reinvented"}, Items: []string{}, Reason: wire.ReasonMatched,
					Explanation: "We showed this because of: " + sportsText + ". " + purposeSentenceText, ConfigHash: e.ConfigHash()}
			}},
		{name: "no experience matches",
			campaign: func(c *ethosv1alpha1.Campaign) { c.Spec.Experiences = c.Spec.Experiences[:1] },
			request: func(r *wire.Request) {
				r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"running"}}
			},
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonNotInAudience) }},
		{name: "missing postal code: empty placeholder, not named in the explanation",
			request: func(r *wire.Request) { delete(r.Attributes, "postalCode") },
			want: func(e *Evaluator) wire.Answer {
				a := trailMatched(e)
				a.Content = map[string]string{"headline": "New trail shoes", "stores": "https://shop.example.com/stores?near="}
				a.Explanation = "We showed this because of: " + sportsText + ". " + purposeSentenceText
				return a
			}},
		{name: "policy frequency cap reached", request: func(r *wire.Request) { r.Impressions = 5 },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonFrequencyCapped) }},
		{name: "policy frequency cap not reached", request: func(r *wire.Request) { r.Impressions = 4 }, want: trailMatched},
		{name: "campaign frequency cap wins over the policy's",
			campaign: func(c *ethosv1alpha1.Campaign) {
				c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 3, Per: "24h"}
			},
			request: func(r *wire.Request) { r.Impressions = 3 },
			want:    func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonFrequencyCapped) }},
		{name: "control group is checked before the cap", request: func(r *wire.Request) { r.Visitor.ID = controlVisitor; r.Impressions = 9 },
			want: func(e *Evaluator) wire.Answer { return fallback(e, wire.ReasonControlGroup) }},
		{name: "recommendations and purchase exclusion for an anonymous visitor",
			request: func(r *wire.Request) {
				r.History = wire.History{Purchased: []wire.ItemID{"sku-2"}}
				r.Candidates = []wire.Candidate{
					{ID: "sku-1", Categories: []string{"road"}}, {ID: "sku-2", Categories: []string{"trail"}},
					{ID: "sku-3", Categories: []string{"trail"}}, {ID: "sku-4", Categories: []string{"running"}},
				}
			},
			want: func(e *Evaluator) wire.Answer {
				a := trailMatched(e)
				a.Items = []string{"sku-3", "sku-4", "sku-1"}
				a.Explanation = "We showed this because of: " + sportsText + "; " + postalText + "; " + wordings[wire.English].excluded + ". " + purposeSentenceText
				return a
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c, p := fixtureCampaign(), fixturePolicy()
			if tt.campaign != nil {
				tt.campaign(c)
			}
			if tt.policy != nil {
				tt.policy(p)
			}
			if tt.noPolicy {
				p = nil
			}
			compliant := true
			if tt.compliant != nil {
				compliant = *tt.compliant
			}
			e := mustEngine(c, p, compliant)
			req := baseRequest()
			if tt.request != nil {
				tt.request(req)
			}
			at := now
			if !tt.at.IsZero() {
				at = tt.at
			}
			g.Expect(e.Decide(req, at)).To(Equal(tt.want(e)))
		})
	}
}

func TestRuleOperators(t *testing.T) {
	list := wire.Value{Kind: wire.KindList, List: []string{"running", "trail"}}
	str := wire.Value{Kind: wire.KindString, Str: "gold"}
	num := wire.Value{Kind: wire.KindNumber, Str: "42", Num: 42}
	numText := wire.Value{Kind: wire.KindString, Str: "42"}
	boolean := wire.Value{Kind: wire.KindBool, Str: "true"}
	missing := wire.Value{}
	tests := []struct {
		op     document.Operator
		values []string
		v      wire.Value
		want   bool
	}{
		{document.OperatorIn, []string{"trail"}, list, true},
		{document.OperatorIn, []string{"road"}, list, false},
		{document.OperatorIn, []string{"gold", "silver"}, str, true},
		{document.OperatorIn, []string{"42"}, num, true},
		{document.OperatorIn, []string{"true"}, boolean, true},
		{document.OperatorIn, []string{"gold"}, missing, false},
		{document.OperatorNotIn, []string{"road"}, list, true},
		{document.OperatorNotIn, []string{"trail"}, list, false},
		{document.OperatorNotIn, []string{"gold"}, missing, true},
		{document.OperatorNotIn, []string{"gold"}, str, false},
		{document.OperatorContains, []string{"running", "trail"}, list, true},
		{document.OperatorContains, []string{"running", "road"}, list, false},
		{document.OperatorContains, []string{"gold"}, str, true},
		{document.OperatorContains, []string{"gold"}, missing, false},
		{document.OperatorExists, nil, str, true},
		{document.OperatorExists, nil, missing, false},
		{document.OperatorExists, nil, wire.Value{Kind: wire.KindList, List: []string{}}, true},
		{document.OperatorDoesNotExist, nil, missing, true},
		{document.OperatorDoesNotExist, nil, str, false},
		{document.OperatorGt, []string{"41.5"}, num, true},
		{document.OperatorGt, []string{"42"}, num, false},
		{document.OperatorGt, []string{"1"}, numText, false},
		{document.OperatorGt, []string{"1"}, missing, false},
		{document.OperatorLt, []string{"-1"}, num, false},
		{document.OperatorLt, []string{"100"}, num, true},
		{document.OperatorLt, []string{"100"}, list, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.op)+" "+tt.v.Str, func(t *testing.T) {
			g := NewWithT(t)
			e := &Evaluator{attrNames: []string{"a"}}
			rules, err := e.buildRules([]document.Rule{{Attribute: "a", Operator: tt.op, Values: tt.values}}, "rules")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(rules[0].match([]wire.Value{tt.v})).To(Equal(tt.want))
		})
	}
}
