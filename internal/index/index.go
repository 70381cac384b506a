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

// Package index registers the manager's cache field indexes. It is set up once in
// cmd/manager, and used by the Campaign controller (policy events → Campaigns) and the
// ConsentPolicy webhook (CPL008: which Campaigns still use a purpose).
package index

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// CampaignPolicyRef indexes Campaigns by spec.consentPolicyRef.name.
const CampaignPolicyRef = "spec.consentPolicyRef.name"

// Setup registers every index with the manager's cache.
func Setup(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &ethosv1alpha1.Campaign{}, CampaignPolicyRef, campaignPolicyRef); err != nil {
		return fmt.Errorf("failed to index Campaigns by %s: %w", CampaignPolicyRef, err)
	}
	return nil
}

func campaignPolicyRef(obj client.Object) []string {
	c, ok := obj.(*ethosv1alpha1.Campaign)
	if !ok || c.Spec.ConsentPolicyRef.Name == "" {
		return nil
	}
	return []string{c.Spec.ConsentPolicyRef.Name}
}

// BoundCampaigns lists the Campaigns in namespace that reference the policy, through the index.
func BoundCampaigns(ctx context.Context, r client.Reader, namespace, policy string) ([]ethosv1alpha1.Campaign, error) {
	var list ethosv1alpha1.CampaignList
	if err := r.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{CampaignPolicyRef: policy}); err != nil {
		return nil, fmt.Errorf("failed to list Campaigns bound to ConsentPolicy %s/%s: %w", namespace, policy, err)
	}
	return list.Items, nil
}
