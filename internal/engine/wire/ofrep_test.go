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
	"testing"

	. "github.com/onsi/gomega"
)

func TestDecodeOFREPRequest(t *testing.T) {
	want := &Request{
		Visitor:     Visitor{ID: "anon-7f3a", Authenticated: true},
		Consent:     Consent{Purposes: map[string]string{"personalization": "granted"}},
		Attributes:  Attributes{"postalCode": {Kind: KindString, Str: "75011"}, "viewedCategories": {Kind: KindList, List: []string{"running"}}},
		Zone:        "home_hero",
		History:     History{Viewed: []ItemID{"sku-1"}, Purchased: []ItemID{"sku-9"}},
		Candidates:  []Candidate{{ID: "sku-4", Categories: []string{"running"}}},
		Impressions: 2,
		GPC:         true,
		Locale:      "fr-FR",
	}
	tests := []struct{ name, body string }{
		{"fast path", `{"context":{"targetingKey":"anon-7f3a","authenticated":true,"consent":{"personalization":"granted"},
			"gpc":true,"zone":"home_hero","history":{"viewed":["sku-1"],"purchased":["sku-9"]},
			"candidates":[{"id":"sku-4","categories":["running"]}],"impressions":2,"locale":"fr-FR",
			"postalCode":"75011","viewedCategories":["running"]},"other":{"ignored":[1]}}`},
		// An escaped key takes encoding/json's path; it must read the same.
		{"escaped key", `{"context":{"targeting\u004bey":"anon-7f3a","authenticated":true,"consent":{"personalization":"granted"},
			"gpc":true,"zone":"home_hero","history":{"viewed":["sku-1"],"purchased":["sku-9"]},
			"candidates":[{"id":"sku-4","categories":["running"]}],"impressions":2,"locale":"fr-FR",
			"postal\u0043ode":"75011","viewedCategories":["running"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			req, _, err := DecodeOFREPRequest([]byte(tt.body), nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(req).To(Equal(want))
		})
	}
}

func TestDecodeOFREPRequestKeysAreExact(t *testing.T) {
	g := NewWithT(t)
	// Only the exact documented keys map onto request fields; "Zone" is an attribute.
	req, _, err := DecodeOFREPRequest([]byte(`{"context":{"targetingKey":"v","Zone":"x","visitor":"y"}}`), nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(req.Zone).To(BeEmpty())
	g.Expect(req.Attributes).To(Equal(Attributes{"Zone": {Kind: KindString, Str: "x"}, "visitor": {Kind: KindString, Str: "y"}}))
}

func TestDecodeOFREPRequestErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       FieldError
		code       string
	}{
		{"not JSON", `{"context":`, FieldError{Message: "malformed JSON at byte 11"}, OFREPParseError},
		{"body not an object", `[1]`, FieldError{Message: `the body must be an object, not array; send {"context": {...}}`}, OFREPParseError},
		{"no context", `{}`, FieldError{Field: "context.targetingKey", Message: "is required"}, OFREPTargetingKeyMissing},
		{"empty targetingKey", `{"context":{"targetingKey":""}}`, FieldError{Field: "context.targetingKey", Message: "is required"}, OFREPTargetingKeyMissing},
		{"context not an object", `{"context":["x"]}`, FieldError{Field: "context", Message: "must be an object, not array"}, OFREPInvalidContext},
		{"targetingKey a number", `{"context":{"targetingKey":7}}`, FieldError{Field: "context.targetingKey", Message: "must be a string, not number"}, OFREPInvalidContext},
		{"authenticated a string", `{"context":{"targetingKey":"v","authenticated":"yes"}}`, FieldError{Field: "context.authenticated", Message: "must be a boolean, not string"}, OFREPInvalidContext},
		{"consent value", `{"context":{"targetingKey":"v","consent":{"personalization":"yes"}}}`,
			FieldError{Field: "context.consent.personalization", Message: `must be "granted" or "denied"; leave a purpose out when its state is unknown`}, OFREPInvalidContext},
		{"attribute object", `{"context":{"targetingKey":"v","postalCode":{"zip":"75011"}}}`,
			FieldError{Field: "context.postalCode", Message: "must be a string, number, boolean or list of strings"}, OFREPInvalidContext},
		{"impressions negative", `{"context":{"targetingKey":"v","impressions":-1}}`, FieldError{Field: "context.impressions", Message: "must not be negative"}, OFREPInvalidContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, _, err := DecodeOFREPRequest([]byte(tt.body), nil)
			g.Expect(err).To(HaveOccurred())
			fe, ok := err.(*FieldError)
			g.Expect(ok).To(BeTrue(), "error %T", err)
			g.Expect(*fe).To(Equal(tt.want))
			g.Expect(OFREPErrorCode(fe)).To(Equal(tt.code))
		})
	}
}

func TestOFREPReason(t *testing.T) {
	want := map[Reason][2]string{ // RuleBased, ABTest
		ReasonMatched:              {OFReasonTargetingMatch, OFReasonSplit},
		ReasonControlGroup:         {OFReasonSplit, OFReasonSplit},
		ReasonSuspended:            {OFReasonDisabled, OFReasonDisabled},
		ReasonBlocked:              {OFReasonDisabled, OFReasonDisabled},
		ReasonOutsideSchedule:      {OFReasonDisabled, OFReasonDisabled},
		ReasonConsentDenied:        {OFReasonDefault, OFReasonDefault},
		ReasonConsentUnknown:       {OFReasonDefault, OFReasonDefault},
		ReasonGlobalPrivacyControl: {OFReasonDefault, OFReasonDefault},
		ReasonNotInAudience:        {OFReasonDefault, OFReasonDefault},
		ReasonNotAuthenticated:     {OFReasonDefault, OFReasonDefault},
		ReasonFrequencyCapped:      {OFReasonDefault, OFReasonDefault},
		ReasonZoneNotServed:        {OFReasonDefault, OFReasonDefault},
	}
	g := NewWithT(t)
	g.Expect(want).To(HaveLen(len(Reasons)), "every reason has a mapping")
	for _, r := range Reasons {
		g.Expect([2]string{OFREPReason(r, false), OFREPReason(r, true)}).To(Equal(want[r]), string(r))
	}
}

func TestAppendOFREPEvaluation(t *testing.T) {
	g := NewWithT(t)
	a := &Answer{Campaign: "shop/spring-running", Personalized: true, Experience: "trail", Content: map[string]string{"title": "Trail", "cta": "Go"},
		Items: []string{"sku-4"}, Reason: ReasonMatched, Explanation: "Because.", ConfigHash: "0123456789abcdef"}
	out := AppendOFREPEvaluation(nil, "spring-running", a, false)
	g.Expect(string(out)).To(Equal(`{"key":"spring-running","reason":"TARGETING_MATCH","variant":"trail",` +
		`"value":{"experience":"trail","content":{"cta":"Go","title":"Trail"},"items":["sku-4"],"explanation":"Because."},` +
		`"metadata":{"reason":"Matched","campaign":"shop/spring-running","configHash":"0123456789abcdef","personalized":true}}`))
	g.Expect(json.Valid(out)).To(BeTrue())

	fallback := &Answer{Campaign: "shop/spring-running", Content: map[string]string{}, Items: []string{}, Reason: ReasonConsentDenied,
		Explanation: NeutralExplanation, ConfigHash: "0123456789abcdef"}
	out = AppendOFREPEvaluation(nil, "spring-running", fallback, false)
	g.Expect(string(out)).To(ContainSubstring(`"reason":"DEFAULT","variant":"fallback","value":{"experience":"","content":{},"items":[]`))
	g.Expect(string(AppendOFREPFailure(nil, "", OFREPInvalidContext, "context: bad"))).To(Equal(`{"errorCode":"INVALID_CONTEXT","errorDetails":"context: bad"}`))
}
