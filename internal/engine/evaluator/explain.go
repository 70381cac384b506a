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
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethos-operator/ethos/internal/engine/document"
)

// Wording of personalized explanations (docs/decision-engine.md quotes it).
const (
	explainPrefix        = "We showed this because of: "
	explainNoData        = "We showed this without using information about you"
	explainViewed        = "the products you viewed recently"
	explainPurchased     = "the products you bought"
	explainExcluded      = "what you already bought, so we do not suggest it again"
	explainPurposePrefix = "Purpose: "
)

// explainCookieChoices is the sentence added when the visitor's consent came from their
// consent banner (a TC string or Consent Mode) rather than from the site's own purpose map.
// It is a sentence of its own so translations can replace it whole.
const explainCookieChoices = "This is based on your cookie choices."

// explain builds the visitor's explanation of a personalized answer: the descriptions of
// the declared attributes the decision read and the visitor has (present has bit i for
// x.used[i]), the history read, then the purpose.
func (e *Evaluator) explain(x *experience, present uint32, history int) string {
	var b strings.Builder
	n := 0
	add := func(s string) {
		if n == 0 {
			b.WriteString(explainPrefix)
		} else {
			b.WriteString("; ")
		}
		b.WriteString(s)
		n++
	}
	for i, idx := range x.used {
		if present&(1<<i) != 0 {
			add(e.attrTexts[idx])
		}
	}
	if history&historyViewed != 0 {
		add(explainViewed)
	}
	if history&historyPurchased != 0 {
		if x.rec != nil && x.rec.source == document.SourceRecentlyPurchased {
			add(explainPurchased)
		} else {
			add(explainExcluded)
		}
	}
	if n == 0 {
		b.WriteString(explainNoData)
	}
	b.WriteString(". ")
	b.WriteString(e.purposeSentence)
	return b.String()
}

// purposeSentence is "Purpose: <description>." from the policy's plain-language text.
func purposeSentence(name, description string) string {
	d := strings.TrimSpace(description)
	if d == "" {
		d = name
	}
	if !strings.HasSuffix(d, ".") && !strings.HasSuffix(d, "!") && !strings.HasSuffix(d, "?") {
		d += "."
	}
	return explainPurposePrefix + d
}

// attributeText is how the explanation names a declared attribute: its description as
// part of a sentence ("The sports you browsed." → "the sports you browsed"), or, without
// one, its name in words ("viewedCategories" → "your viewed categories").
func attributeText(a document.Attribute) string {
	d := strings.TrimRight(strings.TrimSpace(a.Description), ".")
	if d == "" {
		return "your " + words(a.Name)
	}
	first, size := utf8.DecodeRuneInString(d)
	next, _ := utf8.DecodeRuneInString(d[size:])
	// Lower the first letter of a sentence, but not of an acronym ("IP address").
	if unicode.IsUpper(first) && !unicode.IsUpper(next) {
		d = string(unicode.ToLower(first)) + d[size:]
	}
	return d
}

// words splits an identifier into lower-case words: "viewedCategories" → "viewed categories".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_':
			b.WriteByte(' ')
			continue
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
