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
	path   *field.Path // the field naming the attribute
	inRule bool        // audience.rules or experiences[].rules (ETH003, ETH015)
}

// ruleValue is one value of a rule, with the rule's attribute for ambiguity context.
type ruleValue struct {
	value      string
	attr       *attribute
	path       *field.Path
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
			return u.path
		}
	}
	return nil
}

// historyRead is a place where a Campaign reads the visitor's history (implicitly Behavioral).
type historyRead struct {
	path *field.Path
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
		attrs: make([]*attribute, 0, n), uses: make([]use, 0, 2*n), values: make([]ruleValue, 0, 2*n)}
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
	in.gatherRules(c.Spec.Audience.Rules, audiencePath.Child("rules"), -1)
	for i := range c.Spec.Experiences {
		e := &c.Spec.Experiences[i]
		p := experiencePath.Index(i)
		in.gatherRules(e.Rules, p.Child("rules"), i)
		if r := e.Recommendations; r != nil {
			rp := p.Child("recommendations")
			if r.BoostBy != "" {
				in.addUse(r.BoostBy, rp.Child("boostBy"), false)
			}
			if r.Source.ReadsHistory() {
				in.history = append(in.history, historyRead{path: rp.Child("source")})
			} else if r.ExcludesPurchased() {
				in.history = append(in.history, historyRead{path: rp.Child("excludePurchased")})
			}
		}
		if len(e.Content) > 0 {
			// Map order is random: sort the keys so findings are deterministic.
			keys := make([]string, 0, len(e.Content))
			for k := range e.Content {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				for _, seg := range placeholder.Parse(e.Content[k]) {
					if seg.Name != "" {
						in.addUse(seg.Name, p.Child("content").Key(k), false)
					}
				}
			}
		}
	}
	return in
}

func (in *campaignInput) gatherRules(rules []ethosv1alpha1.Rule, path *field.Path, experience int) {
	for i := range rules {
		r := &rules[i]
		rp := path.Index(i)
		a := in.addUse(r.Attribute, rp.Child("attribute"), true)
		if !slices.Contains(in.ruleAttrs, a) {
			in.ruleAttrs = append(in.ruleAttrs, a)
		}
		selects := r.Operator == ethosv1alpha1.OperatorIn || r.Operator == ethosv1alpha1.OperatorContains
		for j, v := range r.Values {
			in.values = append(in.values, ruleValue{value: v, attr: a, path: rp.Child("values").Index(j), experience: experience,
				selects: selects, cls: cachedValue(v, a)})
		}
	}
}

func (in *campaignInput) addUse(name string, path *field.Path, inRule bool) *attribute {
	a := in.attribute(name)
	a.uses++
	in.uses = append(in.uses, use{attr: a, path: path, inRule: inRule})
	return a
}

// attribute returns the entry for name, classifying it on first sight.
func (in *campaignInput) attribute(name string) *attribute {
	if a, ok := in.byName[name]; ok {
		return a
	}
	cc := cachedName(name)
	a := &attribute{name: name, words: cc.words, dict: cc.class, context: cc.context}
	in.byName[name] = a
	in.attrs = append(in.attrs, a)
	return a
}
