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

package ethics

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// dictionaryYAML is the built-in dictionary (SPEC §3) as data privacy reviewers can read and
// change; dictionary.schema.json describes it.
//
//go:embed dictionary.yaml
var dictionaryYAML []byte

// DictionaryFile is the format of dictionary.yaml.
type DictionaryFile struct {
	// WordSets are shared word lists, referenced from terms with YAML anchors.
	WordSets map[string][]string `json:"wordSets,omitempty"`
	Terms    []TermEntry         `json:"terms"`
	Contexts []ContextEntry      `json:"contexts"`
}

// TermEntry is one dictionary term (see the comment at the top of dictionary.yaml).
type TermEntry struct {
	Term       string                  `json:"term"`
	Category   string                  `json:"category"`
	Class      ethosv1alpha1.DataClass `json:"class"`
	Use        termUse                 `json:"use"`
	Gender     string                  `json:"gender,omitempty"`
	Languages  []string                `json:"languages"`
	Neighbours []string                `json:"neighbours,omitempty"`
	OnlyWith   []string                `json:"onlyWith,omitempty"`
	Source     string                  `json:"source"`
}

// ContextEntry is a word that says what an attribute describes.
type ContextEntry struct {
	Word      string    `json:"word"`
	Describes describes `json:"describes"`
	Weak      bool      `json:"weak,omitempty"`
	Languages []string  `json:"languages"`
	Reason    string    `json:"reason"`
}

// termUse says where a term applies and how a value naming it is judged.
type termUse string

const (
	useName   termUse = "name"   // attribute names and rule values
	useProxy  termUse = "proxy"  // attribute names only
	useValue  termUse = "value"  // rule values, in any attribute
	useGroup  termUse = "group"  // rule values naming a group of people: not in product attributes
	useGender termUse = "gender" // rule values naming a gender: only in person attributes
)

var termUses = []termUse{useName, useProxy, useValue, useGroup, useGender}

// strength breaks ties between terms of one class found in one value: a term sensitive
// everywhere beats a group term, which beats a gender term.
func (u termUse) strength() int {
	switch u {
	case useGroup:
		return 1
	case useGender:
		return 0
	}
	return 2
}

// sensitiveIn reports whether a value whose term has this use is sensitive in an attribute
// that describes ctx (issue 11: judge a value by the attribute it describes).
func (u termUse) sensitiveIn(ctx describes) bool {
	switch u {
	case "":
		return false
	case useGroup:
		return ctx != describesProduct
	case useGender:
		return ctx == describesPerson
	}
	return true
}

// describes is what an attribute is about.
type describes string

const (
	describesNeutral describes = ""        // neither: interests, tags
	describesPerson  describes = "person"  // who the visitor is: shopperProfile, segment
	describesProduct describes = "product" // what they browsed, or a product: viewedCategories
)

// genderSides is a set of the genders a value names.
type genderSides uint8

const (
	sideMasculine genderSides = 1 << iota
	sideFeminine
	sideOther
)

var genderNames = map[string]genderSides{"masculine": sideMasculine, "feminine": sideFeminine, "other": sideOther}

// binary returns the one binary gender a value names (masculine or feminine), or 0 when it
// names none, both, or another gender.
func (s genderSides) binary() genderSides {
	if s == sideMasculine || s == sideFeminine {
		return s
	}
	return 0
}

// languages are the seven languages of SPEC §3.
var languages = []string{"en", "fr", "de", "es", "it", "pt", "nl"}

// entry is one normalised dictionary term.
type entry struct {
	class      ethosv1alpha1.DataClass
	category   string
	term       string   // the normalised term as matched
	use        termUse  // how the term is judged
	neighbours []string // normalised words that make the term benign
	onlyWith   []string // normalised words one of which must be next to the term
}

// dictionary maps normalised terms (words joined by single spaces) to entries.
type dictionary struct {
	terms  map[string]entry
	maxLen int // most words in one term
}

// compiledDictionary is everything the matcher needs, built once from the data file.
type compiledDictionary struct {
	file     *DictionaryFile
	names    *dictionary // attribute names: name and proxy terms
	values   *dictionary // rule values: name, value, group and gender terms
	genders  map[string]genderSides
	contexts map[string]ContextEntry
}

// dict is the built-in dictionary, loaded once when the program starts so checks pay
// nothing for it. The file is embedded and `go test` checks it, so an error here is a
// broken build, not bad input.
var dict = func() *compiledDictionary {
	d, err := loadDictionary(dictionaryYAML)
	if err != nil {
		panic("ethics: the embedded dictionary.yaml is invalid: " + err.Error())
	}
	return d
}()

// Dictionary returns the built-in dictionary as loaded (for docs and tests); callers must not
// modify it.
func Dictionary() *DictionaryFile { return dict.file }

