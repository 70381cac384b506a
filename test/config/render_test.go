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

// Package config_test renders the install manifests with kustomize (as a library, the version
// bin/kustomize uses) and checks what a platform engineer relies on: every object valid for its
// kind (a server-side dry-run create against a real kube-apiserver), a webhook that only sees
// Ethos's API group and fails closed fast, restricted pods, and least-privilege RBAC.
package config_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/ethos-operator/ethos/internal/resources"
	"github.com/ethos-operator/ethos/internal/testenv"
)

const (
	namespace = "ethos-system"
	apiGroup  = "personalization.ethos.dev"
)

// render builds config/<dir> and returns its objects.
func render(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	return renderPath(t, filepath.Join(testenv.RepoRoot(), "config", dir))
}

// renderPath builds the kustomization in path and returns its objects.
func renderPath(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), path)
	if err != nil {
		t.Fatalf("failed to render %s: %v", path, err)
	}
	var objs []*unstructured.Unstructured
	for _, r := range resMap.Resources() {
		// Through JSON, so numbers are int64/float64 as in every other unstructured object.
		data, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("failed to read rendered object: %v", err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			t.Fatalf("failed to decode rendered object: %v", err)
		}
		objs = append(objs, u)
	}
	return objs
}

// decode converts a rendered object into its typed form, refusing unknown fields.
func decode(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	data, err := yaml.Marshal(u.Object)
	if err != nil {
		t.Fatalf("failed to marshal %s: %v", u.GetName(), err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s %s is not a valid %s: %v", u.GetKind(), u.GetName(), u.GetKind(), err)
	}
}

func find(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func one(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	found := find(objs, kind)
	if len(found) != 1 {
		t.Fatalf("want exactly one %s, got %d", kind, len(found))
	}
	return found[0]
}

// bareAPIServer starts kube-apiserver and etcd with no CRDs (they are among the objects under
// test) and returns an admin client; the server stops with the test.
func bareAPIServer(t *testing.T) client.Client {
	t.Helper()
	g := NewWithT(t)
	assets, err := testenv.Assets()
	g.Expect(err).NotTo(HaveOccurred())
	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	// Generous: the API server starts slowly on a loaded machine (this is not a timing assertion).
	env.ControlPlaneStartTimeout = 3 * time.Minute
	cfg, err := env.Start()
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(cfg, client.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	return c
}

// TestDefaultIsValidForAPIServer creates every object of config/default with a server-side
// dry run (the Namespace for real, so namespaced objects can be checked): the API server's
// own validation, defaulting and schema checks, for CRDs, RBAC, the webhook and the Deployment.
func TestDefaultIsValidForAPIServer(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "default")

	c := bareAPIServer(t)
	ctx := context.Background()

	ns := one(t, objs, "Namespace")
	g.Expect(c.Create(ctx, ns.DeepCopy())).To(Succeed())
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		err := c.Create(ctx, o.DeepCopy(), client.DryRunAll)
		g.Expect(err).NotTo(HaveOccurred(), "%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
	}
}

// TestDefaultWebhook: scoped to this API group only, fail closed with a short timeout, pointing
// at the rendered Service.
func TestDefaultWebhook(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "default")
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	decode(t, one(t, objs, "ValidatingWebhookConfiguration"), &vwc)
	g.Expect(find(objs, "MutatingWebhookConfiguration")).To(BeEmpty())

	var services []string
	for _, s := range find(objs, "Service") {
		services = append(services, s.GetNamespace()+"/"+s.GetName())
	}
	g.Expect(vwc.Webhooks).NotTo(BeEmpty())
	for _, wh := range vwc.Webhooks {
		g.Expect(wh.FailurePolicy).To(HaveValue(Equal(admissionregistrationv1.Fail)), wh.Name)
		g.Expect(wh.TimeoutSeconds).To(HaveValue(BeNumerically("<=", 5)), wh.Name)
		g.Expect(wh.SideEffects).To(HaveValue(Equal(admissionregistrationv1.SideEffectClassNone)), wh.Name)
		g.Expect(wh.Rules).NotTo(BeEmpty(), wh.Name)
		for _, r := range wh.Rules {
			g.Expect(r.APIGroups).To(Equal([]string{apiGroup}), wh.Name)
			g.Expect(r.Resources).NotTo(ContainElement(ContainSubstring("*")), wh.Name)
		}
		g.Expect(wh.ClientConfig.Service).NotTo(BeNil(), wh.Name)
		g.Expect(wh.ClientConfig.CABundle).To(BeEmpty(), "the manager injects the CA bundle")
		g.Expect(services).To(ContainElement(wh.ClientConfig.Service.Namespace+"/"+wh.ClientConfig.Service.Name), wh.Name)
	}
}

// manager decodes the manager Deployment.
func manager(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	decode(t, one(t, objs, "Deployment"), &d)
	return &d
}

// TestDefaultManager: restricted pod security on every container, probes, resources,
// availability, and flags that name the objects actually rendered.
func TestDefaultManager(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "default")
	d := manager(t, objs)
	pod := d.Spec.Template.Spec

	g.Expect(d.Spec.Replicas).To(HaveValue(BeNumerically(">=", 2)))
	g.Expect(pod.SecurityContext).NotTo(BeNil())
	g.Expect(pod.SecurityContext.RunAsNonRoot).To(HaveValue(BeTrue()))
	g.Expect(pod.SecurityContext.SeccompProfile).To(HaveValue(HaveField("Type", corev1.SeccompProfileTypeRuntimeDefault)))
	g.Expect(pod.HostNetwork || pod.HostPID || pod.HostIPC).To(BeFalse())
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		sc := c.SecurityContext
		g.Expect(sc).NotTo(BeNil(), c.Name)
		g.Expect(sc.AllowPrivilegeEscalation).To(HaveValue(BeFalse()), c.Name)
		g.Expect(sc.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()), c.Name)
		g.Expect(sc.Privileged).To(Or(BeNil(), HaveValue(BeFalse())), c.Name)
		g.Expect(sc.Capabilities).To(HaveValue(HaveField("Drop", Equal([]corev1.Capability{"ALL"}))), c.Name)
		g.Expect(sc.Capabilities.Add).To(BeEmpty(), c.Name)
		g.Expect(c.LivenessProbe).NotTo(BeNil(), c.Name)
		g.Expect(c.ReadinessProbe).To(HaveValue(HaveField("HTTPGet.Path", "/readyz")), c.Name)
		g.Expect(c.Resources.Requests).To(HaveKey(corev1.ResourceCPU), c.Name)
		g.Expect(c.Resources.Requests).To(HaveKey(corev1.ResourceMemory), c.Name)
		g.Expect(c.Resources.Limits).To(HaveKey(corev1.ResourceMemory), c.Name)
	}

	c := pod.Containers[0]
	g.Expect(c.Command).To(Equal([]string{"/manager"}))
	g.Expect(c.Args).To(ContainElement("--leader-elect"))
	// The decision engines run the manager's image.
	g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "ETHOS_ENGINE_IMAGE", Value: c.Image}))

	// The certificate flags name objects that exist in the render.
	names := map[string]string{}
	for _, o := range objs {
		names[o.GetKind()+"/"+o.GetName()] = o.GetNamespace()
	}
	g.Expect(names).To(HaveKeyWithValue("Secret/"+flag(t, c.Args, "cert-secret-name"), namespace))
	g.Expect(names).To(HaveKeyWithValue("Service/"+flag(t, c.Args, "webhook-service-name"), namespace))
	g.Expect(names).To(HaveKey("ValidatingWebhookConfiguration/" + flag(t, c.Args, "webhook-config-name")))
	// ...and the Secret is the one mounted where the webhook server reads its certificate.
	g.Expect(mountedCertSecret(t, d)).To(Equal(flag(t, c.Args, "cert-secret-name")))

	// A PodDisruptionBudget keeps a webhook replica through voluntary disruptions.
	var pdb policyv1.PodDisruptionBudget
	decode(t, one(t, objs, "PodDisruptionBudget"), &pdb)
	g.Expect(pdb.Spec.MinAvailable).NotTo(BeNil())
	g.Expect(labels.SelectorFromSet(pdb.Spec.Selector.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels))).To(BeTrue())
}

