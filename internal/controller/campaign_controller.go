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

// Package controller holds the Campaign and ConsentPolicy controllers (SPEC §5).
package controller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	autoscalingv2ac "k8s.io/client-go/applyconfigurations/autoscaling/v2"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/index"
	"github.com/ethos-operator/ethos/internal/resources"
)

// CampaignReconciler rolls out and governs the decision engine of each Campaign: it re-checks
// compliance against the current ConsentPolicy, compiles the decision document and keeps the
// engine's ConfigMap, NetworkPolicy, Deployment, Service (and HorizontalPodAutoscaler,
// PodDisruptionBudget) converged with server-side apply.
type CampaignReconciler struct {
	client.Client
	// APIReader reads from the API server, bypassing the cache: for objects the cache does not
	// hold (not labelled by Ethos) and to confirm a difference before writing.
	APIReader client.Reader
	// Owners reads the metadata (name, ownerReferences) of every object of the kinds the
	// controller creates, Ethos' or not: the ownership check of an object the cache does not
	// hold. Nil means reading such objects from the API server. OwnersCache builds it.
	Owners client.Reader
	// Recorder emits Events on condition transitions.
	Recorder events.EventRecorder
	// Options are the engine builders' manager-wide settings (the engine image).
	Options resources.Options
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxConcurrentReconciles is how many Campaigns reconcile at once; 0 means
	// DefaultMaxConcurrentReconciles. Reconciles spend most of their time waiting on the API
	// server, so a few workers converge many Campaigns much faster than one.
	MaxConcurrentReconciles int
	// Prober asks engine pods which decision document they serve (EngineAvailable says when
	// they do not serve the current one as written); nil: the Deployment alone speaks.
	Prober EngineProber

	probes engineProbes

	// applied holds the objects applied and not yet seen in the cache (getOwned).
	applied appliedSet
}

// DefaultMaxConcurrentReconciles is the Campaign controller's default number of workers.
const DefaultMaxConcurrentReconciles = 4

// campaignScope carries what the phases of one reconcile share.
type campaignScope struct {
	campaign *ethosv1alpha1.Campaign
	policy   *ethosv1alpha1.ConsentPolicy
	document []byte
	obs      *observation
}

// reconcileError is an error tagged with the reason the reconcile-errors metric counts it under.
type reconcileError struct {
	reason string
	err    error
}

func (e *reconcileError) Error() string { return e.err.Error() }
func (e *reconcileError) Unwrap() error { return e.err }

func tag(reason string, err error) error {
	if err == nil {
		return nil
	}
	return &reconcileError{reason: reason, err: err}
}

// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=campaigns,verbs=get;list;watch
// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=campaigns/status,verbs=patch
// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=campaigns/finalizers,verbs=update
// +kubebuilder:rbac:groups=personalization.ethos.dev,resources=consentpolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps;services,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile converges one Campaign. Its phases run in order; each returns a result and an
// error as values. The results merge (the soonest requeue wins); the first error stops the
// phases: a stalled state (only a human can help) requeues without backoff, any other error is
// retried with backoff. A single deferred status patch then records what the phases observed
// (and nothing when the status did not change).
func (r *CampaignReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	c := &ethosv1alpha1.Campaign{}
	if err := r.Get(ctx, req.NamespacedName, c); err != nil {
		if apierrors.IsNotFound(err) {
			r.probes.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !c.DeletionTimestamp.IsZero() {
		r.probes.forget(req.NamespacedName)
		// Garbage collection removes the engine objects through their ownerReferences.
		return ctrl.Result{}, nil
	}

	s := &campaignScope{campaign: c, obs: &observation{now: r.now()}}
	defer func() {
		if s.obs.err != nil {
			reconcileErrors.WithLabelValues(errorReason(s.obs.err)).Inc()
		}
		err := r.patchStatus(ctx, c, s.obs)
		if err != nil {
			reconcileErrors.WithLabelValues("PatchStatus").Inc()
		}
		retErr = kerrors.NewAggregate([]error{retErr, err})
		if retErr != nil {
			// controller-runtime ignores the result of a failed reconcile; say so plainly.
			result = ctrl.Result{}
		}
	}()

	phases := []func(context.Context, *campaignScope) (ctrl.Result, error){
		r.reconcilePolicy,
		r.reconcileCompliance,
		r.reconcileSchedule,
		r.reconcileDocument,
		r.reconcileConfigMap,
		r.reconcileNetworkPolicy,
		r.reconcileDeployment,
		r.reconcileService,
		r.reconcileAutoscaler,
		r.reconcileDisruptionBudget,
		r.reconcileEngineDocuments,
	}
	for _, phase := range phases {
		res, err := phase(ctx, s)
		if err != nil {
			s.obs.err = err
			return stopResult(result, err)
		}
		result = soonest(result, res)
	}
	return result, nil
}

// reconcilePolicy looks up the referenced ConsentPolicy. A missing policy is not an error:
// the Campaign waits for it (ConsentPolicyResolved=False, phase Pending) and the policy watch
// brings it back here when it appears. A policy being deleted still counts: its finalizer
// keeps it until this Campaign stops using it.
func (r *CampaignReconciler) reconcilePolicy(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	c := s.campaign
	p := &ethosv1alpha1.ConsentPolicy{}
	err := r.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: c.Spec.ConsentPolicyRef.Name}, p)
	switch {
	case apierrors.IsNotFound(err):
		s.policy, s.obs.policyFound = nil, false
	case err != nil:
		return ctrl.Result{}, tag("GetPolicy", fmt.Errorf("failed to get ConsentPolicy %s: %w", klog.KRef(c.Namespace, c.Spec.ConsentPolicyRef.Name), err))
	default:
		s.policy, s.obs.policyFound = p, true
	}
	return ctrl.Result{}, nil
}

