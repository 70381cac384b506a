//go:build faults

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

package faults

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/certs"
	"github.com/ethos-operator/ethos/internal/index"
	"github.com/ethos-operator/ethos/internal/testenv"
	webhookv1alpha1 "github.com/ethos-operator/ethos/internal/webhook/v1alpha1"
)

// Admission under load. ETHOS_ADMISSION_CLIENTS (default 100) clients create and update
// Campaigns for ETHOS_ADMISSION_DURATION (default 60s) through the real webhook server over TLS,
// with the certificates of the manager's own rotator (internal/certs) behind a real
// kube-apiserver. Every tenth write of a client is the biased sample, which must be denied.
// Halfway through, the serving certificate is rotated the way the rotator renews it (same CA,
// new certificate) and projected into the server's directory the way the kubelet would.
// Expected: 0 failed admissions, 0 biased Campaigns admitted, and the new certificate served.
func TestAdmissionUnderLoad(t *testing.T) {
	clients := envInt(t, "ETHOS_ADMISSION_CLIENTS", 100)
	duration := envDuration(t, "ETHOS_ADMISSION_DURATION", 60*time.Second)
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ctrl.SetLogger(logr.Discard()) // the manager's logs are not the result; the counts are

	env, err := testenv.Start(testenv.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	wh := startWebhookWithRotation(ctx, t, env)

	const ns = "load"
	c := env.Client
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	policy := &ethosv1alpha1.ConsentPolicy{}
	readSample(t, "01-consentpolicy-eu-web.yaml", policy)
	policy.Namespace = ns
	g.Expect(c.Create(ctx, policy)).To(Succeed())
	ethical := &ethosv1alpha1.Campaign{}
	readSample(t, "03-campaign-spring-running.yaml", ethical)
	biased := &ethosv1alpha1.Campaign{}
	readSample(t, "05-campaign-biased-REJECTED.yaml", biased)

	// One client-go client per simulated client, without client-side rate limiting: the point
	// is the webhook's behaviour, not client-go's throttle.
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = -1, 0
	stats := &loadStats{}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		cl, err := client.New(cfg, client.Options{Scheme: env.Scheme})
		g.Expect(err).NotTo(HaveOccurred())
		wg.Go(func() { runClient(ctx, cl, i, ns, ethical, biased, deadline, stats) })
	}

	// Halfway: rotate the serving certificate under load.
	time.Sleep(duration / 2)
	rotatedAt := time.Since(deadline.Add(-duration))
	wh.rotateServingCert(ctx, t)
	wg.Wait()

	s := stats.summary()
	msg := fmt.Sprintf("admission under load: %d clients for %s: %d writes (%d creates, %d updates, %d biased denied), "+
		"%.0f writes/s, latency p50 %s p99 %s max %s; failed %d, biased admitted %d; serving certificate rotated at %s",
		clients, duration, s.writes, s.creates, s.updates, s.denied, float64(s.writes)/duration.Seconds(),
		s.p50, s.p99, s.max, s.failed, s.biasedAdmitted, rotatedAt.Round(time.Second))
	t.Log(msg)
	fmt.Println(msg)
	for _, e := range s.errors {
		t.Errorf("failed admission: %s", e)
	}
	g.Expect(s.biasedAdmitted).To(BeZero(), "biased Campaigns admitted under load")
	g.Expect(s.failed).To(BeZero(), "admissions that failed (not denials)")
	g.Expect(s.writes).To(BeNumerically(">", clients), "every client wrote")
}

