package placeholder

import (
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []Segment
	}{
		{"", nil},
		{"plain", []Segment{{Text: "plain"}}},
		{"{{postalCode}}", []Segment{{Name: "postalCode"}}},
		{"near={{ postalCode }}&x", []Segment{{Text: "near="}, {Name: "postalCode"}, {Text: "&x"}}},
		{"{{\ta_1\t}}", []Segment{{Name: "a_1"}}},
		{"{{{name}}}", []Segment{{Text: "{"}, {Name: "name"}, {Text: "}"}}},
		{"{{ 1abc }}", []Segment{{Text: "{{ 1abc }}"}}},
		{"{{ a b }}", []Segment{{Text: "{{ a b }}"}}},
		{"{{ _x }}", []Segment{{Text: "{{ _x }}"}}},
		{"{{name}", []Segment{{Text: "{{name}"}}},
		{"{{}}", []Segment{{Text: "{{}}"}}},
		{"{{a}}{{b}}", []Segment{{Name: "a"}, {Name: "b"}}},
		{"{ {a} }", []Segment{{Text: "{ {a} }"}}},
		{"?near={{ postalCode | url }}", []Segment{{Text: "?near="}, {Name: "postalCode", Encoding: URL, Spec: "url"}}},
		{"{{x|html}}{{y\t|\tjs\t}}", []Segment{{Name: "x", Encoding: HTML, Spec: "html"}, {Name: "y", Encoding: JS, Spec: "js"}}},
		// An unknown encoding is a placeholder, marked Unknown, never literal text.
		{"{{ x | bogus }}", []Segment{{Name: "x", Encoding: Unknown, Spec: "bogus"}}},
		{"{{ x | }}", []Segment{{Name: "x", Encoding: Unknown}}},
		{"{{ x | url | html }}", []Segment{{Name: "x", Encoding: Unknown, Spec: "url | html"}}},
		{"{{ x | URL }}", []Segment{{Name: "x", Encoding: Unknown, Spec: "URL"}}},
		// No closing braces, a brace or a line break before them: literal text.
		{"{{ x | url", []Segment{{Text: "{{ x | url"}}},
		{"{{ x | {{y}}", []Segment{{Text: "{{ x | "}, {Name: "y"}}},
		{"{{ x | url\n}}", []Segment{{Text: "{{ x | url\n}}"}}},
		{"{{ x y | url }}", []Segment{{Text: "{{ x y | url }}"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(Parse(tt.in)).To(Equal(tt.want))
			g.Expect(slices.Collect(All(tt.in))).To(Equal(segmentNames(tt.want)))
		})
	}
}

// segmentNames are the names of the placeholder segments, in order (nil when none).
func segmentNames(segs []Segment) []string {
	var names []string
	for _, seg := range segs {
		if seg.Name != "" {
			names = append(names, seg.Name)
		}
	}
	return names
}

func TestNamesAndHas(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Names("{{a}} {{ b }} {{a}} {{ 9 }}")).To(Equal([]string{"a", "b"}))
	g.Expect(Names("none")).To(BeNil())
	g.Expect(Has("x {{ y }}")).To(BeTrue())
	g.Expect(Has("x {{ y z }}")).To(BeFalse())
}

func TestFill(t *testing.T) {
	attrs := map[string]any{
		"postalCode": "75011",
		"cats":       []any{"running", "trail"},
		"n":          float64(3.5),
		"ok":         true,
	}
	tests := []struct{ in, want string }{
		{"near={{postalCode}}", "near=75011"},
		{"{{ cats }}|{{n}}|{{ok}}|{{missing}}|", "running,trail|3.5|true||"},
		{"{{ not a placeholder }}", "{{ not a placeholder }}"},
		{"{{ cats | url }}", "running%2Ctrail"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			NewWithT(t).Expect(FillMap(tt.in, attrs)).To(Equal(tt.want))
		})
	}
}

