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
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/index"
)

// maxInUseBy is the schema's bound on status.inUseBy.
const maxInUseBy = 50

// ConsentPolicyReconciler keeps a ConsentPolicy's status (purposes, bound Campaigns, Ready)
// and protects a policy in use: its finalizer makes deletion wait until no Campaign references
// it, the way Kubernetes protects a PersistentVolumeClaim in use.
type ConsentPolicyReconciler struct {
	client.Client
	// Recorder emits Events on Ready transitions.
	Recorder events.EventRecorder
}

// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=consentpolicies,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=consentpolicies/status,verbs=patch
// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=campaigns,verbs=get;list;watch

// policyScope carries what the phases of one ConsentPolicy reconcile share.
type policyScope struct {
	policy *ethosv1alpha1.ConsentPolicy
	// bound are the names of the Campaigns that reference the policy, sorted.
	bound []string
}

// Reconcile converges one ConsentPolicy. A live policy's phase adds the finalizer; a policy
// being deleted waits for the Campaigns that use it (a waitingError), then loses its
// finalizer. A single deferred status patch records the result, except for a policy on its
// way out, which has nothing left to report.
func (r *ConsentPolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	p := &ethosv1alpha1.ConsentPolicy{}
	if err := r.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	bound, err := index.BoundCampaigns(ctx, r.Client, p.Namespace, p.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	s := &policyScope{policy: p, bound: make([]string, 0, len(bound))}
	for i := range bound {
		s.bound = append(s.bound, bound[i].Name)
	}
	slices.Sort(s.bound)

	phases := []func(context.Context, *policyScope) (ctrl.Result, error){r.ensureFinalizer}
	deleting := !p.DeletionTimestamp.IsZero()
	if deleting {
		phases = []func(context.Context, *policyScope) (ctrl.Result, error){r.waitForCampaigns, r.removeFinalizer}
	}
	var phaseErr error
	defer func() {
		if deleting && len(s.bound) == 0 {
			return
		}
		retErr = kerrors.NewAggregate([]error{retErr, r.patchStatus(ctx, p, policyStatus(p, s.bound, phaseErr))})
	}()
	for _, phase := range phases {
		res, err := phase(ctx, s)
		if err != nil {
			phaseErr = err
			return stopResult(result, err)
		}
		result = soonest(result, res)
	}
	return result, nil
}

// ensureFinalizer adds the policy-in-use finalizer to a live policy (one write, once).
func (r *ConsentPolicyReconciler) ensureFinalizer(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	p := s.policy
	if controllerutil.ContainsFinalizer(p, ethosv1alpha1.ConsentPolicyFinalizer) {
		return ctrl.Result{}, nil
	}
	before := p.DeepCopy()
	controllerutil.AddFinalizer(p, ethosv1alpha1.ConsentPolicyFinalizer)
	logf.FromContext(ctx).Info("Adding finalizer", "finalizer", ethosv1alpha1.ConsentPolicyFinalizer)
	if err := r.Patch(ctx, p, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		return ctrl.Result{}, fmt.Errorf("failed to add finalizer %s: %w", ethosv1alpha1.ConsentPolicyFinalizer, err)
	}
	return ctrl.Result{}, nil
}

// waitForCampaigns holds a policy's deletion while Campaigns still reference it: Ready=False
// and Reconciling=True with reason InUse name them. No requeue is needed: Campaign events
// (the watch below) bring the policy back here as they go.
func (r *ConsentPolicyReconciler) waitForCampaigns(_ context.Context, s *policyScope) (ctrl.Result, error) {
	if len(s.bound) == 0 {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, &waitingError{
		reason:  ethosv1alpha1.ReasonInUse,
		message: fmt.Sprintf("Deletion waits for %d Campaign(s) that use this policy: %s", len(s.bound), listNames(s.bound)),
	}
}

// removeFinalizer lets a policy that no Campaign references go.
func (r *ConsentPolicyReconciler) removeFinalizer(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	p := s.policy
	if !controllerutil.ContainsFinalizer(p, ethosv1alpha1.ConsentPolicyFinalizer) {
		return ctrl.Result{}, nil
	}
	before := p.DeepCopy()
	controllerutil.RemoveFinalizer(p, ethosv1alpha1.ConsentPolicyFinalizer)
	logf.FromContext(ctx).Info("Removing finalizer: no Campaign uses the policy", "finalizer", ethosv1alpha1.ConsentPolicyFinalizer)
	if err := r.Patch(ctx, p, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, fmt.Errorf("failed to remove finalizer %s: %w", ethosv1alpha1.ConsentPolicyFinalizer, err)
	}
	return ctrl.Result{}, nil
}

// policyStatus computes a ConsentPolicy's status from the Campaigns bound to it (names,
// sorted) and the error that stopped the reconcile: Ready is True for a live policy,
// Reconciling=True with the waiting reason (InUse while its deletion waits for Campaigns) or
// after a transient error. Stalled, Reconciling and Ready are written by the functions the
// Campaign controller shares.
func policyStatus(p *ethosv1alpha1.ConsentPolicy, names []string, err error) ethosv1alpha1.ConsentPolicyStatus {
	st := *p.Status.DeepCopy()
	st.ObservedGeneration = observedGeneration(st.ObservedGeneration, p.Generation, err)
	st.PurposeCount = int32(len(p.Spec.Purposes))
	st.BoundCampaigns = int32(len(names))
	st.InUseBy = nil
	if len(names) > 0 {
		st.InUseBy = slices.Clone(names[:min(len(names), maxInUseBy)])
	}
	setKstatusConditions(conditionWriter{conditions: &st.Conditions, generation: st.ObservedGeneration}, policyOutcome(p, names, err))
	return st
}

// policyOutcome is where the reconcile left the policy: stopped by an error (waiting or
// transient), or settled.
func policyOutcome(p *ethosv1alpha1.ConsentPolicy, names []string, err error) outcome {
	if err != nil {
		return errorOutcome(err)
	}
	return outcome{kind: settled, reason: ethosv1alpha1.ReasonSucceeded,
		message: fmt.Sprintf("%d purpose(s), used by %d Campaign(s)", len(p.Spec.Purposes), len(names))}
}

// listNames shows at most ten names, then how many more.
func listNames(names []string) string {
	if len(names) <= 10 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:10], ", "), len(names)-10)
}

