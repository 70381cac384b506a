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
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

func TestRank(t *testing.T) {
	cands := []wire.Candidate{
		{ID: "a", Categories: []string{"road"}},
		{ID: "b", Categories: []string{"trail", "road"}},
		{ID: "c", Categories: []string{"trail"}},
		{ID: "d", Categories: []string{"trail"}},
		{ID: "e"},
		{ID: "b", Categories: []string{"trail"}},
		{ID: "f", Categories: []string{"running"}},
	}
	boostTrail := []wire.Value{{Kind: wire.KindList, List: []string{"trail"}}}
	tests := []struct {
		name        string
		rec         recommendations
		req         wire.Request
		vals        []wire.Value
		wantItems   []string
		wantHistory int
	}{
		{name: "caller order without boost", rec: recommendations{source: document.SourceCandidates, maxItems: 10, boostAttr: -1},
			req: wire.Request{Candidates: cands}, vals: []wire.Value{{}}, wantItems: []string{"a", "b", "c", "d", "e", "f"}},
		{name: "boosted first, ties in caller order", rec: recommendations{source: document.SourceCandidates, maxItems: 10, boostAttr: 0},
			req: wire.Request{Candidates: cands}, vals: boostTrail, wantItems: []string{"b", "c", "d", "a", "e", "f"}},
		{name: "boost by a scalar", rec: recommendations{source: document.SourceCandidates, maxItems: 10, boostAttr: 0},
			req: wire.Request{Candidates: cands}, vals: []wire.Value{{Kind: wire.KindString, Str: "running"}}, wantItems: []string{"f", "a", "b", "c", "d", "e"}},
		{name: "missing boost attribute keeps caller order", rec: recommendations{source: document.SourceCandidates, maxItems: 10, boostAttr: 0},
			req: wire.Request{Candidates: cands}, vals: []wire.Value{{}}, wantItems: []string{"a", "b", "c", "d", "e", "f"}},
		{name: "maxPerCategory on the first category, then maxItems",
			rec: recommendations{source: document.SourceCandidates, maxItems: 4, boostAttr: 0, maxPerCategory: 1},
			req: wire.Request{Candidates: cands}, vals: boostTrail, wantItems: []string{"b", "a", "e", "f"}},
		{name: "purchased excluded for an anonymous visitor",
			rec: recommendations{source: document.SourceCandidates, maxItems: 3, boostAttr: 0, exclude: true},
			req: wire.Request{Candidates: cands, History: wire.History{Purchased: []wire.ItemID{"b", "c"}}}, vals: boostTrail,
			wantItems: []string{"d", "a", "e"}, wantHistory: historyPurchased},
		{name: "purchased kept when exclusion is off",
			rec: recommendations{source: document.SourceCandidates, maxItems: 2, boostAttr: -1},
			req: wire.Request{Candidates: cands, History: wire.History{Purchased: []wire.ItemID{"a"}}}, vals: []wire.Value{{}},
			wantItems: []string{"a", "b"}},
		{name: "no candidates", rec: recommendations{source: document.SourceCandidates, maxItems: 2, boostAttr: -1, exclude: true},
			req: wire.Request{History: wire.History{Purchased: []wire.ItemID{"a"}}}, vals: []wire.Value{{}}, wantItems: []string{}},
		{name: "recently viewed needs a signed-in visitor",
			rec: recommendations{source: document.SourceRecentlyViewed, maxItems: 2, boostAttr: -1, exclude: true},
			req: wire.Request{History: wire.History{Viewed: []wire.ItemID{"x", "y"}}}, vals: []wire.Value{{}}, wantItems: []string{}},
		{name: "recently viewed, newest first, purchased excluded",
			rec:  recommendations{source: document.SourceRecentlyViewed, maxItems: 2, boostAttr: -1, exclude: true},
			req:  wire.Request{Visitor: wire.Visitor{Authenticated: true}, History: wire.History{Viewed: []wire.ItemID{"x", "y", "x", "z"}, Purchased: []wire.ItemID{"y"}}},
			vals: []wire.Value{{}}, wantItems: []string{"x", "z"}, wantHistory: historyViewed | historyPurchased},
		{name: "recently purchased is not filtered",
			rec:  recommendations{source: document.SourceRecentlyPurchased, maxItems: 5, boostAttr: -1, exclude: true},
			req:  wire.Request{Visitor: wire.Visitor{Authenticated: true}, History: wire.History{Purchased: []wire.ItemID{"p", "q"}}},
			vals: []wire.Value{{}}, wantItems: []string{"p", "q"}, wantHistory: historyPurchased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			items, history := tt.rec.rank(&tt.req, tt.vals)
			g.Expect(items).To(Equal(tt.wantItems))
			g.Expect(history).To(Equal(tt.wantHistory))
		})
	}
}

// TestRankLongPurchaseHistory covers the set used for long histories.
func TestRankLongPurchaseHistory(t *testing.T) {
	g := NewWithT(t)
	var purchased []wire.ItemID
	for i := range 40 {
		purchased = append(purchased, wire.ItemID(fmt.Sprintf("p%d", i)))
	}
	rec := recommendations{source: document.SourceCandidates, maxItems: 5, boostAttr: -1, exclude: true}
	items, _ := rec.rank(&wire.Request{History: wire.History{Purchased: purchased}, Candidates: []wire.Candidate{{ID: "p1"}, {ID: "b"}, {ID: "p39"}}}, nil)
	g.Expect(items).To(Equal([]string{"b"}))
}

func TestExplanationText(t *testing.T) {
	tests := []struct {
		attr document.Attribute
		want string
	}{
		{document.Attribute{Name: "x", Description: "The sports you browsed."}, "the sports you browsed"},
		{document.Attribute{Name: "x", Description: "IP address, for fraud checks"}, "IP address, for fraud checks"},
		{document.Attribute{Name: "viewedCategories"}, "your viewed categories"},
		{document.Attribute{Name: "last_search"}, "your last search"},
	}
	for _, tt := range tests {
		NewWithT(t).Expect(attributeText(tt.attr.Name, tt.attr.Description, wire.English)).To(Equal(tt.want))
	}
	NewWithT(t).Expect(purposeSentence("p", "To suggest products", wire.English)).To(Equal("Purpose: To suggest products."))
	NewWithT(t).Expect(purposeSentence("p", "", wire.English)).To(Equal("Purpose: p."))
	// German keeps the capital of its nouns; French lowers the first letter like English.
	NewWithT(t).Expect(attributeText("x", "Postleitzahl, für die nächste Filiale", wire.German)).To(Equal("Postleitzahl, für die nächste Filiale"))
	NewWithT(t).Expect(attributeText("x", "Les sports consultés.", wire.French)).To(Equal("les sports consultés"))
	NewWithT(t).Expect(purposeSentence("p", "Vous suggérer des produits", wire.French)).To(Equal("Finalité : Vous suggérer des produits."))
}
