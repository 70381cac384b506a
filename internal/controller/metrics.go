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
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// reconcileErrors counts failed Campaign reconciles by reason: the phase that failed
// (GetPolicy, Compile, ApplyConfigMap, ApplyDeployment, ApplyService, ApplyAutoscaler,
// DeleteAutoscaler, ApplyDisruptionBudget, DeleteDisruptionBudget, PatchStatus) or the reason
// of the stalled state that stopped it (OwnershipConflict, DocumentTooLarge).
var reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "ethos_campaign_reconcile_errors_total",
	Help: "Campaign reconciles that failed, by reason.",
}, []string{"reason"})

// campaignPhaseDesc describes the campaigns-by-phase gauge.
var campaignPhaseDesc = prometheus.NewDesc(
	"ethos_campaigns",
	"Campaigns by status.phase (an empty phase is counted as Pending).",
	[]string{"phase"}, nil)

// phaseCollector counts Campaigns by phase from the manager's cache at scrape time, so the
// gauge can never drift from the objects (no bookkeeping on create/delete).
type phaseCollector struct {
	reader client.Reader
}

// Describe implements prometheus.Collector.
func (p *phaseCollector) Describe(ch chan<- *prometheus.Desc) { ch <- campaignPhaseDesc }

// Collect implements prometheus.Collector.
func (p *phaseCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list ethosv1alpha1.CampaignList
	if err := p.reader.List(ctx, &list); err != nil {
		ch <- prometheus.NewInvalidMetric(campaignPhaseDesc, err)
		return
	}
	counts := map[ethosv1alpha1.Phase]int{}
	for _, phase := range []ethosv1alpha1.Phase{
		ethosv1alpha1.PhasePending, ethosv1alpha1.PhaseScheduled, ethosv1alpha1.PhaseActive,
		ethosv1alpha1.PhaseSuspended, ethosv1alpha1.PhaseEnded, ethosv1alpha1.PhaseBlocked,
	} {
		counts[phase] = 0
	}
	for i := range list.Items {
		phase := list.Items[i].Status.Phase
		if phase == "" {
			phase = ethosv1alpha1.PhasePending
		}
		counts[phase]++
	}
	for phase, n := range counts {
		ch <- prometheus.MustNewConstMetric(campaignPhaseDesc, prometheus.GaugeValue, float64(n), string(phase))
	}
}

var registerOnce sync.Once

// registerMetrics adds the controller metrics to controller-runtime's registry, which the
// manager's metrics endpoint serves. Only the first manager of the process registers.
func registerMetrics(reader client.Reader) {
	registerOnce.Do(func() {
		for _, c := range []prometheus.Collector{reconcileErrors, &phaseCollector{reader: reader}} {
			if err := metrics.Registry.Register(c); err != nil {
				if _, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); !ok {
					panic(err)
				}
			}
		}
	})
}
