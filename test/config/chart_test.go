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

// The Helm chart (charts/ethos) against config/: its default render is config/default, its
// cert-manager render config/certmanager (less Helm's labels and the Namespace Helm does not
// own), every object it can render is valid for a real API server, the monitoring objects
// reach the engine pods, and wrong values fail with the key's path. The helm binary is the
// pinned one `make helm` installs (bin/helm), or $HELM.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	goflag "flag"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/resources"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// helmLabels are the labels the chart adds to every templated object.
var helmLabels = []string{"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by"}

func helmBinary(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h
	}
	h := filepath.Join(testenv.RepoRoot(), "bin", "helm")
	if _, err := os.Stat(h); err != nil {
		t.Fatalf("no helm binary at %s: run `make helm` (or set HELM)", h)
	}
	return h
}

// helmTemplate renders the chart as release "ethos" in ethos-system, CRDs included.
func helmTemplate(t *testing.T, set ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	args := []string{"template", "ethos", filepath.Join(testenv.RepoRoot(), "charts", "ethos"),
		"--namespace", namespace, "--include-crds"}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, errors.New(stderr.String())
	}
	// Through JSON, as render does, so numbers are int64/float64 alike on both sides.
	var objs []*unstructured.Unstructured
	docs := utilyaml.NewYAMLReader(bufio.NewReader(&stdout))
	for {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("helm template printed invalid YAML: %v", err)
		}
		data, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("helm template printed invalid YAML: %v", err)
		}
		if string(data) == "null" {
			continue // a template that rendered nothing
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			t.Fatalf("helm template printed an invalid object: %v\n%s", err, doc)
		}
		objs = append(objs, u)
	}
	return objs, nil
}

func mustTemplate(t *testing.T, set ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := helmTemplate(t, set...)
	if err != nil {
		t.Fatalf("helm template %v: %s", set, err)
	}
	return objs
}

// withoutHelm removes what the chart adds on top of config/ at its defaults: Helm's labels
// and the log-level flag; and writes --leader-elect=true as config/ does.
func withoutHelm(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		o = o.DeepCopy()
		l := o.GetLabels()
		for _, k := range helmLabels {
			delete(l, k)
		}
		if len(l) == 0 {
			l = nil
		}
		o.SetLabels(l)
		if o.GetKind() == "Deployment" {
			containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, c := range containers {
				m := c.(map[string]any)
				args, _ := m["args"].([]any)
				args = slices.DeleteFunc(args, func(a any) bool { return a == "--zap-log-level=info" })
				if i := slices.Index(args, any("--leader-elect=true")); i >= 0 {
					args[i] = "--leader-elect"
				}
				m["args"] = args
			}
			_ = unstructured.SetNestedSlice(o.Object, containers, "spec", "template", "spec", "containers")
		}
		out = append(out, o)
	}
	return out
}

// withoutKustomize is config/<dir> as the chart installs it: no Namespace, no managed-by label.
func withoutKustomize(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		o = o.DeepCopy()
		l := o.GetLabels()
		delete(l, "app.kubernetes.io/managed-by")
		if len(l) == 0 {
			l = nil
		}
		o.SetLabels(l)
		out = append(out, o)
	}
	return out
}

func byKindAndName(objs []*unstructured.Unstructured) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, o := range objs {
		m[o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName()] = o.Object
	}
	return m
}

// TestChartMatchesConfig: with config/'s image, the chart renders exactly config/default, with
// webhook.certManager.enabled config/certmanager, and with rbac.watchNamespaces set to its
// example namespace config/namespaced.
func TestChartMatchesConfig(t *testing.T) {
	for overlay, set := range map[string][]string{
		"default":     nil,
		"certmanager": {"webhook.certManager.enabled=true"},
		"namespaced":  {"rbac.watchNamespaces={shop}"},
	} {
		t.Run(overlay, func(t *testing.T) {
			g := NewWithT(t)
			chart := withoutHelm(mustTemplate(t, append(set, "image.repository=controller", "image.tag=latest")...))
			want := withoutKustomize(render(t, overlay))
			got, wantByName := byKindAndName(chart), byKindAndName(want)
			g.Expect(slices.Sorted(maps.Keys(got))).To(Equal(slices.Sorted(maps.Keys(wantByName))),
				"charts/ethos has other objects than config/%s: run `make chart` and commit", overlay)
			for name, w := range wantByName {
				g.Expect(got[name]).To(Equal(w), "%s of charts/ethos differs from config/%s: run `make chart`, or align values.yaml with config/ for a default, and commit", name, overlay)
			}
		})
	}
}