// runClient writes until the deadline: it creates its Campaigns one by one (up to 20), then
// keeps updating them; every tenth write is the biased Campaign.
func runClient(ctx context.Context, c client.Client, id int, ns string, ethical, biased *ethosv1alpha1.Campaign,
	deadline time.Time, stats *loadStats) {
	var mine []string
	for n := 0; time.Now().Before(deadline); n++ {
		start := time.Now()
		switch {
		case n%10 == 9:
			obj := biased.DeepCopy()
			obj.Namespace, obj.Name = ns, fmt.Sprintf("biased-%d-%d", id, n)
			err := c.Create(ctx, obj)
			stats.record(time.Since(start), opDenied, err)
		case len(mine) < 20:
			obj := ethical.DeepCopy()
			obj.Namespace, obj.Name = ns, fmt.Sprintf("c%d-%d", id, len(mine))
			err := c.Create(ctx, obj)
			if err == nil {
				mine = append(mine, obj.Name)
			}
			stats.record(time.Since(start), opCreate, err)
		default:
			obj := &ethosv1alpha1.Campaign{}
			err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: mine[n%len(mine)]}, obj)
			if err == nil {
				obj.Spec.ControlGroup = &ethosv1alpha1.ControlGroup{Percent: int32(5 + n%20)}
				start = time.Now()
				err = c.Update(ctx, obj)
			}
			stats.record(time.Since(start), opUpdate, err)
		}
	}
}

type op int

const (
	opCreate op = iota
	opUpdate
	opDenied // a write that must be denied by the webhook
)

type loadStats struct {
	mu                       sync.Mutex
	latencies                []time.Duration
	creates, updates, denied int
	failed, biasedAdmitted   int
	errors                   []string
}

func (s *loadStats) record(d time.Duration, o op, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, d)
	switch {
	case o == opDenied && err == nil:
		s.biasedAdmitted++
	case o == opDenied && isDenial(err):
		s.denied++
	case err != nil:
		s.failed++
		if len(s.errors) < 10 {
			s.errors = append(s.errors, err.Error())
		}
	case o == opCreate:
		s.creates++
	default:
		s.updates++
	}
}

// isDenial is the webhook's answer to the biased Campaign: its denial naming a rule, not a
// transport or TLS failure (which the API server reports as an internal error).
func isDenial(err error) bool {
	return apierrors.IsInvalid(err) && strings.Contains(err.Error(), "denied the request") &&
		strings.Contains(err.Error(), "ETH0")
}

type summary struct {
	writes, creates, updates, denied, failed, biasedAdmitted int
	p50, p99, max                                            time.Duration
	errors                                                   []string
}

func (s *loadStats) summary() summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := slices.Clone(s.latencies)
	slices.Sort(l)
	pct := func(p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(p*float64(len(l))))].Round(100 * time.Microsecond)
	}
	return summary{writes: len(l), creates: s.creates, updates: s.updates, denied: s.denied, failed: s.failed,
		biasedAdmitted: s.biasedAdmitted, p50: pct(0.50), p99: pct(0.99), max: pct(1), errors: s.errors}
}

// webhookUnderTest is the manager's webhook server with its certificate rotator, as in
// internal/certs' test: the Secret is projected into certDir by the test, as the kubelet would.
type webhookUnderTest struct {
	c       client.Client
	port    int
	certDir string
	secret  types.NamespacedName
}

func startWebhookWithRotation(ctx context.Context, t testing.TB, env *testenv.Env) *webhookUnderTest {
	t.Helper()
	g := NewWithT(t)
	c := env.Client
	port, err := testenv.FreePort()
	g.Expect(err).NotTo(HaveOccurred())
	const ns = "ethos-system"
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	g.Expect(c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: certs.DefaultSecretName}})).To(Succeed())
	vwc, err := testenv.WebhookConfiguration(certs.DefaultWebhookConfigName, port)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, vwc)).To(Succeed())

	w := &webhookUnderTest{c: c, port: port, certDir: t.TempDir(),
		secret: types.NamespacedName{Namespace: ns, Name: certs.DefaultSecretName}}
	rotation := certs.New(certs.Options{Namespace: ns, SecretName: certs.DefaultSecretName,
		WebhookConfigName: certs.DefaultWebhookConfigName, DNSNames: []string{"localhost"}, CertDir: w.certDir})
	server := rotation.WrapServer(webhook.NewServer(webhook.Options{Port: port, CertDir: w.certDir}))
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0", WebhookServer: server})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(index.Setup(ctx, mgr.GetFieldIndexer())).To(Succeed())
	g.Expect(webhookv1alpha1.SetupWebhooksWithManager(mgr)).To(Succeed())
	g.Expect(rotation.Setup(mgr)).To(Succeed())
	go func() {
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager stopped: %v", err)
		}
	}()
	secret := w.waitForServingCert(ctx, t, nil)
	w.project(t, secret)
	g.Eventually(func() error { return rotation.ReadyCheck(nil) }, 2*time.Minute, 100*time.Millisecond).Should(Succeed())
	g.Eventually(func() error { return server.StartedChecker()(nil) }, time.Minute, 100*time.Millisecond).Should(Succeed())
	return w
}

