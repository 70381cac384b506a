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

package wire

import (
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/enginetest"
)

func TestDecodeRequest(t *testing.T) {
	g := NewWithT(t)
	req, err := DecodeRequest([]byte(`{"visitor":{"id":"anon-7f3a","authenticated":true},
		"consent":{"personalization":"granted","ad-retargeting":"denied"},
		"attributes":{"viewedCategories":["running"],"postalCode":"75011","visits":3.5,"member":false,"gone":null},
		"zone":"home_hero","history":{"viewed":["sku-1"],"purchased":["sku-9",12]},
		"candidates":[{"id":"sku-4","categories":["running"]},{"id":7}],"impressions":2,"gpc":true,"unknown":{"x":1}}`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(req).To(Equal(&Request{
		Visitor: Visitor{ID: "anon-7f3a", Authenticated: true},
		Consent: Consent{Purposes: map[string]string{"personalization": "granted", "ad-retargeting": "denied"}},
		Attributes: Attributes{
			"viewedCategories": {Kind: KindList, List: []string{"running"}},
			"postalCode":       {Kind: KindString, Str: "75011"},
			"visits":           {Kind: KindNumber, Str: "3.5", Num: 3.5},
			"member":           {Kind: KindBool, Str: "false"},
		},
		Zone:        "home_hero",
		History:     History{Viewed: []ItemID{"sku-1"}, Purchased: []ItemID{"sku-9", "12"}},
		Candidates:  []Candidate{{ID: "sku-4", Categories: []string{"running"}}, {ID: "7"}},
		Impressions: 2,
		GPC:         true,
	}))
}

func TestDecodeRequestErrors(t *testing.T) {
	many := `{"visitor":{"id":"v"},"candidates":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, 1001), ",") + `]}`
	tests := []struct {
		name string
		body string
		want FieldError
	}{
		{"malformed JSON", `{"visitor":`, FieldError{Message: "malformed JSON at byte 11"}},
		{"syntax error", `{"visitor":}`, FieldError{Message: "malformed JSON at byte 12"}},
		{"not an object", `[1]`, FieldError{Field: "(body)", Message: "must be an object, not array"}},
		{"missing visitor id", `{"visitor":{}}`, FieldError{Field: "visitor.id", Message: "is required"}},
		{"visitor id wrong type", `{"visitor":{"id":12}}`, FieldError{Field: "visitor.id", Message: "must be a string, not number"}},
		{"authenticated wrong type", `{"visitor":{"id":"v","authenticated":"yes"}}`, FieldError{Field: "visitor.authenticated", Message: "must be a boolean, not string"}},
		{"consent wrong type", `{"visitor":{"id":"v"},"consent":["personalization"]}`, FieldError{Field: "consent", Message: "must be an object, not array"}},
		{"consent wrong value", `{"visitor":{"id":"v"},"consent":{"personalization":"yes"}}`, FieldError{Field: "consent.personalization", Message: `must be "granted" or "denied"; leave a purpose out when its state is unknown`}},
		{"attribute object", `{"visitor":{"id":"v"},"attributes":{"postalCode":{"zip":"75011"}}}`, FieldError{Field: "attributes.postalCode", Message: "must be a string, number, boolean or list of strings"}},
		{"attribute list of numbers", `{"visitor":{"id":"v"},"attributes":{"ids":[1,2]}}`, FieldError{Field: "attributes.ids", Message: "must be a string, number, boolean or list of strings"}},
		{"attributes not an object", `{"visitor":{"id":"v"},"attributes":"x"}`, FieldError{Field: "attributes", Message: "must be an object, not string"}},
		{"impressions not a number", `{"visitor":{"id":"v"},"impressions":"2"}`, FieldError{Field: "impressions", Message: "must be a number, not string"}},
		{"impressions too large", `{"visitor":{"id":"v"},"impressions":1e400}`, FieldError{Field: "impressions", Message: "must be a whole number from 0 to 9223372036854775807"}},
		{"impressions a fraction", `{"visitor":{"id":"v"},"impressions":1.5}`, FieldError{Field: "impressions", Message: "must be a whole number from 0 to 9223372036854775807"}},
		{"impressions negative", `{"visitor":{"id":"v"},"impressions":-1}`, FieldError{Field: "impressions", Message: "must not be negative"}},
		{"candidates not a list", `{"visitor":{"id":"v"},"candidates":{}}`, FieldError{Field: "candidates", Message: "must be an array, not object"}},
		{"candidate id object", `{"visitor":{"id":"v"},"candidates":[{"id":{}}]}`, FieldError{Field: "candidates.id", Message: "must be a string, not object"}},
		{"candidate without id", `{"visitor":{"id":"v"},"candidates":[{"id":"a"},{}]}`, FieldError{Field: "candidates[1].id", Message: "is required"}},
		{"candidate categories wrong type", `{"visitor":{"id":"v"},"candidates":[{"id":"a","categories":"trail"}]}`, FieldError{Field: "candidates.categories", Message: "must be an array, not string"}},
		{"1,001 candidates", many, FieldError{Field: "candidates", Message: "must hold at most 1000 items, got 1001"}},
		{"tcString wrong type", `{"visitor":{"id":"v"},"consent":{"tcString":7}}`, FieldError{Field: "consent.tcString", Message: "must be a string, not number"}},
		{"gpp wrong type", `{"visitor":{"id":"v"},"consent":{"gpp":["DBABLA"]}}`, FieldError{Field: "consent.gpp", Message: "must be a string, not array"}},
		{"gppSid wrong type", `{"visitor":{"id":"v"},"consent":{"gppSid":true}}`, FieldError{Field: "consent.gppSid", Message: gppSidMessage}},
		{"gppSid fraction", `{"visitor":{"id":"v"},"consent":{"gppSid":[1.5]}}`, FieldError{Field: "consent.gppSid", Message: gppSidMessage}},
		{"gppSid bad string", `{"visitor":{"id":"v"},"consent":{"gppSid":"2;7"}}`, FieldError{Field: "consent.gppSid", Message: gppSidMessage}},
		{"gppSid out of range", `{"visitor":{"id":"v"},"consent":{"gppSid":[0]}}`, FieldError{Field: "consent.gppSid", Message: gppSidMessage}},
		{"consentMode wrong type", `{"visitor":{"id":"v"},"consent":{"consentMode":"granted"}}`, FieldError{Field: "consent.consentMode", Message: "must be an object, not string"}},
		{"consentMode signal wrong type", `{"visitor":{"id":"v"},"consent":{"consentMode":{"ad_storage":true}}}`, FieldError{Field: "consent.consentMode.ad_storage", Message: "must be a string, not bool"}},
		{"consentMode signal wrong value", `{"visitor":{"id":"v"},"consent":{"consentMode":{"ad_user_data":"yes"}}}`, FieldError{Field: "consent.consentMode.ad_user_data", Message: `must be "granted" or "denied"`}},
		{"purpose wrong type", `{"visitor":{"id":"v"},"consent":{"personalization":true}}`, FieldError{Field: "consent.personalization", Message: "must be a string, not bool"}},
		{"tcString too long", `{"visitor":{"id":"v"},"consent":{"tcString":"` + strings.Repeat("C", MaxConsentStringBytes+1) + `"}}`, FieldError{Field: "consent.tcString", Message: "must be at most 8192 bytes"}},
		{"gpc wrong type", `{"visitor":{"id":"v"},"gpc":1}`, FieldError{Field: "gpc", Message: "must be a boolean, not number"}},
		{"history wrong type", `{"visitor":{"id":"v"},"history":{"purchased":"sku-1"}}`, FieldError{Field: "history.purchased", Message: "must be an array, not string"}},
		{"body over 1 MiB", `{"visitor":{"id":"v"},"zone":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, FieldError{Message: "request body is larger than 1048576 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := DecodeRequest([]byte(tt.body))
			g.Expect(err).To(Equal(&tt.want))
		})
	}
}

