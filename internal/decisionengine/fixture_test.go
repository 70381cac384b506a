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
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/document"
)

// now is inside the fixture's schedule.
var now = time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)

// fixturePolicy mirrors config/samples/01-consentpolicy-eu-web.yaml.
func fixturePolicy() *ethosv1alpha1.ConsentPolicy {
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

// fixtureCampaign mirrors config/samples/03-campaign-spring-running.yaml with the CRD
// defaults applied, plus a schedule.
func fixtureCampaign() *ethosv1alpha1.Campaign {
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
						"stores":   "https://shop.example.com/stores?near={{postalCode}}",
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

// mustEngine compiles a campaign the way the controller does and fails on error.
func mustEngine(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy, compliant bool) *Engine {
	d := document.Compile(c, p, compliant)
	data, err := document.Marshal(d)
	if err != nil {
		panic(err)
	}
	e, err := Parse(data)
	if err != nil {
		panic(err)
	}
	return e
}

// baseRequest is a consenting visitor outside the control group who browsed trail.
func baseRequest() *Request {
	return &Request{
		Visitor:    Visitor{ID: "anon-7f3a"},
		Consent:    map[string]string{"personalization": "granted"},
		Attributes: Attributes{"viewedCategories": {Kind: KindList, List: []string{"running", "trail"}}, "postalCode": {Kind: KindString, Str: "75011"}},
		Zone:       "home_hero",
	}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
