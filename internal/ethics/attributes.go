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
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/placeholder"
)

// use is one place where a Campaign reads an attribute (SPEC §3 "used").
type use struct {
	attr   *attribute
	at     loc  // the field naming the attribute
	inRule bool // audience.rules or experiences[].rules (ETH003, ETH015)
}

// ruleValue is one value of a rule, with the rule's attribute for ambiguity context.
type ruleValue struct {
	value      string
	attr       *attribute
	at         loc
	experience int  // index in spec.experiences, -1 for audience.rules
	selects    bool // the rule's operator selects visitors having the value (In, Contains)
	// cls is the value's classification, looked up once for ETH002 and ETH019.
	cls *cachedClass
}

// attribute gathers everything about one attribute name.
type attribute struct {
	name     string
	words    words
	dict     Classification
	context  describes                // what the name says it describes
	declared *ethosv1alpha1.DataUsage // nil when not declared
	declIdx  int                      // index in spec.dataUsage when declared
	uses     int                      // number of uses
}

// effective returns the effective class: the higher of the dictionary's and the declared one
// (SPEC §3); empty when neither knows it.
func (a *attribute) effective() ethosv1alpha1.DataClass {
	var declared ethosv1alpha1.DataClass
	if a.declared != nil {
		declared = a.declared.Class
	}
	if rank(a.dict.Class) >= rank(declared) {
		return a.dict.Class
	}
	return declared
}

// about says what the attribute describes: the person when its effective class is
// Demographic or Sensitive, else what its name says (issue 11).
func (a *attribute) about() describes {
	if c := a.effective(); c == ethosv1alpha1.DataClassDemographic || c == ethosv1alpha1.DataClassSensitive {
		return describesPerson
	}
	return a.context
}

// firstPath is where findings about the attribute as a whole point: its declaration, or
// else its first use.
func (a *attribute) firstPath(in *campaignInput) *field.Path {
	if a.declared != nil {
		return dataUsagePath.Index(a.declIdx).Child("attribute")
	}
	for _, u := range in.uses {
		if u.attr == a {
			return u.at.path()
		}
	}
	return nil
}

// locKind says which field of a Campaign a loc names.
type locKind uint8

const (
	locRuleAttribute    locKind = iota // <rules>[rule].attribute
	locRuleValue                       // <rules>[rule].values[value]
	locBoostBy                         // spec.experiences[exp].recommendations.boostBy
	locSource                          // spec.experiences[exp].recommendations.source
	locExcludePurchased                // spec.experiences[exp].recommendations.excludePurchased
	locContent                         // spec.experiences[exp].content[key]
)

// loc is where a use, value or history read sits, as a value: gathering records one per use
// and value of every check, and only the few that end up in a finding need a field.Path (a
// linked list, one allocation per element), so paths are built on demand.
type loc struct {
	kind  locKind
	exp   int // index in spec.experiences; -1 for spec.audience.rules
	rule  int
	value int
	key   string // the content key
}

// path is the field path loc names.
func (l loc) path() *field.Path {
	var p *field.Path
	if l.exp < 0 {
		p = audiencePath
	} else {
		p = experiencePath.Index(l.exp)
	}
	switch l.kind {
	case locRuleAttribute:
		return p.Child("rules").Index(l.rule).Child("attribute")
	case locRuleValue:
		return p.Child("rules").Index(l.rule).Child("values").Index(l.value)
	case locBoostBy:
		return p.Child("recommendations", "boostBy")
	case locSource:
		return p.Child("recommendations", "source")
	case locExcludePurchased:
		return p.Child("recommendations", "excludePurchased")
	default:
		return p.Child("content").Key(l.key)
	}
}

// historyRead is a place where a Campaign reads the visitor's history (implicitly Behavioral).
type historyRead struct {
	at loc
}

// campaignInput is gathered once per check, so every rule is a small pure function over it.
type campaignInput struct {
	c         *ethosv1alpha1.Campaign
	policy    *ethosv1alpha1.ConsentPolicy
	purpose   *ethosv1alpha1.Purpose // nil when the policy or the purpose is missing
	attrs     []*attribute           // in order of first appearance (declarations first)
	byName    map[string]*attribute
	uses      []use
	values    []ruleValue
	history   []historyRead
	decl      []*attribute // per spec.dataUsage index (duplicates point to the first)
	ruleAttrs []*attribute // attributes named in audience or experience rules, in order
	slab      []attribute  // where attrs point: one allocation for the usual number of attributes
}

