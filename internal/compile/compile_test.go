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
package compile_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// TestDocumentResolvesPolicyValues: every default and policy value is resolved here, so the
// engine interprets nothing of the CRD.
func TestDocumentResolvesPolicyValues(t *testing.T) {
	g := NewWithT(t)
	c, p := enginetest.Campaign(), enginetest.Policy()
	p.Spec.DefaultConsent = "" // as an object that skipped defaulting
	p.Spec.GlobalPrivacyControl.OptsOutOf = []string{"personalization"}
	c.Spec.Experiences[0].Recommendations.Source = ""
	c.Spec.Experiences[0].Recommendations.MaxItems = 0
	c.Spec.Experiences[0].Recommendations.ExcludePurchased = nil
	c.Spec.Experiences[1].Weight = ptr.To[int32](3)
	d := compile.Document(c, p, true)
	g.Expect(d.Mode).To(Equal(document.ModePersonalize))
	g.Expect(d.APIVersion).To(Equal(document.APIVersion))
	pz := d.Personalization
	g.Expect(pz.DefaultConsent).To(Equal(document.ConsentDeny))
	g.Expect(pz.GlobalPrivacyControlWithdraws).To(BeTrue())
	g.Expect(pz.BucketingSeed).To(Equal("shop/spring-running"))
	g.Expect(pz.Purpose).To(Equal(document.Purpose{Name: "personalization", Description: "We use the products you view to suggest others you may like."}))
	g.Expect(pz.FrequencyCap).To(Equal(&document.FrequencyCap{MaxImpressions: 5, Per: "24h"}), "the policy's cap when the Campaign has none")
	g.Expect(pz.Experiences[0].Weight).To(Equal(int32(1)))
	g.Expect(pz.Experiences[1].Weight).To(Equal(int32(3)))
	g.Expect(pz.Experiences[0].Recommendations).To(Equal(&document.Recommendations{
		Source: document.SourceCandidates, MaxItems: 10, ExcludePurchased: true, BoostBy: "viewedCategories", MaxPerCategory: 2}))

	c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 2, Per: "1h"}
	p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow
	p.Spec.GlobalPrivacyControl.Honor = false
	pz = compile.Document(c, p, true).Personalization
	g.Expect(pz.FrequencyCap).To(Equal(&document.FrequencyCap{MaxImpressions: 2, Per: "1h"}), "the Campaign's own cap wins")
	g.Expect(pz.DefaultConsent).To(Equal(document.ConsentAllow))
	g.Expect(pz.GlobalPrivacyControlWithdraws).To(BeFalse())
}

// TestFallbackOnlyDocumentsHoldOnlyTheEnvelope: a blocked or suspended document carries the
// fallback and nothing to personalize with.
func TestFallbackOnlyDocumentsHoldOnlyTheEnvelope(t *testing.T) {
	undefinedPurpose := enginetest.Campaign()
	undefinedPurpose.Spec.Purpose = "analytics"
	suspended := enginetest.Campaign()
	suspended.Spec.Suspend = true
	tests := []struct {
		name      string
		c         *ethosv1alpha1.Campaign
		policy    *ethosv1alpha1.ConsentPolicy
		compliant bool
		want      document.FallbackReason
	}{
		{"missing policy", enginetest.Campaign(), nil, true, document.FallbackBlocked},
		{"not compliant", enginetest.Campaign(), enginetest.Policy(), false, document.FallbackBlocked},
		{"purpose the policy does not define", undefinedPurpose, enginetest.Policy(), true, document.FallbackBlocked},
		{"suspended", suspended, enginetest.Policy(), true, document.FallbackSuspended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			d := compile.Document(tt.c, tt.policy, tt.compliant)
			g.Expect(d).To(Equal(&document.Document{Envelope: document.Envelope{
				APIVersion: document.APIVersion,
				Campaign:   document.CampaignRef{Namespace: "shop", Name: "spring-running", Generation: 3},
				Mode:       document.ModeFallbackOnly, Reason: tt.want,
				Fallback: document.Fallback{Content: map[string]string{"headline": "Spring collection"}},
			}}))
		})
	}
}
