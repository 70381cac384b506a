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

// Package decisionengine answers personalization decisions from a compiled decision
// document (internal/document): consent first, then audience, control group, experience,
// recommendations and frequency cap, in the order of SPEC §6. Compile turns a document
// into an immutable Engine once, so each decision only walks pre-resolved rules; the
// server swaps engines atomically when the mounted document changes.
package decisionengine

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/document"
	"github.com/ethos-operator/ethos/internal/placeholder"
)

// maxAttributes is the most dataUsage entries a Campaign may declare (its schema's
// maxItems); it sizes the per-decision attribute array so it stays on the stack.
const maxAttributes = 32

// maxExperiences is the schema's maxItems for experiences; it sizes bit masks.
const maxExperiences = 16

// emptyItems is the items list of answers without items: [] rather than null in JSON.
var emptyItems = []string{}

// Engine is a decision document compiled for evaluation. It is immutable and safe for
// concurrent use.
type Engine struct {
	hash     string
	campaign string
	// fallback is the answer template of every non-personalized decision.
	fallback Answer
	mode     document.Mode
	reason   document.FallbackReason

	zones               []string
	start, end          time.Time
	hasStart, hasEnd    bool
	purpose             string
	purposeSentence     string
	defaultAllow        bool
	gpcWithdrawsPurpose bool

	// attrNames are the declared attributes; rules refer to them by index.
	attrNames []string
	attrTexts []string

	requireAuth    bool
	audience       []rule
	controlPercent float64
	controlSeed    string
	abTest         bool
	splitSeed      string
	experiences    []experience
	maxImpressions int64
}

// rule is a compiled rule: the attribute is an index into the declared attributes, or -1
// when it is not declared (then it is always missing, so undeclared data never matches).
type rule struct {
	attr   int
	op     ethosv1alpha1.Operator
	values []string
	num    float64
}

// experience is a compiled experience.
type experience struct {
	name   string
	rules  []rule
	weight float64
	// content is shared by every answer when no value has placeholders.
	content   map[string]string
	templates []template
	rec       *recommendations
	// used are the declared attributes this experience's decision reads, in dataUsage order.
	used []int
	// explanations for when every used attribute is present, indexed by historyRead flags.
	explanations [4]string
}

// template is a content value with placeholders, pre-parsed.
type template struct {
	key  string
	segs []placeholder.Segment
	// attrs[i] is the attribute index of segs[i] when it is a placeholder (-1: undeclared).
	attrs []int
}

// recommendations is a compiled recommendations block.
type recommendations struct {
	source         ethosv1alpha1.RecommendationSource
	maxItems       int
	exclude        bool
	boostAttr      int
	maxPerCategory int
}

