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

package server

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ethos-operator/ethos/internal/engine/consent"
	"github.com/ethos-operator/ethos/internal/engine/evaluator"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// Metrics are the engine's Prometheus metrics. Labels carry reasons, experience names and
// config hashes only: nothing about visitors.
type Metrics struct {
	// Registry holds the metrics below plus the Go and process collectors.
	Registry  *prometheus.Registry
	decisions *prometheus.CounterVec
	latency   prometheus.Histogram
	rejected  *prometheus.CounterVec
	reloads   *prometheus.CounterVec
	document  *prometheus.GaugeVec
	state     *prometheus.GaugeVec
	// counters are decisions' children resolved in advance, for the served document's
	// experiences: the hot path does one map look-up, not WithLabelValues' hashing.
	counters atomic.Pointer[map[decisionLabels]prometheus.Counter]
}

// decisionLabels are the labels of ethos_decisions_total.
type decisionLabels struct {
	reason     wire.Reason
	experience string
}

// decided counts a decision.
func (m *Metrics) decided(reason wire.Reason, experience string) {
	if c, ok := (*m.counters.Load())[decisionLabels{reason, experience}]; ok {
		c.Inc()
		return
	}
	m.decisions.WithLabelValues(string(reason), experience).Inc()
}

// resolveCounters resolves the children of every reason but Matched, and of Matched for
// each of experiences.
func (m *Metrics) resolveCounters(experiences []string) {
	c := make(map[decisionLabels]prometheus.Counter, len(wire.Reasons)+len(experiences))
	for _, r := range wire.Reasons {
		if r != wire.ReasonMatched {
			c[decisionLabels{r, ""}] = m.decisions.WithLabelValues(string(r), "")
		}
	}
	for _, x := range experiences {
		c[decisionLabels{wire.ReasonMatched, x}] = m.decisions.WithLabelValues(string(wire.ReasonMatched), x)
	}
	m.counters.Store(&c)
}

// NewMetrics creates and registers the metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethos_decisions_total",
			Help: "Decisions answered, by reason and experience (empty unless Matched).",
		}, []string{"reason", "experience"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ethos_decision_duration_seconds",
			Help: "Time to answer POST /v1/decisions, from reading the body to writing the answer.",
			Buckets: []float64{
				0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
				0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
			},
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethos_decision_requests_rejected_total",
			Help: "Requests answered with an error, by HTTP status code.",
		}, []string{"code"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ethos_document_reloads_total",
			Help: "Attempts to load a new decision document, by result (success or failure).",
		}, []string{"result"}),
		document: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ethos_document_info",
			Help: "The decision document being served (value 1).",
		}, []string{"campaign", "config_hash", "mode"}),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ethos_engine_document_state",
			Help: "How the served engine relates to the document file (1 for the current state): NotLoaded, Current, Stale (a newer Personalize document, the last good one serves) or FailedClosed (the fallback serves).",
		}, []string{"state"}),
	}
	m.Registry.MustRegister(m.decisions, m.latency, m.rejected, m.reloads, m.document, m.state,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, f := range consent.Formats {
		for _, c := range consent.Causes {
			m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "ethos_engine_consent_string_errors_total",
				Help:        "Decisions whose TC or GPP string could not be used (unknown consent), by format (tcf, gpp) and cause (malformed, truncated, version, policyVersion, stale).",
				ConstLabels: prometheus.Labels{"format": f.String(), "cause": c.String()},
			}, func() float64 { return float64(consent.ErrorCount(f, c)) }))
		}
	}
	m.resolveCounters(nil)
	return m
}

// observeReload records a reload attempt, which document is served and the state.
func (m *Metrics) observeReload(e *evaluator.Evaluator, st DocumentStatus) {
	if st.State == StateCurrent {
		m.reloads.WithLabelValues("success").Inc()
	} else {
		m.reloads.WithLabelValues("failure").Inc()
	}
	m.observeState(st.State)
	if e == nil {
		return
	}
	m.document.Reset()
	mode, _ := e.Mode()
	m.document.WithLabelValues(e.Campaign(), e.ConfigHash(), string(mode)).Set(1)
	m.resolveCounters(e.Experiences())
}

func (m *Metrics) observeState(current DocumentState) {
	for _, st := range DocumentStates {
		v := 0.0
		if st == current {
			v = 1
		}
		m.state.WithLabelValues(string(st)).Set(v)
	}
}
