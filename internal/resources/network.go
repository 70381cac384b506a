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
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// EngineNetwork says who may reach the decision engines: the manager's --engine-* network
// flags. The zero value is the strictest policy: decision port from the Campaign's own
// namespace only, metrics port from nowhere, no egress.
type EngineNetwork struct {
	// Disabled stops giving engines a NetworkPolicy (and removes the ones Ethos made), for
	// clusters whose platform team writes its own.
	Disabled bool
	// IngressNamespaces may call the decision port besides the Campaign's own namespace
	// (such as the ingress controller's), by name.
	IngressNamespaces []string
	// IngressNamespaceSelector, when set, also admits every namespace it selects.
	IngressNamespaceSelector *metav1.LabelSelector
	// IngressPodSelector, when set, narrows the callers from the Campaign's own namespace to
	// the pods it selects; nil admits every pod of that namespace.
	IngressPodSelector *metav1.LabelSelector
	// MetricsNamespaces may scrape the metrics port (HealthPort), by name.
	MetricsNamespaces []string
	// ManagerNamespace is the manager's own namespace (POD_NAMESPACE): its pods
	// (ManagerPodLabels) may reach the ops port (HealthPort), where the manager reads which
	// document each engine serves. Empty (make run, tests): no such rule.
	ManagerNamespace string
}

// ManagerPodLabels select the manager's pods (config/manager, the chart).
var ManagerPodLabels = map[string]string{"control-plane": "controller-manager"}

// Flag names of EngineNetwork.
const (
	FlagNetworkPolicy            = "engine-network-policy"
	FlagIngressNamespaces        = "engine-ingress-namespaces"
	FlagIngressNamespaceSelector = "engine-ingress-namespace-selector"
	FlagIngressPodSelector       = "engine-ingress-pod-selector"
	FlagMetricsNamespaces        = "engine-metrics-namespaces"
)

// BindFlags registers the engine network flags on fs.
func (n *EngineNetwork) BindFlags(fs *flag.FlagSet) {
	fs.BoolFunc(FlagNetworkPolicy, "Give each decision engine a NetworkPolicy: no egress, the decision port "+
		"from the allowed sources only, the metrics port from --"+FlagMetricsNamespaces+" only (default true; "+
		"false removes the policies Ethos made).", func(v string) error {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("--%s: %q is neither true nor false", FlagNetworkPolicy, v)
		}
		n.Disabled = !on
		return nil
	})
	fs.Func(FlagIngressNamespaces, "Comma-separated namespaces, besides the Campaign's own, whose pods may call "+
		"the decision port (such as the ingress controller's namespace).", namespaceList(FlagIngressNamespaces, &n.IngressNamespaces))
	fs.Func(FlagIngressNamespaceSelector, "Label selector of further namespaces whose pods may call the decision "+
		"port (such as ethos.dev/decision-clients=true). Whoever may label namespaces controls it.",
		labelSelector(FlagIngressNamespaceSelector, &n.IngressNamespaceSelector))
	fs.Func(FlagIngressPodSelector, "Label selector of the pods of the Campaign's own namespace that may call "+
		"the decision port (default: every pod of that namespace).", labelSelector(FlagIngressPodSelector, &n.IngressPodSelector))
	fs.Func(FlagMetricsNamespaces, "Comma-separated namespaces whose pods may scrape the engines' metrics port "+
		"(such as monitoring); default none.", namespaceList(FlagMetricsNamespaces, &n.MetricsNamespaces))
}

func namespaceList(name string, into *[]string) func(string) error {
	return func(v string) (err error) {
		*into, err = ParseNamespaces(name, v)
		return err
	}
}

// ParseNamespaces reads the value of the namespace-list flag name: comma-separated namespace
// names, blanks and repeats ignored.
func ParseNamespaces(name, list string) ([]string, error) {
	var out []string
	for ns := range strings.SplitSeq(list, ",") {
		ns = strings.TrimSpace(ns)
		if ns == "" || slices.Contains(out, ns) {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("--%s: %q is not a namespace name (%s); list names separated by commas, such as shop,web",
				name, ns, strings.Join(errs, "; "))
		}
		out = append(out, ns)
	}
	return out, nil
}

