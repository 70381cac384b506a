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
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// TestContentInjection: a visitor value never reaches content unescaped. Each case fails on
// the engine before placeholder encodings (which copied values verbatim and left
// "{{ x | url }}" as literal text).
func TestContentInjection(t *testing.T) {
	const script = `75011"><script>x()</script>`
	tests := []struct {
		name    string
		content string
		postal  string
		want    string
	}{
		{"URL: the issue's postal code", "https://shop.example.com/stores?near={{ postalCode | url }}", script,
			"https://shop.example.com/stores?near=75011%22%3E%3Cscript%3Ex%28%29%3C%2Fscript%3E"},
		{"URL: parameter injection", "/stores?near={{ postalCode | url }}&lang=fr", "1&admin=true#",
			"/stores?near=1%26admin%3Dtrue%23&lang=fr"},
		{"header: CR/LF cannot split a Location or Set-Cookie header", "/stores?near={{ postalCode | url }}", "1\r\nSet-Cookie: s=1",
			"/stores?near=1%0D%0ASet-Cookie%3A%20s%3D1"},
		{"HTML by default: text", "<p>Your store near {{ postalCode }}</p>", script,
			"<p>Your store near 75011&#34;&gt;&lt;script&gt;x()&lt;/script&gt;</p>"},
		{"HTML by default: attribute", `<a data-zip="{{postalCode}}">`, `" onclick="x()`,
			`<a data-zip="&#34; onclick=&#34;x()">`},
		{"HTML by default: no line break reaches content", "{{ postalCode }}", "1\r\nX: y", "1&#13;&#10;X: y"},
		{"JS string literal", `<script>var zip = "{{ postalCode | js }}";</script>`, `";alert(1);//</script><script>`,
			`<script>var zip = "\u0022;alert(1);//\u003C/script\u003E\u003Cscript\u003E";</script>`},
		{"JSON: quotes and braces stay inside the value", `{"zip":"{{ postalCode | js }}"}`, `","admin":true,"x":"`,
			`{"zip":"\u0022,\u0022admin\u0022:true,\u0022x\u0022:\u0022"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c := fixtureCampaign()
			c.Spec.Experiences[0].Content = map[string]string{"value": tt.content}
			e := mustEngine(c, fixturePolicy(), true)
			r := baseRequest()
			r.Attributes["postalCode"] = wire.Value{Kind: wire.KindString, Str: tt.postal}
			a := e.Decide(r, now)
			g.Expect(a.Reason).To(Equal(wire.ReasonMatched))
			g.Expect(a.Content["value"]).To(Equal(tt.want))
			g.Expect(a.Content["value"]).NotTo(ContainSubstring(tt.postal))
			// The answer on the wire is valid JSON whose content is the escaped value.
			var back wire.Answer
			g.Expect(json.Unmarshal(wire.AppendJSON(nil, &a), &back)).To(Succeed())
			g.Expect(back.Content).To(Equal(map[string]string{"value": tt.want}))
			if strings.HasPrefix(tt.want, `{"zip"`) {
				var inner map[string]string
				g.Expect(json.Unmarshal([]byte(back.Content["value"]), &inner)).To(Succeed())
				g.Expect(inner).To(Equal(map[string]string{"zip": tt.postal}))
			}
		})
	}
}

func TestListPlaceholderEncoding(t *testing.T) {
	g := NewWithT(t)
	c := fixtureCampaign()
	c.Spec.Experiences[0].Content = map[string]string{"u": "?c={{ viewedCategories | url }}", "h": "{{ viewedCategories }}"}
	e := mustEngine(c, fixturePolicy(), true)
	r := baseRequest()
	r.Attributes["viewedCategories"] = wire.Value{Kind: wire.KindList, List: []string{"trail", "a&b"}}
	g.Expect(e.Decide(r, now).Content).To(Equal(map[string]string{"u": "?c=trail%2Ca%26b", "h": "trail,a&amp;b"}))
}

func TestUnknownEncodingRefused(t *testing.T) {
	g := NewWithT(t)
	d, err := document.Unmarshal(enginetest.DocumentJSON(fixtureCampaign(), fixturePolicy(), true))
	g.Expect(err).NotTo(HaveOccurred())
	d.Personalization.Experiences[0].Content["stores"] = "?near={{ postalCode | ulr }}"
	_, err = New(d, "h")
	g.Expect(err).To(MatchError("personalization.experiences[0].content.stores: placeholder {{ postalCode | ulr }} has an unknown encoding; use url, html or js"))
}

// TestEscapingAllocatesNothingExtra: filling a value escaped with any encoding costs the
// same allocations as filling one that needs no escaping.
func TestEscapingAllocatesNothingExtra(t *testing.T) {
	g := NewWithT(t)
	allocs := func(content, postal string) float64 {
		c := fixtureCampaign()
		c.Spec.Experiences[0].Content = map[string]string{"value": content}
		c.Spec.Experiences[0].Recommendations = nil
		e := mustEngine(c, fixturePolicy(), true)
		r := baseRequest()
		r.Attributes["postalCode"] = wire.Value{Kind: wire.KindString, Str: postal}
		return testing.AllocsPerRun(200, func() { _ = e.Decide(r, now) })
	}
	plain := allocs("near {{ postalCode }}", "75011")
	g.Expect(plain).To(BeNumerically("<=", 3)) // the content map (header and bucket) and the filled string
	for _, content := range []string{"near {{ postalCode }}", "?near={{ postalCode | url }}", `"{{ postalCode | js }}"`} {
		g.Expect(allocs(content, `75011"><script>x()</script>`+"\u2028")).To(Equal(plain), content)
	}
}
