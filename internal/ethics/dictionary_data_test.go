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
	"encoding/json"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// The embedded dictionary satisfies its published schema.
func TestDictionaryMatchesSchema(t *testing.T) {
	g := NewWithT(t)
	raw, err := os.ReadFile("dictionary.schema.json")
	g.Expect(err).NotTo(HaveOccurred())
	schema := &spec.Schema{}
	g.Expect(json.Unmarshal(raw, schema)).To(Succeed())
	var doc any
	g.Expect(yaml.Unmarshal(dictionaryYAML, &doc)).To(Succeed())
	res := validate.NewSchemaValidator(schema, nil, "", strfmt.Default).Validate(doc)
	g.Expect(res.Errors).To(BeEmpty())

	// The schema is not a formality: it rejects a misspelt field and an unknown language.
	g.Expect(yaml.Unmarshal([]byte(`{terms: [{term: x, category: c, class: Sensitive, use: name, languages: [xx], source: s}], contexts: []}`), &doc)).To(Succeed())
	g.Expect(validate.NewSchemaValidator(schema, nil, "", strfmt.Default).Validate(doc).Errors).NotTo(BeEmpty())
	g.Expect(yaml.Unmarshal([]byte(`{terms: [{term: x, categry: c, class: Sensitive, use: name, languages: [en], source: s}], contexts: []}`), &doc)).To(Succeed())
	g.Expect(validate.NewSchemaValidator(schema, nil, "", strfmt.Default).Validate(doc).Errors).NotTo(BeEmpty())
}

// The loader checks what the schema says, naming the entry, the field and the fix.
func TestLoadDictionaryErrors(t *testing.T) {
	const ok = `{term: age, category: age, class: Sensitive, use: name, languages: [en], source: s}`
	tests := map[string]struct{ file, want string }{
		"unknown field": {`{terms: [{term: x, categry: c}], contexts: []}`,
			`dictionary: error unmarshaling JSON: while decoding JSON: json: unknown field "categry" (see dictionary.schema.json for the fields)`},
		"no terms": {`{terms: [], contexts: []}`, `dictionary: terms is empty; add at least one term`},
		"class": {`{terms: [{term: x, category: c, class: Behavioral, use: name, languages: [en], source: s}]}`,
			`dictionary: terms[0] ("x"): class "Behavioral" must be Sensitive or Proxy`},
		"use": {`{terms: [{term: x, category: c, class: Sensitive, use: names, languages: [en], source: s}]}`,
			`dictionary: terms[0] ("x"): use "names" must be one of name, proxy, value, group, gender`},
		"proxy class": {`{terms: [{term: x, category: c, class: Sensitive, use: proxy, languages: [en], source: s}]}`,
			`dictionary: terms[0] ("x"): use proxy goes with class Proxy, and only with it`},
		"gender missing": {`{terms: [{term: x, category: c, class: Sensitive, use: gender, languages: [en], source: s}]}`,
			`dictionary: terms[0] ("x"): gender (masculine, feminine or other) is required with use gender, and only with it`},
		"language": {`{terms: [{term: x, category: c, class: Sensitive, use: name, languages: [english], source: s}]}`,
			`dictionary: terms[0] ("x"): language "english" must be one of en, fr, de, es, it, pt, nl`},
		"source": {`{terms: [{term: x, category: c, class: Sensitive, use: name, languages: [en]}]}`,
			`dictionary: terms[0] ("x"): source is required: say where the term's sensitivity comes from`},
		"neighbour phrase": {`{terms: [{term: x, category: c, class: Sensitive, use: name, languages: [en], neighbours: [music video], source: s}]}`,
			`dictionary: terms[0] ("x"): neighbour and onlyWith entries must be single words, not "music video"`},
		"duplicate": {`{terms: [` + ok + `, {term: Âge, category: age, class: Sensitive, use: name, languages: [fr], source: s}]}`,
			`dictionary: terms[1] ("Âge"): same term and use as terms[0] ("age"); merge their languages into one entry`},
		"context": {`{terms: [` + ok + `], contexts: [{word: profile, describes: people, languages: [en], reason: r}]}`,
			`dictionary: contexts[0] ("profile"): describes "people" must be person or product`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadDictionary([]byte(tt.file))
			NewWithT(t).Expect(err).To(MatchError(tt.want))
		})
	}
	_, err := loadDictionary([]byte(`{terms: [` + ok + `], contexts: []}`))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
}

// corpusCase is one line of testdata/dictionary-corpus.yaml.
type corpusCase struct {
	Term      string  `json:"term"`
	Use       termUse `json:"use"`
	Match     string  `json:"match"`
	LookAlike string  `json:"lookAlike"`
}

// classifyCorpus classifies a corpus name, or an "attribute:value" rule value.
func classifyCorpus(s string) Classification {
	if attr, value, ok := strings.Cut(s, ":"); ok {
		return ClassifyValue(value, attr)
	}
	return ClassifyName(s)
}