func labelSelector(name string, into **metav1.LabelSelector) func(string) error {
	return func(v string) error {
		*into = nil
		if strings.TrimSpace(v) == "" {
			return nil
		}
		sel, err := metav1.ParseToLabelSelector(v)
		if err != nil {
			return fmt.Errorf("--%s: %q is not a label selector (%w); write it as kubectl -l does, such as team=web", name, v, err)
		}
		*into = sel
		return nil
	}
}

// NetworkPolicy isolates the Campaign's engine pods: no egress at all (the engine reads its
// document from a mounted file and calls nothing), TCP HTTPPort from the Campaign's own
// namespace and the namespaces net allows, TCP HealthPort (metrics, readiness) from the
// manager's pods and net.MetricsNamespaces only. Nil when net.Disabled (then the controller
// removes any it made).
//
// Kubelet probes come from the node, which NetworkPolicy implementations admit to their
// local pods, so health checks keep working.
func NetworkPolicy(c *ethosv1alpha1.Campaign, net EngineNetwork) *networkingv1ac.NetworkPolicyApplyConfiguration {
	if net.Disabled {
		return nil
	}
	sameNamespace := metav1ac.LabelSelector()
	if net.IngressPodSelector != nil {
		sameNamespace = labelSelectorApply(net.IngressPodSelector)
	}
	callers := []*networkingv1ac.NetworkPolicyPeerApplyConfiguration{
		networkingv1ac.NetworkPolicyPeer().WithPodSelector(sameNamespace),
	}
	if len(net.IngressNamespaces) > 0 {
		callers = append(callers, namespacesPeer(net.IngressNamespaces))
	}
	if net.IngressNamespaceSelector != nil {
		callers = append(callers, networkingv1ac.NetworkPolicyPeer().WithNamespaceSelector(labelSelectorApply(net.IngressNamespaceSelector)))
	}
	spec := networkingv1ac.NetworkPolicySpec().
		WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(SelectorLabels(c))).
		WithPolicyTypes(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress).
		WithIngress(networkingv1ac.NetworkPolicyIngressRule().
			WithPorts(tcpPort(HTTPPort)).
			WithFrom(callers...))
	if net.ManagerNamespace != "" {
		spec.WithIngress(networkingv1ac.NetworkPolicyIngressRule().
			WithPorts(tcpPort(HealthPort)).
			WithFrom(namespacesPeer([]string{net.ManagerNamespace}).
				WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(ManagerPodLabels))))
	}
	if len(net.MetricsNamespaces) > 0 {
		spec.WithIngress(networkingv1ac.NetworkPolicyIngressRule().
			WithPorts(tcpPort(HealthPort)).
			WithFrom(namespacesPeer(net.MetricsNamespaces)))
	}
	return networkingv1ac.NetworkPolicy(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithSpec(spec)
}

func tcpPort(port int32) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
	return networkingv1ac.NetworkPolicyPort().WithProtocol(corev1.ProtocolTCP).WithPort(intstr.FromInt32(port))
}

// namespacesPeer selects every pod of the named namespaces, through the
// kubernetes.io/metadata.name label the API server sets on every namespace (and nobody can
// change), so no one can opt a namespace in by labelling it.
func namespacesPeer(names []string) *networkingv1ac.NetworkPolicyPeerApplyConfiguration {
	return networkingv1ac.NetworkPolicyPeer().WithNamespaceSelector(metav1ac.LabelSelector().
		WithMatchExpressions(metav1ac.LabelSelectorRequirement().
			WithKey(corev1.LabelMetadataName).
			WithOperator(metav1.LabelSelectorOpIn).
			WithValues(names...)))
}

func labelSelectorApply(s *metav1.LabelSelector) *metav1ac.LabelSelectorApplyConfiguration {
	out := metav1ac.LabelSelector()
	if len(s.MatchLabels) > 0 {
		out.WithMatchLabels(s.MatchLabels)
	}
	for _, r := range s.MatchExpressions {
		out.WithMatchExpressions(metav1ac.LabelSelectorRequirement().WithKey(r.Key).WithOperator(r.Operator).WithValues(r.Values...))
	}
	return out
}
