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
	"bytes"
	_ "embed"
	"strings"
	"text/template"
)

//go:embed rules.md.tmpl
var rulesTemplate string

// docUse is one table of dictionary terms in docs/rules.md.
type docUse struct {
	Title      string
	Categories []docCategory
}

type docCategory struct {
	Name  string
	Terms string
}

type docAmbiguous struct {
	Term, Category, Neighbours, OnlyWith string
}

// useTitles orders and names the dictionary tables.
var useTitles = []struct {
	use   termUse
	title string
}{
	{useName, "Sensitive terms (class Sensitive; attribute names and rule values)"},
	{useProxy, "Proxies (class Proxy; attribute names)"},
	{useValue, "Sensitive value terms (rule values, in any attribute)"},
	{useGroup, "Group terms (rule values; not sensitive in product attributes)"},
	{useGender, "Gender terms (rule values; sensitive in person attributes, sides of ETH019)"},
}

// RulesMarkdown renders docs/rules.md from the registry and the dictionary; `make docs`
// writes it and a test fails when the committed file differs.
func RulesMarkdown() ([]byte, error) {
	t, err := template.New("rules.md").Funcs(template.FuncMap{"join": joinComma}).Parse(rulesTemplate)
	if err != nil {
		return nil, err
	}
	f := Dictionary()
	var uses []docUse
	for _, u := range useTitles {
		du := docUse{Title: u.title}
		index := map[string]int{}
		for _, e := range f.Terms {
			if e.Use != u.use {
				continue
			}
			name := e.Category
			if e.Gender != "" {
				name = e.Gender
			}
			i, ok := index[name]
			if !ok {
				i = len(du.Categories)
				index[name] = i
				du.Categories = append(du.Categories, docCategory{Name: name})
			}
			c := &du.Categories[i]
			if c.Terms != "" {
				c.Terms += ", "
			}
			c.Terms += e.Term + " (" + strings.Join(e.Languages, " ") + ")"
		}
		uses = append(uses, du)
	}
	var amb []docAmbiguous
	for _, e := range f.Terms {
		if len(e.Neighbours) > 0 || len(e.OnlyWith) > 0 {
			amb = append(amb, docAmbiguous{Term: e.Term, Category: e.Category,
				Neighbours: joinComma(e.Neighbours), OnlyWith: joinComma(e.OnlyWith)})
		}
	}
	var b bytes.Buffer
	err = t.Execute(&b, map[string]any{"Rules": Registry, "Uses": uses, "Ambiguous": amb, "Contexts": f.Contexts})
	return b.Bytes(), err
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
