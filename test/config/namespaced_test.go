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
	goflag "flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/controller"
	"github.com/ethos-operator/ethos/internal/resources"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// clusterScoped are the only cluster-scoped resources the manager's roles name. A rule on one of
// them means nothing in a RoleBinding; a rule on anything else means write access in every
// namespace when bound by a ClusterRoleBinding.
var clusterScoped = []string{"validatingwebhookconfigurations", "tokenreviews", "subjectaccessreviews"}

// managerArgs returns the rendered manager container's arguments.
func managerArgs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	return manager(t, objs).Spec.Template.Spec.Containers[0].Args
}

// engineNetwork parses the --engine-* network flags of args as the manager does.
func engineNetwork(t *testing.T, args []string) resources.EngineNetwork {
	t.Helper()
	var n resources.EngineNetwork
	fs := goflag.NewFlagSet("manager", goflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n.BindFlags(fs)
	var mine []string
	for _, a := range args {
		if strings.HasPrefix(a, "--engine-") && !strings.HasPrefix(a, "--engine-image") {
			mine = append(mine, a)
		}
	}
	if err := fs.Parse(mine); err != nil {
		t.Fatalf("manager's engine network flags do not parse: %v", err)
	}
	return n
}

// TestNamespacedOverlayRBAC: in config/namespaced nothing grants a namespaced resource
// cluster-wide, and manager-role is bound exactly in the namespaces the manager watches.
func TestNamespacedOverlayRBAC(t *testing.T) {
	g := NewWithT(t)
	objs := render(t, "namespaced")
	watched, err := controller.ParseNamespaces(flag(t, managerArgs(t, objs), "watch-namespaces"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(watched).NotTo(BeEmpty())

	clusterRoles := map[string]rbacv1.ClusterRole{}
	for _, o := range find(objs, "ClusterRole") {
		var cr rbacv1.ClusterRole
		decode(t, o, &cr)
		clusterRoles[cr.Name] = cr
	}
	// The generated manager-role holds namespaced rules only, so a RoleBinding grants all of it.
	managerRole, ok := clusterRoles["ethos-manager-role"]
	g.Expect(ok).To(BeTrue())
	for _, r := range managerRole.Rules {
		for _, res := range r.Resources {
			g.Expect(clusterScoped).NotTo(ContainElement(strings.Split(res, "/")[0]), "manager-role must stay namespaced: %v", r)
		}
	}
	for _, o := range find(objs, "ClusterRoleBinding") {
		var b rbacv1.ClusterRoleBinding
		decode(t, o, &b)
		g.Expect(b.RoleRef.Name).NotTo(Equal("ethos-manager-role"), "no cluster-wide grant of workload verbs: %s", b.Name)
		role, ok := clusterRoles[b.RoleRef.Name]
		g.Expect(ok).To(BeTrue(), b.Name)
		for _, r := range role.Rules {
			for _, res := range r.Resources {
				g.Expect(clusterScoped).To(ContainElement(res), "%s grants %s cluster-wide", b.Name, res)
			}
		}
	}
	var boundIn []string
	for _, o := range find(objs, "RoleBinding") {
		var b rbacv1.RoleBinding
		decode(t, o, &b)
		if b.RoleRef.Kind == "ClusterRole" && b.RoleRef.Name == "ethos-manager-role" {
			boundIn = append(boundIn, b.Namespace)
			g.Expect(b.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: "ethos-controller-manager", Namespace: namespace}))
		}
	}
	g.Expect(boundIn).To(ConsistOf(watched), "--watch-namespaces and the RoleBindings must list the same namespaces")
	// Everything else is config/default's.
	g.Expect(objs).To(HaveLen(len(render(t, "default")) - 1 + len(watched)))
}

// TestWatchNamespacesScript: `make build-installer OVERLAY=namespaced WATCH_NAMESPACES=...`
// (hack/watch-namespaces.sh on a copy of config/) renders RoleBindings for exactly the listed
// namespaces and the same list in --watch-namespaces, and refuses a name that is not one.
func TestWatchNamespacesScript(t *testing.T) {
	g := NewWithT(t)
	copyOfConfig := filepath.Join(t.TempDir(), "config")
	g.Expect(exec.Command("cp", "-r", filepath.Join(testenv.RepoRoot(), "config"), copyOfConfig).Run()).To(Succeed())
	script := filepath.Join(testenv.RepoRoot(), "hack", "watch-namespaces.sh")
	overlay := filepath.Join(copyOfConfig, "namespaced")

	out, err := exec.Command(script, overlay, "Web").CombinedOutput()
	g.Expect(err).To(HaveOccurred())
	g.Expect(string(out)).To(ContainSubstring(`WATCH_NAMESPACES: "Web" is not a namespace name`))

	out, err = exec.Command(script, overlay, "web, payments,web").CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))
	objs := renderPath(t, overlay)
	g.Expect(flag(t, managerArgs(t, objs), "watch-namespaces")).To(Equal("web,payments"))
	var boundIn []string
	for _, o := range find(objs, "RoleBinding") {
		var b rbacv1.RoleBinding
		decode(t, o, &b)
		if b.RoleRef == (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "ethos-manager-role"}) {
			boundIn = append(boundIn, b.Namespace)
		}
	}
	g.Expect(boundIn).To(ConsistOf("web", "payments"))
}

