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

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
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
	warnings, err := validateConsentPolicy(nil, p, nil)
	logf.FromContext(ctx).V(1).Info("Validated ConsentPolicy", "consentPolicy", klog.KObj(p), "allowed", err == nil, "warnings", len(warnings))
	return warnings, err
}

// ValidateUpdate checks a changed ConsentPolicy, including CPL008 against the Campaigns
// bound to it.
func (v *ConsentPolicyValidator) ValidateUpdate(ctx context.Context, oldObj, newObj *ethosv1alpha1.ConsentPolicy) (admission.Warnings, error) {
	bound, err := index.BoundCampaigns(ctx, v.Reader, newObj.Namespace, newObj.Name)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	warnings, err := validateConsentPolicy(oldObj, newObj, bound)
	logf.FromContext(ctx).V(1).Info("Validated ConsentPolicy", "consentPolicy", klog.KObj(newObj), "allowed", err == nil, "warnings", len(warnings))
	return warnings, err
}

// ValidateDelete allows every deletion (the webhook is not registered for DELETE).
func (v *ConsentPolicyValidator) ValidateDelete(context.Context, *ethosv1alpha1.ConsentPolicy) (admission.Warnings, error) {
	return nil, nil
}

// validateConsentPolicy is the pure admission decision for a ConsentPolicy. old is nil on
// create; bound are the Campaigns that reference it. As for Campaigns, an update that leaves
// the spec unchanged (the controller adding its finalizer, a label) is allowed.
func validateConsentPolicy(oldObj, p *ethosv1alpha1.ConsentPolicy, bound []ethosv1alpha1.Campaign) (admission.Warnings, error) {
	findings := ethics.CheckConsentPolicy(oldObj, p, bound)
	if oldObj != nil && (p.DeletionTimestamp != nil || equality.Semantic.DeepEqual(oldObj.Spec, p.Spec)) {
		recordDecision("ConsentPolicy", findings, false)
		return findings.Warnings(), nil
	}
	recordDecision("ConsentPolicy", findings, true)
	if findings.HasDenials() {
		return findings.Warnings(), apierrors.NewInvalid(ethosv1alpha1.GroupVersion.WithKind("ConsentPolicy").GroupKind(), p.Name, findings.Denials())
	}
	return findings.Warnings(), nil
}
