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

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/index"
)

// SetupConsentPolicyWebhookWithManager registers the ConsentPolicy validating webhook. It
// lists bound Campaigns through the manager's field index (index.Setup must have run).
func SetupConsentPolicyWebhookWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewWebhookManagedBy(mgr, &ethosv1alpha1.ConsentPolicy{}).
		WithValidator(&ConsentPolicyValidator{Reader: mgr.GetClient()}).
		Complete(); err != nil {
		return fmt.Errorf("failed to set up the ConsentPolicy webhook: %w", err)
	}
	return nil
}

// +kubebuilder:webhook:path=/validate-personalization-ethos-dev-v1alpha1-consentpolicy,mutating=false,failurePolicy=fail,sideEffects=None,timeoutSeconds=5,groups=personalization.ethos.dev,resources=consentpolicies,verbs=create;update,versions=v1alpha1,name=vconsentpolicy.personalization.ethos.dev,admissionReviewVersions=v1

// ConsentPolicyValidator runs the ConsentPolicy rules (CPL001–CPL009) at admission.
// Deleting a policy in use is not denied here: the ConsentPolicy controller's finalizer
// makes the deletion wait (SPEC §4).
//
// +kubebuilder:object:generate=false
type ConsentPolicyValidator struct {
	// Reader lists bound Campaigns through the index.CampaignPolicyRef field index.
	Reader client.Reader
}

var _ admission.Validator[*ethosv1alpha1.ConsentPolicy] = &ConsentPolicyValidator{}

// ValidateCreate checks a new ConsentPolicy.
func (v *ConsentPolicyValidator) ValidateCreate(ctx context.Context, p *ethosv1alpha1.ConsentPolicy) (admission.Warnings, error) {
	return consentPolicyAdmission.admit(ctx, nil, p, ethics.CheckConsentPolicy(nil, p, nil))
}

// ValidateUpdate checks a changed ConsentPolicy, including CPL008 against the Campaigns
// bound to it.
func (v *ConsentPolicyValidator) ValidateUpdate(ctx context.Context, oldObj, newObj *ethosv1alpha1.ConsentPolicy) (admission.Warnings, error) {
	bound, err := index.BoundCampaigns(ctx, v.Reader, newObj.Namespace, newObj.Name)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return consentPolicyAdmission.admit(ctx, oldObj, newObj, ethics.CheckConsentPolicy(oldObj, newObj, bound))
}

// ValidateDelete allows every deletion (the webhook is not registered for DELETE).
func (v *ConsentPolicyValidator) ValidateDelete(context.Context, *ethosv1alpha1.ConsentPolicy) (admission.Warnings, error) {
	return nil, nil
}
