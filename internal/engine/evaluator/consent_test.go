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

	. "github.com/onsi/gomega"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// signalPolicy maps the campaign's purpose (personalization) to TCF purposes 1, 5 and 6, an
// ad platform with TCF vendor 755, Consent Mode's ad_personalization and ad_user_data, and
// lists it in globalPrivacyControl.optsOutOf (so GPP US opt-outs withdraw it too).
func signalPolicy(p *ethosv1alpha1.ConsentPolicy) {
	q := &p.Spec.Purposes[0]
	q.TCFPurposes = []int32{1, 5, 6}
	q.ThirdParties = []ethosv1alpha1.ThirdParty{{Name: "adsx", Type: ethosv1alpha1.ThirdPartyAdPlatform, TCFVendorID: ptr.To[int32](755)}}
	q.ConsentModeSignals = []ethosv1alpha1.ConsentModeSignal{ethosv1alpha1.ConsentModeAdPersonalization, ethosv1alpha1.ConsentModeAdUserData}
	p.Spec.GlobalPrivacyControl.OptsOutOf = append(p.Spec.GlobalPrivacyControl.OptsOutOf, "personalization")
	p.Spec.TCF = &ethosv1alpha1.TCFSettings{ConsentMaxAge: "390d"}
}

func TestDecideDerivesConsentFromSignals(t *testing.T) {
	tcs := enginetest.TCStrings
	granted := wire.Consent{Purposes: map[string]string{"personalization": "granted"}}
	withTC := func(c wire.Consent, tc string) wire.Consent { c.TCString = tc; return c }
	adSignals := func(adUserData, adPersonalization string) [4]string {
		return [4]string{"", "", adUserData, adPersonalization}
	}
	tests := []struct {
		name         string
		policy       func(p *ethosv1alpha1.ConsentPolicy) // applied after signalPolicy
		plainPolicy  bool                                 // the fixture policy, without signalPolicy
		consent      wire.Consent
		want         wire.Reason
		cookieChoice bool // the explanation says consent came from the cookie choices
	}{
		{name: "TC string grants every purpose and the vendor", consent: wire.Consent{TCString: tcs["allGranted"]}, want: wire.ReasonMatched, cookieChoice: true},
		{name: "the purpose map alone still grants", consent: granted, want: wire.ReasonMatched},
		{name: "one TCF purpose missing", consent: wire.Consent{TCString: tcs["missingPurpose5"]}, want: wire.ReasonConsentDenied},
		{name: "vendor missing", consent: wire.Consent{TCString: tcs["vendorMissing"]}, want: wire.ReasonConsentDenied},
		{name: "LI-only where consent is required", consent: wire.Consent{TCString: tcs["liOnly"]}, want: wire.ReasonConsentDenied},
		{name: "string for another policy version", consent: wire.Consent{TCString: tcs["policyVersion2"]}, want: wire.ReasonConsentUnknown},
		{name: "stale string", consent: wire.Consent{TCString: tcs["old"]}, want: wire.ReasonConsentUnknown},
		{name: "truncated string", consent: wire.Consent{TCString: tcs["allGranted"][:30]}, want: wire.ReasonConsentUnknown},
		{name: "garbage string", consent: wire.Consent{TCString: "%%%"}, want: wire.ReasonConsentUnknown},
		{name: "conflict: the map cannot grant what the string denies", consent: withTC(granted, tcs["missingPurpose5"]), want: wire.ReasonConsentDenied},
		{name: "conflict: the map denies what the string grants", consent: wire.Consent{Purposes: map[string]string{"personalization": "denied"}, TCString: tcs["allGranted"]},
			want: wire.ReasonConsentDenied},
		{name: "conflict: an unreadable string beats a granted map", consent: withTC(granted, "garbage"), want: wire.ReasonConsentUnknown},
		{name: "an unreadable string never personalises under an Allow default",
			policy:  func(p *ethosv1alpha1.ConsentPolicy) { p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow },
			consent: wire.Consent{TCString: "garbage"}, want: wire.ReasonConsentDenied},
		{name: "Consent Mode grants", consent: wire.Consent{Mode: adSignals("granted", "granted")}, want: wire.ReasonMatched, cookieChoice: true},
		{name: "Consent Mode denial", consent: wire.Consent{Mode: adSignals("granted", "denied")}, want: wire.ReasonConsentDenied},
		{name: "conflict: Consent Mode denies what the TC string grants",
			consent: wire.Consent{TCString: tcs["allGranted"], Mode: adSignals("denied", "granted")}, want: wire.ReasonConsentDenied},
		{name: "GPP with a US opt-out", consent: wire.Consent{GPP: enginetest.GPPString(1, 2, false, "")}, want: wire.ReasonConsentDenied},
		{name: "conflict: GPP opt-out beats a TC grant and the map",
			consent: withTC(wire.Consent{Purposes: granted.Purposes, GPP: enginetest.GPPString(2, 1, false, "")}, tcs["allGranted"]), want: wire.ReasonConsentDenied},
		{name: "GPP without opt-out does not grant under a Deny default", consent: wire.Consent{GPP: enginetest.GPPString(2, 2, false, "")}, want: wire.ReasonConsentUnknown},
		{name: "GPP's GPC subsection is Global Privacy Control", consent: withTC(wire.Consent{GPP: enginetest.GPPString(2, 2, true, "")}, tcs["allGranted"]),
			want: wire.ReasonGlobalPrivacyControl},
		{name: "GPP carrying the TC string", consent: wire.Consent{GPP: enginetest.GPPString(2, 2, false, tcs["allGranted"])}, want: wire.ReasonMatched, cookieChoice: true},
		{name: "a policy that maps no signal does not read the string",
			plainPolicy: true, consent: wire.Consent{TCString: tcs["allGranted"]}, want: wire.ReasonConsentUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			p := fixturePolicy()
			if !tt.plainPolicy {
				signalPolicy(p)
			}
			if tt.policy != nil {
				tt.policy(p)
			}
			e := mustEngine(fixtureCampaign(), p, true)
			req := baseRequest()
			req.Consent = tt.consent
			a := e.Decide(req, now)
			g.Expect(a.Reason).To(Equal(tt.want))
			if tt.want != wire.ReasonMatched {
				g.Expect(a.Explanation).To(Equal(wire.NeutralExplanation))
				return
			}
			want := "We showed this because of: " + sportsText + "; " + postalText + ". " + purposeSentenceText
			if tt.cookieChoice {
				want += " This is based on your cookie choices."
			}
			g.Expect(a.Explanation).To(Equal(want))
		})
	}
}
