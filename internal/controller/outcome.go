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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Reconcile results are values (docs/controllers.md): every phase returns (ctrl.Result, error).
// Two error types stop the phases without being failures, so they are not retried with
// backoff and do not hold back observedGeneration:
//
//   - stalledError: only a human can unblock the object (kstatus Stalled);
//   - waitingError: the object waits for something that happens by itself (kstatus
//     Reconciling), such as the Campaigns a ConsentPolicy's deletion waits for.
//
// Any other error is transient: it is returned to controller-runtime, which retries with backoff.

// stalledError stops a reconcile that only a human can unblock. Stalled=True carries reason
// and "message; fix", and the controller looks again after retryAfter (0: only when a watched
// object changes).
type stalledError struct {
	reason string
	// message says what is wrong; fix says what to do about it.
	message, fix string
	retryAfter   time.Duration
}

func (e *stalledError) Error() string { return e.message }

// waitingError stops a reconcile that waits for something that happens by itself:
// Reconciling=True carries reason and message, and the controller looks again after
// retryAfter (0: only when a watched object changes).
type waitingError struct {
	reason, message string
	retryAfter      time.Duration
}

func (e *waitingError) Error() string { return e.message }

// isTransient reports whether err is a failure to retry with backoff (not stalled, not waiting).
func isTransient(err error) bool {
	if err == nil {
		return false
	}
	_, stalled := errors.AsType[*stalledError](err)
	_, waiting := errors.AsType[*waitingError](err)
	return !stalled && !waiting
}

// soonest merges two phase results: the earlier non-zero RequeueAfter wins.
func soonest(a, b ctrl.Result) ctrl.Result {
	switch {
	case a.RequeueAfter == 0:
		return b
	case b.RequeueAfter == 0 || a.RequeueAfter <= b.RequeueAfter:
		return a
	default:
		return b
	}
}

// stopResult is what Reconcile returns after a phase stopped it with err, given the results
// of the phases before: a stalled or waiting state requeues after its retry (or sooner, as
// the earlier phases asked) and returns no error; a transient error is returned alone.
func stopResult(sofar ctrl.Result, err error) (ctrl.Result, error) {
	if se, ok := errors.AsType[*stalledError](err); ok {
		return soonest(sofar, ctrl.Result{RequeueAfter: se.retryAfter}), nil
	}
	if we, ok := errors.AsType[*waitingError](err); ok {
		return soonest(sofar, ctrl.Result{RequeueAfter: we.retryAfter}), nil
	}
	return ctrl.Result{}, err
}

// observedGeneration is the generation status and conditions record: the object's, unless a
// transient error stopped the reconcile before its end (then the one recorded before).
func observedGeneration(recorded, generation int64, err error) int64 {
	if isTransient(err) {
		return recorded
	}
	return generation
}

// conditionWriter sets conditions on a status, all at one observedGeneration.
type conditionWriter struct {
	conditions *[]metav1.Condition
	generation int64
}

func (w conditionWriter) set(conditionType string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(w.conditions, metav1.Condition{
		Type: conditionType, Status: status, Reason: reason, Message: message, ObservedGeneration: w.generation,
	})
}

func (w conditionWriter) remove(conditionType string) {
	meta.RemoveStatusCondition(w.conditions, conditionType)
}

// outcomeKind is where a reconcile left its object, in kstatus terms.
type outcomeKind int

const (
	// settled: converged; Ready=True.
	settled outcomeKind = iota
	// progressing: converging, waiting or retrying; Reconciling=True.
	progressing
	// stalled: only a human can help; Stalled=True.
	stalled
)

// outcome is what one reconcile amounts to for the three kstatus conditions. Each controller
// computes its own (campaignOutcome, policyOutcome); setStalled, setReconciling and setReady
// write it the same way for both.
type outcome struct {
	kind outcomeKind
	// reason is Stalled's or Reconciling's reason, and Ready's unless readyReason is set.
	reason string
	// readyReason is Ready's reason when it differs (a Blocked Campaign is Stalled for NonCompliant).
	readyReason string
	message     string
}

// errorOutcome is the outcome of a reconcile that a phase stopped with err.
func errorOutcome(err error) outcome {
	if se, ok := errors.AsType[*stalledError](err); ok {
		return outcome{kind: stalled, reason: se.reason, message: se.message + "; " + se.fix}
	}
	if we, ok := errors.AsType[*waitingError](err); ok {
		return outcome{kind: progressing, reason: we.reason, message: we.message}
	}
	return outcome{kind: progressing, reason: ethosv1alpha1.ReasonReconcileError, message: err.Error()}
}

// setStalled sets Stalled=True for a stalled outcome and removes it otherwise: kstatus
// conditions of this kind are present only while true.
func setStalled(w conditionWriter, o outcome) {
	if o.kind != stalled {
		w.remove(ethosv1alpha1.ConditionStalled)
		return
	}
	w.set(ethosv1alpha1.ConditionStalled, metav1.ConditionTrue, o.reason, o.message)
}

// setReconciling sets Reconciling=True for a progressing outcome and removes it otherwise.
func setReconciling(w conditionWriter, o outcome) {
	if o.kind != progressing {
		w.remove(ethosv1alpha1.ConditionReconciling)
		return
	}
	w.set(ethosv1alpha1.ConditionReconciling, metav1.ConditionTrue, o.reason, o.message)
}

// setReady sets Ready: True when settled, False with the outcome's reason otherwise.
func setReady(w conditionWriter, o outcome) {
	status := metav1.ConditionFalse
	if o.kind == settled {
		status = metav1.ConditionTrue
	}
	reason := o.reason
	if o.readyReason != "" {
		reason = o.readyReason
	}
	w.set(ethosv1alpha1.ConditionReady, status, reason, o.message)
}

// setKstatusConditions writes Stalled, Reconciling and Ready from an outcome, in that order.
func setKstatusConditions(w conditionWriter, o outcome) {
	setStalled(w, o)
	setReconciling(w, o)
	setReady(w, o)
}