// TestChartValues: the values reach the objects.
func TestChartValues(t *testing.T) {
	g := NewWithT(t)
	objs := mustTemplate(t,
		"image.repository=registry.example/ethos", "image.tag=v1.2.3", "image.pullPolicy=Always",
		"manager.replicas=3", "manager.leaderElection=false", "manager.logLevel=debug",
		"manager.resources.limits.memory=1Gi", "manager.extraArgs={--enable-http2}",
		"manager.nodeSelector.pool=system", "engine.image=registry.example/engine:v1.2.3")
	d := manager(t, objs)
	c := d.Spec.Template.Spec.Containers[0]
	g.Expect(d.Spec.Replicas).To(HaveValue(Equal(int32(3))))
	g.Expect(c.Image).To(Equal("registry.example/ethos:v1.2.3"))
	g.Expect(c.ImagePullPolicy).To(Equal(corev1.PullAlways))
	g.Expect(c.Args).To(ContainElements("--leader-elect=false", "--zap-log-level=debug", "--enable-http2"))
	g.Expect(c.Resources.Limits.Memory().String()).To(Equal("1Gi"))
	g.Expect(c.Resources.Requests.Memory().String()).To(Equal("128Mi"), "unset values keep the defaults")
	g.Expect(d.Spec.Template.Spec.NodeSelector).To(Equal(map[string]string{"pool": "system"}))
	g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "ETHOS_ENGINE_IMAGE", Value: "registry.example/engine:v1.2.3"}))
	g.Expect(d.Labels).To(HaveKeyWithValue("app.kubernetes.io/managed-by", "Helm"))
	g.Expect(d.Labels).To(HaveKeyWithValue("app.kubernetes.io/instance", "ethos"))

	// Without engine.image the engines run the manager's image; without image.tag, appVersion.
	c = manager(t, mustTemplate(t)).Spec.Template.Spec.Containers[0]
	g.Expect(c.Image).To(Equal("ghcr.io/ethos-operator/ethos:dev"))
	g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "ETHOS_ENGINE_IMAGE", Value: c.Image}))
}

// TestChartRejectsWrongValues: values.schema.json names the key that is wrong.
func TestChartRejectsWrongValues(t *testing.T) {
	for set, want := range map[string]string{
		"manager.replicas=0":                              "/manager/replicas",
		"manager.replica=3":                               "replica",
		"manager.logLevel=verbose":                        "/manager/logLevel",
		"image.pullPolicy=Sometimes":                      "/image/pullPolicy",
		"manager.resources.limits.cpu=lots":               "/manager/resources/limits/cpu",
		"manager.extraArgs={leader-elect}":                "/manager/extraArgs/0",
		"networkPolicy.ingressNamespaces={Shop}":          "/networkPolicy/ingressNamespaces/0",
		"networkPolicy.ingressPodSelector.role=front end": "/networkPolicy/ingressPodSelector/role",
		"networkPolicy.engineNamespaces={shop}":           "engineNamespaces",
		"monitoring.namespace=":                           "/monitoring/namespace",
		"rbac.watchNamespaces={shop,Web}":                 "/rbac/watchNamespaces/1",
		"rbac.watchNamespaces={shop,shop}":                "/rbac/watchNamespaces",
		"monitoring.podMonitor.interval=soon":             "/monitoring/podMonitor/interval",
		"engine.servingLimits.maxConnections=-1":          "/engine/servingLimits/maxConnections",
		"engine.servingLimits.maxInFlight=0":              "/engine/servingLimits/maxInFlight",
		"engine.servingLimits.maxBytesInFlight=4096":      "/engine/servingLimits/maxBytesInFlight",
		"engine.servingLimits.maxConnection=10":           "maxConnection",
	} {
		t.Run(set, func(t *testing.T) {
			g := NewWithT(t)
			_, err := helmTemplate(t, set)
			g.Expect(err).To(MatchError(ContainSubstring(want)))
			g.Expect(err).To(MatchError(ContainSubstring("values don't meet the specifications of the schema")))
		})
	}
}

// everything renders every optional object the API server knows without extra CRDs.
var everything = []string{
	"networkPolicy.ingressNamespaces={ingress-nginx}", "networkPolicy.ingressNamespaceSelector.ethos\\.dev/decision-clients=true",
	"networkPolicy.ingressPodSelector.role=frontend", "rbac.watchNamespaces={shop}",
	"monitoring.podMonitor.enabled=true", "monitoring.serviceMonitor.enabled=true",
	"monitoring.serviceMonitor.prometheusServiceAccount.name=prometheus-k8s",
	"monitoring.prometheusRule.enabled=true", "monitoring.dashboard.enabled=true",
}

