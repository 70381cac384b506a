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

package consent

import (
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// tcStrings are the IAB-encoded strings of enginetest.TCStrings.
var tcStrings = enginetest.TCStrings

// Published example strings.
const (
	// A TCF v1.1 consent string from go-gdpr v1.12.0's vendorconsent/tcf1 tests.
	tcfV1String = "BONV8oqONXwgmADACHENAO7pqzAAppY"
	// A TCF v2 string of TCF policy version 2 built with Quantcast's cookie workshop, from
	// go-gdpr v1.12.0's vendorconsent/tcf2/bitfield_test.go.
	quantcastV2String = "COwGVJOOwGVJOADACHENAOCAAO6as_-AAAhoAFNLAAoAAAA"
	// The IAB's GPP example with a TCF EU v2 section, from go-gpp v0.2.0's parse_test.go.
	iabGPPWithTCF = "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"
)

var now = time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)

func gppString(_ *testing.T, saleOptOut, targetedOptOut byte, gpc bool, tc string) string {
	return enginetest.GPPString(saleOptOut, targetedOptOut, gpc, tc)
}

func TestParseTCReadsIABEncodedStrings(t *testing.T) {
	g := NewWithT(t)
	tc, cause := ParseTC(tcStrings["allGranted"])
	g.Expect(cause).To(Equal(CauseNone))
	g.Expect(tc.PolicyVersion).To(Equal(4))
	g.Expect(tc.CmpID).To(Equal(10))
	g.Expect(tc.Created.UTC()).To(Equal(time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)))
	var granted []int
	for id := 1; id <= 11; id++ {
		if tc.PurposeConsent(id) {
			granted = append(granted, id)
		}
	}
	g.Expect(granted).To(Equal([]int{1, 3, 4, 5, 6, 7}))
	g.Expect(tc.VendorConsent(755)).To(BeTrue())
	g.Expect(tc.VendorConsent(32)).To(BeTrue())
	g.Expect(tc.VendorConsent(1)).To(BeFalse())
	g.Expect(tc.VendorLI(32)).To(BeTrue())
	g.Expect(tc.VendorConsent(0)).To(BeFalse())

	li, cause := ParseTC(tcStrings["liOnly"])
	g.Expect(cause).To(Equal(CauseNone))
	g.Expect(li.PurposeConsent(7)).To(BeFalse())
	g.Expect(li.PurposeLI(7)).To(BeTrue())
	g.Expect(li.PurposeLI(2)).To(BeTrue())
	g.Expect(li.VendorLI(755)).To(BeTrue())

	r, cause := ParseTC(tcStrings["restricted"])
	g.Expect(cause).To(Equal(CauseNone))
	g.Expect(r.Restricted(4, 755, restrictNotAllowed)).To(BeTrue())
	g.Expect(r.Restricted(3, 755, restrictNotAllowed)).To(BeFalse())

	old, _ := ParseTC(quantcastV2String)
	g.Expect(old.PolicyVersion).To(Equal(2))
}

func TestParseTCFailures(t *testing.T) {
	all := tcStrings["allGranted"]
	tests := []struct {
		name string
		s    string
		want Cause
	}{
		{"empty", "", CauseMalformed},
		{"garbage", "not a consent string", CauseMalformed},
		{"TCF v1", tcfV1String, CauseVersion},
		{"truncated core", all[:20], CauseTruncated},
		{"truncated vendor section", all[:len(all)-20], CauseTruncated},
		{"not base64url", "C" + all[1:10] + "!!" + all[12:], CauseMalformed},
		{"GPP string given as TC string", iabGPPWithTCF, CauseMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			tc, cause := ParseTC(tt.s)
			g.Expect(cause).To(Equal(tt.want))
			g.Expect(tc).To(BeNil())
		})
	}
}