func TestEscaping(t *testing.T) {
	const attack = `75011"><script>x('&')</script>`
	tests := []struct {
		name string
		in   string
		enc  Encoding
		want string
	}{
		{"html", attack, HTML, `75011&#34;&gt;&lt;script&gt;x(&#39;&amp;&#39;)&lt;/script&gt;`},
		{"html keeps unicode", "Zürich 東京", HTML, "Zürich 東京"},
		{"html line breaks and NUL", "a\r\nb\x00", HTML, "a&#13;&#10;b\uFFFD"},
		{"unknown escapes as html", "<b>", Unknown, "&lt;b&gt;"},
		{"url", attack, URL, "75011%22%3E%3Cscript%3Ex%28%27%26%27%29%3C%2Fscript%3E"},
		{"url unreserved kept", "A-z_0.9~", URL, "A-z_0.9~"},
		{"url header split", "75011\r\nSet-Cookie: a=1", URL, "75011%0D%0ASet-Cookie%3A%20a%3D1"},
		{"url utf-8 bytes", "é", URL, "%C3%A9"},
		{"url parameter injection", "x&admin=1#f", URL, "x%26admin%3D1%23f"},
		{"js", attack, JS, `75011\u0022\u003E\u003Cscript\u003Ex(\u0027\u0026\u0027)\u003C/script\u003E`},
		{"js backslash and backtick", "a\\`b", JS, `a\\\u0060b`},
		{"js line terminators", "a\nb\rc\u2028d\u2029e", JS, `a\u000Ab\u000Dc\u2028d\u2029e`},
		{"js other e2 characters kept", "a€b…", JS, "a€b…"},
		{"empty", "", URL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got := escape(tt.in, tt.enc)
			g.Expect(got).To(Equal(tt.want))
			g.Expect(EscapedLen(tt.in, tt.enc)).To(Equal(len(tt.want)))
		})
	}
}

func TestFillEscapes(t *testing.T) {
	g := NewWithT(t)
	attrs := map[string]any{"postalCode": `75011"><script>x()</script>`, "name": "O'Brien & Co"}
	g.Expect(FillMap("https://shop.example.com/stores?near={{ postalCode | url }}", attrs)).
		To(Equal("https://shop.example.com/stores?near=75011%22%3E%3Cscript%3Ex%28%29%3C%2Fscript%3E"))
	g.Expect(FillMap("<p>Hello {{ name }}</p>", attrs)).To(Equal("<p>Hello O&#39;Brien &amp; Co</p>"))
	g.Expect(FillMap(`<script>var n = "{{ name | js }}"</script>`, attrs)).To(Equal(`<script>var n = "O\u0027Brien \u0026 Co"</script>`))
}

func FuzzEscapeLength(f *testing.F) {
	for _, s := range []string{"", "a&b", "\u2028\\", "\xe2\x80", "é<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, enc := range []Encoding{HTML, URL, JS} {
			out := escape(s, enc)
			if len(out) != EscapedLen(s, enc) {
				t.Fatalf("%s: EscapedLen(%q) = %d, wrote %d bytes", enc, s, EscapedLen(s, enc), len(out))
			}
			if enc != HTML && len(out) > 0 && containsAnyByte(out, "<>\"'\r\n&") {
				t.Fatalf("%s: %q escaped to %q, which still holds a special byte", enc, s, out)
			}
		}
	})
}

func escape(s string, enc Encoding) string {
	var b strings.Builder
	Write(&b, s, enc)
	return b.String()
}

func containsAnyByte(b string, set string) bool {
	for _, c := range []byte(b) {
		for i := 0; i < len(set); i++ {
			if c == set[i] {
				return true
			}
		}
	}
	return false
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "{{a}}", "{{ a }}x{{", "{{{b}}}", "}}{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Re-joining the segments must give back the input, with placeholders written canonically
		// only where they were parsed.
		if all, want := slices.Collect(All(s)), segmentNames(Parse(s)); !slices.Equal(all, want) {
			t.Fatalf("All(%q) = %q, Parse names %q", s, all, want)
		}
		got := Fill(s, func(name string) string { return "{{" + name + "}}" })
		if Names(got) == nil && Names(s) != nil {
			t.Fatalf("placeholders lost: %q -> %q", s, got)
		}
	})
}
