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
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
)

// admissionKind is what the admission decision needs to know about one kind of object.
type admissionKind[T client.Object] struct {
	// kind is the Kind, for the Invalid error, the metric and the log.
	kind string
	// spec returns the object's spec, to tell a spec change from a metadata-only update.
	spec func(T) any
}

var (
	campaignAdmission = admissionKind[*ethosv1alpha1.Campaign]{
		kind: "Campaign", spec: func(c *ethosv1alpha1.Campaign) any { return c.Spec },
	}
	consentPolicyAdmission = admissionKind[*ethosv1alpha1.ConsentPolicy]{
		kind: "ConsentPolicy", spec: func(p *ethosv1alpha1.ConsentPolicy) any { return p.Spec },
	}
)

// admit is the admission decision of both webhooks, from the rule engine's findings on obj:
// denials as one Invalid error with a cause per field, warnings as admission warnings. oldObj
// is nil on create.
//
// An update that leaves the spec unchanged (labels, annotations, finalizers, deletion) is
// allowed with its warnings only: otherwise an object stored before a rule tightened could
// not even be relabelled or cleaned up, and the Campaign controller's compliance check
// already blocks a Campaign that no longer complies.
func (k admissionKind[T]) admit(ctx context.Context, oldObj, obj T, findings ethics.Findings) (admission.Warnings, error) {
	var none T
	enforced := any(oldObj) == any(none) ||
		(obj.GetDeletionTimestamp() == nil && !equality.Semantic.DeepEqual(k.spec(oldObj), k.spec(obj)))
	recordDecision(k.kind, findings, enforced)
	var err error
	if enforced && findings.HasDenials() {
		err = apierrors.NewInvalid(ethosv1alpha1.GroupVersion.WithKind(k.kind).GroupKind(), obj.GetName(), findings.Denials())
	}
	warnings := findings.Warnings()
	logf.FromContext(ctx).V(1).Info("Validated "+k.kind,
		strings.ToLower(k.kind[:1])+k.kind[1:], klog.KObj(obj), "allowed", err == nil, "warnings", len(warnings))
	return warnings, err
}
