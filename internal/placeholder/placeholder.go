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

// Package placeholder is the one parser of SPEC §3 for `{{ name }}` placeholders in
// experience content. The rule engine (which attributes content reads, how they are
// encoded) and the decision engine (filling them at request time) share it, so both always
// agree on what a placeholder is.
//
// A placeholder is `{{`, optional spaces or tabs, a name matching [A-Za-z][A-Za-z0-9_]*,
// optional spaces or tabs, an optional encoding (`|`, then one of url, html or js), then
// `}}`. Anything else between braces is literal text, with one exception: `{{ name | word }}`
// whose word is not a known encoding is an invalid placeholder (Encoding Unknown), so that a
// typo such as `{{ postalCode | ulr }}` is refused (rule ETH021) rather than shown to
// visitors as literal text.
//
// Every value is encoded: a bare `{{ name }}` is HTML-escaped (the safe default, see
// docs/decision-engine.md "Placeholder encodings"), so no visitor value reaches content
// unescaped.
package placeholder

import (
	"iter"
	"strconv"
	"strings"
)

// Encoding is how a placeholder's value is escaped before it is written into content.
type Encoding uint8

const (
	// HTML escapes &, <, >, quotes, CR, LF and NUL as character references: safe in HTML text
	// and in quoted attribute values, and free of line breaks. It is the default of a bare
	// `{{ name }}`.
	HTML Encoding = iota
	// URL percent-encodes every byte but the unreserved A-Z a-z 0-9 - . _ ~ (RFC 3986), so
	// the value is one query or path component: `?near={{ postalCode | url }}`.
	URL
	// JS escapes for a JavaScript string literal (either quote): backslash as \\, and
	// quotes, <, >, &, backtick, control characters and the line terminators U+2028/U+2029 as
	// \uXXXX, so the value can neither end the string nor the <script> element.
	JS
	// Unknown marks an invalid placeholder: `{{ name | word }}` with a word that is none of
	// the above. Filling treats it as HTML; the rules deny it and the engine refuses it.
	Unknown
)

// encodingNames are the encodings as placeholders write them, indexed by Encoding.
var encodingNames = [...]string{HTML: "html", URL: "url", JS: "js"}

// EncodingNames lists the encodings a placeholder may name, for messages and docs.
const EncodingNames = "url, html or js"

// String is the encoding's name in a placeholder ("unknown" for Unknown).
func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "unknown"
}

// Segment is one piece of a parsed string: either literal text or a placeholder.
type Segment struct {
	// Text is the literal text when Name is empty.
	Text string
	// Name is the attribute name of a placeholder; empty for literal text.
	Name string
	// Encoding is how the placeholder's value is escaped (HTML when none is written).
	Encoding Encoding
	// Spec is the encoding as written after `|`, trimmed ("" when none is written); it names
	// the offending word when Encoding is Unknown.
	Spec string
}

// Parse splits s into literal text and placeholders, in order. Adjacent literal text is
// merged into one segment. Parse never fails: malformed placeholders are literal text, and
// a placeholder with an unknown encoding is a segment with Encoding Unknown.
func Parse(s string) []Segment {
	var out []Segment
	lit := 0 // start of the pending literal text
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			break
		}
		start := i + j
		seg, end, ok := scan(s, start)
		if !ok {
			// Not a placeholder: keep the first brace as text and retry from the next
			// one, so "{{{name}}" still finds "{{name}}".
			i = start + 1
			continue
		}
		if start > lit {
			out = append(out, Segment{Text: s[lit:start]})
		}
		out = append(out, seg)
		i, lit = end, end
	}
	if lit < len(s) {
		out = append(out, Segment{Text: s[lit:]})
	}
	return out
}

// scan reads a placeholder starting at s[start:] (which begins with "{{") and returns it
// and the index just past its closing "}}".
func scan(s string, start int) (seg Segment, end int, ok bool) {
	i := skipBlanks(s, start+2)
	n := i
	for n < len(s) && isNameByte(s[n], n == i) {
		n++
	}
	if n == i {
		return Segment{}, 0, false
	}
	seg.Name = s[i:n]
	j := skipBlanks(s, n)
	if strings.HasPrefix(s[j:], "}}") {
		return seg, j + 2, true
	}
	if j >= len(s) || s[j] != '|' {
		return Segment{}, 0, false
	}
	// An encoding runs to the next "}}". A "{" or a line break before it means this was
	// never meant as a placeholder (and keeps a later one from being swallowed).
	k := strings.Index(s[j+1:], "}}")
	if k < 0 {
		return Segment{}, 0, false
	}
	spec := s[j+1 : j+1+k]
	if strings.ContainsAny(spec, "{\n\r") {
		return Segment{}, 0, false
	}
	seg.Spec = strings.Trim(spec, " \t")
	seg.Encoding = Unknown
	for e, name := range encodingNames {
		if seg.Spec == name {
			seg.Encoding = Encoding(e)
		}
	}
	return seg, j + 1 + k + 2, true
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isNameByte(b byte, first bool) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		return true
	case b >= '0' && b <= '9', b == '_':
		return !first
	}
	return false
}

// All yields the name of every placeholder in s, in order and with repeats: the Name of each
// placeholder segment Parse returns, without building the segments.
func All(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(s); {
			j := strings.Index(s[i:], "{{")
			if j < 0 {
				return
			}
			start := i + j
			seg, end, ok := scan(s, start)
			if !ok {
				i = start + 1
				continue
			}
			if !yield(seg.Name) {
				return
			}
			i = end
		}
	}
}

// Names returns the distinct placeholder names in s, in order of first appearance.
func Names(s string) []string {
	var names []string
	for _, seg := range Parse(s) {
		if seg.Name != "" && !contains(names, seg.Name) {
			names = append(names, seg.Name)
		}
	}
	return names
}

// Has reports whether s holds at least one placeholder.
func Has(s string) bool {
	for _, seg := range Parse(s) {
		if seg.Name != "" {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Fill replaces every placeholder of s with value(name), escaped with the placeholder's
// encoding (see Encoding). Literal text is kept verbatim. value returns "" for a missing
// attribute (SPEC §3: missing → empty string).
func Fill(s string, value func(name string) string) string {
	segs := Parse(s)
	if len(segs) == 1 && segs[0].Name == "" {
		return s
	}
	var b strings.Builder
	for _, seg := range segs {
		if seg.Name == "" {
			b.WriteString(seg.Text)
		} else {
			Write(&b, value(seg.Name), seg.Encoding)
		}
	}
	return b.String()
}

// FillMap fills s from attribute values as they arrive in a decision request: strings,
// numbers and booleans are written as text, lists are joined with ",", and a missing or
// null attribute is the empty string.
func FillMap(s string, attrs map[string]any) string {
	return Fill(s, func(name string) string { return Format(attrs[name]) })
}

// Format renders one attribute value the way placeholders show it (see FillMap).
func Format(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(t), 'f', -1, 32)
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case int32:
		return strconv.FormatInt(int64(t), 10)
	case []string:
		return strings.Join(t, ",")
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = Format(e)
		}
		return strings.Join(parts, ",")
	}
	return ""
}
