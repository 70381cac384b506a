//go:build e2e

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

package e2e

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// expectEngineIsolated checks the NetworkPolicy the manager gives a running engine, as
// installed with the chart: the API server admitted it, it selects every engine pod of
// the Campaign and nothing else in the namespace, it denies all egress, and it admits the
// decision port from the Campaign's own namespace only and the metrics port from the manager's
// pods and the monitoring namespace only. So a pod in any other namespace is not admitted to the engine.
//
// It does not open a connection from another namespace to see it refused: the local node's CNI
// (the bridge plugin) does not enforce NetworkPolicy, so such a connection would succeed there
// whatever the policy says (docs/security.md).
func expectEngineIsolated(t *testing.T, ns string) {
	g := NewWithT(t)
	var np networkingv1.NetworkPolicy
	g.Expect(getJSON(ns, "networkpolicy/"+engineName, &np)).To(Succeed())
	c := campaign(g, ns, campaignName)
	g.Expect(metav1.GetControllerOf(&np)).To(HaveValue(HaveField("UID", c.UID)))

	selector, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	g.Expect(err).NotTo(HaveOccurred())
	var pods corev1.PodList
	g.Expect(getJSON(ns, "pods", &pods)).To(Succeed())
	engines := map[string]bool{}
	for _, name := range podNames(g, ns, engineSelector) {
		engines[name] = true
	}
	g.Expect(engines).NotTo(BeEmpty())
	for _, p := range pods.Items {
		g.Expect(selector.Matches(labels.Set(p.Labels))).To(Equal(engines[p.Name]), "pod %s", p.Name)
	}

	tcp := corev1.ProtocolTCP
	decisionPort, metricsPort := intstr.FromInt32(8080), intstr.FromInt32(8081)
	g.Expect(np.Spec.PolicyTypes).To(ConsistOf(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress))
	g.Expect(np.Spec.Egress).To(BeEmpty())
	g.Expect(np.Spec.Ingress).To(Equal([]networkingv1.NetworkPolicyIngressRule{
		{
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &decisionPort}},
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
		},
		{
			// The manager's pods, which read each engine's /readyz (the document it serves).
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &metricsPort}},
			From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{systemNamespace}},
				}},
				PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"control-plane": "controller-manager"}},
			}},
		},
		{
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &metricsPort}},
			From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
				MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"monitoring"}},
				},
			}}},
		},
	}))
}