// Compile builds an Engine from a document and the hash of its bytes (the configHash of
// every answer). It refuses documents that the engine cannot serve faithfully, so a broken
// file never replaces a good one.
func Compile(d *document.Document, hash string) (*Engine, error) {
	if d.APIVersion != document.APIVersion {
		return nil, fmt.Errorf("unsupported apiVersion %q, want %q", d.APIVersion, document.APIVersion)
	}
	spec := &d.Spec
	e := &Engine{
		hash:     hash,
		campaign: d.Campaign.String(),
		mode:     d.Mode,
		reason:   d.Reason,
		zones:    spec.Zones,
		purpose:  spec.Purpose,
	}
	fallback := spec.Fallback.Content
	if fallback == nil {
		fallback = map[string]string{}
	}
	e.fallback = Answer{
		Campaign: e.campaign, Content: fallback, Items: emptyItems,
		Explanation: NeutralExplanation, ConfigHash: hash,
	}
	switch d.Mode {
	case document.ModePersonalize:
	case document.ModeFallbackOnly:
		if d.Reason != document.FallbackBlocked && d.Reason != document.FallbackSuspended {
			return nil, fmt.Errorf("unsupported reason %q for mode FallbackOnly", d.Reason)
		}
		// A FallbackOnly document answers the fallback whatever the rest says.
		return e, nil
	default:
		return nil, fmt.Errorf("unsupported mode %q", d.Mode)
	}
	if d.Policy == nil {
		// Only a FallbackOnly document may lack its policy; be safe and block.
		e.mode, e.reason = document.ModeFallbackOnly, document.FallbackBlocked
		return e, nil
	}
	if s := spec.Schedule; s != nil {
		if s.Start != nil {
			e.start, e.hasStart = s.Start.Time, true
		}
		if s.End != nil {
			e.end, e.hasEnd = s.End.Time, true
		}
	}
	purposeText := ""
	found := false
	for _, p := range d.Policy.Purposes {
		if p.Name == spec.Purpose {
			purposeText, found = p.Description, true
		}
	}
	if !found {
		// The compliance check (ETH008) keeps this from happening; never personalize
		// without a purpose the visitor could consent to.
		e.mode, e.reason = document.ModeFallbackOnly, document.FallbackBlocked
		return e, nil
	}
	e.purposeSentence = purposeSentence(spec.Purpose, purposeText)
	e.defaultAllow = d.Policy.DefaultConsent == ethosv1alpha1.ConsentDefaultAllow
	if g := d.Policy.GlobalPrivacyControl; g != nil && g.Honor {
		for _, p := range g.OptsOutOf {
			if p == spec.Purpose {
				e.gpcWithdrawsPurpose = true
			}
		}
	}

	if len(spec.DataUsage) > maxAttributes {
		return nil, fmt.Errorf("spec.dataUsage: at most %d attributes are supported, got %d", maxAttributes, len(spec.DataUsage))
	}
	for _, u := range spec.DataUsage {
		e.attrNames = append(e.attrNames, u.Attribute)
		e.attrTexts = append(e.attrTexts, dataText(u))
	}

	var err error
	e.requireAuth = spec.Audience.RequireAuthenticated
	if e.audience, err = e.compileRules(spec.Audience.Rules, "spec.audience.rules"); err != nil {
		return nil, err
	}
	if cg := spec.ControlGroup; cg != nil && cg.Percent > 0 {
		e.controlPercent = float64(cg.Percent) / 100
	}
	e.controlSeed = d.BucketingSeed + ":control"
	e.splitSeed = d.BucketingSeed + ":split"
	e.abTest = spec.Type == ethosv1alpha1.CampaignABTest

	if len(spec.Experiences) == 0 || len(spec.Experiences) > maxExperiences {
		return nil, fmt.Errorf("spec.experiences: need 1 to %d experiences, got %d", maxExperiences, len(spec.Experiences))
	}
	for i := range spec.Experiences {
		x, err := e.compileExperience(&spec.Experiences[i], fmt.Sprintf("spec.experiences[%d]", i))
		if err != nil {
			return nil, err
		}
		e.experiences = append(e.experiences, x)
	}

	capSpec := spec.FrequencyCap
	if capSpec == nil {
		capSpec = d.Policy.FrequencyCap
	}
	if capSpec != nil {
		e.maxImpressions = int64(capSpec.MaxImpressions)
	}
	return e, nil
}

func (e *Engine) attrIndex(name string) int {
	for i, n := range e.attrNames {
		if n == name {
			return i
		}
	}
	return -1
}

func (e *Engine) compileRules(rules []ethosv1alpha1.Rule, path string) ([]rule, error) {
	out := make([]rule, 0, len(rules))
	for i, r := range rules {
		c := rule{attr: e.attrIndex(r.Attribute), op: r.Operator, values: r.Values}
		switch r.Operator {
		case ethosv1alpha1.OperatorIn, ethosv1alpha1.OperatorNotIn, ethosv1alpha1.OperatorContains,
			ethosv1alpha1.OperatorExists, ethosv1alpha1.OperatorDoesNotExist:
		case ethosv1alpha1.OperatorGt, ethosv1alpha1.OperatorLt:
			if len(r.Values) != 1 {
				return nil, fmt.Errorf("%s[%d].values: %s needs exactly one value", path, i, r.Operator)
			}
			n, err := strconv.ParseFloat(r.Values[0], 64)
			if err != nil {
				return nil, fmt.Errorf("%s[%d].values[0]: %s needs a number: %w", path, i, r.Operator, err)
			}
			c.num = n
		default:
			return nil, fmt.Errorf("%s[%d].operator: unsupported operator %q", path, i, r.Operator)
		}
		out = append(out, c)
	}
	return out, nil
}

