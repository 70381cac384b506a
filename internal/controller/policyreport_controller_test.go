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
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// reports is the suite's report writer (nil when ETHOS_SCALE_NO_REPORTS is set).
var reports *PolicyReportReconciler

var installReportCRD = sync.OnceValue(func() error {
	for _, f := range []string{"openreports.io_reports.yaml", "openreports.io_clusterreports.yaml"} {
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "policyreport", f))
		if err != nil {
			return err
		}
		crd := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(data, &crd.Object); err != nil {
			return err
		}
		if err := k8s.Create(context.Background(), crd); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
})

// ensureReportCRD installs the OpenReports CRDs once; the suite starts without them.
func ensureReportCRD(t testing.TB) {
	t.Helper()
	if err := installReportCRD(); err != nil {
		t.Fatalf("failed to install the OpenReports CRDs: %v", err)
	}
}

// results counts (read with the writer's uncached client, whose scheme knows Reports) a namespace's report results by subject name and outcome.
func results(g Gomega, ns string) (map[string]map[string]int, []openreportsv1alpha1.Report) {
	var list openreportsv1alpha1.ReportList
	g.Expect(reports.Reports.List(context.Background(), &list, client.InNamespace(ns))).To(Succeed())
	out := map[string]map[string]int{}
	for _, r := range list.Items {
		for _, res := range r.Results {
			name := res.Subjects[0].Kind + "/" + res.Subjects[0].Name
			if out[name] == nil {
				out[name] = map[string]int{}
			}
			out[name][string(res.Result)]++
		}
	}
	return out, list.Items
}

// TestPolicyReports runs in order: without the CRD nothing breaks, installing it makes reports
// appear without a restart, and they follow their Campaigns.
func TestPolicyReports(t *testing.T) {
	if reports == nil {
		t.Skip("report writer disabled (ETHOS_SCALE_NO_REPORTS)")
	}
	ctx := context.Background()
	ns := newNamespace(t)
	g := NewWithT(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	g.Expect(k8s.Create(ctx, c)).To(Succeed())

	if !reports.available.Load() {
		t.Run("without the CRD the Campaign converges and has no report condition", func(t *testing.T) {
			got := settle(t, ns, ethosv1alpha1.PhaseActive)
			for _, cond := range got.Status.Conditions {
				if cond.Type != ethosv1alpha1.ConditionReady && cond.Type != ethosv1alpha1.ConditionConsentPolicyResolved &&
					cond.Type != ethosv1alpha1.ConditionCompliant && cond.Type != ethosv1alpha1.ConditionEngineAvailable &&
					cond.Type != ethosv1alpha1.ConditionReconciling && cond.Type != ethosv1alpha1.ConditionStalled {
					t.Errorf("unexpected condition %s", cond.Type)
				}
			}
			var list openreportsv1alpha1.ReportList
			err := reports.Reports.List(ctx, &list, client.InNamespace(ns))
			if !meta.IsNoMatchError(err) && !apierrors.IsNotFound(err) {
				t.Errorf("listing Reports without the CRD: %v, want no match", err)
			}
			if reports.available.Load() {
				t.Errorf("writer thinks the Report API is available")
			}
		})
	}

	ensureReportCRD(t)
	t.Run("installing the CRD makes reports appear", func(t *testing.T) {
		g := NewWithT(t)
		g.Eventually(func(g Gomega) {
			got, items := results(g, ns)
			g.Expect(got).To(Equal(map[string]map[string]int{
				"Campaign/" + c.Name:        {"pass": 21},
				"ConsentPolicy/" + "eu-web": {"pass": 10},
			}))
			g.Expect(items).To(HaveLen(1))
			r := items[0]
			g.Expect(r.Name).To(Equal("ethos"))
			g.Expect(r.Summary).To(Equal(openreportsv1alpha1.ReportSummary{Pass: 31}))
			g.Expect(r.Labels).To(HaveKeyWithValue("app.kubernetes.io/managed-by", "ethos"))
			g.Expect(r.ManagedFields).To(ContainElement(HaveField("Manager", FieldManager)))
			g.Expect(r.Results[0].Subjects[0].UID).NotTo(BeEmpty())
		}, timeout, poll).Should(Succeed())
	})

	t.Run("a Campaign change changes its results", func(t *testing.T) {
		g := NewWithT(t)
		live := &ethosv1alpha1.Campaign{}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(c), live)).To(Succeed())
		live.Spec.ControlGroup = nil
		g.Expect(k8s.Update(ctx, live)).To(Succeed())
		second := sampleCampaign(t, ns)
		second.Name = "autumn-running"
		second.Spec.ConsentPolicyRef.Name = "missing"
		g.Expect(k8s.Create(ctx, second)).To(Succeed())
		g.Eventually(func(g Gomega) {
			got, _ := results(g, ns)
			g.Expect(got).To(Equal(map[string]map[string]int{
				"Campaign/" + c.Name:        {"pass": 20, "warn": 1},
				"Campaign/autumn-running":   {"pass": 16, "warn": 1, "skip": 4}, // ETH004, ETH008, ETH009, ETH022 need the policy
				"ConsentPolicy/" + "eu-web": {"pass": 10},
			}))
		}, timeout, poll).Should(Succeed())
	})

	t.Run("an unchanged namespace is not rewritten", func(t *testing.T) {
		g := NewWithT(t)
		_, before := results(g, ns)
		_, err := reports.Reconcile(ctx, reconcileNamespace(ns))
		g.Expect(err).NotTo(HaveOccurred())
		_, after := results(g, ns)
		g.Expect(after[0].ResourceVersion).To(Equal(before[0].ResourceVersion))
	})

	t.Run("reports disappear with their Campaigns", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(k8s.Delete(ctx, c)).To(Succeed())
		g.Expect(k8s.DeleteAllOf(ctx, &ethosv1alpha1.Campaign{}, client.InNamespace(ns))).To(Succeed())
		g.Eventually(func(g Gomega) {
			got, _ := results(g, ns)
			g.Expect(got).To(Equal(map[string]map[string]int{"ConsentPolicy/eu-web": {"pass": 10}}))
		}, timeout, poll).Should(Succeed())
		g.Expect(k8s.DeleteAllOf(ctx, &ethosv1alpha1.ConsentPolicy{}, client.InNamespace(ns))).To(Succeed())
		g.Eventually(func(g Gomega) {
			_, items := results(g, ns)
			g.Expect(items).To(BeEmpty())
		}, timeout, poll).Should(Succeed())
	})
}

func reconcileNamespace(ns string) reconcile.Request {
	return reconcile.Request{NamespacedName: client.ObjectKey{Name: ns}}
}

// waitForReports waits until the namespace's reports hold a result for each of n Campaigns,
// and returns the time since start; the scale benchmark's "reports-s".
func waitForReports(b *testing.B, ns string, n int, start time.Time) time.Duration {
	for {
		var list openreportsv1alpha1.ReportList
		if err := reports.Reports.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range list.Items {
			for _, res := range r.Results {
				if res.Subjects[0].Kind == "Campaign" {
					seen[res.Subjects[0].Name] = true
				}
			}
		}
		if len(seen) == n {
			return time.Since(start)
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("reports cover %d of %d Campaigns after 10 minutes", len(seen), n)
		}
		time.Sleep(time.Second)
	}
}
