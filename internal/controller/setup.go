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
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ethos-operator/ethos/internal/resources"
)

// CacheOptions limits the manager's cache of the kinds the Campaign controller owns to the
// objects labelled app.kubernetes.io/managed-by=ethos, so the manager does not hold every
// ConfigMap, Deployment and Service of the cluster in memory. Objects outside the cache (a
// same-named object Ethos does not own) are read from the API server when needed.
func CacheOptions() cache.Options {
	managed := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{resources.LabelManagedBy: resources.ManagedBy})}
	return cache.Options{ByObject: map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}:                      managed,
		&corev1.Service{}:                        managed,
		&appsv1.Deployment{}:                     managed,
		&autoscalingv2.HorizontalPodAutoscaler{}: managed,
		&policyv1.PodDisruptionBudget{}:          managed,
	}}
}