// TestChartIsValidForAPIServer creates every object of the chart, with everything enabled, by a
// server-side dry run (the CRDs and namespaces for real). Prometheus Operator's kinds are not
// known to a bare API server; TestChartMonitoring checks them.
func TestChartIsValidForAPIServer(t *testing.T) {
	g := NewWithT(t)
	objs := mustTemplate(t, everything...)

	c := bareAPIServer(t)
	ctx := context.Background()

	for _, ns := range []string{namespace, "shop"} {
		g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	}
	checked := map[string]int{}
	for _, o := range objs {
		if o.GroupVersionKind().Group == "monitoring.coreos.com" {
			continue
		}
		err := c.Create(ctx, o.DeepCopy(), client.DryRunAll)
		g.Expect(err).NotTo(HaveOccurred(), "%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
		checked[o.GetKind()]++
	}
	// The optional objects were among them; the engines' NetworkPolicies are the manager's.
	g.Expect(checked).NotTo(HaveKey("NetworkPolicy"))
	g.Expect(checked).To(HaveKeyWithValue("ConfigMap", 1))
	g.Expect(checked).To(HaveKeyWithValue("CustomResourceDefinition", 2))
	g.Expect(checked).To(HaveKey("Deployment"))
}

// TestChartMonitoring: the PodMonitor selects the engine pods the controller creates, on their
// named metrics port; the engines' NetworkPolicies admit Prometheus's namespace to that port; the
// rules and the dashboard are the files of config/.
func TestChartMonitoring(t *testing.T) {
	g := NewWithT(t)
	objs := mustTemplate(t, everything...)
	kinds := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		kinds[o.GetKind()] = o
	}

	campaign := &ethosv1alpha1.Campaign{ObjectMeta: metav1.ObjectMeta{Name: "spring-running", Namespace: "shop"}}
	pm := kinds["PodMonitor"]
	g.Expect(pm).NotTo(BeNil())
	sel, _, _ := unstructured.NestedStringMap(pm.Object, "spec", "selector", "matchLabels")
	g.Expect(labels.SelectorFromSet(sel).Matches(labels.Set(resources.Labels(campaign)))).To(BeTrue())
	endpoints, _, _ := unstructured.NestedSlice(pm.Object, "spec", "podMetricsEndpoints")
	g.Expect(endpoints).To(HaveLen(1))
	g.Expect(endpoints[0]).To(HaveKeyWithValue("port", resources.HealthPortName))
	g.Expect(endpoints[0]).To(HaveKeyWithValue("path", "/metrics"))
	anyNamespace, _, _ := unstructured.NestedBool(pm.Object, "spec", "namespaceSelector", "any")
	g.Expect(anyNamespace).To(BeTrue())

	sm := kinds["ServiceMonitor"]
	g.Expect(sm).NotTo(BeNil())
	smSel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	var metricsService *unstructured.Unstructured
	for _, o := range find(objs, "Service") {
		if labels.SelectorFromSet(smSel).Matches(labels.Set(o.GetLabels())) {
			g.Expect(metricsService).To(BeNil(), "the ServiceMonitor selects one Service")
			metricsService = o
		}
	}
	g.Expect(metricsService).NotTo(BeNil())
	g.Expect(metricsService.GetName()).To(Equal("ethos-controller-manager-metrics-service"))

	g.Expect(engineNetwork(t, managerArgs(t, objs)).MetricsNamespaces).To(Equal([]string{"monitoring"}))

	rule := kinds["PrometheusRule"]
	g.Expect(rule).NotTo(BeNil())
	rules, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "prometheus", "rules.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	var wantRules map[string]any
	g.Expect(yaml.Unmarshal(rules, &wantRules)).To(Succeed())
	g.Expect(rule.Object["spec"]).To(Equal(wantRules))

	dashboard, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "grafana", "ethos.json"))
	g.Expect(err).NotTo(HaveOccurred())
	cm := one(t, objs, "ConfigMap")
	g.Expect(cm.GetLabels()).To(HaveKeyWithValue("grafana_dashboard", "1"))
	data, _, _ := unstructured.NestedString(cm.Object, "data", "ethos.json")
	g.Expect(data).To(Equal(strings.TrimSuffix(string(dashboard), "\n")))
}