// Every dictionary term has a name that must match it and a look-alike that must not match
// anything; and every corpus line names a term of the dictionary.
func TestDictionaryCorpus(t *testing.T) {
	g := NewWithT(t)
	raw, err := os.ReadFile("testdata/dictionary-corpus.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	var corpus []corpusCase
	g.Expect(yaml.UnmarshalStrict(raw, &corpus)).To(Succeed())
	byTerm := map[string]corpusCase{}
	for _, c := range corpus {
		byTerm[string(c.Use)+"/"+c.Term] = c
	}
	g.Expect(corpus).To(HaveLen(len(Dictionary().Terms)), "one corpus line per term")
	for _, e := range Dictionary().Terms {
		c, ok := byTerm[string(e.Use)+"/"+e.Term]
		if !ok {
			t.Errorf("term %q (use %s) has no line in testdata/dictionary-corpus.yaml", e.Term, e.Use)
			continue
		}
		term := normalize(e.Term).text
		got := classifyCorpus(c.Match)
		if got.Class != e.Class || strings.ReplaceAll(got.Term, " ", "") != strings.ReplaceAll(term, " ", "") {
			t.Errorf("%q should match term %q (%s), got %+v", c.Match, e.Term, e.Class, got)
		}
		if got := classifyCorpus(c.LookAlike); got.Class != "" {
			t.Errorf("look-alike %q of %q must not match, got %+v", c.LookAlike, e.Term, got)
		}
	}
}

// The context cases (issue 11), both ways.
func TestClassifyValueInContext(t *testing.T) {
	tests := []struct {
		value, attribute string
		sensitive        bool
	}{
		// Gender values: sensitive in person attributes, in seven languages.
		{"male", "shopperProfile", true}, {"female", "shopperProfile", true}, {"women", "segment", true},
		{"men", "audienceSegment", true}, {"Frauen", "zielgruppe", true}, {"hommes", "profilClient", true},
		{"mujeres", "perfil", true}, {"donne", "segmento", true}, {"mulheres", "personaCliente", true},
		{"vrouwen", "doelgroep", true}, {"female", "customerType", true}, {"male", "visitorGroup", true},
		{"non-binary", "genderIdentityCohort", true}, {"women", "identity", true},
		// ... and not in product attributes or neutral ones.
		{"womens-running", "viewedCategories", false}, {"women", "department", false}, {"men", "collection", false},
		{"female", "sizeRange", false}, {"Damen", "Abteilung", false}, {"femmes", "rayon", false},
		{"women", "productType", false}, {"women", "interests", false}, {"male", "purchasedCategories", false},
		// Group values: sensitive in person and neutral attributes, not in product ones.
		{"seniors", "segment", true}, {"hispanic", "audience", true}, {"muslim", "interests", true},
		{"over-55", "cohort", true}, {"immigrant", "tags", true},
		{"seniors", "viewedCategories", false}, {"kosher", "purchasedCategories", false}, {"halal", "department", false},
		{"over-55", "browsedCategories", false},
		// Values sensitive anywhere stay so in product attributes.
		{"pregnant", "viewedCategories", true}, {"diabetes", "department", true}, {"lgbt", "collection", true},
		// Look-alikes pass everywhere.
		{"menu", "shopperProfile", false}, {"manga", "segment", false}, {"mannequin", "segment", false},
		{"madonna", "audience", false}, {"fraud", "profile", false}, {"boycott", "cohort", false},
	}
	for _, tt := range tests {
		t.Run(tt.value+"/"+tt.attribute, func(t *testing.T) {
			got := ClassifyValue(tt.value, tt.attribute).Class == ethosv1alpha1.DataClassSensitive
			NewWithT(t).Expect(got).To(Equal(tt.sensitive))
		})
	}
}

func TestContextOf(t *testing.T) {
	tests := map[string]describes{
		"shopperProfile": describesPerson, "customerSegment": describesPerson, "audience": describesPerson,
		"buyerPersona": describesPerson, "cohort": describesPerson, "customerType": describesPerson,
		"zielgruppe": describesPerson, "perfilCliente": describesPerson, "doelgroep": describesPerson,
		"audienceCategory": describesPerson, // a person word wins over a product word
		"viewedCategories": describesProduct, "purchasedCategories": describesProduct, "browsedCategories": describesProduct,
		"department": describesProduct, "collection": describesProduct, "sizeRange": describesProduct,
		"productType": describesProduct, // a weak person word gives way to a product word
		"rayon":       describesProduct, "interests": describesNeutral, "tags": describesNeutral, "loyaltyTier": describesNeutral,
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			NewWithT(t).Expect(contextOf(normalize(name))).To(Equal(want))
		})
	}
}
