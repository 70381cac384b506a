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
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/policyreport"
)

// Defaults of PolicyReportReconciler.
const (
	// DefaultReportDebounce is how quiet a namespace must be before its reports are rebuilt: no
	// Campaign or ConsentPolicy created, changed or deleted, and no Campaign status written,
	// for this long. A burst (1,000 Campaigns created at once) is written once, after the
	// Campaign controller has converged it, instead of every few seconds while the writer's
	// megabytes of reports compete with the engines' objects for the API server
	// (docs/benchmarks.md); a single change is in the report about this long after its
	// Campaign's status settles.
	DefaultReportDebounce = 5 * time.Second
	// DefaultReportMaxDelay bounds how long a namespace that never goes quiet waits.
	DefaultReportMaxDelay = time.Minute
	// DefaultReportCRDPoll is how often the writer looks for the OpenReports CRD while it is
	// missing, so reports appear without a restart once it is installed.
	DefaultReportCRDPoll = 30 * time.Second
	// DefaultReportResync rewrites nothing unless something changed, but repairs a report
	// deleted or edited by hand (reports are not watched, see PolicyReportReconciler).
	DefaultReportResync = 10 * time.Minute
)

var reportWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "ethos_policyreport_writes_total",
	Help: "Writes of OpenReports Reports by the report writer, by operation (apply, delete).",
}, []string{"operation"})

func init() { metrics.Registry.MustRegister(reportWrites) }

// PolicyReportReconciler writes the OpenReports Reports of a namespace (internal/policyreport)
// from the Campaigns and ConsentPolicies in it. Requests are keyed by namespace (Name holds
// it), so events of many Campaigns collapse into one reconcile that lists them from the cache
// and writes the few shards that changed, with server-side apply.
//
// The Report CRD is optional. Without it the writer logs once, sets no condition and does
// nothing; a poll of the discovery API notices when it is installed and enqueues every
// namespace. Reports are read and written with an uncached client: watching them would need
// an informer, which cannot start while the CRD is missing, and would cache every other
// producer's Reports too. The writer remembers what it wrote; the periodic resync lists the
// reports again and repairs hand edits.
type writtenReports struct {
	reports []openreportsv1alpha1.Report
	listed  time.Time
}

type PolicyReportReconciler struct {
	// Client reads Campaigns and ConsentPolicies (the manager's cached client).
	Client client.Client
	// Reports reads and writes Reports; built from the manager's config when nil.
	Reports client.Client
	// Discovery answers whether the CRD is served; built from the manager's config when nil.
	Discovery discovery.DiscoveryInterface
	// Debounce, MaxDelay, CRDPoll and Resync default to the Default* constants.
	Debounce, MaxDelay, CRDPoll, Resync time.Duration

	// pending holds, per namespace waiting for its rebuild, when the wait began and the last
	// activity seen (quietQueue).
	pendingMu sync.Mutex
	pending   map[string]*pendingRebuild

	// written remembers, per namespace, the reports as last listed or written, so a reconcile
	// does not read megabytes of reports back from the API server to find what changed; the
	// writer is their only author. An entry older than Resync, or dropped after an error, makes
	// the next reconcile list them again.
	writtenMu sync.Mutex
	written   map[string]writtenReports

	available atomic.Bool
	// loggedMissing makes "CRD not installed" a single log line per outage.
	loggedMissing atomic.Bool
	wake          chan event.TypedGenericEvent[string]
}

// +kubebuilder:rbac:groups=openreports.io,resources=reports,verbs=list;create;patch;delete

