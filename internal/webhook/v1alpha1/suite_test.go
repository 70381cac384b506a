package v1alpha1

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/ethos-operator/ethos/internal/index"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// The suite runs the real webhook server over TLS behind a real kube-apiserver, configured
// from the generated config/webhook/manifests.yaml.
var (
	env      *testenv.Env
	k8s      client.Client // records admission warnings
	mgrCache client.Reader
	warnings = &warningRecorder{}
)

// warningRecorder keeps the admission warnings the API server returns.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

// take returns and clears the recorded warnings.
func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	env, err = testenv.Start(testenv.Options{
		WebhookManifests: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook", "manifests.yaml")},
	})
	if err != nil {
		panic(err)
	}
	defer func() { _ = env.Stop() }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mgr, err := env.NewManager()
	if err != nil {
		panic(err)
	}
	if err := index.Setup(ctx, mgr.GetFieldIndexer()); err != nil {
		panic(err)
	}
	if err := SetupWebhooksWithManager(mgr); err != nil {
		panic(err)
	}
	mgrCache = mgr.GetClient()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			panic(err)
		}
	}()
	defer func() { cancel(); <-done }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		panic("cache did not sync")
	}

	cfg := rest.CopyConfig(env.Config)
	cfg.WarningHandlerWithContext = warnings
	k8s, err = client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		panic(err)
	}
	if err := waitForWebhookServer(ctx, mgr); err != nil {
		panic(err)
	}
	return m.Run()
}

// waitForWebhookServer blocks until the webhook server accepts TLS connections.
func waitForWebhookServer(ctx context.Context, mgr ctrl.Manager) error {
	check := mgr.GetWebhookServer().StartedChecker()
	for {
		if err := check(nil); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sample reads a file of config/samples into obj, in namespace ns.
func sample(t *testing.T, file, ns string, obj client.Object) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, obj); err != nil {
		t.Fatal(err)
	}
	obj.SetNamespace(ns)
}

// namespace creates a fresh namespace for one test.
func namespace(t *testing.T, name string) string {
	t.Helper()
	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	return name
}