// Signals of the test policy's purposes.
var (
	// personalization: TCF purposes 1, 5 and 6 on consent, no third party.
	personalization = &document.ConsentSignals{TCF: &document.TCFConsent{MinPolicyVersion: 4, Purposes: []document.TCFPurpose{
		{ID: 1, Basis: document.TCFBasisConsent}, {ID: 5, Basis: document.TCFBasisConsent}, {ID: 6, Basis: document.TCFBasisConsent}}}}
	// adRetargeting: purposes 1, 3, 4 on consent, shared with vendor 755; GPP US opt-outs and
	// Consent Mode's ad signals withdraw it.
	adRetargeting = &document.ConsentSignals{GPPOptOutWithdraws: true, ConsentModeSignals: []string{"ad_personalization", "ad_user_data"},
		TCF: &document.TCFConsent{MinPolicyVersion: 4, Purposes: []document.TCFPurpose{
			{ID: 1, Basis: document.TCFBasisConsent}, {ID: 3, Basis: document.TCFBasisConsent}, {ID: 4, Basis: document.TCFBasisConsent}},
			Vendors: []document.TCFVendor{{Name: "adsx", ID: 755}}}}
	// measurement: purpose 7 on legitimate interest, shared with vendor 755.
	measurement = &document.ConsentSignals{TCF: &document.TCFConsent{MinPolicyVersion: 4,
		Purposes: []document.TCFPurpose{{ID: 7, Basis: document.TCFBasisLegitimateInterest}}, Vendors: []document.TCFVendor{{Name: "stats", ID: 755}}}}
	// profilingOnLI: purpose 5 declared on legitimate interest (CPL004 forbids it): it still needs consent.
	profilingOnLI = &document.ConsentSignals{TCF: &document.TCFConsent{MinPolicyVersion: 4,
		Purposes: []document.TCFPurpose{{ID: 5, Basis: document.TCFBasisLegitimateInterest}}}}
)

func withTCF(s *document.ConsentSignals, edit func(t *document.TCFConsent)) *document.ConsentSignals {
	c := *s
	t := *s.TCF
	edit(&t)
	c.TCF = &t
	return &c
}