// patchStatus writes the status when it changed, and emits an Event when Ready changes.
func (r *ConsentPolicyReconciler) patchStatus(ctx context.Context, p *ethosv1alpha1.ConsentPolicy, status ethosv1alpha1.ConsentPolicyStatus) error {
	if equality.Semantic.DeepEqual(p.Status, status) {
		return nil
	}
	before := p.DeepCopy()
	p.Status = status
	if err := r.Status().Patch(ctx, p, client.MergeFrom(before)); err != nil {
		return client.IgnoreNotFound(err)
	}
	old := meta.FindStatusCondition(before.Status.Conditions, ethosv1alpha1.ConditionReady)
	ready := meta.FindStatusCondition(status.Conditions, ethosv1alpha1.ConditionReady)
	if r.Recorder != nil && ready != nil && (old == nil || old.Status != ready.Status || old.Reason != ready.Reason) {
		r.Recorder.Eventf(p, nil, corev1.EventTypeNormal, ready.Reason, "Reconcile", "%s", ready.Message)
	}
	return nil
}

// policyForCampaign maps a Campaign event to the policy it references; on an update that
// changes the reference, controller-runtime calls it for the old and the new object, so both
// policies recount. Only spec changes matter (status writes do not change bindings).
func policyForCampaign(_ context.Context, obj client.Object) []reconcile.Request {
	c, ok := obj.(*ethosv1alpha1.Campaign)
	if !ok || c.Spec.ConsentPolicyRef.Name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: c.Namespace, Name: c.Spec.ConsentPolicyRef.Name}}}
}

// SetupWithManager registers the controller: ConsentPolicies, and Campaigns mapped to the
// policy they reference. The field index must be registered first (index.Setup).
func (r *ConsentPolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&ethosv1alpha1.ConsentPolicy{}).
		Watches(&ethosv1alpha1.Campaign{}, handler.EnqueueRequestsFromMapFunc(policyForCampaign),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("consentpolicy").
		Complete(r)
}
