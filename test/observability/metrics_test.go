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

// Package observability_test checks the shipped Grafana dashboard and Prometheus alerts
// against the code: every ethos_* metric they query must be registered by the engine's or the
// manager's real collectors, so a renamed metric breaks this test rather than a dashboard.
// (promtool checks and unit-tests the rules themselves: make test-rules.)
package observability_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	"github.com/ethos-operator/ethos/internal/certs"
	"github.com/ethos-operator/ethos/internal/controller"
	engineserver "github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/testenv"

	// Registers the admission metrics (in its init).
	_ "github.com/ethos-operator/ethos/internal/webhook/v1alpha1"
)

// metricName matches Ethos metric names in PromQL; the suffixes are a histogram's series.
var (
	metricName      = regexp.MustCompile(`\bethos_[a-z0-9_]+\b`)
	histogramSuffix = regexp.MustCompile(`_(bucket|sum|count)$`)
)

// registries returns the engine's registry and controller-runtime's (served by the manager),
// with the manager's collectors registered the way the manager registers them.
func registries(t *testing.T) map[string]prometheus.Registerer {
	t.Helper()
	// A manager that is never started: creating it and setting up the reconciler contacts no
	// API server, but registers the controller metrics and the certificate expiry gauge.
	mgr, err := ctrl.NewManager(&rest.Config{Host: "https://127.0.0.1:1"}, ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatalf("failed to create manager: %v", err)
	}
	if err := (&controller.CampaignReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader()}).SetupWithManager(mgr); err != nil {
		t.Fatalf("failed to set up the Campaign controller: %v", err)
	}
	if err := certs.New(certs.Options{Disabled: true}).Setup(mgr); err != nil {
		t.Fatalf("failed to set up certificates: %v", err)
	}
	return map[string]prometheus.Registerer{
		"decision engine": engineserver.NewMetrics().Registry,
		"manager":         metrics.Registry,
	}
}

// registered reports whether name is a metric of reg. A registry refuses a collector whose
// descriptor reuses a registered name (with other help or labels) or duplicates one: so a probe
// gauge of that name registers only if the name is unknown.
func registered(reg prometheus.Registerer, name string) bool {
	probe := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "probe of the observability test"})
	if err := reg.Register(probe); err != nil {
		return true
	}
	reg.Unregister(probe)
	return false
}

// queriedMetrics returns the ethos_* metric names in the PromQL expressions, base names for
// histogram series.
func queriedMetrics(exprs []string) []string {
	var names []string
	for _, e := range exprs {
		names = append(names, metricName.FindAllString(e, -1)...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func repoFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{testenv.RepoRoot()}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// dashboardExprs returns the expr of every panel target and the query of every variable.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query string `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(repoFile(t, "config", "grafana", "ethos.json"), &d); err != nil {
		t.Fatalf("config/grafana/ethos.json: %v", err)
	}
	var exprs []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			exprs = append(exprs, v.Query)
		}
	}
	return exprs
}

// ruleExprs returns the expression of every alert.
func ruleExprs(t *testing.T) map[string]string {
	t.Helper()
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert string `json:"alert"`
				Expr  string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(repoFile(t, "config", "prometheus", "rules.yaml"), &f); err != nil {
		t.Fatalf("config/prometheus/rules.yaml: %v", err)
	}
	exprs := map[string]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	return exprs
}

// TestQueriedMetricsExist: every metric of the dashboard and the alerts is registered.
func TestQueriedMetricsExist(t *testing.T) {
	g := NewWithT(t)
	regs := registries(t)
	rules := ruleExprs(t)
	exprs := dashboardExprs(t)
	for _, e := range rules {
		exprs = append(exprs, e)
	}
	names := queriedMetrics(exprs)
	// The dashboard covers engine, webhook and controller metrics: a broken extraction finds fewer.
	g.Expect(len(names)).To(BeNumerically(">=", 8), "metrics found: %v", names)
	for _, name := range names {
		found := false
		for _, reg := range regs {
			if registered(reg, name) || registered(reg, histogramSuffix.ReplaceAllString(name, "")) {
				found = true
			}
		}
		g.Expect(found).To(BeTrue(), "%s is queried by the dashboard or the alerts but no collector registers it", name)
	}
}

// TestRegisteredProbe: the probe tells registered from unknown names (so the test above can fail).
func TestRegisteredProbe(t *testing.T) {
	g := NewWithT(t)
	reg := engineserver.NewMetrics().Registry
	g.Expect(registered(reg, "ethos_decisions_total")).To(BeTrue())
	g.Expect(registered(reg, "ethos_decision_duration_seconds")).To(BeTrue())
	g.Expect(registered(reg, "ethos_no_such_metric_total")).To(BeFalse())
	g.Expect(registered(reg, "ethos_no_such_metric_total")).To(BeFalse(), "the probe unregisters itself")
	g.Expect(queriedMetrics([]string{`histogram_quantile(0.99, sum by (le) (rate(ethos_decision_duration_seconds_bucket{campaign=~"x"}[5m])))`,
		`max(ethos_campaigns{phase="Blocked"}) / ethos_campaigns`})).
		To(Equal([]string{"ethos_campaigns", "ethos_decision_duration_seconds_bucket"}))
}

// TestEveryAlertIsShipped: the alerts the issue asks for are there, with the thresholds the
// docs state.
func TestEveryAlertIsShipped(t *testing.T) {
	g := NewWithT(t)
	rules := ruleExprs(t)
	g.Expect(rules).To(HaveKey("EthosEngineServerErrors"))
	g.Expect(rules).To(HaveKey("EthosEngineDecodeErrors"))
	g.Expect(rules).To(HaveKeyWithValue("EthosEngineLatencyHigh", ContainSubstring("> 0.005")))
	g.Expect(rules).To(HaveKeyWithValue("EthosCampaignBlocked", ContainSubstring(`phase="Blocked"`)))
	g.Expect(rules).To(HaveKeyWithValue("EthosWebhookCertificateExpiringSoon", ContainSubstring(certs.ExpiryMetricName)))
	g.Expect(rules).To(HaveKey("EthosReconcileErrors"))
	for name := range rules {
		g.Expect(strings.HasPrefix(name, "Ethos")).To(BeTrue(), name)
	}
}
