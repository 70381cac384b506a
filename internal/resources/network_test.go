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

package resources

import (
	"encoding/json"
	"flag"
	"io"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// parseNetwork parses manager flags into an EngineNetwork, as cmd/manager does.
func parseNetwork(args ...string) (EngineNetwork, error) {
	var n EngineNetwork
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n.BindFlags(fs)
	return n, fs.Parse(args)
}

func port(p int32) networkingv1.NetworkPolicyPort {
	tcp, v := corev1.ProtocolTCP, intstr.FromInt32(p)
	return networkingv1.NetworkPolicyPort{Protocol: &tcp, Port: &v}
}

func namesIn(names ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: names},
	}}
}

func TestNetworkPolicy(t *testing.T) {
	sameNamespace := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}
	decisionPort := func(from ...networkingv1.NetworkPolicyPeer) networkingv1.NetworkPolicyIngressRule {
		return networkingv1.NetworkPolicyIngressRule{Ports: []networkingv1.NetworkPolicyPort{port(8080)}, From: from}
	}
	tests := []struct {
		name        string
		args        []string
		manager     string
		wantIngress []networkingv1.NetworkPolicyIngressRule
	}{
		{"defaults: decision port from the own namespace only, metrics from nowhere", nil, "",
			[]networkingv1.NetworkPolicyIngressRule{decisionPort(sameNamespace)}},
		{"the manager's pods reach the ops port, to read which document the engine serves", nil, "ethos-system",
			[]networkingv1.NetworkPolicyIngressRule{decisionPort(sameNamespace), {Ports: []networkingv1.NetworkPolicyPort{port(8081)},
				From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: namesIn("ethos-system"),
					PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"control-plane": "controller-manager"}}}}}}},
		{"ingress controller and monitoring namespaces by name",
			[]string{"--engine-ingress-namespaces=ingress-nginx, gateway,ingress-nginx", "--engine-metrics-namespaces=monitoring"}, "",
			[]networkingv1.NetworkPolicyIngressRule{
				decisionPort(sameNamespace, networkingv1.NetworkPolicyPeer{NamespaceSelector: namesIn("ingress-nginx", "gateway")}),
				{Ports: []networkingv1.NetworkPolicyPort{port(8081)}, From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: namesIn("monitoring")}}},
			}},
		{"namespace and pod selectors",
			[]string{"--engine-ingress-namespace-selector=ethos.dev/decision-clients=true", "--engine-ingress-pod-selector=tier in (web,api)"}, "",
			[]networkingv1.NetworkPolicyIngressRule{decisionPort(
				networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"api", "web"}},
				}}},
				networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"ethos.dev/decision-clients": "true"}}},
			)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			n, err := parseNetwork(tt.args...)
			g.Expect(err).NotTo(HaveOccurred())
			n.ManagerNamespace = tt.manager
			ac := NetworkPolicy(campaign(ethosv1alpha1.EngineSpec{}), n)
			g.Expect(ac).NotTo(BeNil())
			data, err := json.Marshal(ac)
			g.Expect(err).NotTo(HaveOccurred())
			var np networkingv1.NetworkPolicy
			g.Expect(json.Unmarshal(data, &np)).To(Succeed())

			g.Expect(np.Name).To(Equal("spring-engine"))
			g.Expect(np.Namespace).To(Equal("shop"))
			g.Expect(np.Labels).To(Equal(Labels(campaign(ethosv1alpha1.EngineSpec{}))))
			g.Expect(np.OwnerReferences).To(HaveLen(1))
			g.Expect(np.Spec.PodSelector).To(Equal(metav1.LabelSelector{MatchLabels: map[string]string{
				"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring",
			}}))
			g.Expect(np.Spec.PolicyTypes).To(Equal([]networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}))
			g.Expect(np.Spec.Egress).To(BeEmpty(), "the engine needs no egress at all")
			g.Expect(np.Spec.Ingress).To(Equal(tt.wantIngress))
		})
	}
}

func TestNetworkPolicyDisabled(t *testing.T) {
	g := NewWithT(t)
	for _, args := range [][]string{{"--engine-network-policy=false"}, {"--engine-network-policy=0"}} {
		n, err := parseNetwork(args...)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(NetworkPolicy(campaign(ethosv1alpha1.EngineSpec{}), n)).To(BeNil(), "%v", args)
	}
	n, err := parseNetwork("--engine-network-policy=false", "--engine-network-policy")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(n.Disabled).To(BeFalse(), "a bare flag turns it back on")
}

func TestNetworkFlagErrors(t *testing.T) {
	tests := []struct{ arg, want string }{
		{"--engine-network-policy=maybe", `invalid boolean value "maybe" for -engine-network-policy: --engine-network-policy: "maybe" is neither true nor false`},
		{"--engine-ingress-namespaces=Ingress_NGINX", `--engine-ingress-namespaces: "Ingress_NGINX" is not a namespace name`},
		{"--engine-metrics-namespaces=monitoring,", ""},
		{"--engine-ingress-pod-selector=tier in web", `--engine-ingress-pod-selector: "tier in web" is not a label selector`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			g := NewWithT(t)
			_, err := parseNetwork(tt.arg)
			if tt.want == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(ContainSubstring(tt.want)))
		})
	}
}

func TestParseNamespaces(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"shop", []string{"shop"}, ""},
		{" shop, web,,shop ", []string{"shop", "web"}, ""},
		{"shop,Web", nil, `--watch-namespaces: "Web" is not a namespace name (a lowercase RFC 1123 label must consist of`},
		{"kube_system", nil, `--watch-namespaces: "kube_system" is not a namespace name`},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			g := NewWithT(t)
			got, err := ParseNamespaces("watch-namespaces", tt.list)
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tt.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tt.want))
		})
	}
}
