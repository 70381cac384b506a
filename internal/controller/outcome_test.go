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
	"time"

	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func TestSoonest(t *testing.T) {
	g := NewWithT(t)
	in := func(d time.Duration) ctrl.Result { return ctrl.Result{RequeueAfter: d} }
	g.Expect(soonest(in(0), in(0))).To(Equal(in(0)))
	g.Expect(soonest(in(0), in(time.Hour))).To(Equal(in(time.Hour)))
	g.Expect(soonest(in(time.Hour), in(0))).To(Equal(in(time.Hour)))
	g.Expect(soonest(in(time.Hour), in(time.Minute))).To(Equal(in(time.Minute)))
	g.Expect(soonest(in(time.Minute), in(time.Hour))).To(Equal(in(time.Minute)))
}

func TestStopResult(t *testing.T) {
	schedule := ctrl.Result{RequeueAfter: 30 * time.Second}
	transient := tag("ApplyService", errors.New("connection refused"))
	tests := []struct {
		name       string
		sofar      ctrl.Result
		err        error
		wantResult ctrl.Result
		wantErr    error
		transient  bool
	}{
		{name: "transient error is returned for backoff, results dropped", sofar: schedule, err: transient,
			wantErr: transient, transient: true},
		{name: "stalled requeues after its retry", err: tag("ApplyConfigMap", ownershipConflict("ConfigMap", "a-engine", "a")),
			wantResult: ctrl.Result{RequeueAfter: conflictRetry}},
		{name: "stalled keeps an earlier, sooner requeue", sofar: schedule, err: ownershipConflict("ConfigMap", "a-engine", "a"),
			wantResult: schedule},
		{name: "stalled without retry waits for a watch event", err: &stalledError{reason: ethosv1alpha1.ReasonDocumentTooLarge}},
		{name: "waiting is not an error", err: &waitingError{reason: ethosv1alpha1.ReasonInUse, retryAfter: time.Minute},
			wantResult: ctrl.Result{RequeueAfter: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			res, err := stopResult(tt.sofar, tt.err)
			g.Expect(res).To(Equal(tt.wantResult))
			if tt.wantErr == nil {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				g.Expect(err).To(Equal(tt.wantErr))
			}
			g.Expect(isTransient(tt.err)).To(Equal(tt.transient))
			g.Expect(observedGeneration(1, 2, tt.err)).To(Equal(map[bool]int64{true: 1, false: 2}[tt.transient]))
		})
	}
}

func TestPolicyStatus(t *testing.T) {
	p := &ethosv1alpha1.ConsentPolicy{}
	p.Name, p.Namespace, p.Generation = "eu-web", "shop", 4
	p.Status.ObservedGeneration = 3
	p.Spec.Purposes = []ethosv1alpha1.Purpose{{Name: "personalization"}}
	tests := []struct {
		name      string
		err       error
		wantConds map[string]string
		wantGen   int64
	}{
		{name: "settled", wantConds: map[string]string{"Ready": "True/Succeeded"}, wantGen: 4},
		{name: "deletion waits", err: &waitingError{reason: ethosv1alpha1.ReasonInUse, message: "Deletion waits"},
			wantConds: map[string]string{"Ready": "False/InUse", "Reconciling": "True/InUse"}, wantGen: 4},
		{name: "transient error", err: errors.New("conflict"),
			wantConds: map[string]string{"Ready": "False/ReconcileError", "Reconciling": "True/ReconcileError"}, wantGen: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			st := policyStatus(p, []string{"spring"}, tt.err)
			g.Expect(conditionSummary(st.Conditions)).To(Equal(tt.wantConds))
			g.Expect(st.ObservedGeneration).To(Equal(tt.wantGen))
			g.Expect(st.PurposeCount).To(Equal(int32(1)))
			g.Expect(st.InUseBy).To(Equal([]string{"spring"}))
			for _, c := range st.Conditions {
				g.Expect(c.ObservedGeneration).To(Equal(tt.wantGen), c.Type)
			}
		})
	}
	g := NewWithT(t)
	st := policyStatus(p, []string{"spring"}, nil)
	g.Expect(findCondition(st.Conditions, ethosv1alpha1.ConditionReady).Message).To(Equal("1 purpose(s), used by 1 Campaign(s)"))
}
