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
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
)

func TestAdmit(t *testing.T) {
	deny := ethics.Finding{Rule: "CPL001", RuleName: "OptInJurisdictionDefault", Severity: ethics.Deny,
		Field: "spec.defaultConsent", Message: "must be Deny."}
	warn := ethics.Finding{Rule: "CPL005", RuleName: "NoRetention", Severity: ethics.Warning,
		Field: "spec.retention", Message: "no retention."}
	policy := func(consent ethosv1alpha1.ConsentDefault, deleting bool) *ethosv1alpha1.ConsentPolicy {
		p := &ethosv1alpha1.ConsentPolicy{ObjectMeta: metav1.ObjectMeta{Name: "eu-web", Namespace: "shop"}}
		p.Spec.DefaultConsent = consent
		if deleting {
			p.DeletionTimestamp = &metav1.Time{}
		}
		return p
	}
	tests := []struct {
		name     string
		oldObj   *ethosv1alpha1.ConsentPolicy
		obj      *ethosv1alpha1.ConsentPolicy
		findings ethics.Findings
		denied   bool
	}{
		{name: "create with a denial", obj: policy(ethosv1alpha1.ConsentDefaultAllow, false), findings: ethics.Findings{warn, deny}, denied: true},
		{name: "create with a warning", obj: policy(ethosv1alpha1.ConsentDefaultDeny, false), findings: ethics.Findings{warn}},
		{name: "spec change with a denial", oldObj: policy(ethosv1alpha1.ConsentDefaultDeny, false), obj: policy(ethosv1alpha1.ConsentDefaultAllow, false),
			findings: ethics.Findings{warn, deny}, denied: true},
		{name: "metadata-only update with a denial", oldObj: policy(ethosv1alpha1.ConsentDefaultAllow, false), obj: policy(ethosv1alpha1.ConsentDefaultAllow, false),
			findings: ethics.Findings{warn, deny}},
		{name: "update of an object being deleted", oldObj: policy(ethosv1alpha1.ConsentDefaultDeny, false), obj: policy(ethosv1alpha1.ConsentDefaultAllow, true),
			findings: ethics.Findings{warn, deny}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			warnings, err := consentPolicyAdmission.admit(context.Background(), tt.oldObj, tt.obj, tt.findings)
			g.Expect(warnings).To(Equal(admission.Warnings{"[CPL005 NoRetention] spec.retention: no retention."}))
			if !tt.denied {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
			g.Expect(err.Error()).To(Equal(`ConsentPolicy.personalization.ethos.dev "eu-web" is invalid: ` +
				`spec.defaultConsent: Forbidden: [CPL001 OptInJurisdictionDefault] must be Deny.`))
		})
	}
}
