package placeholder

import (
	"slices"
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
		{"plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			NewWithT(t).Expect(FillMap(tt.in, attrs)).To(Equal(tt.want))
		})
	}
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
