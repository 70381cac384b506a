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

// Package evaluator answers personalization decisions from a decision document
// (internal/engine/document): consent first, then audience, control group, experience,
// recommendations and frequency cap, in the order of SPEC §6. New builds an immutable
// Evaluator from a document once, so each decision only walks pre-resolved matchers. It is
// pure: no I/O, no clock of its own (Decide takes the time), no HTTP, no metrics.
package evaluator

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/consent"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/placeholder"
)

// maxAttributes is the most dataUsage entries a Campaign may declare (its schema's
// maxItems); it sizes the per-decision attribute array so it stays on the stack.
const maxAttributes = 32

// maxExperiences is the schema's maxItems for experiences; it sizes bit masks.
const maxExperiences = 16

// maxItems is the schema's maximum of recommendations.maxItems; it sizes categoryCounts.
const maxItems = 50

// emptyItems is the items list of answers without items: [] rather than null in JSON.
var emptyItems = []string{}

// Evaluator is a decision document built for evaluation. It is immutable and safe for
// concurrent use.
type Evaluator struct {
	hash     string
	campaign string
	// fallback is the answer template of every non-personalized decision.
	fallback wire.Answer
	mode     document.Mode
	reason   document.FallbackReason
	// origins are the CORS origins allowed (transport settings, served in every mode).
	origins []string

	zones            []string
	start, end       time.Time
	hasStart, hasEnd bool
	purpose          string
	// purposeSentence is "Purpose: <description>." in every language it is translated to.
	purposeSentence     localized
	defaultAllow        bool
	gpcWithdrawsPurpose bool
	// consent derives the purpose's consent from banner signals (TC, GPP, Consent Mode);
	// nil when the document maps none.
	consent *consent.Rules

	// attrNames are the declared attributes; rules refer to them by index.
	attrNames []string
	// attrTexts name each declared attribute in explanations, in every language it is
	// translated to.
	attrTexts []localized

	requireAuth    bool
	audience       []rule
	controlPercent float64
	controlSeed    string
	abTest         bool
	splitSeed      string
	experiences    []experience
	maxImpressions int64
}

// op is a rule operator resolved to a small integer, so matching switches on a byte.
type op uint8

const (
	opIn op = iota
	opNotIn
	opContains
	opExists
	opDoesNotExist
	opGt
	opLt
)

var operators = map[document.Operator]op{
	document.OperatorIn: opIn, document.OperatorNotIn: opNotIn, document.OperatorContains: opContains,
	document.OperatorExists: opExists, document.OperatorDoesNotExist: opDoesNotExist,
	document.OperatorGt: opGt, document.OperatorLt: opLt,
}

// rule is a built rule: the attribute is an index into the declared attributes, or -1
// when it is not declared (then it is always missing, so undeclared data never matches).
type rule struct {
	attr   int
	op     op
	values []string
	num    float64
}

// experience is a built experience.
type experience struct {
	name   string
	rules  []rule
	weight float64
	// content is shared by every answer when no value has placeholders.
	content   map[string]string
	templates []template
	rec       *recommendations
	// used are the declared attributes this experience's decision reads, in declaration order.
	used []int
	// explanations for when every used attribute is present, by consent source (1: the
	// visitor's cookie choices), language and historyRead flags: precomputed, so the steady
	// state allocates nothing for any language.
	explanations [2][wire.NumLanguages][4]string
}

// template is a content value with placeholders, pre-parsed.
type template struct {
	key  string
	segs []placeholder.Segment
	// attrs[i] is the attribute index of segs[i] when it is a placeholder (-1: undeclared).
	attrs []int
}

// recommendations is a built recommendations block.
type recommendations struct {
	source         document.Source
	maxItems       int
	exclude        bool
	boostAttr      int
	maxPerCategory int
}

// Parse decodes a decision document and builds its Evaluator; the config hash is the hash
// of data. A document of another apiVersion fails with a *document.UnsupportedVersionError.
func Parse(data []byte) (*Evaluator, error) {
	d, err := document.Unmarshal(data)
	if err != nil {
		return nil, err
	}
	e, err := New(d, document.Hash(data))
	if err != nil {
		return nil, fmt.Errorf("failed to build decision document: %w", err)
	}
	return e, nil
}