// mountedCertSecret returns the name of the Secret mounted where the manager's webhook server
// reads its certificate (--webhook-cert-path); empty when none is.
func mountedCertSecret(t *testing.T, d *appsv1.Deployment) string {
	t.Helper()
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	certDir := flag(t, c.Args, "webhook-cert-path")
	for _, m := range c.VolumeMounts {
		if m.MountPath != certDir {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				return v.Secret.SecretName
			}
		}
	}
	return ""
}

// flag returns the value of --name=value in args.
func flag(t *testing.T, args []string, name string) string {
	t.Helper()
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	t.Fatalf("manager has no --%s flag", name)
	return ""
}

// TestDefaultRBAC: no wildcards anywhere, and Secrets reachable only through a namespaced Role
// in ethos-system whose writes are limited by name.
func TestDefaultRBAC(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "default")
	checkRules := func(kind, name string, rules []rbacv1.PolicyRule) {
		for i, r := range rules {
			where := fmt.Sprintf("%s %s rules[%d]", kind, name, i)
			for _, list := range [][]string{r.APIGroups, r.Resources, r.Verbs, r.ResourceNames, r.NonResourceURLs} {
				g.Expect(list).NotTo(ContainElement(ContainSubstring("*")), where)
			}
			if !slices.Contains(r.Resources, "secrets") {
				continue
			}
			g.Expect(kind).To(Equal("Role"), where+": Secrets only through a namespaced Role")
			for _, v := range r.Verbs {
				if v != "list" && v != "watch" { // informers cannot be narrowed by name
					g.Expect(r.ResourceNames).NotTo(BeEmpty(), where+": "+v+" must name the Secret")
				}
			}
		}
	}
	for _, o := range find(objs, "ClusterRole") {
		var cr rbacv1.ClusterRole
		decode(t, o, &cr)
		checkRules("ClusterRole", cr.Name, cr.Rules)
	}
	roles := find(objs, "Role")
	g.Expect(roles).NotTo(BeEmpty())
	for _, o := range roles {
		var r rbacv1.Role
		decode(t, o, &r)
		g.Expect(r.Namespace).To(Equal(namespace), r.Name)
		checkRules("Role", r.Name, r.Rules)
	}
	// Every binding points at a role of the render and at the manager's ServiceAccount.
	sa := one(t, objs, "ServiceAccount")
	for _, kind := range []string{"RoleBinding", "ClusterRoleBinding"} {
		for _, o := range find(objs, kind) {
			var b rbacv1.RoleBinding // same shape as ClusterRoleBinding
			decode(t, o, &b)
			g.Expect(find(objs, b.RoleRef.Kind)).To(ContainElement(HaveField("Object", HaveKeyWithValue("metadata",
				HaveKeyWithValue("name", b.RoleRef.Name)))), "%s %s", kind, b.Name)
			g.Expect(b.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: sa.GetName(), Namespace: namespace}))
		}
	}
}