// SetupWithManager registers the writer: its controller, watching Campaigns and ConsentPolicies,
// and the CRD poll (run by the leader only, like the controller).
func (r *PolicyReportReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := openreportsv1alpha1.Install(mgr.GetScheme()); err != nil {
		return err
	}
	if r.Debounce == 0 {
		r.Debounce = DefaultReportDebounce
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = DefaultReportMaxDelay
	}
	r.pending = map[string]*pendingRebuild{}
	if r.CRDPoll == 0 {
		r.CRDPoll = DefaultReportCRDPoll
	}
	if r.Resync == 0 {
		r.Resync = DefaultReportResync
	}
	if r.Reports == nil {
		c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
		if err != nil {
			return fmt.Errorf("failed to create the report client: %w", err)
		}
		r.Reports = c
	}
	if r.Discovery == nil {
		d, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
		if err != nil {
			return fmt.Errorf("failed to create the discovery client: %w", err)
		}
		r.Discovery = d
	}
	r.wake = make(chan event.TypedGenericEvent[string])
	r.written = map[string]writtenReports{}
	_, err := ctrl.NewControllerManagedBy(mgr).
		Named("policyreport").
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		WatchesRawSource(source.Kind(mgr.GetCache(), &ethosv1alpha1.Campaign{}, debounced[*ethosv1alpha1.Campaign](r))).
		WatchesRawSource(source.Kind(mgr.GetCache(), &ethosv1alpha1.ConsentPolicy{}, debounced[*ethosv1alpha1.ConsentPolicy](r))).
		WatchesRawSource(source.TypedChannel(r.wake, handler.TypedFuncs[string, reconcile.Request]{
			GenericFunc: func(_ context.Context, e event.TypedGenericEvent[string], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				q.Add(reconcile.Request{NamespacedName: client.ObjectKey{Name: e.Object}})
			},
		})).
		Build(r)
	if err != nil {
		return err
	}
	return mgr.Add(manager.RunnableFunc(r.pollCRD))
}

// debounced turns events of objects into rebuilds of their namespace once it is quiet (see
// DefaultReportDebounce). Creations, deletions and spec changes (generation) change verdicts
// and ask for a rebuild; status-only updates of a Campaign change none, but show the Campaign
// controller still at work there, so they only push a rebuild already asked for back.
func debounced[O client.Object](r *PolicyReportReconciler) handler.TypedEventHandler[O, reconcile.Request] {
	return handler.TypedFuncs[O, reconcile.Request]{
		CreateFunc: func(_ context.Context, e event.TypedCreateEvent[O], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			r.touch(e.Object.GetNamespace(), true, q)
		},
		UpdateFunc: func(_ context.Context, e event.TypedUpdateEvent[O], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			r.touch(e.ObjectNew.GetNamespace(), e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration(), q)
		},
		DeleteFunc: func(_ context.Context, e event.TypedDeleteEvent[O], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			r.touch(e.Object.GetNamespace(), true, q)
		},
	}
}

// pendingRebuild is a namespace waiting to be quiet.
type pendingRebuild struct {
	first, last time.Time
}

// touch records activity in namespace ns: a change (one that asks for a rebuild) or, when
// change is false, activity that only pushes back a rebuild already pending. The rebuild is
// queued once ns has been quiet for Debounce, or MaxDelay after the first change.
func (r *PolicyReportReconciler) touch(ns string, change bool, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if !r.available.Load() {
		return
	}
	now := time.Now()
	r.pendingMu.Lock()
	defer r.pendingMu.Unlock()
	p, ok := r.pending[ns]
	switch {
	case ok:
		p.last = now
	case change:
		r.pending[ns] = &pendingRebuild{first: now, last: now}
		time.AfterFunc(r.Debounce, func() { r.settle(ns, q) })
	}
}

// settle queues ns's rebuild if it is due, else looks again when it will be.
func (r *PolicyReportReconciler) settle(ns string, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	r.pendingMu.Lock()
	p := r.pending[ns]
	if p == nil {
		r.pendingMu.Unlock()
		return
	}
	wait := min(time.Until(p.last.Add(r.Debounce)), time.Until(p.first.Add(r.MaxDelay)))
	if wait > 0 {
		r.pendingMu.Unlock()
		time.AfterFunc(wait, func() { r.settle(ns, q) })
		return
	}
	delete(r.pending, ns)
	r.pendingMu.Unlock()
	q.Add(reconcile.Request{NamespacedName: client.ObjectKey{Name: ns}})
}