// New builds an Evaluator from a document and the hash of its bytes (the configHash of
// every answer). It refuses documents that it cannot serve faithfully, so a broken file
// never replaces a good one.
func New(d *document.Document, hash string) (*Evaluator, error) {
	if d.APIVersion != document.APIVersion {
		return nil, &document.UnsupportedVersionError{Envelope: d.Envelope}
	}
	e := &Evaluator{
		hash:     hash,
		campaign: d.Campaign.String(),
		mode:     d.Mode,
		reason:   d.Reason,
		origins:  d.Engine.AllowedOrigins(),
	}
	fallback := d.Fallback.Content
	if fallback == nil {
		fallback = map[string]string{}
	}
	e.fallback = wire.Answer{
		Campaign: e.campaign, Content: fallback, Items: emptyItems,
		Explanation: wire.NeutralExplanation, ConfigHash: hash,
	}
	switch d.Mode {
	case document.ModePersonalize:
	case document.ModeFallbackOnly:
		if d.Reason != document.FallbackBlocked && d.Reason != document.FallbackSuspended {
			return nil, fmt.Errorf("reason: unsupported reason %q for mode FallbackOnly", d.Reason)
		}
		// A FallbackOnly document answers the fallback whatever the rest says.
		return e, nil
	default:
		return nil, fmt.Errorf("mode: unsupported mode %q", d.Mode)
	}
	p := d.Personalization
	if p == nil {
		return nil, fmt.Errorf("personalization: a Personalize document needs it")
	}
	if p.Purpose.Name == "" {
		return nil, fmt.Errorf("personalization.purpose.name: is required")
	}
	e.purpose = p.Purpose.Name
	e.zones = p.Zones
	if p.Schedule.Start != nil {
		e.start, e.hasStart = *p.Schedule.Start, true
	}
	if p.Schedule.End != nil {
		e.end, e.hasEnd = *p.Schedule.End, true
	}
	var err error
	e.purposeSentence, err = translated("personalization.purpose", p.Purpose.Description, p.Purpose.DescriptionTranslations,
		func(text string, l wire.Language) string { return purposeSentence(p.Purpose.Name, text, l) })
	if err != nil {
		return nil, err
	}
	switch p.DefaultConsent {
	case document.ConsentDeny:
	case document.ConsentAllow:
		e.defaultAllow = true
	default:
		return nil, fmt.Errorf("personalization.defaultConsent: must be Allow or Deny, got %q", p.DefaultConsent)
	}
	e.gpcWithdrawsPurpose = p.GlobalPrivacyControlWithdraws
	rules, err := consent.NewRules(p.ConsentSignals)
	if err != nil {
		return nil, fmt.Errorf("personalization.consentSignals.%w", err)
	}
	e.consent = rules

	if len(p.Attributes) > maxAttributes {
		return nil, fmt.Errorf("personalization.attributes: at most %d attributes are supported, got %d", maxAttributes, len(p.Attributes))
	}
	for i, a := range p.Attributes {
		texts, err := translated(fmt.Sprintf("personalization.attributes[%d]", i), a.Description, a.DescriptionTranslations,
			func(text string, l wire.Language) string { return attributeText(a.Name, text, l) })
		if err != nil {
			return nil, err
		}
		e.attrNames = append(e.attrNames, a.Name)
		e.attrTexts = append(e.attrTexts, texts)
	}

	e.requireAuth = p.RequireAuthenticated
	if e.audience, err = e.buildRules(p.Audience, "personalization.audience"); err != nil {
		return nil, err
	}
	if p.ControlGroupPercent < 0 || p.ControlGroupPercent > 100 {
		return nil, fmt.Errorf("personalization.controlGroupPercent: must be 0 to 100, got %d", p.ControlGroupPercent)
	}
	e.controlPercent = float64(p.ControlGroupPercent) / 100
	e.controlSeed = p.BucketingSeed + ":control"
	e.splitSeed = p.BucketingSeed + ":split"
	switch p.Assignment {
	case document.AssignFirstMatch:
	case document.AssignWeightedSplit:
		e.abTest = true
	default:
		return nil, fmt.Errorf("personalization.assignment: must be FirstMatch or WeightedSplit, got %q", p.Assignment)
	}

	if len(p.Experiences) == 0 || len(p.Experiences) > maxExperiences {
		return nil, fmt.Errorf("personalization.experiences: need 1 to %d experiences, got %d", maxExperiences, len(p.Experiences))
	}
	for i := range p.Experiences {
		x, err := e.buildExperience(&p.Experiences[i], fmt.Sprintf("personalization.experiences[%d]", i))
		if err != nil {
			return nil, err
		}
		e.experiences = append(e.experiences, x)
	}
	if p.FrequencyCap != nil {
		e.maxImpressions = int64(p.FrequencyCap.MaxImpressions)
	}
	return e, nil
}

func (e *Evaluator) attrIndex(name string) int {
	for i, n := range e.attrNames {
		if n == name {
			return i
		}
	}
	return -1
}