func TestDerive(t *testing.T) {
	tcs := tcStrings
	tests := []struct {
		name    string
		signals *document.ConsentSignals
		consent wire.Consent
		want    Result
	}{
		{"all purposes granted", personalization, wire.Consent{TCString: tcs["allGranted"]}, Result{TCF: StateGranted}},
		{"all purposes and the vendor granted", adRetargeting, wire.Consent{TCString: tcs["allGranted"]}, Result{TCF: StateGranted}},
		{"one purpose missing", personalization, wire.Consent{TCString: tcs["missingPurpose5"]}, Result{TCF: StateDenied, TCFPurpose: 5}},
		{"vendor missing", adRetargeting, wire.Consent{TCString: tcs["vendorMissing"]}, Result{TCF: StateDenied, TCFVendor: 755}},
		{"vendor missing does not matter without a vendor", personalization, wire.Consent{TCString: tcs["vendorMissing"]}, Result{TCF: StateGranted}},
		{"LI-only where consent is required", personalization, wire.Consent{TCString: tcs["liOnly"]}, Result{TCF: StateDenied, TCFPurpose: 5}},
		{"LI-only where the basis is legitimate interest", measurement, wire.Consent{TCString: tcs["liOnly"]}, Result{TCF: StateGranted}},
		{"legitimate interest never counts for purposes 3-6", profilingOnLI, wire.Consent{TCString: tcs["liOnly"]}, Result{TCF: StateDenied, TCFPurpose: 5}},
		{"consent bit is not an LI signal", measurement, wire.Consent{TCString: tcs["allGranted"]}, Result{TCF: StateDenied, TCFPurpose: 7}},
		{"reject all", adRetargeting, wire.Consent{TCString: tcs["rejectAll"]}, Result{TCF: StateDenied, TCFPurpose: 1}},
		{"publisher restriction: vendor not allowed for purpose 4", adRetargeting, wire.Consent{TCString: tcs["restricted"]},
			Result{TCF: StateDenied, TCFPurpose: 4, TCFVendor: 755}},
		{"string for another policy version", personalization, wire.Consent{TCString: tcs["policyVersion2"]},
			Result{TCF: StateUnknown, TCFCause: CausePolicyVersion}},
		{"published policy-version-2 string", personalization, wire.Consent{TCString: quantcastV2String},
			Result{TCF: StateUnknown, TCFCause: CausePolicyVersion}},
		{"policy version above the maximum", withTCF(personalization, func(t *document.TCFConsent) { t.MinPolicyVersion, t.MaxPolicyVersion = 2, 3 }),
			wire.Consent{TCString: tcs["allGranted"]}, Result{TCF: StateUnknown, TCFCause: CausePolicyVersion}},
		{"older policy version accepted when the policy allows it", withTCF(personalization, func(t *document.TCFConsent) { t.MinPolicyVersion = 2 }),
			wire.Consent{TCString: tcs["policyVersion2"]}, Result{TCF: StateGranted}},
		{"stale: created before the consent max age", withTCF(personalization, func(t *document.TCFConsent) { t.MaxAgeSeconds = 390 * 86400 }),
			wire.Consent{TCString: tcs["old"]}, Result{TCF: StateUnknown, TCFCause: CauseStale}},
		{"old string without a max age", personalization, wire.Consent{TCString: tcs["old"]}, Result{TCF: StateGranted}},
		{"fresh string within the max age", withTCF(personalization, func(t *document.TCFConsent) { t.MaxAgeSeconds = 390 * 86400 }),
			wire.Consent{TCString: tcs["allGranted"]}, Result{TCF: StateGranted}},
		{"truncated string", personalization, wire.Consent{TCString: tcs["allGranted"][:20]}, Result{TCF: StateUnknown, TCFCause: CauseTruncated}},
		{"garbage string", personalization, wire.Consent{TCString: "garbage"}, Result{TCF: StateUnknown, TCFCause: CauseMalformed}},
		{"TCF v1 string", personalization, wire.Consent{TCString: tcfV1String}, Result{TCF: StateUnknown, TCFCause: CauseVersion}},

		{"GPP with a US sale opt-out", adRetargeting, wire.Consent{GPP: gppString(t, 1, 2, false, "")}, Result{GPP: StateDenied, GPPSection: 7}},
		{"GPP with a US targeted-advertising opt-out", adRetargeting, wire.Consent{GPP: gppString(t, 2, 1, false, "")}, Result{GPP: StateDenied, GPPSection: 7}},
		{"GPP without opt-out says nothing", adRetargeting, wire.Consent{GPP: gppString(t, 2, 2, false, "")}, Result{}},
		{"GPP opt-out of a section that does not apply", adRetargeting, wire.Consent{GPP: gppString(t, 1, 2, false, ""), GPPSid: []int{8}}, Result{}},
		{"GPP opt-out of an applicable section", adRetargeting, wire.Consent{GPP: gppString(t, 1, 2, false, ""), GPPSid: []int{7}}, Result{GPP: StateDenied, GPPSection: 7}},
		{"GPP opt-out does not withdraw a purpose outside optsOutOf", &document.ConsentSignals{ConsentModeSignals: []string{"ad_storage"}},
			wire.Consent{GPP: gppString(t, 1, 1, false, "")}, Result{}},
		{"GPP GPC subsection", adRetargeting, wire.Consent{GPP: gppString(t, 2, 2, true, "")}, Result{GPPGPC: true}},
		{"GPP carrying the TC string", adRetargeting, wire.Consent{GPP: gppString(t, 2, 2, false, tcs["allGranted"])}, Result{TCF: StateGranted, TCFFromGPP: true}},
		{"GPP TC section that does not apply", adRetargeting, wire.Consent{GPP: gppString(t, 2, 2, false, tcs["allGranted"]), GPPSid: []int{7}}, Result{}},
		{"IAB GPP example: its TC string is of policy version 2", personalization, wire.Consent{GPP: iabGPPWithTCF},
			Result{TCF: StateUnknown, TCFCause: CausePolicyVersion, TCFFromGPP: true}},
		{"garbage GPP", adRetargeting, wire.Consent{GPP: "DBAB~garbage"}, Result{GPP: StateUnknown, GPPCause: CauseMalformed}},
		{"not a GPP string", adRetargeting, wire.Consent{GPP: "1YNN"}, Result{GPP: StateUnknown, GPPCause: CauseVersion}},
		{"GPP not read when nothing maps it", personalization, wire.Consent{GPP: "garbage", TCString: tcs["allGranted"]}, Result{TCF: StateGranted}},

		{"Consent Mode grants", adRetargeting, wire.Consent{Mode: mode("", "", "granted", "granted")}, Result{Mode: StateGranted}},
		{"Consent Mode denial", adRetargeting, wire.Consent{Mode: mode("granted", "granted", "granted", "denied")},
			Result{Mode: StateDenied, ModeSignal: wire.SignalAdPersonalization}},
		{"Consent Mode partial says nothing", adRetargeting, wire.Consent{Mode: mode("", "", "", "granted")}, Result{}},
		{"Consent Mode unmapped signal denied says nothing", adRetargeting, wire.Consent{Mode: mode("denied", "denied", "granted", "granted")}, Result{Mode: StateGranted}},

		{"conflicting: TC grants, Consent Mode denies", adRetargeting,
			wire.Consent{TCString: tcs["allGranted"], Mode: mode("", "", "denied", "granted")},
			Result{TCF: StateGranted, Mode: StateDenied, ModeSignal: wire.SignalAdUserData}},
		{"conflicting: TC grants, GPP opts out", adRetargeting,
			wire.Consent{TCString: tcs["allGranted"], GPP: gppString(t, 1, 2, false, "")},
			Result{TCF: StateGranted, GPP: StateDenied, GPPSection: 7}},
		{"tcString wins over the GPP TC section", adRetargeting,
			wire.Consent{TCString: tcs["rejectAll"], GPP: gppString(t, 2, 2, false, tcs["allGranted"])},
			Result{TCF: StateDenied, TCFPurpose: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r, err := NewRules(tt.signals)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(r.Derive(&tt.consent, now)).To(Equal(tt.want))
		})
	}
}

