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
package ethics

import (
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

// Findings is an ordered list of findings.
type Findings []Finding

// CheckCampaign runs every Campaign rule (ETH001–ETH018). policy is the referenced
// ConsentPolicy, or nil when it does not exist (ETH018).
func CheckCampaign(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) Findings {
	return nil // implemented by the ethics issue
}

// CheckConsentPolicy runs every ConsentPolicy rule (CPL001–CPL009). old is nil on create;
// bound are the Campaigns that reference the policy (for CPL008 on update).
func CheckConsentPolicy(old, p *ethosv1alpha1.ConsentPolicy, bound []ethosv1alpha1.Campaign) Findings {
	return nil // implemented by the ethics issue
}
