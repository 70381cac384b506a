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

// Package v1alpha1 holds the validating admission webhooks of the personalization.ethos.dev
// API. They run the rule engine of internal/ethics, the same code as the Campaign
// controller's compliance re-check and `kubectl ethos lint`, so all three agree.
package v1alpha1

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/ethics"
)

// SetupWebhooksWithManager registers both webhooks.
func SetupWebhooksWithManager(mgr ctrl.Manager) error {
	if err := SetupCampaignWebhookWithManager(mgr); err != nil {
		return err
	}
	return SetupConsentPolicyWebhookWithManager(mgr)
}

// SetupCampaignWebhookWithManager registers the Campaign validating webhook. The referenced
// ConsentPolicy is read through the manager's cache.
func SetupCampaignWebhookWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewWebhookManagedBy(mgr, &ethosv1alpha1.Campaign{}).
		WithValidator(&CampaignValidator{Reader: mgr.GetClient(), APIReader: mgr.GetAPIReader()}).
		Complete(); err != nil {
		return fmt.Errorf("failed to set up the Campaign webhook: %w", err)
	}
	return nil
}

// The webhook covers this API group only (never Pods or other groups), fails closed so no
// Campaign slips in unchecked while the manager is down, and has no side effects so
// `kubectl apply --dry-run=server` gets the same answer.
// +kubebuilder:webhook:path=/validate-personalization-ethos-dev-v1alpha1-campaign,mutating=false,failurePolicy=fail,sideEffects=None,timeoutSeconds=5,groups=personalization.ethos.dev,resources=campaigns,verbs=create;update,versions=v1alpha1,name=vcampaign.personalization.ethos.dev,admissionReviewVersions=v1

// CampaignValidator runs the Campaign rules (ETH001–ETH019) and the compiled document's size
// check (ETH020) at admission.
//
// +kubebuilder:object:generate=false
type CampaignValidator struct {
	// Reader reads ConsentPolicies, normally the manager's cache.
	Reader client.Reader
	// APIReader, when set, confirms a policy the cache does not have yet, so a Campaign
	// applied right after its policy is judged against it rather than waved through with
	// ETH018 because the informer lags.
	APIReader client.Reader
}

var _ admission.Validator[*ethosv1alpha1.Campaign] = &CampaignValidator{}

// ValidateCreate checks a new Campaign.
func (v *CampaignValidator) ValidateCreate(ctx context.Context, c *ethosv1alpha1.Campaign) (admission.Warnings, error) {
	return v.check(ctx, nil, c)
}

// ValidateUpdate checks a changed Campaign.
func (v *CampaignValidator) ValidateUpdate(ctx context.Context, oldObj, newObj *ethosv1alpha1.Campaign) (admission.Warnings, error) {
	return v.check(ctx, oldObj, newObj)
}

// ValidateDelete allows every deletion (the webhook is not registered for DELETE).
func (v *CampaignValidator) ValidateDelete(context.Context, *ethosv1alpha1.Campaign) (admission.Warnings, error) {
	return nil, nil
}

func (v *CampaignValidator) check(ctx context.Context, oldObj, c *ethosv1alpha1.Campaign) (admission.Warnings, error) {
	policy, err := v.policy(ctx, c)
	if err != nil {
		return nil, err
	}
	findings := ethics.CheckCampaign(c, policy)
	// ETH020: a document the engine's ConfigMap cannot hold would be admitted and then never
	// deployed, so its size is checked here, on the document the controller will compile.
	size, err := compile.CheckDocumentSize(c, policy)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return campaignAdmission.admit(ctx, oldObj, c, append(findings, size...))
}

// policy returns the referenced ConsentPolicy, or nil when it does not exist.
func (v *CampaignValidator) policy(ctx context.Context, c *ethosv1alpha1.Campaign) (*ethosv1alpha1.ConsentPolicy, error) {
	key := types.NamespacedName{Namespace: c.Namespace, Name: c.Spec.ConsentPolicyRef.Name}
	var p ethosv1alpha1.ConsentPolicy
	err := v.Reader.Get(ctx, key, &p)
	if apierrors.IsNotFound(err) && v.APIReader != nil {
		err = v.APIReader.Get(ctx, key, &p)
	}
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, apierrors.NewInternalError(fmt.Errorf("failed to get ConsentPolicy %s: %w", key, err))
	}
	return &p, nil
}
