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
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/certs"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// BenchmarkAdmissionCost creates 1,000 Campaigns (10 clients in parallel) through the real
// webhook over TLS, then deletes the webhook configuration and creates 1,000 more in the same
// API server: the webhook's cost is the ratio of the two. Latency is per create, client side.
//
//	go test -tags faults ./test/faults/ -run '^$' -bench AdmissionCost -benchtime 1x
func BenchmarkAdmissionCost(b *testing.B) {
	ctrl.SetLogger(logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, err := testenv.Start(testenv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	startWebhookWithRotation(ctx, b, env)

	const ns = "bench"
	c := env.Client
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		b.Fatal(err)
	}
	policy := &ethosv1alpha1.ConsentPolicy{}
	campaign := &ethosv1alpha1.Campaign{}
	for name, into := range map[string]any{"01-consentpolicy-eu-web.yaml": policy, "03-campaign-spring-running.yaml": campaign} {
		if err := testenv.ReadSample(name, into); err != nil {
			b.Fatal(err)
		}
	}
	policy.Namespace = ns
	if err := c.Create(ctx, policy); err != nil {
		b.Fatal(err)
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = -1, 0
	cl, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		with := createMany(ctx, b, cl, campaign, ns, "with")
		vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: certs.DefaultWebhookConfigName}}
		if err := c.Delete(ctx, vwc); err != nil {
			b.Fatal(err)
		}
		time.Sleep(2 * time.Second) // the API server's webhook configuration informer catches up
		without := createMany(ctx, b, cl, campaign, ns, "without")
		b.ReportMetric(with.rate, "creates/s-webhook")
		b.ReportMetric(without.rate, "creates/s-no-webhook")
		b.ReportMetric(float64(with.p50.Microseconds())/1000, "p50-ms-webhook")
		b.ReportMetric(float64(with.p99.Microseconds())/1000, "p99-ms-webhook")
		b.ReportMetric(float64(without.p50.Microseconds())/1000, "p50-ms-no-webhook")
		b.ReportMetric(float64(without.p99.Microseconds())/1000, "p99-ms-no-webhook")
		b.ReportMetric(without.rate/with.rate, "cost-ratio")
		fmt.Printf("admission cost: with webhook %.0f creates/s (p50 %s, p99 %s); without %.0f creates/s (p50 %s, p99 %s); ratio %.2f\n",
			with.rate, with.p50, with.p99, without.rate, without.p50, without.p99, without.rate/with.rate)
	}
}

type createRun struct {
	rate     float64
	p50, p99 time.Duration
}

// createMany creates 1,000 Campaigns named <prefix>-N with 10 clients in parallel.
func createMany(ctx context.Context, b *testing.B, c client.Client, campaign *ethosv1alpha1.Campaign, ns, prefix string) createRun {
	const total, workers = 1000, 10
	lat := make([]time.Duration, total)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := w; i < total; i += workers {
				obj := campaign.DeepCopy()
				obj.Namespace, obj.Name = ns, fmt.Sprintf("%s-%d", prefix, i)
				t0 := time.Now()
				if err := c.Create(ctx, obj); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return createRun{rate: total / elapsed.Seconds(), p50: lat[total/2].Round(100 * time.Microsecond),
		p99: lat[total*99/100].Round(100 * time.Microsecond)}
}
