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

// Package enginetest holds the decision engine's test fixtures, shared by the tests of
// internal/engine/... and the CLI: a realistic Campaign and ConsentPolicy, compiled the way
// the controller compiles them, and request bodies. Only tests import it; it lives outside
// internal/engine so the engine's layers stay free of the CRD types.
package enginetest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
)

// Now is inside the fixture's schedule.
var Now = time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)

// Policy mirrors config/samples/01-consentpolicy-eu-web.yaml.
func Policy() *ethosv1alpha1.ConsentPolicy {
	return &ethosv1alpha1.ConsentPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "eu-web", Generation: 1},
		Spec: ethosv1alpha1.ConsentPolicySpec{
			Jurisdictions:  []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionEU},
			DefaultConsent: ethosv1alpha1.ConsentDefaultDeny,
			Purposes: []ethosv1alpha1.Purpose{
				{Name: "personalization", Description: "We use the products you view to suggest others you may like.", LegalBasis: ethosv1alpha1.LegalBasisConsent},
				{Name: "ad-retargeting", Description: "We show you our ads on other websites based on the products you viewed here.", LegalBasis: ethosv1alpha1.LegalBasisConsent},
			},
			GlobalPrivacyControl: &ethosv1alpha1.GlobalPrivacyControl{Honor: true, OptsOutOf: []string{"ad-retargeting"}},
			FrequencyCap:         &ethosv1alpha1.FrequencyCap{MaxImpressions: 5, Per: "24h"},
		},
	}
}

// Campaign mirrors config/samples/03-campaign-spring-running.yaml with the CRD
// defaults applied, plus a schedule.
func Campaign() *ethosv1alpha1.Campaign {
	return &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "spring-running", Generation: 3},
		Spec: ethosv1alpha1.CampaignSpec{
			ConsentPolicyRef: ethosv1alpha1.PolicyReference{Name: "eu-web"},
			Purpose:          "personalization",
			Channel:          ethosv1alpha1.ChannelWeb,
			OfferCategory:    ethosv1alpha1.OfferGeneral,
			Type:             ethosv1alpha1.CampaignRuleBased,
			Zones:            []string{"home_hero"},
			Schedule: &ethosv1alpha1.Schedule{
				Start: &metav1.Time{Time: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
				End:   &metav1.Time{Time: time.Date(2027, 4, 30, 23, 59, 59, 0, time.UTC)},
			},
			Audience: ethosv1alpha1.Audience{Rules: []ethosv1alpha1.Rule{
				{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"running", "trail"}},
			}},
			DataUsage: []ethosv1alpha1.DataUsage{
				{Attribute: "viewedCategories", Class: ethosv1alpha1.DataClassBehavioral, Description: "The sports you browsed, to pick the banner"},
				{Attribute: "postalCode", Class: ethosv1alpha1.DataClassProxy, Use: "nearestStore", Description: "Your postal code, to show your nearest store"},
			},
			Experiences: []ethosv1alpha1.Experience{
				{
					Name:  "trail-hero",
					Rules: []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"trail"}}},
					Content: map[string]string{
						"headline": "New trail shoes",
						"stores":   "https://shop.example.com/stores?near={{ postalCode | url }}",
					},
					Recommendations: &ethosv1alpha1.Recommendations{
						Source: ethosv1alpha1.SourceCandidates, MaxItems: 4, ExcludePurchased: ptr.To(true),
						BoostBy: "viewedCategories", MaxPerCategory: ptr.To[int32](2),
					},
				},
				{Name: "road-hero", Content: map[string]string{"headline": "Road running, reinvented"}},
			},
			Fallback:     ethosv1alpha1.Fallback{Content: map[string]string{"headline": "Spring collection"}},
			ControlGroup: &ethosv1alpha1.ControlGroup{Percent: 10},
		},
	}
}

// DocumentJSON compiles a campaign the way the controller does and returns the document's
// bytes.
func DocumentJSON(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy, compliant bool) []byte {
	data, err := document.Marshal(compile.Document(c, p, compliant))
	if err != nil {
		panic(err) // a document of plain types always encodes
	}
	return data
}