// TestNamespacedManager runs both controllers as cmd/manager wires them, as the manager's
// ServiceAccount with only the RBAC of config/namespaced (impersonation), and checks that a
// watched namespace gets its engine while anything outside is out of reach.
func TestNamespacedManager(t *testing.T) {
	g := NewWithT(t)
	ctrl.SetLogger(logr.Discard())
	objs := render(t, "namespaced")
	args := managerArgs(t, objs)
	watched, err := controller.ParseNamespaces(flag(t, args, "watch-namespaces"))
	g.Expect(err).NotTo(HaveOccurred())
	shop := watched[0]
	const other = "not-watched"

	env, err := testenv.Start(testenv.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	admin := env.Client
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	// The install's namespace, the watched ones and one that is not; then the rendered RBAC.
	for _, ns := range slices.Concat([]string{namespace, other}, watched) {
		g.Expect(admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding":
			g.Expect(admin.Create(ctx, o.DeepCopy())).To(Succeed(), "%s %s", o.GetKind(), o.GetName())
		}
	}
	sa := one(t, objs, "ServiceAccount")
	asManager := rest.CopyConfig(env.Config)
	asManager.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + sa.GetNamespace() + ":" + sa.GetName(),
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + sa.GetNamespace(), "system:authenticated"},
	}

	// The start-up check passes for the watched namespaces and names one without a RoleBinding.
	g.Expect(controller.CheckNamespaceAccess(ctx, asManager, watched)).To(Succeed())
	g.Expect(controller.CheckNamespaceAccess(ctx, asManager, []string{shop, other})).
		To(MatchError(ContainSubstring("namespace(s) " + other + " listed in --watch-namespaces")))

	network := engineNetwork(t, args)
	stop := startManager(t, ctx, asManager, watched, network, true)
	t.Cleanup(stop)

	// The same policy and Campaign in a namespace not watched, then in the watched one.
	for _, ns := range []string{other, shop} {
		g.Expect(admin.Create(ctx, readSample[ethosv1alpha1.ConsentPolicy](t, "samples/01-consentpolicy-eu-web.yaml", ns))).To(Succeed())
		g.Expect(admin.Create(ctx, readSample[ethosv1alpha1.Campaign](t, "samples/03-campaign-spring-running.yaml", ns))).To(Succeed())
	}

	// The watched namespace gets its engine objects, status and the policy's finalizer.
	campaign := &ethosv1alpha1.Campaign{}
	engine := client.ObjectKey{Namespace: shop, Name: "spring-running-engine"}
	g.Eventually(func(g Gomega) {
		g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: shop, Name: "spring-running"}, campaign)).To(Succeed())
		g.Expect(campaign.Status.ObservedGeneration).To(Equal(campaign.Generation))
		for _, obj := range []client.Object{&corev1.ConfigMap{}, &corev1.Service{}, &appsv1.Deployment{}, &networkingv1.NetworkPolicy{}} {
			g.Expect(admin.Get(ctx, engine, obj)).To(Succeed())
			g.Expect(metav1.GetControllerOf(obj)).To(HaveValue(HaveField("UID", campaign.UID)))
		}
		policy := &ethosv1alpha1.ConsentPolicy{}
		g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: shop, Name: "eu-web"}, policy)).To(Succeed())
		g.Expect(policy.Finalizers).NotTo(BeEmpty())
	}).WithTimeout(2 * time.Minute).WithPolling(200 * time.Millisecond).Should(Succeed())

	// The engine's NetworkPolicy is the one the rendered flags describe, and applying it again
	// would change nothing (what the field manager owns equals the desired state).
	np := &networkingv1.NetworkPolicy{}
	g.Expect(admin.Get(ctx, engine, np)).To(Succeed())
	owned, err := networkingv1ac.ExtractNetworkPolicy(np, controller.FieldManager)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(equality.Semantic.DeepEqual(owned, resources.NetworkPolicy(campaign, network))).To(BeTrue(),
		"owned fields differ from the desired NetworkPolicy: the controller would re-apply it on every reconcile")

	// By the time the watched Campaign is done, the one created before it outside is still
	// untouched: the manager never sees it.
	untouched := &ethosv1alpha1.Campaign{}
	g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: other, Name: "spring-running"}, untouched)).To(Succeed())
	g.Expect(untouched.Status).To(Equal(ethosv1alpha1.CampaignStatus{}))
	g.Expect(apierrors.IsNotFound(admin.Get(ctx, client.ObjectKey{Namespace: other, Name: "spring-running-engine"}, &corev1.ConfigMap{}))).To(BeTrue())

	// ...and it could not touch it: outside the watched namespaces every workload write and read
	// is forbidden, kube-system included, and so is any cluster-wide list.
	direct, err := client.New(asManager, client.Options{Scheme: testenv.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())
	for _, ns := range []string{other, "kube-system"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: ns}}
		g.Expect(direct.Create(ctx, cm)).To(Satisfy(apierrors.IsForbidden), "create ConfigMap in %s", ns)
		g.Expect(direct.List(ctx, &appsv1.DeploymentList{}, client.InNamespace(ns))).To(Satisfy(apierrors.IsForbidden), "list Deployments in %s", ns)
		g.Expect(direct.List(ctx, &ethosv1alpha1.CampaignList{}, client.InNamespace(ns))).To(Satisfy(apierrors.IsForbidden), "list Campaigns in %s", ns)
	}
	g.Expect(direct.List(ctx, &appsv1.DeploymentList{})).To(Satisfy(apierrors.IsForbidden), "list Deployments cluster-wide")

	// The cluster-scoped and ethos-system needs are there, each limited by name.
	can := func(ns, group, resource, verb, name string) bool {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Group: group, Resource: resource, Verb: verb, Name: name},
		}}
		g.Expect(direct.Create(ctx, review)).To(Succeed())
		return review.Status.Allowed
	}
	vwc := flag(t, args, "webhook-config-name")
	g.Expect(can("", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "update", vwc)).To(BeTrue())
	g.Expect(can("", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "update", "someone-elses")).To(BeFalse())
	g.Expect(can(namespace, "", "secrets", "update", flag(t, args, "cert-secret-name"))).To(BeTrue())
	g.Expect(can(namespace, "", "secrets", "get", "someone-elses")).To(BeFalse())
	g.Expect(can(shop, "", "secrets", "get", "")).To(BeFalse(), "no Secrets in watched namespaces")
	g.Expect(can(namespace, "apps", "deployments", "patch", "")).To(BeFalse(), "not even its own Deployment")

	// Restarted with --engine-network-policy=false, the manager removes the policy it made
	// (with the same namespaced permissions: delete is among them).
	stop()
	network.Disabled = true
	t.Cleanup(startManager(t, ctx, asManager, watched, network, false))
	g.Eventually(func() bool {
		return apierrors.IsNotFound(admin.Get(ctx, engine, &networkingv1.NetworkPolicy{}))
	}).WithTimeout(2 * time.Minute).WithPolling(200 * time.Millisecond).Should(BeTrue())
}