func (e *Evaluator) buildRules(rules []document.Rule, path string) ([]rule, error) {
	out := make([]rule, 0, len(rules))
	for i, r := range rules {
		o, ok := operators[r.Operator]
		if !ok {
			return nil, fmt.Errorf("%s[%d].operator: unsupported operator %q", path, i, r.Operator)
		}
		c := rule{attr: e.attrIndex(r.Attribute), op: o, values: r.Values}
		if o == opGt || o == opLt {
			if len(r.Values) != 1 {
				return nil, fmt.Errorf("%s[%d].values: %s needs exactly one value", path, i, r.Operator)
			}
			n, err := strconv.ParseFloat(r.Values[0], 64)
			if err != nil {
				return nil, fmt.Errorf("%s[%d].values[0]: %s needs a number: %w", path, i, r.Operator, err)
			}
			c.num = n
		}
		out = append(out, c)
	}
	return out, nil
}

func (e *Evaluator) buildExperience(x *document.Experience, path string) (experience, error) {
	out := experience{name: x.Name}
	var err error
	if out.rules, err = e.buildRules(x.Rules, path+".rules"); err != nil {
		return out, err
	}
	if x.Weight < 1 {
		return out, fmt.Errorf("%s.weight: must be at least 1, got %d", path, x.Weight)
	}
	out.weight = float64(x.Weight)

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
				if s.Encoding == placeholder.Unknown {
					// The webhook denies it (ETH021); a document that has one anyway is refused
					// rather than guessed at.
					return out, fmt.Errorf("%s.content.%s: placeholder {{ %s | %s }} has an unknown encoding; use %s", path, k, s.Name, s.Spec, placeholder.EncodingNames)
				}
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
			source:         r.Source,
			maxItems:       int(r.MaxItems),
			exclude:        r.ExcludePurchased,
			boostAttr:      -1,
			maxPerCategory: int(r.MaxPerCategory),
		}
		switch rec.source {
		case document.SourceCandidates, document.SourceRecentlyViewed, document.SourceRecentlyPurchased:
		default:
			return out, fmt.Errorf("%s.recommendations.source: unsupported source %q", path, r.Source)
		}
		if rec.maxItems < 1 || rec.maxItems > maxItems {
			return out, fmt.Errorf("%s.recommendations.maxItems: must be 1 to %d, got %d", path, maxItems, r.MaxItems)
		}
		if r.BoostBy != "" {
			rec.boostAttr = e.attrIndex(r.BoostBy)
			mark(rec.boostAttr)
		}
		out.rec = rec
	}

	for i, u := range used {
		if u {
			out.used = append(out.used, i)
		}
	}
	full := uint32(1)<<len(out.used) - 1
	for banner := range out.explanations {
		for l := range out.explanations[banner] {
			for h := range out.explanations[banner][l] {
				if lang := wire.Language(l); lang == wire.English || e.explainLanguage(&out, full, lang) == lang {
					out.explanations[banner][l][h] = e.explain(&out, full, h, banner == 1, lang)
				} else {
					out.explanations[banner][l][h] = out.explanations[banner][wire.English][h] // shared, not copied
				}
			}
		}
	}
	return out, nil
}

// FallbackFromEnvelope builds the engine of a document that cannot be served as written
// (another version, or one that does not build) from its envelope alone: every answer is
// its fallback, with reason Suspended when the envelope says so and Blocked otherwise, and
// configHash hash.
func FallbackFromEnvelope(env document.Envelope, hash string) *Evaluator {
	reason := document.FallbackBlocked
	if env.Mode == document.ModeFallbackOnly && env.Reason == document.FallbackSuspended {
		reason = document.FallbackSuspended
	}
	content := env.Fallback.Content
	if content == nil {
		content = map[string]string{}
	}
	f := fallbackOnly(env.Campaign.String(), content, reason, hash)
	f.origins = env.Engine.AllowedOrigins()
	return f
}

// FailClosed is an engine that answers e's fallback to everyone with reason Blocked, for
// when the document that replaced e cannot be read at all. Its configHash stays e's, as
// e's content is what it serves.
func (e *Evaluator) FailClosed() *Evaluator {
	f := fallbackOnly(e.campaign, e.fallback.Content, document.FallbackBlocked, e.hash)
	f.origins = e.origins
	return f
}

func fallbackOnly(campaign string, content map[string]string, reason document.FallbackReason, hash string) *Evaluator {
	return &Evaluator{
		hash: hash, campaign: campaign, mode: document.ModeFallbackOnly, reason: reason,
		fallback: wire.Answer{
			Campaign: campaign, Content: content, Items: emptyItems,
			Explanation: wire.NeutralExplanation, ConfigHash: hash,
		},
	}
}

