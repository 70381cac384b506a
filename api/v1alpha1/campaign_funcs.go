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

// EngineName is the name of every object the controller owns for a Campaign:
// ConfigMap, Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget.
func (c *Campaign) EngineName() string { return c.Name + "-engine" }

// EffectiveBucketingSeed is spec.bucketingSeed, or "<namespace>/<name>" when unset.
func (c *Campaign) EffectiveBucketingSeed() string {
	if c.Spec.BucketingSeed != "" {
		return c.Spec.BucketingSeed
	}
	return c.Namespace + "/" + c.Name
}

// EffectiveFrequencyCap is the campaign's cap, or else the policy's (policy may be nil).
func (c *Campaign) EffectiveFrequencyCap(policy *ConsentPolicy) *FrequencyCap {
	if c.Spec.FrequencyCap != nil {
		return c.Spec.FrequencyCap
	}
	if policy != nil {
		return policy.Spec.FrequencyCap
	}
	return nil
}

// DataUsageFor returns the declaration of an attribute, or nil.
func (c *Campaign) DataUsageFor(attribute string) *DataUsage {
	for i := range c.Spec.DataUsage {
		if c.Spec.DataUsage[i].Attribute == attribute {
			return &c.Spec.DataUsage[i]
		}
	}
	return nil
}

// ExcludesPurchased reports whether purchased items are removed (the default).
func (r *Recommendations) ExcludesPurchased() bool {
	return r.ExcludePurchased == nil || *r.ExcludePurchased
}

// ReadsHistory reports whether the source is the visitor's history.
func (s RecommendationSource) ReadsHistory() bool {
	return s == SourceRecentlyViewed || s == SourceRecentlyPurchased
}