// reconcileCompliance re-runs the admission rules against the policy's current generation, so
// a policy change that breaks compliance blocks personalization (Compliant, findings).
func (r *CampaignReconciler) reconcileCompliance(_ context.Context, s *campaignScope) (ctrl.Result, error) {
	s.obs.findings = ethics.CheckCampaign(s.campaign, s.policy)
	s.obs.checked = true
	return ctrl.Result{}, nil
}

// reconcileSchedule owns the schedule's requeue: it asks for the next reconcile at the moment
// the schedule moves the phase (the start, then the end). The engine enforces the window
// itself; only status.phase depends on this.
func (r *CampaignReconciler) reconcileSchedule(_ context.Context, s *campaignScope) (ctrl.Result, error) {
	return ctrl.Result{RequeueAfter: untilScheduleMoves(s.campaign, s.obs)}, nil
}

// reconcileDocument compiles the decision document: FallbackOnly when the policy is missing,
// the Campaign does not comply, or it is suspended. A document too large for the engine's
// ConfigMap stalls the Campaign (DocumentTooLarge) before anything is applied: the API server
// would refuse it on every retry, and the engine keeps its last document meanwhile.
func (r *CampaignReconciler) reconcileDocument(_ context.Context, s *campaignScope) (ctrl.Result, error) {
	data, err := document.Marshal(compile.Document(s.campaign, s.policy, s.obs.compliant()))
	if err != nil {
		return ctrl.Result{}, tag("Compile", fmt.Errorf("failed to marshal the decision document: %w", err))
	}
	if err := resources.CheckDocumentSize(data); err != nil {
		return ctrl.Result{}, &stalledError{
			reason:  ethosv1alpha1.ReasonDocumentTooLarge,
			message: err.Error(),
			fix: "shorten or remove experience content (the characters <, > and & take 6 bytes each) or remove " +
				"experiences; the engine is not updated until the document fits",
		}
	}
	s.document, s.obs.configHash = data, document.Hash(data)
	return ctrl.Result{}, nil
}