// waitForServingCert waits until the rotator's Secret holds a serving certificate other than old.
func (w *webhookUnderTest) waitForServingCert(ctx context.Context, t testing.TB, old []byte) *corev1.Secret {
	t.Helper()
	secret := &corev1.Secret{}
	NewWithT(t).Eventually(func(g Gomega) {
		g.Expect(w.c.Get(ctx, w.secret, secret)).To(Succeed())
		g.Expect(secret.Data["ca.crt"]).NotTo(BeEmpty())
		block, _ := pem.Decode(secret.Data["tls.crt"])
		g.Expect(block).NotTo(BeNil(), "a PEM serving certificate")
		g.Expect(secret.Data["tls.crt"]).NotTo(Equal(old))
	}, time.Minute, 100*time.Millisecond).Should(Succeed())
	return secret
}

// project writes the Secret's serving certificate and key into the server's directory, as the
// kubelet updates a Secret volume: each file replaced by a rename, never half-written.
func (w *webhookUnderTest) project(t testing.TB, secret *corev1.Secret) {
	t.Helper()
	for _, key := range []string{"tls.key", "tls.crt"} {
		tmp := filepath.Join(w.certDir, "."+key)
		if err := os.WriteFile(tmp, secret.Data[key], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(w.certDir, key)); err != nil {
			t.Fatal(err)
		}
	}
}

// rotateServingCert makes the rotator renew the serving certificate — the path it takes when
// the certificate nears its expiry, which keeps the CA — by invalidating the certificate in the
// Secret (expiry is a year away), projects the renewed one, and waits until the server presents
// it. The CA bundle never changes, so the API server trusts both certificates throughout.
func (w *webhookUnderTest) rotateServingCert(ctx context.Context, t *testing.T) {
	t.Helper()
	g := NewWithT(t)
	secret := &corev1.Secret{}
	g.Expect(w.c.Get(ctx, w.secret, secret)).To(Succeed())
	oldCA, oldCert := secret.Data["ca.crt"], secret.Data["tls.crt"]
	secret.Data["tls.crt"] = []byte("expired")
	g.Expect(w.c.Update(ctx, secret)).To(Succeed())
	renewed := w.waitForServingCert(ctx, t, []byte("expired"))
	g.Expect(renewed.Data["tls.crt"]).NotTo(Equal(oldCert), "a new serving certificate")
	g.Expect(renewed.Data["ca.crt"]).To(Equal(oldCA), "renewal keeps the CA")
	w.project(t, renewed)
	block, _ := pem.Decode(renewed.Data["tls.crt"])
	g.Eventually(func(g Gomega) {
		conn, err := tls.Dial("tcp", "localhost:"+strconv.Itoa(w.port), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reads the presented certificate only
		g.Expect(err).NotTo(HaveOccurred())
		defer func() { _ = conn.Close() }()
		g.Expect(conn.ConnectionState().PeerCertificates[0].Raw).To(Equal(block.Bytes), "the server presents the renewed certificate")
	}, time.Minute, 200*time.Millisecond).Should(Succeed())
}

func readSample(t *testing.T, name string, into any) {
	t.Helper()
	if err := testenv.ReadSample(name, into); err != nil {
		t.Fatal(err)
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 60s", name, v)
	}
	return d
}
