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

package controller

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/ethos-operator/ethos/internal/resources"
)

// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;patch;delete

var networkPolicyKind = ownedKind[*networkingv1.NetworkPolicy, *networkingv1ac.NetworkPolicyApplyConfiguration]{
	kind:      "NetworkPolicy",
	gvk:       networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"),
	newObject: func() *networkingv1.NetworkPolicy { return &networkingv1.NetworkPolicy{} },
	extract:   networkingv1ac.ExtractNetworkPolicy,
}

// reconcileNetworkPolicy applies the engine's NetworkPolicy (no egress, ingress from the
// allowed sources only) before the Deployment, so engine pods never run unisolated; with
// --engine-network-policy=false it removes the one it made.
func (r *CampaignReconciler) reconcileNetworkPolicy(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	c := s.campaign
	if desired := resources.NetworkPolicy(c, r.Options.Network); desired != nil {
		_, err := applyOwned(ctx, r, c, networkPolicyKind, c.EngineName(), desired)
		return ctrl.Result{}, tag("ApplyNetworkPolicy", err)
	}
	return ctrl.Result{}, tag("DeleteNetworkPolicy", deleteOwned(ctx, r, c, networkPolicyKind, c.EngineName()))
}
