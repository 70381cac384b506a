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

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// History flags: which parts of the visitor's history a decision read. The explanation
// names them.
const (
	historyViewed = 1 << iota
	historyPurchased
)

// linearExclusionLimit is the purchase-history length up to which a linear scan beats
// building a set.
const linearExclusionLimit = 32

// rank returns the recommended item ids in rank order and the history flags it read.
//
// Candidates: purchased items dropped when exclude is set (for every visitor: excluding
// reveals nothing), candidates whose categories meet the boostBy attribute's values first,
// ties in the caller's order, then at most maxPerCategory per first category and maxItems.
// History sources need a signed-in visitor; RecentlyPurchased is never filtered.
// Duplicate ids are kept once, at their best rank.
func (r *recommendations) rank(req *wire.Request, vals []wire.Value) ([]string, int) {
	purchased := req.History.Purchased
	switch r.source {
	case document.SourceRecentlyPurchased:
		if !req.Visitor.Authenticated || len(purchased) == 0 {
			return emptyItems, 0
		}
		return r.fromHistory(purchased, nil), historyPurchased
	case document.SourceRecentlyViewed:
		if !req.Visitor.Authenticated || len(req.History.Viewed) == 0 {
			return emptyItems, 0
		}
		flags := historyViewed
		var ex *exclusion
		if r.exclude && len(purchased) > 0 {
			ex, flags = newExclusion(purchased), flags|historyPurchased
		}
		return r.fromHistory(req.History.Viewed, ex), flags
	}

	cands := req.Candidates
	if len(cands) == 0 {
		return emptyItems, 0
	}
	flags := 0
	var ex *exclusion
	if r.exclude && len(purchased) > 0 {
		ex, flags = newExclusion(purchased), historyPurchased
	}
	var boost *wire.Value
	if r.boostAttr >= 0 && vals[r.boostAttr].Kind != wire.KindMissing {
		boost = &vals[r.boostAttr]
	}
	out := make([]string, 0, min(r.maxItems, len(cands)))
	var counts categoryCounts
	if boost != nil {
		out = r.pass(out, cands, ex, boost, true, &counts)
	}
	out = r.pass(out, cands, ex, boost, false, &counts)
	return out, flags
}

// pass appends the candidates whose boost status is boosted (all of them when boost is nil
// and boosted is false), in the caller's order.
func (r *recommendations) pass(out []string, cands []wire.Candidate, ex *exclusion, boost *wire.Value, boosted bool, counts *categoryCounts) []string {
	for i := range cands {
		if len(out) >= r.maxItems {
			break
		}
		c := &cands[i]
		if boost != nil && isBoosted(c.Categories, boost) != boosted {
			continue
		}
		if ex.has(c.ID) || containsString(out, string(c.ID)) {
			continue
		}
		if r.maxPerCategory > 0 && len(c.Categories) > 0 {
			if !counts.take(c.Categories[0], r.maxPerCategory) {
				continue
			}
		}
		out = append(out, string(c.ID))
	}
	return out
}

func (r *recommendations) fromHistory(ids []wire.ItemID, ex *exclusion) []string {
	out := make([]string, 0, min(r.maxItems, len(ids)))
	for _, id := range ids {
		if len(out) >= r.maxItems {
			break
		}
		if id == "" || ex.has(id) || containsString(out, string(id)) {
			continue
		}
		out = append(out, string(id))
	}
	return out
}

// isBoosted reports whether one of the categories is among the boost attribute's values.
func isBoosted(categories []string, boost *wire.Value) bool {
	for _, c := range categories {
		if boost.Kind == wire.KindList {
			if containsString(boost.List, c) {
				return true
			}
		} else if boost.Str == c {
			return true
		}
	}
	return false
}

// categoryCounts counts items per first category. maxItems is at most 50, so a small
// array scanned linearly beats a map and stays on the stack.
type categoryCounts struct {
	names [maxItems]string
	n     [maxItems]int
	len   int
}

// take counts one more item of the category and reports whether it is within max.
func (c *categoryCounts) take(category string, max int) bool {
	for i := 0; i < c.len; i++ {
		if c.names[i] == category {
			if c.n[i] >= max {
				return false
			}
			c.n[i]++
			return true
		}
	}
	if c.len == len(c.names) {
		return true // more categories than items can ever be returned
	}
	c.names[c.len], c.n[c.len] = category, 1
	c.len++
	return true
}

// exclusion is the set of purchased items; short histories are scanned linearly.
type exclusion struct {
	list []wire.ItemID
	set  map[wire.ItemID]struct{}
}

func newExclusion(purchased []wire.ItemID) *exclusion {
	ex := &exclusion{list: purchased}
	if len(purchased) > linearExclusionLimit {
		ex.set = make(map[wire.ItemID]struct{}, len(purchased))
		for _, id := range purchased {
			ex.set[id] = struct{}{}
		}
	}
	return ex
}

func (ex *exclusion) has(id wire.ItemID) bool {
	if ex == nil {
		return false
	}
	if ex.set != nil {
		_, ok := ex.set[id]
		return ok
	}
	return slices.Contains(ex.list, id)
}