// pollCRD looks for the Report API while it is unavailable; when it appears, every namespace
// holding Campaigns or ConsentPolicies is enqueued.
func (r *PolicyReportReconciler) pollCRD(ctx context.Context) error {
	log := logf.FromContext(ctx).WithName("policyreport")
	for {
		if !r.available.Load() {
			if r.crdServed() {
				log.Info("OpenReports Report API found; writing reports")
				r.available.Store(true)
				r.loggedMissing.Store(false)
				if err := r.enqueueAll(ctx); err != nil {
					log.Error(err, "Failed to list namespaces to report on")
				}
			} else {
				r.logMissing(log)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(r.CRDPoll):
		}
	}
}

func (r *PolicyReportReconciler) crdServed() bool {
	gv := openreportsv1alpha1.SchemeGroupVersion.String()
	list, err := r.Discovery.ServerResourcesForGroupVersion(gv)
	if err != nil {
		return false
	}
	for _, res := range list.APIResources {
		if res.Name == "reports" {
			return true
		}
	}
	return false
}

func (r *PolicyReportReconciler) logMissing(log logr.Logger) {
	if r.loggedMissing.CompareAndSwap(false, true) {
		log.Info("OpenReports Report CRD (reports.openreports.io) not installed; not writing PolicyReports until it is (checked every " + r.CRDPoll.String() + ")")
	}
}

func (r *PolicyReportReconciler) enqueueAll(ctx context.Context) error {
	namespaces := map[string]bool{}
	var campaigns ethosv1alpha1.CampaignList
	if err := r.Client.List(ctx, &campaigns); err != nil {
		return err
	}
	for i := range campaigns.Items {
		namespaces[campaigns.Items[i].Namespace] = true
	}
	var policies ethosv1alpha1.ConsentPolicyList
	if err := r.Client.List(ctx, &policies); err != nil {
		return err
	}
	for i := range policies.Items {
		namespaces[policies.Items[i].Namespace] = true
	}
	for ns := range namespaces {
		select {
		case r.wake <- event.TypedGenericEvent[string]{Object: ns}:
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

// Reconcile makes the namespace's Reports match its Campaigns and ConsentPolicies.
func (r *PolicyReportReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ns := req.Name
	if !r.available.Load() {
		return reconcile.Result{}, nil
	}
	checks, err := r.checks(ctx, ns)
	if err != nil {
		return reconcile.Result{}, err
	}
	existing, err := r.existing(ctx, ns)
	if err != nil {
		return reconcile.Result{}, r.reportAPIError(ctx, err)
	}
	desired := policyreport.Build(ns, checks, existing.reports, metav1.Timestamp{Seconds: time.Now().Unix()})
	if err := r.write(ctx, desired, existing.reports); err != nil {
		r.forget(ns)
		return reconcile.Result{}, r.reportAPIError(ctx, err)
	}
	r.writtenMu.Lock()
	r.written[ns] = writtenReports{reports: desired, listed: existing.listed}
	r.writtenMu.Unlock()
	return reconcile.Result{RequeueAfter: r.Resync}, nil
}

// existing returns the namespace's reports: as last written, or listed from the API server when
// not known or older than Resync.
func (r *PolicyReportReconciler) existing(ctx context.Context, ns string) (writtenReports, error) {
	r.writtenMu.Lock()
	known, ok := r.written[ns]
	r.writtenMu.Unlock()
	if ok && time.Since(known.listed) < r.Resync {
		return known, nil
	}
	var list openreportsv1alpha1.ReportList
	if err := r.Reports.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{policyreport.LabelManagedBy: policyreport.ManagedBy}); err != nil {
		return writtenReports{}, err
	}
	return writtenReports{reports: list.Items, listed: time.Now()}, nil
}

func (r *PolicyReportReconciler) forget(ns string) {
	r.writtenMu.Lock()
	delete(r.written, ns)
	r.writtenMu.Unlock()
}

// checks runs the rules on every Campaign and ConsentPolicy of the namespace, from the cache.
func (r *PolicyReportReconciler) checks(ctx context.Context, ns string) ([]policyreport.Check, error) {
	var policies ethosv1alpha1.ConsentPolicyList
	if err := r.Client.List(ctx, &policies, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("failed to list ConsentPolicies: %w", err)
	}
	var campaigns ethosv1alpha1.CampaignList
	if err := r.Client.List(ctx, &campaigns, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("failed to list Campaigns: %w", err)
	}
	byName := make(map[string]*ethosv1alpha1.ConsentPolicy, len(policies.Items))
	checks := make([]policyreport.Check, 0, len(policies.Items)+len(campaigns.Items))
	for i := range policies.Items {
		p := &policies.Items[i]
		if p.DeletionTimestamp.IsZero() {
			byName[p.Name] = p
			checks = append(checks, policyreport.CheckConsentPolicy(p))
		}
	}
	for i := range campaigns.Items {
		c := &campaigns.Items[i]
		if c.DeletionTimestamp.IsZero() {
			checks = append(checks, policyreport.CheckCampaign(c, byName[c.Spec.ConsentPolicyRef.Name]))
		}
	}
	return checks, nil
}

// write applies the reports that differ from what exists and deletes the ones no longer wanted.
func (r *PolicyReportReconciler) write(ctx context.Context, desired, existing []openreportsv1alpha1.Report) error {
	byName := make(map[string]*openreportsv1alpha1.Report, len(existing))
	for i := range existing {
		byName[existing[i].Name] = &existing[i]
	}
	for i := range desired {
		d := &desired[i]
		if live, ok := byName[d.Name]; ok && sameReport(live, d) {
			delete(byName, d.Name)
			continue
		}
		delete(byName, d.Name)
		ac, err := applyConfiguration(d)
		if err != nil {
			return err
		}
		logf.FromContext(ctx).V(1).Info("Applying Report", "report", d.Namespace+"/"+d.Name, "results", len(d.Results))
		if err := r.Reports.Apply(ctx, ac, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
			return fmt.Errorf("failed to apply Report %s/%s: %w", d.Namespace, d.Name, err)
		}
		reportWrites.WithLabelValues("apply").Inc()
	}
	for _, stale := range byName {
		logf.FromContext(ctx).V(1).Info("Deleting Report no longer needed", "report", stale.Namespace+"/"+stale.Name)
		if err := r.Reports.Delete(ctx, stale); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("failed to delete Report %s/%s: %w", stale.Namespace, stale.Name, err)
		}
		reportWrites.WithLabelValues("delete").Inc()
	}
	return nil
}

// sameReport compares the fields the writer sets.
func sameReport(live, desired *openreportsv1alpha1.Report) bool {
	return live.Labels[policyreport.LabelManagedBy] == policyreport.ManagedBy &&
		live.Source == desired.Source &&
		equality.Semantic.DeepEqual(live.Summary, desired.Summary) &&
		equality.Semantic.DeepEqual(live.Results, desired.Results)
}

func applyConfiguration(rep *openreportsv1alpha1.Report) (runtime.ApplyConfiguration, error) {
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(rep)
	if err != nil {
		return nil, fmt.Errorf("failed to convert Report %s/%s: %w", rep.Namespace, rep.Name, err)
	}
	u := &unstructured.Unstructured{Object: obj}
	// A zero creationTimestamp converts to null, which is not ours to set.
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return client.ApplyConfigurationFromUnstructured(u), nil
}

// reportAPIError turns "the Report API is gone" into a quiet pause: the writer stops and the
// CRD poll resumes. Other errors are returned for a retry.
func (r *PolicyReportReconciler) reportAPIError(ctx context.Context, err error) error {
	if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) && !r.crdServed() {
		r.available.Store(false)
		r.writtenMu.Lock()
		clear(r.written)
		r.writtenMu.Unlock()
		r.logMissing(logf.FromContext(ctx))
		return nil
	}
	return err
}