var (
	specPath       = field.NewPath("spec")
	dataUsagePath  = specPath.Child("dataUsage")
	audiencePath   = specPath.Child("audience")
	experiencePath = specPath.Child("experiences")
)

// gatherCampaign collects the used and declared attributes, rule values and history reads of
// SPEC §3 with their field paths.
func gatherCampaign(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) *campaignInput {
	n := len(c.Spec.DataUsage) + 4
	in := &campaignInput{c: c, policy: policy, byName: make(map[string]*attribute, n),
		attrs: make([]*attribute, 0, n), slab: make([]attribute, 0, n), uses: make([]use, 0, 2*n),
		values: make([]ruleValue, 0, 2*n), ruleAttrs: make([]*attribute, 0, n)}
	if policy != nil {
		in.purpose = policy.Purpose(c.Spec.Purpose)
	}
	in.decl = make([]*attribute, len(c.Spec.DataUsage))
	for i := range c.Spec.DataUsage {
		a := in.attribute(c.Spec.DataUsage[i].Attribute)
		if a.declared == nil {
			a.declared, a.declIdx = &c.Spec.DataUsage[i], i
		}
		in.decl[i] = a
	}
	in.gatherRules(c.Spec.Audience.Rules, -1)
	var keys []string // content keys of one experience, reused
	for i := range c.Spec.Experiences {
		e := &c.Spec.Experiences[i]
		in.gatherRules(e.Rules, i)
		if r := e.Recommendations; r != nil {
			if r.BoostBy != "" {
				in.addUse(r.BoostBy, loc{kind: locBoostBy, exp: i}, false)
			}
			if r.Source.ReadsHistory() {
				in.history = append(in.history, historyRead{at: loc{kind: locSource, exp: i}})
			} else if r.ExcludesPurchased() {
				in.history = append(in.history, historyRead{at: loc{kind: locExcludePurchased, exp: i}})
			}
		}
		if len(e.Content) > 0 {
			// Map order is random: sort the keys so findings are deterministic.
			keys = keys[:0]
			for k := range e.Content {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				for name := range placeholder.All(e.Content[k]) {
					in.addUse(name, loc{kind: locContent, exp: i, key: k}, false)
				}
			}
		}
	}
	return in
}

// gatherRules gathers the rules of experience (-1: the audience).
func (in *campaignInput) gatherRules(rules []ethosv1alpha1.Rule, experience int) {
	for i := range rules {
		r := &rules[i]
		a := in.addUse(r.Attribute, loc{kind: locRuleAttribute, exp: experience, rule: i}, true)
		if !slices.Contains(in.ruleAttrs, a) {
			in.ruleAttrs = append(in.ruleAttrs, a)
		}
		selects := r.Operator == ethosv1alpha1.OperatorIn || r.Operator == ethosv1alpha1.OperatorContains
		for j, v := range r.Values {
			in.values = append(in.values, ruleValue{value: v, attr: a, at: loc{kind: locRuleValue, exp: experience, rule: i, value: j}, experience: experience,
				selects: selects, cls: cachedValue(v, a)})
		}
	}
}

func (in *campaignInput) addUse(name string, at loc, inRule bool) *attribute {
	a := in.attribute(name)
	a.uses++
	in.uses = append(in.uses, use{attr: a, at: at, inRule: inRule})
	return a
}

// attribute returns the entry for name, classifying it on first sight.
func (in *campaignInput) attribute(name string) *attribute {
	if a, ok := in.byName[name]; ok {
		return a
	}
	cc := cachedName(name)
	if len(in.slab) == cap(in.slab) {
		// Full: start another; the attributes already handed out stay where they are.
		in.slab = make([]attribute, 0, max(4, cap(in.slab)))
	}
	in.slab = append(in.slab, attribute{name: name, words: cc.words, dict: cc.class, context: cc.context})
	a := &in.slab[len(in.slab)-1]
	in.byName[name] = a
	in.attrs = append(in.attrs, a)
	return a
}