// startManager starts a manager as cmd/manager wires it, with cfg's identity, and returns the
// function that stops it (once) and checks it ended cleanly. Leader election (the Lease Role in
// ethos-system) only for the first one: a second would wait for the unreleased lease.
func startManager(t *testing.T, ctx context.Context, cfg *rest.Config, watched []string, network resources.EngineNetwork, leaderElection bool) func() {
	t.Helper()
	g := NewWithT(t)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  testenv.Scheme(),
		Cache:                   controller.CacheOptions(watched...),
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		LeaderElection:          leaderElection,
		LeaderElectionID:        "79102344.ethos.dev",
		LeaderElectionNamespace: namespace,
		Controller:              config.Controller{SkipNameValidation: ptr.To(true)},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(controller.Setup(ctx, mgr, resources.Options{Image: "registry.example/ethos:test", Network: network}, watched...)).To(Succeed())
	mgrCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			g.Expect(<-done).To(Succeed())
		})
	}
}

// readSample decodes a file under config/ (samples/…, ingress/…), placed in namespace ns.
func readSample[T any, P interface {
	*T
	client.Object
}](t *testing.T, file, ns string) P {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", file))
	if err != nil {
		t.Fatalf("failed to read sample: %v", err)
	}
	obj := P(new(T))
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("failed to decode sample %s: %v", file, err)
	}
	obj.SetNamespace(ns)
	return obj
}