var (
	configMapKind = ownedKind[*corev1.ConfigMap, *corev1ac.ConfigMapApplyConfiguration]{
		kind: "ConfigMap", gvk: corev1.SchemeGroupVersion.WithKind("ConfigMap"), newObject: func() *corev1.ConfigMap { return &corev1.ConfigMap{} }, extract: corev1ac.ExtractConfigMap,
	}
	deploymentKind = ownedKind[*appsv1.Deployment, *appsv1ac.DeploymentApplyConfiguration]{
		kind: "Deployment", gvk: appsv1.SchemeGroupVersion.WithKind("Deployment"), newObject: func() *appsv1.Deployment { return &appsv1.Deployment{} }, extract: appsv1ac.ExtractDeployment,
	}
	serviceKind = ownedKind[*corev1.Service, *corev1ac.ServiceApplyConfiguration]{
		kind: "Service", gvk: corev1.SchemeGroupVersion.WithKind("Service"), newObject: func() *corev1.Service { return &corev1.Service{} }, extract: corev1ac.ExtractService,
	}
	autoscalerKind = ownedKind[*autoscalingv2.HorizontalPodAutoscaler, *autoscalingv2ac.HorizontalPodAutoscalerApplyConfiguration]{
		kind:      "HorizontalPodAutoscaler",
		gvk:       autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"),
		newObject: func() *autoscalingv2.HorizontalPodAutoscaler { return &autoscalingv2.HorizontalPodAutoscaler{} },
		extract:   autoscalingv2ac.ExtractHorizontalPodAutoscaler,
	}
	disruptionBudgetKind = ownedKind[*policyv1.PodDisruptionBudget, *policyv1ac.PodDisruptionBudgetApplyConfiguration]{
		kind:      "PodDisruptionBudget",
		gvk:       policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"),
		newObject: func() *policyv1.PodDisruptionBudget { return &policyv1.PodDisruptionBudget{} },
		extract:   policyv1ac.ExtractPodDisruptionBudget,
	}
)

// reconcileConfigMap applies the ConfigMap holding the compiled document. It comes first so
// that pods of a new Deployment revision find their document.
func (r *CampaignReconciler) reconcileConfigMap(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	_, err := applyOwned(ctx, r, s.campaign, configMapKind, s.campaign.EngineName(), resources.ConfigMap(s.campaign, s.document))
	return ctrl.Result{}, tag("ApplyConfigMap", err)
}

// reconcileDeployment applies the engine Deployment, with the document hash on its pod
// template, and records the live Deployment for EngineAvailable and status.engine.
func (r *CampaignReconciler) reconcileDeployment(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	d, err := applyOwned(ctx, r, s.campaign, deploymentKind, s.campaign.EngineName(),
		resources.Deployment(s.campaign, r.Options, s.obs.configHash))
	if err != nil {
		return ctrl.Result{}, tag("ApplyDeployment", err)
	}
	s.obs.deployment = d
	return ctrl.Result{}, nil
}

// reconcileService applies the Service in front of the engine (port 8080, named http).
func (r *CampaignReconciler) reconcileService(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	_, err := applyOwned(ctx, r, s.campaign, serviceKind, s.campaign.EngineName(), resources.Service(s.campaign))
	return ctrl.Result{}, tag("ApplyService", err)
}

// reconcileAutoscaler applies the HorizontalPodAutoscaler when spec.engine.autoscaling is set,
// and removes the one it made otherwise.
func (r *CampaignReconciler) reconcileAutoscaler(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	c := s.campaign
	if desired := resources.HorizontalPodAutoscaler(c); desired != nil {
		_, err := applyOwned(ctx, r, c, autoscalerKind, c.EngineName(), desired)
		return ctrl.Result{}, tag("ApplyAutoscaler", err)
	}
	return ctrl.Result{}, tag("DeleteAutoscaler", deleteOwned(ctx, r, c, autoscalerKind, c.EngineName()))
}

// reconcileDisruptionBudget applies the PodDisruptionBudget when the Campaign asks for more
// than one replica, and removes the one it made otherwise.
func (r *CampaignReconciler) reconcileDisruptionBudget(ctx context.Context, s *campaignScope) (ctrl.Result, error) {
	c := s.campaign
	if desired := resources.PodDisruptionBudget(c); desired != nil {
		_, err := applyOwned(ctx, r, c, disruptionBudgetKind, c.EngineName(), desired)
		return ctrl.Result{}, tag("ApplyDisruptionBudget", err)
	}
	return ctrl.Result{}, tag("DeleteDisruptionBudget", deleteOwned(ctx, r, c, disruptionBudgetKind, c.EngineName()))
}