// loadDictionary parses and checks a dictionary file and builds the matcher's tables. Errors
// name the entry and field and say how to fix them.
func loadDictionary(data []byte) (*compiledDictionary, error) {
	f := &DictionaryFile{}
	if err := yaml.UnmarshalStrict(data, f); err != nil {
		return nil, fmt.Errorf("dictionary: %w (see dictionary.schema.json for the fields)", err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	d := &compiledDictionary{file: f,
		names: &dictionary{terms: map[string]entry{}}, values: &dictionary{terms: map[string]entry{}},
		genders: map[string]genderSides{}, contexts: map[string]ContextEntry{}}
	for _, t := range f.Terms {
		w := normalize(t.Term)
		e := entry{class: t.Class, category: t.Category, term: w.text, use: t.Use,
			neighbours: normalizeWords(t.Neighbours), onlyWith: normalizeWords(t.OnlyWith)}
		if t.Use != useValue && t.Use != useGroup && t.Use != useGender {
			d.names.add(w, e)
		}
		if t.Use != useProxy {
			d.values.add(w, e)
		}
		if t.Use == useGender {
			d.genders[w.text] |= genderNames[t.Gender]
		}
	}
	for _, c := range f.Contexts {
		d.contexts[normalize(c.Word).text] = c
	}
	return d, nil
}

func normalizeWords(ws []string) []string {
	if len(ws) == 0 {
		return nil
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = normalize(w).text
	}
	return out
}

// add indexes a term, and a multi-word term also under its words run together.
func (d *dictionary) add(w words, e entry) {
	put := func(key string, e entry) {
		// The first (most specific, highest) class wins for a term listed twice.
		if old, ok := d.terms[key]; ok && rank(old.class) >= rank(e.class) {
			return
		}
		d.terms[key] = e
	}
	put(w.text, e)
	d.maxLen = max(d.maxLen, w.len())
	if w.len() > 1 {
		joined := strings.ReplaceAll(w.text, " ", "")
		e.term = joined
		put(joined, e)
	}
}

// validate checks what the schema says, naming the entry and field of the first problem.
func (f *DictionaryFile) validate() error {
	if len(f.Terms) == 0 {
		return fmt.Errorf("dictionary: terms is empty; add at least one term")
	}
	seen := map[string]int{}
	for i, t := range f.Terms {
		at := fmt.Sprintf("dictionary: terms[%d] (%q)", i, t.Term)
		switch {
		case normalize(t.Term).len() == 0:
			return fmt.Errorf("%s: term must contain a letter or digit", at)
		case strings.TrimSpace(t.Category) == "":
			return fmt.Errorf("%s: category is required, such as \"health\"", at)
		case t.Class != ethosv1alpha1.DataClassSensitive && t.Class != ethosv1alpha1.DataClassProxy:
			return fmt.Errorf("%s: class %q must be Sensitive or Proxy", at, t.Class)
		case !slices.Contains(termUses, t.Use):
			return fmt.Errorf("%s: use %q must be one of name, proxy, value, group, gender", at, t.Use)
		case (t.Use == useProxy) != (t.Class == ethosv1alpha1.DataClassProxy):
			return fmt.Errorf("%s: use proxy goes with class Proxy, and only with it", at)
		case (t.Use == useGender) != (t.Gender != ""):
			return fmt.Errorf("%s: gender (masculine, feminine or other) is required with use gender, and only with it", at)
		case t.Gender != "" && genderNames[t.Gender] == 0:
			return fmt.Errorf("%s: gender %q must be masculine, feminine or other", at, t.Gender)
		case strings.TrimSpace(t.Source) == "":
			return fmt.Errorf("%s: source is required: say where the term's sensitivity comes from", at)
		}
		if err := checkLanguages(at, t.Languages); err != nil {
			return err
		}
		for _, w := range slices.Concat(t.Neighbours, t.OnlyWith) {
			if normalize(w).len() != 1 {
				return fmt.Errorf("%s: neighbour and onlyWith entries must be single words, not %q", at, w)
			}
		}
		key := string(t.Use) + "/" + normalize(t.Term).text
		if j, dup := seen[key]; dup {
			return fmt.Errorf("%s: same term and use as terms[%d] (%q); merge their languages into one entry", at, j, f.Terms[j].Term)
		}
		seen[key] = i
	}
	for i, c := range f.Contexts {
		at := fmt.Sprintf("dictionary: contexts[%d] (%q)", i, c.Word)
		switch {
		case normalize(c.Word).len() != 1:
			return fmt.Errorf("%s: word must be a single word", at)
		case c.Describes != describesPerson && c.Describes != describesProduct:
			return fmt.Errorf("%s: describes %q must be person or product", at, c.Describes)
		case c.Weak && c.Describes != describesPerson:
			return fmt.Errorf("%s: weak applies to person words only", at)
		case strings.TrimSpace(c.Reason) == "":
			return fmt.Errorf("%s: reason is required", at)
		}
		if err := checkLanguages(at, c.Languages); err != nil {
			return err
		}
	}
	return nil
}

func checkLanguages(at string, ls []string) error {
	if len(ls) == 0 {
		return fmt.Errorf("%s: languages is required, such as [en]", at)
	}
	for _, l := range ls {
		if !slices.Contains(languages, l) {
			return fmt.Errorf("%s: language %q must be one of %s", at, l, strings.Join(languages, ", "))
		}
	}
	return nil
}

// genderSidesOf returns the genders the words of a value name.
func (d *compiledDictionary) genderSidesOf(v words) genderSides {
	var s genderSides
	for i := 0; i < v.len(); i++ {
		w := v.word(i)
		side, ok := d.genders[w]
		if !ok && len(w) > 3 && w[len(w)-1] == 's' {
			side = d.genders[w[:len(w)-1]] // womens, mens
		}
		s |= side
	}
	return s
}

// contextOf says what an attribute name describes from its words: a person word (profile,
// segment, audience, ...) makes it about the person; otherwise a product word (viewed,
// category, department, ...) makes it about products; a weak person word (type, group) counts
// when no product word is next to it (userType, but productType).
func contextOf(w words) describes {
	person, weak, product := false, false, false
	for i := 0; i < w.len(); i++ {
		word := w.word(i)
		c, ok := dict.contexts[word]
		if !ok && len(word) > 3 && word[len(word)-1] == 's' {
			c, ok = dict.contexts[word[:len(word)-1]] // categories → category is listed; segments
		}
		if !ok {
			continue
		}
		switch {
		case c.Describes == describesProduct:
			product = true
		case c.Weak:
			weak = true
		default:
			person = true
		}
	}
	switch {
	case person:
		return describesPerson
	case product:
		return describesProduct
	case weak:
		return describesPerson
	}
	return describesNeutral
}
