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

// Package compile is the operator side of the decision document: it turns a Campaign and
// its ConsentPolicy into the document (internal/engine/document) that the controller
// writes into the engine's ConfigMap and `kubectl ethos decide` evaluates. It resolves every
// default and policy value once, here, so the engine reads no CRD.
package compile

import (
	"maps"
	"slices"
	"strconv"
	"time"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
)

// defaultMaxItems is the CRD's default of recommendations.maxItems, applied here for
// objects that skipped defaulting.
const defaultMaxItems = 10

// Document builds the decision document for a Campaign whose spec already carries the CRD's
// defaults. policy is nil when the referenced ConsentPolicy does not exist; compliant is the
// verdict of the compliance check (no deny finding from ethics.CheckCampaign).
//
// A missing policy, a non-compliant Campaign, or a purpose the policy does not define
// compiles to FallbackOnly with reason Blocked; a suspended Campaign to FallbackOnly with
// reason Suspended. A FallbackOnly document holds only the envelope (the fallback content).
func Document(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy, compliant bool) *document.Document {
	d := &document.Document{Envelope: document.Envelope{
		APIVersion: document.APIVersion,
		Campaign:   document.CampaignRef{Namespace: c.Namespace, Name: c.Name, Generation: c.Generation},
		Mode:       document.ModePersonalize,
		Fallback:   document.Fallback{Content: fallbackContent(c)},
		Engine:     engineSettings(c),
	}}
	var purpose *ethosv1alpha1.Purpose
	if policy != nil {
		purpose = policy.Purpose(c.Spec.Purpose)
	}
	switch {
	case policy == nil || !compliant || purpose == nil:
		// The compliance check (ETH008) reports an undefined purpose; never personalize
		// without a purpose the visitor could consent to.
		d.Mode, d.Reason = document.ModeFallbackOnly, document.FallbackBlocked
	case c.Spec.Suspend:
		d.Mode, d.Reason = document.ModeFallbackOnly, document.FallbackSuspended
	default:
		d.Personalization = personalization(c, policy, purpose)
	}
	return d
}

// engineSettings are the engine's HTTP settings: CORS when the Campaign allows origins.
func engineSettings(c *ethosv1alpha1.Campaign) *document.EngineSettings {
	if c.Spec.Engine.CORS == nil || len(c.Spec.Engine.CORS.AllowedOrigins) == 0 {
		return nil
	}
	return &document.EngineSettings{CORS: &document.CORS{AllowedOrigins: slices.Clone(c.Spec.Engine.CORS.AllowedOrigins)}}
}

func personalization(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy, purpose *ethosv1alpha1.Purpose) *document.Personalization {
	spec := &c.Spec
	p := &document.Personalization{
		Policy:               document.PolicyRef{Name: policy.Name, Generation: policy.Generation},
		BucketingSeed:        c.EffectiveBucketingSeed(),
		Purpose:              document.Purpose{Name: purpose.Name, Description: purpose.Description, DescriptionTranslations: purpose.DescriptionTranslations},
		DefaultConsent:       document.ConsentDeny,
		Zones:                slices.Clone(spec.Zones),
		RequireAuthenticated: spec.Audience.RequireAuthenticated,
		Audience:             rules(spec.Audience.Rules),
		Assignment:           document.AssignFirstMatch,
	}
	if policy.EffectiveDefaultConsent() == ethosv1alpha1.ConsentDefaultAllow {
		p.DefaultConsent = document.ConsentAllow
	}
	if g := policy.Spec.GlobalPrivacyControl; g != nil && g.Honor && slices.Contains(g.OptsOutOf, spec.Purpose) {
		p.GlobalPrivacyControlWithdraws = true
	}
	p.ConsentSignals = ConsentSignals(policy, purpose)
	if s := spec.Schedule; s != nil {
		if s.Start != nil {
			t := s.Start.Time
			p.Schedule.Start = &t
		}
		if s.End != nil {
			t := s.End.Time
			p.Schedule.End = &t
		}
	}
	for _, u := range spec.DataUsage {
		p.Attributes = append(p.Attributes, document.Attribute{Name: u.Attribute, Description: u.Description, DescriptionTranslations: u.DescriptionTranslations})
	}
	if cg := spec.ControlGroup; cg != nil {
		p.ControlGroupPercent = cg.Percent
	}
	if spec.Type == ethosv1alpha1.CampaignABTest {
		p.Assignment = document.AssignWeightedSplit
	}
	for i := range spec.Experiences {
		p.Experiences = append(p.Experiences, experience(&spec.Experiences[i]))
	}
	if fc := c.EffectiveFrequencyCap(policy); fc != nil && fc.MaxImpressions > 0 {
		p.FrequencyCap = &document.FrequencyCap{MaxImpressions: fc.MaxImpressions, Per: fc.Per}
	}
	return p
}

