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

package config_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/resources"
)

// TestIngressSample: config/ingress (docs/ingress.md) routes only the decision API's
// paths to the spring-running sample's engine Service on its named decision port, refuses bodies
// at the engine's limit, leaves CORS to the engine, and is valid for the API server (dry run).
func TestIngressSample(t *testing.T) {
	g := NewWithT(t)
	const ns = "shop"
	ing := readSample[networkingv1.Ingress](t, "ingress/spring-running-engine.yaml", ns)
	campaign := readSample[ethosv1alpha1.Campaign](t, "samples/03-campaign-spring-running.yaml", ns)

	paths := map[string]networkingv1.PathType{}
	for _, r := range ing.Spec.Rules {
		for _, p := range r.HTTP.Paths {
			paths[p.Path] = *p.PathType
			g.Expect(p.Backend.Service.Name).To(Equal(campaign.EngineName()), p.Path)
			g.Expect(p.Backend.Service.Port).To(Equal(networkingv1.ServiceBackendPort{Name: resources.HTTPPortName}), p.Path)
		}
	}
	g.Expect(paths).To(Equal(map[string]networkingv1.PathType{
		server.DecisionsPath: networkingv1.PathTypeExact, server.OFREPBulkPath: networkingv1.PathTypePrefix}))
	g.Expect(ing.Annotations).To(HaveKeyWithValue("nginx.ingress.kubernetes.io/proxy-body-size", "1m"))
	g.Expect(ing.Annotations).To(HaveKeyWithValue("nginx.ingress.kubernetes.io/enable-cors", "false"))
	g.Expect(ing.Spec.TLS).To(HaveLen(1))

	c := bareAPIServer(t)
	ctx := context.Background()
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	g.Expect(c.Create(ctx, ing, client.DryRunAll)).To(Succeed())
}