// TestCertManagerOverlay: the alternative gets its certificate from cert-manager and the manager
// neither rotates certificates nor reads Secrets.
func TestCertManagerOverlay(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "certmanager")
	d := manager(t, objs)
	c := d.Spec.Template.Spec.Containers[0]
	g.Expect(c.Args).To(ContainElement("--disable-cert-rotation"))

	cert := one(t, objs, "Certificate")
	g.Expect(cert.GetNamespace()).To(Equal(namespace))
	secretName, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName")
	g.Expect(secretName).To(Equal(flag(t, c.Args, "cert-secret-name")))
	// The webhook server reads the Secret cert-manager writes.
	g.Expect(mountedCertSecret(t, d)).To(Equal(secretName), "the manager mounts another Secret than the Certificate's")
	dnsNames, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
	g.Expect(dnsNames).To(ContainElement(flag(t, c.Args, "webhook-service-name") + "." + namespace + ".svc"))

	vwc := one(t, objs, "ValidatingWebhookConfiguration")
	g.Expect(vwc.GetAnnotations()).To(HaveKeyWithValue("cert-manager.io/inject-ca-from", namespace+"/"+cert.GetName()))
	g.Expect(find(objs, "Secret")).To(BeEmpty(), "cert-manager creates the Secret")
	g.Expect(find(objs, "Role")).NotTo(ContainElement(HaveField("Object", HaveKeyWithValue("rules",
		ContainElement(HaveKeyWithValue("resources", ContainElement("secrets")))))))
}

// TestDefaultEngineNetwork: config/default gives every engine a NetworkPolicy (the manager's
// flags), metrics from the monitoring namespace only, and the manager may write them; the
// policy built from the rendered flags is valid for the API server (TestNamespacedManager
// applies it for real).
func TestDefaultEngineNetwork(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "default")
	network := engineNetwork(t, managerArgs(t, objs))
	g.Expect(network).To(Equal(resources.EngineNetwork{MetricsNamespaces: []string{"monitoring"}}))

	var role rbacv1.ClusterRole
	for _, o := range find(objs, "ClusterRole") {
		if o.GetName() == "ethos-manager-role" {
			decode(t, o, &role)
		}
	}
	g.Expect(role.Rules).To(ContainElement(rbacv1.PolicyRule{
		APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"},
		Verbs: []string{"create", "delete", "get", "list", "patch", "watch"},
	}))
}
