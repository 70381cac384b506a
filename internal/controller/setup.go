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
	"k8s.io/apimachinery/pkg/labels"
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
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = make(map[string]cache.Config, len(namespaces))
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts
}

// Setup registers the field index and both controllers on mgr, as the manager runs them;
// engine holds the decision-engine builders' settings (image, network policy).
func Setup(ctx context.Context, mgr ctrl.Manager, engine resources.Options) error {
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
	if err := (&CampaignReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
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