// ConsentSignals resolves how a purpose's consent is read from banner signals: its TCF
// purposes with the basis whose bit counts, the TCF vendors of its third parties, the
// policy's TCF settings, its Consent Mode signals, and whether a GPP US opt-out withdraws
// it (the purpose is in globalPrivacyControl.optsOutOf). nil when none applies.
// `kubectl ethos consent decode` calls it for every purpose of a policy.
func ConsentSignals(policy *ethosv1alpha1.ConsentPolicy, purpose *ethosv1alpha1.Purpose) *document.ConsentSignals {
	s := &document.ConsentSignals{}
	if g := policy.Spec.GlobalPrivacyControl; g != nil && slices.Contains(g.OptsOutOf, purpose.Name) {
		s.GPPOptOutWithdraws = true
	}
	for _, m := range purpose.ConsentModeSignals {
		s.ConsentModeSignals = append(s.ConsentModeSignals, string(m))
	}
	t := &document.TCFConsent{MinPolicyVersion: ethosv1alpha1.DefaultTCFMinPolicyVersion}
	basis := document.TCFBasisConsent
	if purpose.LegalBasis == ethosv1alpha1.LegalBasisLegitimateInterest {
		basis = document.TCFBasisLegitimateInterest
	}
	for _, id := range purpose.TCFPurposes {
		t.Purposes = append(t.Purposes, document.TCFPurpose{ID: id, Basis: basis})
	}
	for _, tp := range purpose.ThirdParties {
		if tp.TCFVendorID != nil {
			t.Vendors = append(t.Vendors, document.TCFVendor{Name: tp.Name, ID: *tp.TCFVendorID})
		}
	}
	if ts := policy.Spec.TCF; ts != nil {
		if ts.MinPolicyVersion != nil {
			t.MinPolicyVersion = *ts.MinPolicyVersion
		}
		if ts.MaxPolicyVersion != nil {
			t.MaxPolicyVersion = *ts.MaxPolicyVersion
		}
		t.MaxAgeSeconds = int64(durationOf(ts.ConsentMaxAge) / time.Second)
	}
	if len(t.Purposes) > 0 || len(t.Vendors) > 0 {
		s.TCF = t
	}
	if s.TCF == nil && !s.GPPOptOutWithdraws && len(s.ConsentModeSignals) == 0 {
		return nil
	}
	return s
}

// durationOf reads the CRD's "<n>h" / "<n>d" durations; anything else (the schema allows
// nothing else) is 0, no limit.
func durationOf(s string) time.Duration {
	if len(s) < 2 {
		return 0
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 || n > 100*365*24 {
		return 0
	}
	switch s[len(s)-1] {
	case 'h':
		return time.Duration(n) * time.Hour
	case 'd':
		return time.Duration(n) * 24 * time.Hour
	}
	return 0
}

func rules(in []ethosv1alpha1.Rule) []document.Rule {
	if len(in) == 0 {
		return nil // omitted from the document, as before
	}
	out := make([]document.Rule, 0, len(in))
	for _, r := range in {
		out = append(out, document.Rule{Attribute: r.Attribute, Operator: document.Operator(r.Operator), Values: slices.Clone(r.Values)})
	}
	return out
}

func experience(x *ethosv1alpha1.Experience) document.Experience {
	out := document.Experience{Name: x.Name, Rules: rules(x.Rules), Weight: 1, Content: maps.Clone(x.Content)}
	if x.Weight != nil {
		// The schema keeps weights at 1 or more; the engine refuses anything less.
		out.Weight = *x.Weight
	}
	if r := x.Recommendations; r != nil {
		rec := &document.Recommendations{
			Source:           document.Source(r.Source),
			MaxItems:         r.MaxItems,
			ExcludePurchased: r.ExcludesPurchased(),
			BoostBy:          r.BoostBy,
		}
		if rec.Source == "" {
			rec.Source = document.SourceCandidates
		}
		if rec.MaxItems <= 0 {
			rec.MaxItems = defaultMaxItems
		}
		if r.MaxPerCategory != nil {
			rec.MaxPerCategory = *r.MaxPerCategory
		}
		out.Recommendations = rec
	}
	return out
}

// fallbackContent copies the fallback content (never aliasing the Campaign object), {}
// rather than null when there is none.
func fallbackContent(c *ethosv1alpha1.Campaign) map[string]string {
	if c.Spec.Fallback.Content == nil {
		return map[string]string{}
	}
	return maps.Clone(c.Spec.Fallback.Content)
}