// Mode reports the document's mode and, when FallbackOnly, why.
func (e *Evaluator) Mode() (document.Mode, document.FallbackReason) { return e.mode, e.reason }

// ConfigHash is the hash of the document the engine was compiled from.
func (e *Evaluator) ConfigHash() string { return e.hash }

// Campaign is "<namespace>/<name>".
func (e *Evaluator) Campaign() string { return e.campaign }

// AllowedOrigins are the CORS origins the document allows; nil: no CORS.
func (e *Evaluator) AllowedOrigins() []string { return e.origins }

// Split reports an ABTest campaign (WeightedSplit): its matched experience comes from the
// bucketing split, not from targeting alone.
func (e *Evaluator) Split() bool { return e.abTest }

// Experiences lists the experience names, for metrics.
func (e *Evaluator) Experiences() []string {
	names := make([]string, len(e.experiences))
	for i := range e.experiences {
		names[i] = e.experiences[i].name
	}
	return names
}

// fallbackAnswer is the fallback with reason r and the neutral explanation in lang.
func (e *Evaluator) fallbackAnswer(r wire.Reason, lang wire.Language) wire.Answer {
	a := e.fallback
	a.Reason = r
	a.Explanation = wire.NeutralExplanationIn(lang)
	return a
}

// Decide answers one request at time now, following SPEC §6's evaluation order. It never
// fails: every path that does not personalize answers the fallback with a reason.
func (e *Evaluator) Decide(req *wire.Request, now time.Time) wire.Answer {
	lang := req.Language()
	if e.mode == document.ModeFallbackOnly {
		if e.reason == document.FallbackSuspended {
			return e.fallbackAnswer(wire.ReasonSuspended, lang)
		}
		return e.fallbackAnswer(wire.ReasonBlocked, lang)
	}
	if (e.hasStart && now.Before(e.start)) || (e.hasEnd && now.After(e.end)) {
		return e.fallbackAnswer(wire.ReasonOutsideSchedule, lang)
	}
	if len(e.zones) > 0 && !containsString(e.zones, req.Zone) {
		return e.fallbackAnswer(wire.ReasonZoneNotServed, lang)
	}

	// Consent comes before anything personal is read.
	fromBanner, refused := e.consentGate(req, now)
	if refused != "" {
		return e.fallbackAnswer(refused, lang)
	}
	// From here on only declared attributes exist: each is looked up by its declared name,
	// so an undeclared attribute in the request is never read.
	var buf [maxAttributes]wire.Value
	vals := buf[:len(e.attrNames)]
	if len(req.Attributes) > 0 {
		for i, name := range e.attrNames {
			vals[i] = req.Attributes[name]
		}
	}

	if e.requireAuth && !req.Visitor.Authenticated {
		return e.fallbackAnswer(wire.ReasonNotAuthenticated, lang)
	}
	if !matchAll(e.audience, vals) {
		return e.fallbackAnswer(wire.ReasonNotInAudience, lang)
	}
	if e.controlPercent > 0 {
		if n, _ := BucketHash(e.controlSeed, req.Visitor.ID, 2); n < e.controlPercent {
			return e.fallbackAnswer(wire.ReasonControlGroup, lang)
		}
	}
	x := e.choose(req.Visitor.ID, vals)
	if x < 0 {
		return e.fallbackAnswer(wire.ReasonNotInAudience, lang)
	}
	// SPEC §6 lists recommendations before the cap; a capped visitor gets the fallback
	// either way, so ranking is skipped for them.
	if e.maxImpressions > 0 && req.Impressions >= e.maxImpressions {
		return e.fallbackAnswer(wire.ReasonFrequencyCapped, lang)
	}
	return e.matched(&e.experiences[x], req, vals, fromBanner, lang)
}

// consentGate applies SPEC §6's consent step to every consent signal of the request: a
// refusal anywhere denies (the explicit purpose map cannot grant what a string refuses),
// then Global Privacy Control, then a string that cannot be read (never a grant: unknown
// under a Deny default, denied under Allow), then unknown consent. fromBanner reports that
// a TC string or Consent Mode granted the purpose.
func (e *Evaluator) consentGate(req *wire.Request, now time.Time) (fromBanner bool, refused wire.Reason) {
	state := req.Consent.Purposes[e.purpose]
	var res consent.Result
	if e.consent != nil && req.Consent.HasSignals() {
		res = e.consent.Derive(&req.Consent, now)
	}
	switch {
	case state == wire.ConsentDenied || res.Restrictive() == consent.StateDenied:
		return false, wire.ReasonConsentDenied
	case (req.GPC || res.GPPGPC) && e.gpcWithdrawsPurpose:
		// GPC withdraws the purpose whatever the stored consent says.
		return false, wire.ReasonGlobalPrivacyControl
	case res.Restrictive() == consent.StateUnknown:
		if e.defaultAllow {
			return false, wire.ReasonConsentDenied
		}
		return false, wire.ReasonConsentUnknown
	case state != wire.ConsentGranted && !res.Granted() && !e.defaultAllow:
		return false, wire.ReasonConsentUnknown
	}
	return res.Granted(), ""
}

