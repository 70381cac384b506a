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
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/testenv"
)

func TestPhaseCollector(t *testing.T) {
	g := NewWithT(t)
	campaign := func(name string, phase ethosv1alpha1.Phase) *ethosv1alpha1.Campaign {
		return &ethosv1alpha1.Campaign{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
			Status:     ethosv1alpha1.CampaignStatus{Phase: phase},
		}
	}
	reader := fake.NewClientBuilder().WithScheme(testenv.Scheme()).WithObjects(
		campaign("a", ethosv1alpha1.PhaseActive), campaign("b", ethosv1alpha1.PhaseActive),
		campaign("c", ethosv1alpha1.PhaseBlocked), campaign("d", ""),
	).Build()
	reg := prometheus.NewPedanticRegistry()
	g.Expect(reg.Register(&phaseCollector{reader: reader})).To(Succeed())
	families, err := reg.Gather()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(families).To(HaveLen(1))
	got := map[string]float64{}
	for _, m := range families[0].GetMetric() {
		got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	g.Expect(families[0].GetName()).To(Equal("ethos_campaigns"))
	g.Expect(got).To(Equal(map[string]float64{
		"Active": 2, "Blocked": 1, "Ended": 0, "Pending": 1, "Scheduled": 0, "Suspended": 0,
	}))
}

func TestErrorReason(t *testing.T) {
	g := NewWithT(t)
	g.Expect(errorReason(tag("ApplyDeployment", errors.New("timeout")))).To(Equal("ApplyDeployment"))
	g.Expect(errorReason(errors.New("timeout"))).To(Equal(ethosv1alpha1.ReasonReconcileError))
	// A stalled state counts under its own reason, whichever phase met it.
	g.Expect(errorReason(tag("ApplyDeployment", ownershipConflict("Deployment", "x-engine", "x")))).To(Equal(ethosv1alpha1.ReasonOwnershipConflict))
}