func (e *Engine) compileExperience(x *ethosv1alpha1.Experience, path string) (experience, error) {
	out := experience{name: x.Name, weight: 1}
	var err error
	if out.rules, err = e.compileRules(x.Rules, path+".rules"); err != nil {
		return out, err
	}
	if x.Weight != nil {
		if *x.Weight < 1 {
			return out, fmt.Errorf("%s.weight: must be at least 1", path)
		}
		out.weight = float64(*x.Weight)
	}

	used := make([]bool, len(e.attrNames))
	mark := func(i int) {
		if i >= 0 {
			used[i] = true
		}
	}
	for _, r := range e.audience {
		mark(r.attr)
	}
	for _, r := range out.rules {
		mark(r.attr)
	}

	static := true
	for _, v := range x.Content {
		if placeholder.Has(v) {
			static = false
		}
	}
	if static {
		out.content = x.Content
		if out.content == nil {
			out.content = map[string]string{}
		}
	} else {
		for _, k := range sortedKeys(x.Content) {
			t := template{key: k, segs: placeholder.Parse(x.Content[k])}
			t.attrs = make([]int, len(t.segs))
			for i, s := range t.segs {
				t.attrs[i] = -1
				if s.Name != "" {
					t.attrs[i] = e.attrIndex(s.Name)
					mark(t.attrs[i])
				}
			}
			out.templates = append(out.templates, t)
		}
	}

	if r := x.Recommendations; r != nil {
		rec := &recommendations{
			source:    r.Source,
			maxItems:  int(r.MaxItems),
			exclude:   r.ExcludesPurchased(),
			boostAttr: -1,
		}
		if rec.source == "" {
			rec.source = ethosv1alpha1.SourceCandidates
		}
		switch rec.source {
		case ethosv1alpha1.SourceCandidates, ethosv1alpha1.SourceRecentlyViewed, ethosv1alpha1.SourceRecentlyPurchased:
		default:
			return out, fmt.Errorf("%s.recommendations.source: unsupported source %q", path, r.Source)
		}
		if rec.maxItems <= 0 {
			rec.maxItems = 10 // the schema's default
		}
		if r.BoostBy != "" {
			rec.boostAttr = e.attrIndex(r.BoostBy)
			mark(rec.boostAttr)
		}
		if r.MaxPerCategory != nil {
			rec.maxPerCategory = int(*r.MaxPerCategory)
		}
		out.rec = rec
	}

	for i, u := range used {
		if u {
			out.used = append(out.used, i)
		}
	}
	full := uint32(1)<<len(out.used) - 1
	for h := range out.explanations {
		out.explanations[h] = e.explain(&out, full, h)
	}
	return out, nil
}

// Mode reports the document's mode and, when FallbackOnly, why.
func (e *Engine) Mode() (document.Mode, document.FallbackReason) { return e.mode, e.reason }

// ConfigHash is the hash of the document the engine was compiled from.
func (e *Engine) ConfigHash() string { return e.hash }

// Campaign is "<namespace>/<name>".
func (e *Engine) Campaign() string { return e.campaign }

// Experiences lists the experience names, for metrics.
func (e *Engine) Experiences() []string {
	names := make([]string, len(e.experiences))
	for i := range e.experiences {
		names[i] = e.experiences[i].name
	}
	return names
}

func (e *Engine) fallbackAnswer(r Reason) Answer {
	a := e.fallback
	a.Reason = r
	return a
}

// Decide answers one request at time now, following SPEC §6's evaluation order. It never
// fails: every path that does not personalize answers the fallback with a reason.
func (e *Engine) Decide(req *Request, now time.Time) Answer {
	if e.mode == document.ModeFallbackOnly {
		if e.reason == document.FallbackSuspended {
			return e.fallbackAnswer(ReasonSuspended)
		}
		return e.fallbackAnswer(ReasonBlocked)
	}
	if (e.hasStart && now.Before(e.start)) || (e.hasEnd && now.After(e.end)) {
		return e.fallbackAnswer(ReasonOutsideSchedule)
	}
	if len(e.zones) > 0 && !containsString(e.zones, req.Zone) {
		return e.fallbackAnswer(ReasonZoneNotServed)
	}

	// Consent comes before anything personal is read.
	state := req.Consent[e.purpose]
	switch {
	case state == ConsentDenied:
		return e.fallbackAnswer(ReasonConsentDenied)
	case req.GPC && e.gpcWithdrawsPurpose:
		// GPC withdraws the purpose whatever the stored consent says.
		return e.fallbackAnswer(ReasonGlobalPrivacyControl)
	case state != ConsentGranted && !e.defaultAllow:
		return e.fallbackAnswer(ReasonConsentUnknown)
	}

	// From here on only declared attributes exist: each is looked up by its declared name,
	// so an undeclared attribute in the request is never read.
	var buf [maxAttributes]Value
	vals := buf[:len(e.attrNames)]
	if len(req.Attributes) > 0 {
		for i, name := range e.attrNames {
			vals[i] = req.Attributes[name]
		}
	}

	if e.requireAuth && !req.Visitor.Authenticated {
		return e.fallbackAnswer(ReasonNotAuthenticated)
	}
	if !matchAll(e.audience, vals) {
		return e.fallbackAnswer(ReasonNotInAudience)
	}
	if e.controlPercent > 0 {
		if n, _ := Hash(e.controlSeed, req.Visitor.ID, 2); n < e.controlPercent {
			return e.fallbackAnswer(ReasonControlGroup)
		}
	}
	x := e.choose(req.Visitor.ID, vals)
	if x < 0 {
		return e.fallbackAnswer(ReasonNotInAudience)
	}
	// SPEC §6 lists recommendations before the cap; a capped visitor gets the fallback
	// either way, so ranking is skipped for them.
	if e.maxImpressions > 0 && req.Impressions >= e.maxImpressions {
		return e.fallbackAnswer(ReasonFrequencyCapped)
	}
	return e.matched(&e.experiences[x], req, vals)
}