// TestDecodeConsentSignals: both decoders read the banner signals alike, gppSid in both
// forms CMPs use (a list of numbers, "2,7"; [-1] and "-1" mean no section).
func TestDecodeConsentSignals(t *testing.T) {
	tests := []struct {
		name    string
		consent string
		want    Consent
	}{
		{"every signal", `{"personalization":"granted","tcString":"CQzN","gpp":"DBABLA~BVQqAAAAAgA.QA","gppSid":[2,7],` +
			`"consentMode":{"ad_storage":"granted","analytics_storage":"denied","ad_user_data":"granted","ad_personalization":"denied","functionality_storage":"granted"}}`,
			Consent{Purposes: map[string]string{"personalization": "granted"}, TCString: "CQzN", GPP: "DBABLA~BVQqAAAAAgA.QA", GPPSid: []int{2, 7},
				Mode: [4]string{"granted", "denied", "granted", "denied"}}},
		{"gppSid string form", `{"gppSid":"2,7"}`, Consent{GPPSid: []int{2, 7}}},
		{"gppSid underscore form", `{"gppSid":"2_7"}`, Consent{GPPSid: []int{2, 7}}},
		{"gppSid -1 list", `{"gppSid":[-1]}`, Consent{GPPSid: []int{}}},
		{"gppSid -1 string", `{"gppSid":"-1"}`, Consent{GPPSid: []int{}}},
		{"gppSid empty", `{"gppSid":[]}`, Consent{GPPSid: []int{}}},
		{"nulls are absent", `{"tcString":null,"gpp":null,"gppSid":null,"consentMode":{"ad_storage":null}}`, Consent{}},
		{"consentMode partial", `{"consentMode":{"ad_user_data":"denied"}}`, Consent{Mode: [4]string{"", "", "denied", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			body := []byte(`{"visitor":{"id":"v"},"consent":` + tt.consent + `}`)
			req, err := DecodeRequest(body)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(req.Consent).To(Equal(tt.want))
			slow, err := decodeSlow(body)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(slow.Consent).To(Equal(tt.want))
			c, err := DecodeConsent([]byte(tt.consent))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c).To(Equal(tt.want))
		})
	}
	g := NewWithT(t)
	_, ok := decodeFast([]byte(`{"visitor":{"id":"v"},"consent":{"tcString":"CQzN","gppSid":"2,7","consentMode":{"ad_storage":"granted"}}}`))
	g.Expect(ok).To(BeTrue(), "the common shape takes the fast path")
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	answers := []Answer{
		{Campaign: "shop/x", Content: map[string]string{}, Items: []string{}, Reason: ReasonBlocked},
		{Campaign: "shop/x", Personalized: true, Experience: "e", Items: []string{"a", "b\"c"},
			Content: map[string]string{"z": "1", "a": "<b>&\u2028\x01\t\n\\", "m": "é😀", "bad": "\xff"},
			Reason:  ReasonMatched, Explanation: "We showed this.", ConfigHash: "abc"},
	}
	for _, a := range answers {
		g := NewWithT(t)
		out := AppendJSON(nil, &a)
		var back Answer
		g.Expect(json.Unmarshal(out, &back)).To(Succeed())
		if a.Content["bad"] != "" {
			a.Content["bad"] = "\ufffd"
		}
		g.Expect(back).To(Equal(a))
		// Same bytes as encoding/json without HTML escaping, field for field.
		want, err := json.Marshal(a)
		g.Expect(err).NotTo(HaveOccurred())
		var w, o map[string]any
		g.Expect(json.Unmarshal(want, &w)).To(Succeed())
		g.Expect(json.Unmarshal(out, &o)).To(Succeed())
		g.Expect(o).To(Equal(w))
	}
	g := NewWithT(t)
	g.Expect(string(AppendJSON(nil, &Answer{Content: map[string]string{"b": "2", "a": "1"}, Items: []string{"x"}}))).To(Equal(
		`{"campaign":"","personalized":false,"experience":"","content":{"a":"1","b":"2"},"items":["x"],"reason":"","explanation":"","configHash":""}`))
}

