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

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ethos-operator/ethos/internal/index"
	"github.com/ethos-operator/ethos/internal/resources"
)

// CacheOptions limits the manager's cache of the kinds the Campaign controller owns to the
// objects labelled app.kubernetes.io/managed-by=ethos, so the manager does not hold every
// ConfigMap, Deployment and Service of the cluster in memory. Objects outside the cache (a
// same-named object Ethos does not own) are read from the API server when needed.
//
// With namespaces (--watch-namespaces), every namespaced kind is cached from those
// namespaces only, so the manager needs RBAC there and nowhere else.
func CacheOptions(namespaces ...string) cache.Options {
	managed := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{resources.LabelManagedBy: resources.ManagedBy})}
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}:                      managed,
		&corev1.Service{}:                        managed,
		&appsv1.Deployment{}:                     managed,
		&autoscalingv2.HorizontalPodAutoscaler{}: managed,
		&policyv1.PodDisruptionBudget{}:          managed,
		&networkingv1.NetworkPolicy{}:            managed,
		// Engine pods, for the document probe (reconcileEngineDocuments).
		&corev1.Pod{}: managed,
	}}
	opts.DefaultNamespaces = namespaceConfigs(namespaces)
	return opts
}

func namespaceConfigs(namespaces []string) map[string]cache.Config {
	if len(namespaces) == 0 {
		return nil
	}
	out := make(map[string]cache.Config, len(namespaces))
	for _, ns := range namespaces {
		out[ns] = cache.Config{}
	}
	return out
}

// ownedGVKs are the kinds the Campaign controller creates.
var ownedGVKs = []schema.GroupVersionKind{
	configMapKind.gvk, deploymentKind.gvk, serviceKind.gvk, autoscalerKind.gvk, disruptionBudgetKind.gvk, networkPolicyKind.gvk,
}

// OwnersCache builds the Campaign controller's Owners reader and adds it to mgr: a second
// cache holding, for every object of the kinds the controller creates (in namespaces, or the
// whole cluster), only its name and ownerReferences. The manager's cache holds full objects
// labelled as Ethos', so without this a name it does not hold (every object of a new Campaign)
// would cost a read from the API server to rule out someone else's object of that name.
// Metadata only, reduced to those fields, keeps it small: about 300 bytes per object.
func OwnersCache(ctx context.Context, mgr ctrl.Manager, namespaces ...string) (client.Reader, error) {
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme:            mgr.GetScheme(),
		Mapper:            mgr.GetRESTMapper(),
		DefaultNamespaces: namespaceConfigs(namespaces),
		DefaultTransform:  ownershipOnly,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to create the owners cache: %w", err)
	}
	// Register the informers now, so the manager starts them and waits for them to sync
	// before any reconcile.
	for _, gvk := range ownedGVKs {
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(gvk)
		if _, err := c.GetInformer(ctx, m); err != nil {
			return nil, fmt.Errorf("failed to watch %s metadata: %w", gvk.Kind, err)
		}
	}
	if err := mgr.Add(ownersCache{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ownersCache makes the manager start the cache with its own and wait for it to sync before
// starting controllers (the manager's runnable groups recognise a GetCache method).
type ownersCache struct{ cache.Cache }

func (c ownersCache) GetCache() cache.Cache { return c.Cache }

// ownershipOnly keeps of an object's metadata what the ownership check reads.
func ownershipOnly(in any) (any, error) {
	m, ok := in.(*metav1.PartialObjectMetadata)
	if !ok {
		return in, nil
	}
	return &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta, ObjectMeta: metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		OwnerReferences: m.OwnerReferences,
	}}, nil
}

// Setup registers the field index and both controllers on mgr, as the manager runs them;
// engine holds the decision-engine builders' settings (image, network policy), namespaces the
// namespaces the manager watches (none: all), as given to CacheOptions.
func Setup(ctx context.Context, mgr ctrl.Manager, engine resources.Options, namespaces ...string) error {
	// Registered once: the Campaign controller (policy events → Campaigns), the ConsentPolicy
	// controller and webhook (bound Campaigns) all read Campaigns by policy through it.
	if err := index.Setup(ctx, mgr.GetFieldIndexer()); err != nil {
		return fmt.Errorf("failed to set up field indexes: %w", err)
	}
	if err := (&ConsentPolicyReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("ethos-consentpolicy"),
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("failed to create the consentpolicy controller: %w", err)
	}
	owners, err := OwnersCache(ctx, mgr, namespaces...)
	if err != nil {
		return err
	}
	if err := (&CampaignReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Owners:    owners,
		Recorder:  mgr.GetEventRecorder("ethos-campaign"),
		Options:   engine,
		Prober:    NewHTTPProber(),
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("failed to create the campaign controller: %w", err)
	}
	if err := (&PolicyReportReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("failed to create the policyreport writer: %w", err)
	}
	return nil
}