// patchStatus computes the status from the observation and patches it when it changed,
// emitting an Event when the Ready condition changes.
func (r *CampaignReconciler) patchStatus(ctx context.Context, c *ethosv1alpha1.Campaign, obs *observation) error {
	status := computeStatus(c, obs)
	if equality.Semantic.DeepEqual(c.Status, status) {
		return nil
	}
	// Patch against the cached Campaign, with its resourceVersion as a precondition: one
	// request when the cache is current. When it is not (the last status written, or a newer
	// spec, has not reached it yet), the API server refuses the patch; then compare with what
	// the API server holds, and patch against that.
	before, fresh := c, c.DeepCopy()
	fresh.Status = status
	err := r.Status().Patch(ctx, fresh, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsConflict(err) {
		fresh = &ethosv1alpha1.Campaign{}
		if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(c), fresh); err != nil {
			return client.IgnoreNotFound(err)
		}
		if fresh.Generation != c.Generation || equality.Semantic.DeepEqual(fresh.Status, status) {
			// Nothing to write, or a newer spec is on its way through the cache and its own
			// reconcile will write status.
			return nil
		}
		before = fresh.DeepCopy()
		fresh.Status = status
		err = r.Status().Patch(ctx, fresh, client.MergeFrom(before))
	}
	if err != nil {
		return client.IgnoreNotFound(err)
	}
	r.recordTransition(fresh, meta.FindStatusCondition(before.Status.Conditions, ethosv1alpha1.ConditionReady),
		meta.FindStatusCondition(status.Conditions, ethosv1alpha1.ConditionReady))
	logf.FromContext(ctx).V(1).Info("Patched status", "phase", status.Phase)
	return nil
}

// recordTransition emits an Event when Ready changes status or reason; the Event's reason is
// the condition's.
func (r *CampaignReconciler) recordTransition(c *ethosv1alpha1.Campaign, before, after *metav1.Condition) {
	if r.Recorder == nil || after == nil {
		return
	}
	if before != nil && before.Status == after.Status && before.Reason == after.Reason {
		return
	}
	eventType := corev1.EventTypeNormal
	if meta.IsStatusConditionTrue(c.Status.Conditions, ethosv1alpha1.ConditionStalled) ||
		after.Reason == ethosv1alpha1.ReasonReconcileError {
		eventType = corev1.EventTypeWarning
	}
	r.Recorder.Eventf(c, nil, eventType, after.Reason, "Reconcile", "%s", after.Message)
}

func (r *CampaignReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// errorReason is the reconcile-errors metric label of an error: a stalled state's reason,
// else the failing phase's tag.
func errorReason(err error) string {
	if se, ok := errors.AsType[*stalledError](err); ok {
		return se.reason
	}
	if re, ok := errors.AsType[*reconcileError](err); ok {
		return re.reason
	}
	return ethosv1alpha1.ReasonReconcileError
}

// campaignsForPolicy maps a ConsentPolicy event to the Campaigns that reference it, through
// the field index on spec.consentPolicyRef.name.
func (r *CampaignReconciler) campaignsForPolicy(ctx context.Context, obj client.Object) []reconcile.Request {
	campaigns, err := index.BoundCampaigns(ctx, r.Client, obj.GetNamespace(), obj.GetName())
	if err != nil {
		logf.FromContext(ctx).Error(err, "Failed to map ConsentPolicy to Campaigns", "consentPolicy", klog.KObj(obj))
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(campaigns))
	for i := range campaigns {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&campaigns[i])})
	}
	return reqs
}

// SetupWithManager registers the controller: Campaigns (spec changes only: status writes
// need no reconcile), every owned kind, and ConsentPolicy spec changes mapped to their
// Campaigns. The field index must be registered first (index.Setup).
func (r *CampaignReconciler) SetupWithManager(mgr ctrl.Manager) error {
	registerMetrics(mgr.GetCache())
	return ctrl.NewControllerManagedBy(mgr).
		For(&ethosv1alpha1.Campaign{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.ConfigMap{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&autoscalingv2.HorizontalPodAutoscaler{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Owns(&networkingv1.NetworkPolicy{}).
		// Only policy spec changes (and creation, deletion) matter to Campaigns: reacting to the
		// policy's status (boundCampaigns changes with every new Campaign) would reconcile all
		// of its Campaigns once per Campaign created.
		Watches(&ethosv1alpha1.ConsentPolicy{}, handler.EnqueueRequestsFromMapFunc(r.campaignsForPolicy),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: cmp.Or(r.MaxConcurrentReconciles, DefaultMaxConcurrentReconciles)}).
		Named("campaign").
		Complete(r)
}
