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
	"sync"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// The term data lives in dictionary.yaml (loaded by dictionary_data.go); this file holds the
// matcher: whole words or word sequences, never substrings (SPEC §3).

// match is a dictionary hit in a name or value.
type match struct {
	entry
	found bool
}

// lookup returns the highest-class term found in w, matching whole words or word sequences
// (longest first), never substrings. context holds extra neighbour words (for a rule value,
// its attribute's name).
func (d *dictionary) lookup(w words, context words) match {
	var best match
	n := w.len()
	for i := 0; i < n; {
		step := 1
		for l := min(d.maxLen, n-i); l >= 1; l-- {
			key := w.seq(i, l)
			e, ok := d.terms[key]
			if !ok && l == 1 && len(key) > 3 && key[len(key)-1] == 's' {
				e, ok = d.terms[key[:len(key)-1]] // plural: religions, ages
			}
			if !ok || (e.neighbours != nil && (hasNeighbour(w, i, l, e.neighbours) || hasNeighbour(context, -1, 0, e.neighbours))) ||
				(e.onlyWith != nil && !hasNeighbour(w, i, l, e.onlyWith)) {
				continue
			}
			if !best.found || rank(e.class) > rank(best.class) || (rank(e.class) == rank(best.class) && e.use.strength() > best.use.strength()) {
				best = match{entry: e, found: true}
			}
			step = l
			break
		}
		i += step
	}
	return best
}

// hasNeighbour reports whether a word of w outside [skip, skip+n) is one of neighbours.
func hasNeighbour(w words, skip, n int, neighbours []string) bool {
	for j := 0; j < w.len(); j++ {
		if j >= skip && j < skip+n {
			continue
		}
		word := w.word(j)
		for _, nb := range neighbours {
			if word == nb {
				return true
			}
		}
	}
	return false
}

// Classification is what the dictionary knows about a name or value.
type Classification struct {
	// Class is Sensitive or Proxy; empty when the dictionary does not know the name.
	Class ethosv1alpha1.DataClass
	// Category is the sensitive category or proxy kind, such as "age or birth date".
	Category string
	// Term is the normalised dictionary term that matched.
	Term string
}

// ClassifyName classifies an attribute name with the built-in dictionary (SPEC §3).
func ClassifyName(name string) Classification {
	return classifyName(normalize(name))
}

func classifyName(w words) Classification {
	if m := dict.names.lookup(w, words{}); m.found {
		return Classification{Class: m.class, Category: m.category, Term: m.term}
	}
	// A name such as over55 or isUnder18 holds an age bracket: age data under another name.
	if t, ok := ageBracket(w); ok {
		return Classification{Class: ethosv1alpha1.DataClassSensitive, Category: "age or birth date", Term: t}
	}
	return Classification{}
}

// ClassifyValue reports whether a rule value names or infers a sensitive category; attribute
// is the rule's attribute, whose words count as neighbours for ambiguous terms.
func ClassifyValue(value, attribute string) Classification {
	return classifyValue(normalize(value), normalize(attribute))
}

func classifyValue(v, attr words) Classification {
	cl, use := classifyValueUse(v, attr)
	if !use.sensitiveIn(contextOf(attr)) {
		return Classification{}
	}
	return cl
}

// classifyValueUse classifies a value without judging it by its attribute: the caller
// decides with the attribute's context (sensitiveIn) whether a group or gender value counts.
func classifyValueUse(v, attr words) (Classification, termUse) {
	if m := dict.values.lookup(v, attr); m.found {
		return Classification{Class: m.class, Category: m.category, Term: m.term}, m.use
	}
	if t, ok := ageBracket(v); ok {
		return Classification{Class: ethosv1alpha1.DataClassSensitive, Category: "age", Term: t}, useGroup
	}
	return Classification{}, ""
}

// classCache memoises classifications: the same attribute names and rule values come back
// on every admission and every controller re-check, and normalising them is most of the
// engine's cost. It is bounded (classCacheMax entries per cache; past that, results are
// computed and not stored) so names chosen by users cannot grow it without limit. It is a
// typed map under a read lock, so a hit costs no allocation (sync.Map would box the key into
// an interface on every lookup).
type classCache[K comparable] struct {
	mu sync.RWMutex
	m  map[K]*cachedClass
}

// classCacheMax bounds each cache: far more distinct names and values than a cluster holds.
const classCacheMax = 8192

// cachedClass is a cached normalisation and its classification. words is shared read-only.
// For a name, context says what it describes; for a value, use is how its term is judged
// and sides which genders it names.
type cachedClass struct {
	words   words
	class   Classification
	context describes
	use     termUse
	sides   genderSides
}

// valueKey identifies a rule value in the context of its rule's attribute (its neighbours).
type valueKey struct{ value, attribute string }

var (
	nameCache  classCache[string]
	valueCache classCache[valueKey]
)

// lookup returns the cached entry for key. The entry is shared read-only: callers keep the
// pointer rather than copy it.
func (c *classCache[K]) lookup(key K) (*cachedClass, bool) {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	return v, ok
}

// store keeps v for key while there is room, and returns the entry to use.
func (c *classCache[K]) store(key K, v cachedClass) *cachedClass {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		return old
	}
	if c.m == nil {
		c.m = make(map[K]*cachedClass)
	}
	if len(c.m) < classCacheMax {
		c.m[key] = &v
	}
	return &v
}

// cachedName normalises and classifies an attribute name, once per distinct name.
func cachedName(name string) *cachedClass {
	if v, ok := nameCache.lookup(name); ok {
		return v
	}
	w := normalize(name)
	return nameCache.store(name, cachedClass{words: w, class: classifyName(w), context: contextOf(w)})
}

// cachedValue classifies a rule value next to its attribute, once per distinct pair; the
// caller judges group and gender values by the attribute's context.
func cachedValue(value string, attr *attribute) *cachedClass {
	key := valueKey{value, attr.name}
	if v, ok := valueCache.lookup(key); ok {
		return v
	}
	v := normalize(value)
	cl, use := classifyValueUse(v, attr.words)
	return valueCache.store(key, cachedClass{class: cl, use: use, sides: dict.genderSidesOf(v)})
}

// ageWords precede a number in an age bracket: "over 55", "plus de 60", "über 65".
var ageWords = map[string]bool{
	"over": true, "under": true, "above": true, "below": true, "older": true, "younger": true, "aged": true,
	"plus": true, "moins": true, "uber": true, "unter": true, "mas": true, "menos": true, "mayores": true,
	"oltre": true, "sotto": true, "mais": true, "acima": true, "boven": true, "onder": true, "ouder": true,
}

// ageBracket finds "<age word> <number>" in a value, such as "over-55" or "over55".
func ageBracket(v words) (string, bool) {
	for i := 0; i+1 < v.len(); i++ {
		if ageWords[v.word(i)] && isDigits(v.word(i+1)) {
			return v.seq(i, 2), true
		}
	}
	return "", false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// rank orders classes: Behavioral = Preference = Contextual < Demographic < Proxy < Sensitive.
// An empty (unknown) class ranks lowest.
func rank(c ethosv1alpha1.DataClass) int {
	switch c {
	case ethosv1alpha1.DataClassBehavioral, ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassContextual:
		return 1
	case ethosv1alpha1.DataClassDemographic:
		return 2
	case ethosv1alpha1.DataClassProxy:
		return 3
	case ethosv1alpha1.DataClassSensitive:
		return 4
	}
	return 0
}
