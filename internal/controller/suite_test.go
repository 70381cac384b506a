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
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/index"
	"github.com/ethos-operator/ethos/internal/resources"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// The suite runs both controllers in one manager, wired as cmd/manager wires them, against a
// real kube-apiserver and etcd (envtest). envtest runs no garbage collector and no Deployment
// controller: tests check ownerReferences rather than cascading deletion, and set Deployment
// status themselves where they need an available engine.

const (
	testImage = "registry.example/ethos:test"
	// timeout is generous: the test machine is shared and loaded.
	timeout = 60 * time.Second
	poll    = 100 * time.Millisecond
)

var (
	k8s client.Client
	// cached reads through the manager's cache: polling it costs the API server nothing.
	cached     client.Reader
	campaigns  *CampaignReconciler
	namespaces atomic.Int64
	// writes counts the manager's writes (create, update, patch, apply, delete, status patch)
	// for Campaigns and their engine objects.
	writes atomic.Int64
	// policyWrites counts the manager's writes to ConsentPolicies (finalizer, status).
	policyWrites atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	// Logs only on request (ETHOS_TEST_LOGS=1): a passing run stays quiet.
	if os.Getenv("ETHOS_TEST_LOGS") != "" {
		ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	} else {
		ctrl.SetLogger(logr.Discard())
	}
	env, cfg, err := startEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mgr, err := newManager(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		fmt.Fprintln(os.Stderr, "cache did not sync")
		return 1
	}
	code := m.Run()
	cancel()
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}

// startEnv starts kube-apiserver and etcd with the Ethos CRDs, as testenv.Start does, with a
// Service IP range large enough for the scale benchmark: envtest's default (a /24) runs out
// of ClusterIPs after about 250 Services, one per Campaign.
func startEnv() (*envtest.Environment, *rest.Config, error) {
	assets, err := testenv.Assets()
	if err != nil {
		return nil, nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                testenv.Scheme(),
	}
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.0.0.0/16")
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("failed to start envtest: %w", err)
	}
	k8s, err = client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		_ = env.Stop()
		return nil, nil, fmt.Errorf("failed to create client: %w", err)
	}
	return env, cfg, nil
}

// newManager builds a manager as cmd/manager does (cache options, field index, both
// controllers), without webhooks, with a client that counts writes.
func newManager(ctx context.Context, cfg *rest.Config) (ctrl.Manager, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &countingTransport{next: rt} })
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Cache:                  CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
		NewClient: func(cfg *rest.Config, opts client.Options) (client.Client, error) {
			c, err := client.NewWithWatch(cfg, opts)
			if err != nil {
				return nil, err
			}
			return interceptor.NewClient(c, countingFuncs()), nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("failed to create manager: %w", err)
	}
	cached = mgr.GetCache()
	if err := index.Setup(ctx, mgr.GetFieldIndexer()); err != nil {
		return nil, err
	}
	if err := (&ConsentPolicyReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("ethos-consentpolicy"),
	}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	owners, err := OwnersCache(ctx, mgr)
	if err != nil {
		return nil, err
	}
	campaigns = &CampaignReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Owners:    owners,
		Recorder:  mgr.GetEventRecorder("ethos-campaign"),
		Options:   resources.Options{Image: testImage},
	}
	if err := campaigns.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	if os.Getenv("ETHOS_SCALE_NO_REPORTS") == "" {
		reports = &PolicyReportReconciler{Client: mgr.GetClient(), CRDPoll: time.Second}
		if err := reports.SetupWithManager(mgr); err != nil {
			return nil, err
		}
	}
	return mgr, nil
}

// requests counts the manager's requests to the API server (every client and cache it builds
// from its config) by method and resource, e.g. "PATCH configmaps", "GET campaigns/status";
// watches are not counted.
var requests sync.Map // string → *atomic.Int64

// countingTransport counts each request in requests.
type countingTransport struct{ next http.RoundTripper }

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("watch") != "true" {
		n, _ := requests.LoadOrStore(req.Method+" "+resourceOf(req.URL.Path), new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	return t.next.RoundTrip(req)
}

// resourceOf is the resource (and subresource) of an API path: /api/v1/namespaces/ns/configmaps/x
// → configmaps, /apis/g/v/namespaces/ns/campaigns/x/status → campaigns/status.
func resourceOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) > 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) > 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return "discovery"
	}
	if len(parts) > 2 && parts[0] == "namespaces" {
		parts = parts[2:]
	}
	if len(parts) == 3 {
		return parts[0] + "/" + parts[2]
	}
	return parts[0]
}

// requestCounts is a snapshot of requests.
func requestCounts() map[string]int64 {
	out := map[string]int64{}
	requests.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// count adds one write to the counter of obj's kind.
func count(obj any) {
	if _, ok := obj.(*ethosv1alpha1.ConsentPolicy); ok {
		policyWrites.Add(1)
		return
	}
	writes.Add(1)
}

// countingFuncs counts every write the manager's client makes.
func countingFuncs() interceptor.Funcs {
	return interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			count(obj)
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			count(obj)
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			count(obj)
			return c.Patch(ctx, obj, patch, opts...)
		},
		Apply: func(ctx context.Context, c client.WithWatch, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
			count(obj)
			return c.Apply(ctx, obj, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			count(obj)
			return c.Delete(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			count(obj)
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			count(obj)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	}
}

// newNamespace creates a namespace of its own for a test.
func newNamespace(t testing.TB) string {
	t.Helper()
	ns := &corev1.Namespace{}
	ns.Name = fmt.Sprintf("t%d-%d", time.Now().UnixNano()%100000, namespaces.Add(1))
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatalf("failed to create namespace: %v", err)
	}
	return ns.Name
}

// sample reads a file of config/samples into obj, in namespace ns.
func sample(t testing.TB, file string, obj client.Object, ns string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatalf("failed to read sample: %v", err)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("failed to decode sample %s: %v", file, err)
	}
	obj.SetNamespace(ns)
}

// samplePolicy is config/samples/01-consentpolicy-eu-web.yaml in ns.
func samplePolicy(t testing.TB, ns string) *ethosv1alpha1.ConsentPolicy {
	p := &ethosv1alpha1.ConsentPolicy{}
	sample(t, "01-consentpolicy-eu-web.yaml", p, ns)
	return p
}

// sampleCampaign is config/samples/03-campaign-spring-running.yaml in ns.
func sampleCampaign(t testing.TB, ns string) *ethosv1alpha1.Campaign {
	c := &ethosv1alpha1.Campaign{}
	sample(t, "03-campaign-spring-running.yaml", c, ns)
	return c
}

// markDeploymentAvailable plays the Deployment controller envtest lacks: it reports every
// replica of the current generation updated, ready and available.
func markDeploymentAvailable(g Gomega, ns, name string) {
	d := &appsv1.Deployment{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, d)).To(Succeed())
	n := ptr.Deref(d.Spec.Replicas, 1)
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation,
		Replicas:           n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n,
	}
	g.Expect(k8s.Status().Update(context.Background(), d)).To(Succeed())
}