// BenchCampaign is the realistic campaign of docs/benchmarks.md: 4 experiences, 6 rules
// (1 audience + 5 in experiences), the chosen experience ranks 50 candidates.
func BenchCampaign(withRecs bool) *ethosv1alpha1.Campaign {
	c := Campaign()
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

// BenchBody is the benchmark visitor's request: 4 attributes, 5 purchases, 50 candidates.
var BenchBody = func() []byte {
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

// GoodBody is a consenting visitor who browsed trail, with an undeclared attribute (ssn).
const GoodBody = `{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},
	"attributes":{"viewedCategories":["running","trail"],"postalCode":"75011","ssn":"secret-value"},"zone":"home_hero",
	"candidates":[{"id":"sku-1","categories":["trail"]}]}`

// FuzzSeeds are the request bodies the decoder and decision fuzz tests start from.
var FuzzSeeds = []string{
	GoodBody,
	`{"visitor":{"id":"😀","authenticated":true},"consent":{"personalization":"denied"},"gpc":true}`,
	`{"visitor":{"id":"v"},"attributes":{"a":[],"b":null,"c":1e400,"d":-0,"e":true},"candidates":[{"id":1},{"id":"x","categories":[]}]}`,
	`{"visitor":{"id":"v"},"history":{"viewed":["a","a"],"purchased":[1,"b"]},"impressions":99999999999}`,
	`{"visitor":{"id":"v","x":[{"a":"\u00e9\n"},-1.5e3,null,true]},"zone":"z","Zone":"y"}`,
	`{"visitor":{"id":"v"},"consent":{},"attributes":{},"history":{"viewed":[]},"candidates":[]}`,
	`{"visitor":{"id":"v"},"impressions":1.0}`, `{"visitor":{"id":"v","id":"w"}}`,
	`{"visitor":`, `[]`, `null`, `{"attributes":{"x":{"y":1}}}`, `{"candidates":[{}]}`,
	// Consent banner signals: both gppSid forms, Consent Mode, nulls, wrong types, duplicates.
	`{"visitor":{"id":"v"},"consent":{"personalization":"granted","tcString":"CQzNJBAQzNJBAAKACBENCWEgALYAAAAAAAqIF5wAQF5gAAAA","gpp":"DBABLA~BVQqAAAAAgA.QA","gppSid":[2,7],"consentMode":{"ad_storage":"granted","ad_user_data":"denied","functionality_storage":{"x":1}}}}`,
	`{"visitor":{"id":"v"},"consent":{"gppSid":"2,7","gpp":null,"tcString":null,"consentMode":{"ad_personalization":null}}}`,
	`{"visitor":{"id":"v"},"consent":{"gppSid":[-1],"tcString":"a","tcString":"b","consentMode":{}}}`,
	`{"visitor":{"id":"v"},"consent":{"gppSid":"-1"}}`, `{"visitor":{"id":"v"},"consent":{"gppSid":[1.5]}}`,
	`{"visitor":{"id":"v"},"consent":{"tcString":7}}`, `{"visitor":{"id":"v"},"consent":{"consentMode":{"ad_storage":"yes"}}}`,
	`{"visitor":{"id":"v"},"consent":{"consentMode":[]}}`, `{"visitor":{"id":"v"},"consent":{"gppSid":"2;7"}}`,
}

// HTMLBlock is HTML-heavy content: 5 of its 13 characters are <, > or &, which the document
// stores as 6-byte \u00XX escapes (ETH020).
const HTMLBlock = "<p>&nbsp;</p>"

// ContentHeavyCampaign is Campaign with experiences × keys content values of chars characters
// each, repeating unit: the largest Campaign the schema admits is 8 × 24 × 2,048 (ETH020).
func ContentHeavyCampaign(experiences, keys, chars int, unit string) *ethosv1alpha1.Campaign {
	value := strings.Repeat(unit, chars/len(unit)+1)[:chars]
	c := Campaign()
	// Only viewedCategories is used, so only it is declared (ETH007).
	c.Spec.DataUsage = c.Spec.DataUsage[:1]
	c.Spec.Experiences = nil
	for i := range experiences {
		content := map[string]string{}
		for k := range keys {
			content[fmt.Sprintf("block%02d", k)] = value
		}
		c.Spec.Experiences = append(c.Spec.Experiences, ethosv1alpha1.Experience{
			Name:    fmt.Sprintf("experience-%d", i),
			Rules:   []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{fmt.Sprintf("category-%d", i)}}},
			Content: content,
		})
	}
	return c
}
