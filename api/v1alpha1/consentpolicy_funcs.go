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

package v1alpha1

import "slices"

// Purpose returns the policy's purpose with the given name, or nil.
func (p *ConsentPolicy) Purpose(name string) *Purpose {
	i := slices.IndexFunc(p.Spec.Purposes, func(q Purpose) bool { return q.Name == name })
	if i < 0 {
		return nil
	}
	return &p.Spec.Purposes[i]
}

// ThirdParty returns the purpose's third party with the given name, or nil.
func (p *Purpose) ThirdParty(name string) *ThirdParty {
	i := slices.IndexFunc(p.ThirdParties, func(t ThirdParty) bool { return t.Name == name })
	if i < 0 {
		return nil
	}
	return &p.ThirdParties[i]
}

// IsConsent reports whether the legal basis is consent (plain or explicit).
func (b LegalBasis) IsConsent() bool {
	return b == LegalBasisConsent || b == LegalBasisExplicitConsent
}

// ProxyUsesFor returns the uses the policy allows for a proxy attribute.
func (p *ConsentPolicy) ProxyUsesFor(attribute string) []string {
	for _, u := range p.Spec.ProxyUses {
		if u.Attribute == attribute {
			return u.Uses
		}
	}
	return nil
}

// EffectiveDefaultConsent is spec.defaultConsent with the CRD default (Deny) applied, so an
// object that skipped defaulting (a unit test, a Go client) means what a stored one means.
// The rule engine and the decision-document compiler both read it, so they never disagree.
func (p *ConsentPolicy) EffectiveDefaultConsent() ConsentDefault {
	if p.Spec.DefaultConsent == "" {
		return ConsentDefaultDeny
	}
	return p.Spec.DefaultConsent
}
