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

package v1alpha1

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/ethos-operator/ethos/internal/ethics"
)

// admissionDecisions counts admission decisions by kind, rule and result. A review with no
// finding counts once as rule="none", result="allowed"; otherwise it counts once per rule it
// raised, with result "denied" (a deny finding that refused the object), "warned", or
// "allowed" for deny findings on a spec-unchanged update (which is let through).
var admissionDecisions = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "ethos_admission_decisions_total",
	Help: "Admission decisions of the Ethos webhooks by kind, rule and result.",
}, []string{"kind", "rule", "result"})

func init() {
	metrics.Registry.MustRegister(admissionDecisions)
}

// recordDecision counts one review; enforced is false when deny findings do not refuse the
// object.
func recordDecision(kind string, fs ethics.Findings, enforced bool) {
	if len(fs) == 0 {
		admissionDecisions.WithLabelValues(kind, "none", "allowed").Inc()
		return
	}
	results := map[string]string{}
	for _, f := range fs {
		switch {
		case f.Severity == ethics.Skipped:
			// not evaluated: neither a denial nor a warning
		case f.Severity == ethics.Deny && enforced:
			results[f.Rule] = "denied"
		case f.Severity == ethics.Deny:
			if results[f.Rule] != "denied" {
				results[f.Rule] = "allowed"
			}
		case results[f.Rule] == "":
			results[f.Rule] = "warned"
		}
	}
	for rule, result := range results {
		admissionDecisions.WithLabelValues(kind, rule, result).Inc()
	}
}
