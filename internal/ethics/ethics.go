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

// Package ethics is the rule engine of SPEC §3–§4: pure functions from a Campaign (and its
// ConsentPolicy) or a ConsentPolicy to findings. The admission webhooks, the Campaign
// controller's compliance re-check and `kubectl ethos lint` all call it, so they always agree.
// It imports no Kubernetes client.
//
// Files: registry.go holds every rule as one value (ID, name, severity, check, explanation);
// normalize.go, dictionary.go and dictionary.yaml classify attribute names and values (SPEC
// §3); attributes.go gathers what a Campaign reads; campaign_rules.go and policy_rules.go hold
// one small check per rule; docs.go renders docs/rules.md from the registry and dictionary.
package ethics

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Finding is one rule's verdict on one field: the API type, so the rule engine, status and
// the CLI share one Finding and one spelling of severity.
type Finding = ethosv1alpha1.Finding

// Severity is what a finding decides.
type Severity = ethosv1alpha1.Severity

const (
	// Deny refuses the object.
	Deny = ethosv1alpha1.SeverityDeny
	// Warning is reported and allowed.
	Warning = ethosv1alpha1.SeverityWarning
	// Skipped says the rule was not evaluated (its input, such as the policy, is missing).
	Skipped = ethosv1alpha1.SeveritySkipped
)

// Findings is an ordered list of findings.
type Findings []Finding

// HasDenials reports whether any finding has severity Deny.
func (fs Findings) HasDenials() bool {
	for _, f := range fs {
		if f.Severity == Deny {
			return true
		}
	}
	return false
}

// Denials returns the Deny findings as a field.ErrorList, in order, for apierrors.NewInvalid.
// Rule violations are Forbidden: the value is well-formed (the schema accepted it) but policy
// forbids it. The detail carries the rule prefix, as Gatekeeper prefixes denials with the
// constraint name.
func (fs Findings) Denials() field.ErrorList {
	var errs field.ErrorList
	for _, f := range fs {
		if f.Severity == Deny {
			errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: f.Field, BadValue: "", Detail: f.Prefix() + " " + f.Message})
		}
	}
	return errs
}

// Warnings returns the canonical texts of the Warning findings, for admission warnings.
// Skipped findings are not warnings: at admission ETH018 already says the policy is missing.
func (fs Findings) Warnings() []string {
	var out []string
	for _, f := range fs {
		if f.Severity == Warning {
			out = append(out, f.String())
		}
	}
	return out
}

// Rules returns the distinct rule IDs of the findings in order of first appearance; handy in
// tests and metrics.
func (fs Findings) Rules() []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	return out
}

// String joins the canonical texts, one per line.
func (fs Findings) String() string {
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = f.String()
	}
	return strings.Join(msgs, "\n")
}

// CheckCampaign runs every Campaign rule (ETH001–ETH022 but ETH020), in registry order. policy is the
// referenced ConsentPolicy, or nil when it does not exist (ETH018); rules that need the
// policy then report Skipped, and the controller re-checks once it exists.
func CheckCampaign(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) Findings {
	if c == nil {
		return nil
	}
	in := gatherCampaign(c, policy)
	var fs Findings
	for _, r := range campaignRules {
		fs = r.campaign(r, in, fs)
	}
	return fs
}

// CheckConsentPolicy runs every ConsentPolicy rule (CPL001–CPL009). old is nil on create;
// bound are the Campaigns that reference the policy (for CPL008 on update).
func CheckConsentPolicy(old, p *ethosv1alpha1.ConsentPolicy, bound []ethosv1alpha1.Campaign) Findings {
	if p == nil {
		return nil
	}
	in := &policyInput{old: old, p: p, bound: bound}
	var fs Findings
	for _, r := range policyRules {
		fs = r.policy(r, in, fs)
	}
	return fs
}