// TestChartEngineNetwork: the networkPolicy values and monitoring.namespace become the manager's
// engine network flags, parsed as the manager parses them.
func TestChartEngineNetwork(t *testing.T) {
	for name, tc := range map[string]struct {
		set  []string
		want resources.EngineNetwork
	}{
		"defaults": {want: resources.EngineNetwork{MetricsNamespaces: []string{"monitoring"}}},
		"every source": {
			set: []string{
				"networkPolicy.ingressNamespaces={ingress-nginx,gateway}",
				`networkPolicy.ingressNamespaceSelector.ethos\.dev/decision-clients=true`,
				"networkPolicy.ingressNamespaceSelector.env=prod",
				"networkPolicy.ingressPodSelector.role=frontend",
				"monitoring.namespace=observability",
			},
			want: resources.EngineNetwork{
				IngressNamespaces: []string{"ingress-nginx", "gateway"},
				// As metav1.ParseToLabelSelector returns them, with an empty MatchExpressions.
				IngressNamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
					"ethos.dev/decision-clients": "true", "env": "prod"}, MatchExpressions: []metav1.LabelSelectorRequirement{}},
				IngressPodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"role": "frontend"},
					MatchExpressions: []metav1.LabelSelectorRequirement{}},
				MetricsNamespaces: []string{"observability"},
			},
		},
		"disabled": {
			set:  []string{"networkPolicy.enabled=false", "networkPolicy.ingressNamespaces={ingress-nginx}"},
			want: resources.EngineNetwork{Disabled: true},
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(engineNetwork(t, managerArgs(t, mustTemplate(t, tc.set...)))).To(Equal(tc.want))
		})
	}
}

// TestChartEngineServingLimits: engine.servingLimits become the manager's --engine-max-* flags,
// parsed as the manager parses them; null (the default) passes none, 0 connections is a value.
func TestChartEngineServingLimits(t *testing.T) {
	for name, tc := range map[string]struct {
		set  []string
		want resources.EngineLimits
	}{
		"defaults": {},
		"every limit": {
			set: []string{"engine.servingLimits.maxConnections=4096", "engine.servingLimits.maxInFlight=512",
				"engine.servingLimits.maxBytesInFlight=67108864"},
			want: resources.EngineLimits{MaxConnections: ptr.To[int64](4096), MaxInFlight: ptr.To[int64](512),
				MaxBytesInFlight: ptr.To[int64](64 << 20)},
		},
		"no connection cap": {
			set:  []string{"engine.servingLimits.maxConnections=0"},
			want: resources.EngineLimits{MaxConnections: ptr.To[int64](0)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			var l resources.EngineLimits
			fs := goflag.NewFlagSet("manager", goflag.ContinueOnError)
			fs.SetOutput(io.Discard)
			l.BindFlags(fs)
			var mine []string
			for _, a := range managerArgs(t, mustTemplate(t, tc.set...)) {
				if strings.HasPrefix(a, "--engine-max-") {
					mine = append(mine, a)
				}
			}
			g.Expect(fs.Parse(mine)).To(Succeed())
			g.Expect(l).To(Equal(tc.want))
		})
	}
}

// TestChartWatchNamespaces: rbac.watchNamespaces binds manager-role in exactly the listed
// namespaces instead of cluster-wide, passes the same list to the manager, and refuses the
// release namespace.
func TestChartWatchNamespaces(t *testing.T) {
	g := NewWithT(t)
	objs := mustTemplate(t, "rbac.watchNamespaces={web,payments}", "webhook.certManager.enabled=true")
	g.Expect(flag(t, managerArgs(t, objs), "watch-namespaces")).To(Equal("web,payments"))
	managerRole := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "ethos-manager-role"}
	var boundIn []string
	for _, o := range find(objs, "RoleBinding") {
		var b rbacv1.RoleBinding
		decode(t, o, &b)
		if b.RoleRef == managerRole {
			boundIn = append(boundIn, b.Namespace)
			g.Expect(b.Subjects).To(Equal([]rbacv1.Subject{{Kind: "ServiceAccount", Name: "ethos-controller-manager", Namespace: namespace}}))
		}
	}
	g.Expect(boundIn).To(Equal([]string{"web", "payments"}))
	for _, o := range find(objs, "ClusterRoleBinding") {
		var b rbacv1.ClusterRoleBinding
		decode(t, o, &b)
		g.Expect(b.RoleRef).NotTo(Equal(managerRole), "no cluster-wide grant of manager-role: %s", b.Name)
	}

	// Cluster-wide by default: no --watch-namespaces, manager-role bound by a ClusterRoleBinding.
	objs = mustTemplate(t)
	g.Expect(managerArgs(t, objs)).NotTo(ContainElement(HavePrefix("--watch-namespaces")))
	g.Expect(find(objs, "ClusterRoleBinding")).To(ContainElement(HaveField("Object", HaveKeyWithValue("roleRef",
		HaveKeyWithValue("name", "ethos-manager-role")))))

	_, err := helmTemplate(t, "rbac.watchNamespaces={shop,"+namespace+"}")
	g.Expect(err).To(MatchError(ContainSubstring("rbac.watchNamespaces: " + namespace + " is the release namespace")))
}