// choose returns the index of the experience for the visitor, or -1 when none matches.
func (e *Evaluator) choose(visitorID string, vals []wire.Value) int {
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
	n, _ := BucketHash(e.splitSeed, visitorID, 2)
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
func (e *Evaluator) matched(x *experience, req *wire.Request, vals []wire.Value, fromBanner bool, lang wire.Language) wire.Answer {
	a := wire.Answer{
		Campaign: e.campaign, Personalized: true, Experience: x.name,
		Content: x.content, Items: emptyItems, Reason: wire.ReasonMatched, ConfigHash: e.hash,
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
		if vals[idx].Kind != wire.KindMissing {
			present |= 1 << i
		}
	}
	banner := 0
	if fromBanner {
		banner = 1
	}
	if present == uint32(1)<<len(x.used)-1 {
		a.Explanation = x.explanations[banner][lang][history]
	} else {
		a.Explanation = e.explain(x, present, history, fromBanner, lang)
	}
	return a
}

func matchAll(rules []rule, vals []wire.Value) bool {
	for i := range rules {
		if !rules[i].match(vals) {
			return false
		}
	}
	return true
}

// match applies the rule to the declared attributes (SPEC §6 operators).
func (r *rule) match(vals []wire.Value) bool {
	var v wire.Value
	if r.attr >= 0 {
		v = vals[r.attr]
	}
	switch r.op {
	case opExists:
		return v.Kind != wire.KindMissing
	case opDoesNotExist:
		return v.Kind == wire.KindMissing
	case opIn:
		return r.in(&v)
	case opNotIn:
		return !r.in(&v)
	case opContains:
		switch v.Kind {
		case wire.KindMissing:
			return false
		case wire.KindList:
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
	case opGt:
		return v.Kind == wire.KindNumber && v.Num > r.num
	case opLt:
		return v.Kind == wire.KindNumber && v.Num < r.num
	}
	return false
}

// in: a scalar is one of the values, or a list has an element among them. Scalars compare
// by their text form (a number as written, true/false).
func (r *rule) in(v *wire.Value) bool {
	switch v.Kind {
	case wire.KindMissing:
		return false
	case wire.KindList:
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
	return slices.Contains(list, s)
}

// valueLen is the length of a value as a placeholder with encoding enc writes it.
func valueLen(v *wire.Value, enc placeholder.Encoding) int {
	if v.Kind != wire.KindList {
		return placeholder.EscapedLen(v.Str, enc)
	}
	n := 0
	for i, s := range v.List {
		if i > 0 {
			n += placeholder.EscapedLen(",", enc)
		}
		n += placeholder.EscapedLen(s, enc)
	}
	return n
}

// writeValue writes a value as placeholders show it, escaped with enc: lists joined with
// "," (escaped too: %2C in a URL), missing as "".
func writeValue(b *strings.Builder, v *wire.Value, enc placeholder.Encoding) {
	if v.Kind != wire.KindList {
		placeholder.Write(b, v.Str, enc)
		return
	}
	for i, s := range v.List {
		if i > 0 {
			placeholder.Write(b, ",", enc)
		}
		placeholder.Write(b, s, enc)
	}
}

// fillContent fills each template, every value escaped with its placeholder's encoding.
// Each value is measured first, so its bytes are allocated once, at their final size:
// escaping costs no allocation beyond the filled string itself.
func fillContent(ts []template, vals []wire.Value) map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		n := 0
		for i, s := range t.segs {
			if s.Name == "" {
				n += len(s.Text)
			} else if idx := t.attrs[i]; idx >= 0 {
				n += valueLen(&vals[idx], s.Encoding)
			}
		}
		var b strings.Builder
		b.Grow(n)
		for i, s := range t.segs {
			if s.Name == "" {
				b.WriteString(s.Text)
			} else if idx := t.attrs[i]; idx >= 0 {
				writeValue(&b, &vals[idx], s.Encoding)
			}
		}
		out[t.key] = b.String()
	}
	return out
}
