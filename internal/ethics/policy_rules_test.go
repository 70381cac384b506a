package ethics

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func TestCheckConsentPolicy(t *testing.T) {
	type edit func(p *ethosv1alpha1.ConsentPolicy)
	tests := []struct {
		name     string
		edit     edit
		old      bool // check as an update of goodPolicy()
		bound    []ethosv1alpha1.Campaign
		wantHits []hit
	}{
		{name: "good policy", edit: func(*ethosv1alpha1.ConsentPolicy) {}, wantHits: []hit{}},

		{name: "CPL001 EU with Allow (and CPL009)", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow
		}, wantHits: []hit{
			{"CPL001", "deny", "spec.defaultConsent"},
			{"CPL009", "warning", "spec.defaultConsent"},
		}},
		{name: "CPL001 near miss: empty defaultConsent means the CRD default Deny", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.DefaultConsent = ""
		}, wantHits: []hit{}},
		{name: "CPL010 EU ad platform without tcfVendorId", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[2].ThirdParties[0].TCFVendorID = nil
		}, wantHits: []hit{{"CPL010", "warning", "spec.purposes[2].thirdParties[0].tcfVendorId"}}},
		{name: "CPL010 UK too", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Jurisdictions = []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionUK}
			p.Spec.Purposes[2].ThirdParties[0].TCFVendorID = nil
		}, wantHits: []hit{{"CPL010", "warning", "spec.purposes[2].thirdParties[0].tcfVendorId"}}},
		{name: "CPL010 near miss: US-VA does not use TCF", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Jurisdictions = []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionUSVA}
			p.Spec.Purposes[2].ThirdParties[0].TCFVendorID = nil
		}, wantHits: []hit{}},
		{name: "CPL010 near miss: an Analytics third party needs no vendor id", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].ThirdParties = []ethosv1alpha1.ThirdParty{{Name: "stats", Type: ethosv1alpha1.ThirdPartyAnalytics}}
		}, wantHits: []hit{}},
		{name: "CPL011 ad purpose granted by analytics_storage alone", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[2].ConsentModeSignals = []ethosv1alpha1.ConsentModeSignal{ethosv1alpha1.ConsentModeAnalyticsStorage}
		}, wantHits: []hit{{"CPL011", "deny", "spec.purposes[2].consentModeSignals"}}},
		{name: "CPL011 TCF purpose 4 without a third party", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].TCFPurposes = []int32{1, 4}
			p.Spec.Purposes[0].ConsentModeSignals = []ethosv1alpha1.ConsentModeSignal{ethosv1alpha1.ConsentModeAnalyticsStorage}
		}, wantHits: []hit{{"CPL011", "deny", "spec.purposes[0].consentModeSignals"}}},
		{name: "CPL011 near miss: analytics_storage with ad_personalization", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[2].ConsentModeSignals = []ethosv1alpha1.ConsentModeSignal{ethosv1alpha1.ConsentModeAnalyticsStorage, ethosv1alpha1.ConsentModeAdPersonalization}
		}, wantHits: []hit{}},
		{name: "CPL011 near miss: analytics_storage for a non-advertising purpose", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].ConsentModeSignals = []ethosv1alpha1.ConsentModeSignal{ethosv1alpha1.ConsentModeAnalyticsStorage}
		}, wantHits: []hit{}},
		{name: "CPL009 alone: US opt-out regime", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Jurisdictions = []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionUS}
			p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow
		}, wantHits: []hit{{"CPL009", "warning", "spec.defaultConsent"}}},

		{name: "CPL002 URL only, short, empty", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].Description = "See https://example.com/privacy"
			p.Spec.Purposes[1].Description = "Emails about sports"
			p.Spec.Purposes[2].Description = ""
		}, wantHits: []hit{
			{"CPL002", "deny", "spec.purposes[0].description"},
			{"CPL002", "deny", "spec.purposes[1].description"},
			{"CPL002", "deny", "spec.purposes[2].description"},
		}},
		{name: "CPL002 near miss: exactly five words", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].Description = "We suggest products you like."
		}, wantHits: []hit{}},

		{name: "CPL003 retention over a year", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].Retention = "366d"
			p.Spec.Purposes[1].Retention = "8785h"
		}, wantHits: []hit{
			{"CPL003", "warning", "spec.purposes[0].retention"},
			{"CPL003", "warning", "spec.purposes[1].retention"},
		}},
		{name: "CPL003 near miss: 365d and 8760h", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].Retention = "365d"
			p.Spec.Purposes[1].Retention = "8760h"
		}, wantHits: []hit{}},

		{name: "CPL004 profiling on legitimate interest", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].LegalBasis = ethosv1alpha1.LegalBasisLegitimateInterest
		}, wantHits: []hit{{"CPL004", "deny", "spec.purposes[0].legalBasis"}}},
		{name: "CPL004 near miss: TCF 1 and 7 only", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].LegalBasis = ethosv1alpha1.LegalBasisLegitimateInterest
			p.Spec.Purposes[0].TCFPurposes = []int32{1, 7}
		}, wantHits: []hit{}},

		{name: "CPL005a California without GPC", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Jurisdictions = append(p.Spec.Jurisdictions, ethosv1alpha1.JurisdictionUSCA)
			p.Spec.GlobalPrivacyControl = nil
		}, wantHits: []hit{{"CPL005", "deny", "spec.globalPrivacyControl.honor"}}},
		{name: "CPL005b ad purpose missing from optsOutOf", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.GlobalPrivacyControl.OptsOutOf = nil
		}, wantHits: []hit{{"CPL005", "deny", "spec.globalPrivacyControl.optsOutOf"}}},
		{name: "CPL005 near miss: Virginia, GPC off", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Jurisdictions = []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionUSVA}
			p.Spec.GlobalPrivacyControl = nil
		}, wantHits: []hit{}},

		{name: "CPL006 withdrawal harder", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Withdrawal = &ethosv1alpha1.Withdrawal{MaxSteps: 3, GrantSteps: 3}
		}, wantHits: []hit{{"CPL006", "deny", "spec.withdrawal.maxSteps"}}},
		{name: "CPL006 near miss: 2 and 2", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Withdrawal = &ethosv1alpha1.Withdrawal{MaxSteps: 2, GrantSteps: 2}
		}, wantHits: []hit{}},

		{name: "CPL007 sensitive purpose", edit: func(p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[1].DataClasses = append(p.Spec.Purposes[1].DataClasses, ethosv1alpha1.DataClassSensitive)
		}, wantHits: []hit{{"CPL007", "deny", "spec.purposes[1].dataClasses[1]"}}},

		{name: "CPL008 removing a purpose in use", old: true,
			bound: []ethosv1alpha1.Campaign{
				{ObjectMeta: metav1.ObjectMeta{Name: "news"}, Spec: ethosv1alpha1.CampaignSpec{Purpose: "email-marketing"}},
				{ObjectMeta: metav1.ObjectMeta{Name: "ads"}, Spec: ethosv1alpha1.CampaignSpec{Purpose: "personalization",
					Sharing: []ethosv1alpha1.Sharing{{Destination: "adsx", Purpose: "email-marketing"}}}},
			},
			edit:     func(p *ethosv1alpha1.ConsentPolicy) { p.Spec.Purposes = p.Spec.Purposes[:1] },
			wantHits: []hit{{"CPL008", "deny", "spec.purposes[email-marketing]"}}},
		{name: "CPL008 near miss: removed purpose unused", old: true,
			bound: []ethosv1alpha1.Campaign{{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Spec: ethosv1alpha1.CampaignSpec{Purpose: "personalization"}}},
			edit:  func(p *ethosv1alpha1.ConsentPolicy) { p.Spec.Purposes = p.Spec.Purposes[:1] }, wantHits: []hit{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			p := goodPolicy()
			tt.edit(p)
			var old *ethosv1alpha1.ConsentPolicy
			if tt.old {
				old = goodPolicy()
			}
			fs := CheckConsentPolicy(old, p, tt.bound)
			g.Expect(hits(fs)).To(Equal(tt.wantHits))
			if tt.name == "CPL008 removing a purpose in use" {
				g.Expect(fs[0].String()).To(ContainSubstring("Campaign(s) ads, news"))
			}
		})
	}
}
