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
// Files: normalize.go and dictionary.go classify attribute names and values (SPEC §3),
// attributes.go gathers what a Campaign reads, campaign_rules.go and policy_rules.go hold one
// small function per rule, and catalogue.go the rule IDs, names, rationale and fixes.
package ethics

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Severity of a finding, as `kubectl ethos lint -o json` prints it.
type Severity string

const (
	// Deny refuses the object.
	Deny Severity = "deny"
	// Warning is reported and allowed.
	Warning Severity = "warning"
)

// Finding is one rule's verdict on one field.
type Finding struct {
	Rule     string      // stable ID: ETH001, CPL003, ...
	Name     string      // rule name: SensitiveAttribute, ...
	Severity Severity    // Deny or Warning
	Field    *field.Path // exact field path, such as spec.audience.rules[0].attribute
	Detail   string      // what is wrong, why, and how to fix it (without the prefix)
}

// Prefix is the "[ETH001 SensitiveAttribute]" label that starts every message, so a person
// (and a grep) finds the rule in `kubectl ethos explain`.
func (f Finding) Prefix() string { return "[" + f.Rule + " " + f.Name + "]" }

// Message is the canonical one-line text of the finding:
// `[ETH001 SensitiveAttribute] spec.audience.rules[0].attribute: "age" is ...`.
func (f Finding) Message() string {
	return f.Prefix() + " " + f.Field.String() + ": " + f.Detail
}

// FieldError is the finding as a field error for an `Invalid` API error. Rule violations are
// Forbidden: the value is well-formed (the schema accepted it) but policy forbids it. The
// detail carries the rule prefix, as Gatekeeper prefixes denials with the constraint name.
func (f Finding) FieldError() *field.Error {
	return field.Forbidden(f.Field, f.Prefix()+" "+f.Detail)
}

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
func (fs Findings) Denials() field.ErrorList {
	var errs field.ErrorList
	for _, f := range fs {
		if f.Severity == Deny {
			errs = append(errs, f.FieldError())
		}
	}
	return errs
}

// Warnings returns the canonical messages of the Warning findings, for admission warnings.
func (fs Findings) Warnings() []string {
	var out []string
	for _, f := range fs {
		if f.Severity == Warning {
			out = append(out, f.Message())
		}
	}
	return out
}

// Rules returns the distinct rule IDs of the findings in order of first appearance; handy in
// tests and metrics.
func (fs Findings) Rules() []string {
	var out []string
	for _, f := range fs {
		found := false
		for _, r := range out {
			if r == f.Rule {
				found = true
				break
			}
		}
		if !found {
			out = append(out, f.Rule)
		}
	}
	return out
}

// String joins the messages, one per line.
func (fs Findings) String() string {
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = f.Message()
	}
	return strings.Join(msgs, "\n")
}

// CheckCampaign runs every Campaign rule (ETH001–ETH018), in catalogue order. policy is the
// referenced ConsentPolicy, or nil when it does not exist (ETH018); rules that need the
// policy are then skipped, and the controller re-checks once it exists.
func CheckCampaign(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) Findings {
	if c == nil {
		return nil
	}
	in := gatherCampaign(c, policy)
	var fs Findings
	for _, rule := range campaignRules {
		fs = rule(in, fs)
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
	for _, rule := range policyRules {
		fs = rule(in, fs)
	}
	return fs
}

// newFinding builds a finding of the catalogue rule id.
func newFinding(id string, sev Severity, path *field.Path, detail string) Finding {
	return Finding{Rule: id, Name: catalogueByID[id].Name, Severity: sev, Field: path, Detail: detail}
}
