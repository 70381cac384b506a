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

package document

import (
	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Compile builds the decision document for a Campaign whose spec already carries the CRD's
// defaults. policy is nil when the referenced ConsentPolicy does not exist; compliant is the
// verdict of the compliance check (no deny finding from ethics.CheckCampaign).
//
// A missing policy or a non-compliant Campaign compiles to FallbackOnly with reason Blocked; a
// suspended one to FallbackOnly with reason Suspended. The spec is always included, because
// even a fallback answer needs the fallback content and zones.
func Compile(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy, compliant bool) *Document {
	d := &Document{
		APIVersion:    APIVersion,
		Campaign:      CampaignRef{Namespace: c.Namespace, Name: c.Name, Generation: c.Generation},
		Mode:          ModePersonalize,
		BucketingSeed: c.EffectiveBucketingSeed(),
		Spec:          *c.Spec.DeepCopy(),
	}
	if policy != nil {
		d.Policy = compilePolicy(policy)
	}
	switch {
	case policy == nil || !compliant:
		d.Mode, d.Reason = ModeFallbackOnly, FallbackBlocked
	case c.Spec.Suspend:
		d.Mode, d.Reason = ModeFallbackOnly, FallbackSuspended
	}
	return d
}

func compilePolicy(p *ethosv1alpha1.ConsentPolicy) *Policy {
	out := &Policy{
		Name:           p.Name,
		Generation:     p.Generation,
		DefaultConsent: p.Spec.DefaultConsent,
		Purposes:       make([]Purpose, 0, len(p.Spec.Purposes)),
	}
	if out.DefaultConsent == "" {
		out.DefaultConsent = ethosv1alpha1.ConsentDefaultDeny
	}
	for _, q := range p.Spec.Purposes {
		out.Purposes = append(out.Purposes, Purpose{Name: q.Name, Description: q.Description, LegalBasis: q.LegalBasis})
	}
	if p.Spec.GlobalPrivacyControl != nil {
		out.GlobalPrivacyControl = p.Spec.GlobalPrivacyControl.DeepCopy()
	}
	if p.Spec.FrequencyCap != nil {
		out.FrequencyCap = p.Spec.FrequencyCap.DeepCopy()
	}
	return out
}