// choose returns the index of the experience for the visitor, or -1 when none matches.
func (e *Engine) choose(visitorID string, vals []Value) int {
	if !e.abTest {
		for i := range e.experiences {
			if matchAll(e.experiences[i].rules, vals) {
				return i
			}
		}
		return -1
	}
	var matching uint32
	total := 0.0
	for i := range e.experiences {
		if matchAll(e.experiences[i].rules, vals) {
			matching |= 1 << i
			total += e.experiences[i].weight
		}
	}
	if matching == 0 {
		return -1
	}
	// GrowthBook's bucket ranges with coverage 1: cumulative normalised weights, in order.
	n, _ := Hash(e.splitSeed, visitorID, 2)
	cumulative := 0.0
	last := -1
	for m := matching; m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(m)
		w := e.experiences[i].weight / total
		start := cumulative
		cumulative += w
		if n >= start && n < start+w {
			return i
		}
		last = i
	}
	// Rounding can leave the top of [0, 1) uncovered; give it to the last experience.
	return last
}

// matched builds a personalized answer.
func (e *Engine) matched(x *experience, req *Request, vals []Value) Answer {
	a := Answer{
		Campaign: e.campaign, Personalized: true, Experience: x.name,
		Content: x.content, Items: emptyItems, Reason: ReasonMatched, ConfigHash: e.hash,
	}
	if x.templates != nil {
		a.Content = fillContent(x.templates, vals)
	}
	history := 0
	if x.rec != nil {
		a.Items, history = x.rec.rank(req, vals)
	}
	var present uint32
	for i, idx := range x.used {
		if vals[idx].Kind != KindMissing {
			present |= 1 << i
		}
	}
	if present == uint32(1)<<len(x.used)-1 {
		a.Explanation = x.explanations[history]
	} else {
		a.Explanation = e.explain(x, present, history)
	}
	return a
}

func matchAll(rules []rule, vals []Value) bool {
	for i := range rules {
		if !rules[i].match(vals) {
			return false
		}
	}
	return true
}

// match applies the rule to the declared attributes (SPEC §6 operators).
func (r *rule) match(vals []Value) bool {
	var v Value
	if r.attr >= 0 {
		v = vals[r.attr]
	}
	switch r.op {
	case ethosv1alpha1.OperatorExists:
		return v.Kind != KindMissing
	case ethosv1alpha1.OperatorDoesNotExist:
		return v.Kind == KindMissing
	case ethosv1alpha1.OperatorIn:
		return r.in(&v)
	case ethosv1alpha1.OperatorNotIn:
		return !r.in(&v)
	case ethosv1alpha1.OperatorContains:
		switch v.Kind {
		case KindMissing:
			return false
		case KindList:
			for _, want := range r.values {
				if !containsString(v.List, want) {
					return false
				}
			}
			return true
		default:
			// A scalar holds one value.
			for _, want := range r.values {
				if v.Str != want {
					return false
				}
			}
			return true
		}
	case ethosv1alpha1.OperatorGt:
		return v.Kind == KindNumber && v.Num > r.num
	case ethosv1alpha1.OperatorLt:
		return v.Kind == KindNumber && v.Num < r.num
	}
	return false
}

// in: a scalar is one of the values, or a list has an element among them. Scalars compare
// by their text form (a number as written, true/false).
func (r *rule) in(v *Value) bool {
	switch v.Kind {
	case KindMissing:
		return false
	case KindList:
		for _, s := range v.List {
			if containsString(r.values, s) {
				return true
			}
		}
		return false
	}
	return containsString(r.values, v.Str)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// text renders a value as placeholders show it: lists joined with ",", missing as "".
func (v *Value) text() string {
	if v.Kind == KindList {
		return joinComma(v.List)
	}
	return v.Str
}

func joinComma(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	n := len(list) - 1
	for _, s := range list {
		n += len(s)
	}
	b := make([]byte, 0, n)
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	return string(b)
}

func fillContent(ts []template, vals []Value) map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		var b []byte
		for i, s := range t.segs {
			if s.Name == "" {
				b = append(b, s.Text...)
			} else if idx := t.attrs[i]; idx >= 0 {
				b = append(b, vals[idx].text()...)
			}
		}
		out[t.key] = string(b)
	}
	return out
}