// TestFastDecoderHandlesCommonRequests: the realistic request takes the fast path (the
// fuzz test checks it agrees with encoding/json), and escapes fall back correctly.
func TestFastDecoderHandlesCommonRequests(t *testing.T) {
	g := NewWithT(t)
	fast, ok := decodeFast(enginetest.BenchBody)
	g.Expect(ok).To(BeTrue())
	slow, err := decodeSlow(enginetest.BenchBody)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(fast).To(Equal(slow))

	_, ok = decodeFast([]byte(`{"visitor":{"id":"caf\u00e9"}}`))
	g.Expect(ok).To(BeFalse())
	req, err := DecodeRequest([]byte(`{"visitor":{"id":"caf\u00e9"}}`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(req.Visitor.ID).To(Equal("café"))
}

func TestPreferredLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   Language
		ok     bool
	}{
		{"", English, false},
		{"fr", French, true},
		{"fr-CH", French, true},
		{"FR-ch, en;q=0.9", French, true},
		{"ja, de;q=0.5, fr;q=0.4", German, true},
		{"en;q=0.5, nl;q=0.8", Dutch, true},
		{"es;q=0.8, it;q=0.8", Spanish, true}, // equal weights: the first listed
		{"pt-BR;q=0, de", German, true},       // q=0: not acceptable
		{"*", English, false},
		{"*;q=1, ja", English, false},
		{"zh-Hant-TW, fra", English, false}, // "fra" is not a two-letter primary subtag
		{"it ; q=0.700 , fr;q=0.701", French, true},
		{"de;q=1.0, fr;q=1.001", German, true}, // q over 1 is malformed
		{"de;q=abc, nl;q=10, it;q=0.1", Italian, true},
		{" , ;, nl", Dutch, true},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			g := NewWithT(t)
			got, ok := PreferredLanguage(tt.header)
			g.Expect(ok).To(Equal(tt.ok))
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

func TestApplyAcceptLanguage(t *testing.T) {
	tests := []struct {
		name, locale, header, wantLocale string
		want                             Language
	}{
		{"header only", "", "de-AT, en;q=0.5", "de", German},
		{"body wins over header", "fr-CH", "de", "fr-CH", French},
		{"unsupported body: the header decides", "ja", "it", "it", Italian},
		{"unsupported body, no header", "ja", "", "ja", English},
		{"nothing: English", "", "", "", English},
		{"nothing supported: English", "", "ja, zh", "", English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := &Request{Locale: tt.locale}
			r.ApplyAcceptLanguage(tt.header)
			g.Expect(r.Locale).To(Equal(tt.wantLocale))
			g.Expect(r.Language()).To(Equal(tt.want))
		})
	}
}

func TestLanguageNoAllocation(t *testing.T) {
	r := &Request{}
	allocs := testing.AllocsPerRun(100, func() {
		r.Locale = ""
		r.ApplyAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")
		_ = r.Language()
	})
	NewWithT(t).Expect(allocs).To(BeZero())
}

func TestDecodeLocale(t *testing.T) {
	g := NewWithT(t)
	for _, body := range []string{`{"visitor":{"id":"v"},"locale":"fr-CH"}`, `{"visitor":{"id":"v"},"locale":"fr-CH","zone":"\u0041"}`} {
		req, err := DecodeRequest([]byte(body))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(req.Locale).To(Equal("fr-CH"))
	}
	_, err := DecodeRequest([]byte(`{"visitor":{"id":"v"},"locale":5}`))
	g.Expect(err).To(MatchError("locale: must be a string, not number"))
}