func mode(adStorage, analytics, adUserData, adPersonalization string) [4]string {
	return [4]string{adStorage, analytics, adUserData, adPersonalization}
}

func TestResultRestrictive(t *testing.T) {
	g := NewWithT(t)
	g.Expect((&Result{TCF: StateGranted, Mode: StateDenied}).Restrictive()).To(Equal(StateDenied))
	g.Expect((&Result{TCF: StateUnknown, Mode: StateGranted}).Restrictive()).To(Equal(StateUnknown))
	g.Expect((&Result{TCF: StateGranted}).Restrictive()).To(Equal(StateGranted))
	g.Expect((&Result{}).Restrictive()).To(Equal(StateNone))
	g.Expect((&Result{GPP: StateDenied, Mode: StateGranted}).Granted()).To(BeTrue()) // Restrictive decides
}

func TestDeriveCountsErrorsByCause(t *testing.T) {
	g := NewWithT(t)
	r, err := NewRules(personalization)
	g.Expect(err).NotTo(HaveOccurred())
	before := ErrorCount(FormatTCF, CauseTruncated)
	stale := ErrorCount(FormatTCF, CauseStale)
	r.Derive(&wire.Consent{TCString: tcStrings["allGranted"][:20]}, now)
	r.Derive(&wire.Consent{TCString: tcStrings["allGranted"][:20]}, now) // cached: counted again
	g.Expect(ErrorCount(FormatTCF, CauseTruncated) - before).To(Equal(uint64(2)))
	g.Expect(ErrorCount(FormatTCF, CauseStale)).To(Equal(stale))
	gppBefore := ErrorCount(FormatGPP, CauseMalformed)
	ra, _ := NewRules(adRetargeting)
	ra.Derive(&wire.Consent{GPP: "DBAB~x"}, now)
	g.Expect(ErrorCount(FormatGPP, CauseMalformed) - gppBefore).To(Equal(uint64(1)))
}

func TestNewRulesRefusesBadSignals(t *testing.T) {
	tests := []struct {
		signals *document.ConsentSignals
		want    string
	}{
		{&document.ConsentSignals{TCF: &document.TCFConsent{Purposes: []document.TCFPurpose{{ID: 12, Basis: document.TCFBasisConsent}}}}, "tcf.purposes[0].id: must be 1 to 11, got 12"},
		{&document.ConsentSignals{TCF: &document.TCFConsent{Purposes: []document.TCFPurpose{{ID: 1, Basis: "Contract"}}}}, `tcf.purposes[0].basis: must be Consent or LegitimateInterest, got "Contract"`},
		{&document.ConsentSignals{TCF: &document.TCFConsent{Vendors: []document.TCFVendor{{ID: 0}}}}, "tcf.vendors[0].id: must be 1 to 65535, got 0"},
		{&document.ConsentSignals{ConsentModeSignals: []string{"functionality_storage"}}, `consentModeSignals[0]: unknown Consent Mode signal "functionality_storage"`},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		_, err := NewRules(tt.signals)
		g.Expect(err).To(MatchError(tt.want))
	}
	g := NewWithT(t)
	r, err := NewRules(nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.Derive(&wire.Consent{TCString: "x"}, now)).To(Equal(Result{}))
}

// TestCacheIsBounded: however many distinct strings arrive, the cache holds at most
// CacheEntries, and a string in use stays cached.
func TestCacheIsBounded(t *testing.T) {
	g := NewWithT(t)
	c := newCache[int]()
	c.put("kept", 1)
	for i := range 3 * CacheEntries {
		c.put(fmt.Sprintf("string-%d", i), i)
		if i%64 == 0 {
			_, ok := c.get("kept")
			g.Expect(ok).To(BeTrue(), "a string in use must stay cached (after %d others)", i)
		}
	}
	g.Expect(c.len()).To(BeNumerically("<=", CacheEntries))
	g.Expect(c.len()).To(BeNumerically(">", CacheEntries/2))
	c.reset()
	g.Expect(c.len()).To(Equal(0))
}
