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
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/resources"
)

// maxFindings is the schema's bound on status.findings.
const maxFindings = 50

// maxMessage is the schema's bound on a finding's message.
const maxMessage = 1024

// observation is everything one reconcile learned about a Campaign. It is the only input of
// the status computation, which keeps that computation pure and table-testable.
type observation struct {
	// now is the reconcile's clock reading, for the schedule.
	now time.Time
	// policyFound is false when the referenced ConsentPolicy does not exist.
	policyFound bool
	// checked is true once the policy was looked up and the compliance check ran.
	checked bool
	// findings of the compliance check.
	findings ethics.Findings
	// configHash identifies the compiled decision document ("" when not compiled).
	configHash string
	// deployment is the live engine Deployment after apply; nil when it was not reached.
	deployment *appsv1.Deployment
	// conflict is the ownership conflict that stopped the reconcile, if any.
	conflict error
	// err is the transient error that stopped the reconcile, if any.
	err error
}

// compliant reports whether the policy exists and no deny rule fired.
func (o *observation) compliant() bool {
	return o.policyFound && !o.findings.HasDenials()
}

// denials returns the deny findings, in order.
func denials(fs ethics.Findings) ethics.Findings {
	var out ethics.Findings
	for _, f := range fs {
		if f.Severity == ethics.Deny {
			out = append(out, f)
		}
	}
	return out
}

// phaseFor is the Campaign's display phase, and how long until the schedule moves it (0 when
// it will not move by itself). Precedence: a missing policy (Pending), non-compliance
// (Blocked), suspension, then the schedule.
func phaseFor(c *ethosv1alpha1.Campaign, o *observation) (ethosv1alpha1.Phase, time.Duration) {
	switch {
	case !o.policyFound:
		return ethosv1alpha1.PhasePending, 0
	case !o.compliant():
		return ethosv1alpha1.PhaseBlocked, 0
	case c.Spec.Suspend:
		return ethosv1alpha1.PhaseSuspended, 0
	}
	if s := c.Spec.Schedule; s != nil {
		if s.Start != nil && o.now.Before(s.Start.Time) {
			return ethosv1alpha1.PhaseScheduled, s.Start.Sub(o.now)
		}
		if s.End != nil {
			if !o.now.Before(s.End.Time) {
				return ethosv1alpha1.PhaseEnded, 0
			}
			return ethosv1alpha1.PhaseActive, s.End.Sub(o.now)
		}
	}
	return ethosv1alpha1.PhaseActive, 0
}

// engineAvailability says whether the engine Deployment has rolled out the current pod
// template to all its replicas, with the EngineAvailable condition's reason and message.
func engineAvailability(d *appsv1.Deployment) (metav1.ConditionStatus, string, string) {
	want := ptr.Deref(d.Spec.Replicas, 1)
	switch {
	case want == 0:
		return metav1.ConditionTrue, ethosv1alpha1.ReasonScaledToZero, "The engine is scaled to zero replicas"
	case d.Status.ObservedGeneration < d.Generation,
		d.Status.UpdatedReplicas < want,
		d.Status.AvailableReplicas < want,
		d.Status.Replicas > d.Status.UpdatedReplicas:
		return metav1.ConditionFalse, ethosv1alpha1.ReasonDeploymentProgressing,
			fmt.Sprintf("%d of %d engine replicas are updated and available", min(d.Status.UpdatedReplicas, d.Status.AvailableReplicas), want)
	default:
		return metav1.ConditionTrue, ethosv1alpha1.ReasonDeploymentAvailable,
			fmt.Sprintf("%d of %d engine replicas are updated and available", want, want)
	}
}

// computeStatus returns the Campaign's status from an observation, starting from the current
// status only so that unchanged conditions keep their lastTransitionTime. It also returns how
// long until the schedule needs another reconcile.
//
// Conditions (kstatus): Ready is True in every settled state (Active, Scheduled, Suspended,
// Ended) once the engine is available; Reconciling is True while the engine rolls out or after
// a transient error; Stalled is True when only a human can help (missing policy,
// non-compliance, an ownership conflict). Reconciling and Stalled are removed when False.
// observedGeneration, of the status and of every condition, advances only when the reconcile
// ran to the end (success or a stalled state), never after a transient error.
func computeStatus(c *ethosv1alpha1.Campaign, o *observation) (ethosv1alpha1.CampaignStatus, time.Duration) {
	st := *c.Status.DeepCopy()
	gen := st.ObservedGeneration
	if o.err == nil {
		gen = c.Generation
	}
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{
			Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen,
		})
	}
	policy := c.Spec.ConsentPolicyRef.Name

	phase, requeue := phaseFor(c, o)
	if o.conflict != nil {
		// No engine of ours runs; Active would mislead.
		phase = ethosv1alpha1.PhasePending
	}
	if o.checked {
		st.Phase = phase
	}

	// ConsentPolicyResolved.
	if o.policyFound {
		set(ethosv1alpha1.ConditionConsentPolicyResolved, metav1.ConditionTrue, ethosv1alpha1.ReasonPolicyFound,
			fmt.Sprintf("ConsentPolicy %s found", policy))
	} else if o.checked {
		set(ethosv1alpha1.ConditionConsentPolicyResolved, metav1.ConditionFalse, ethosv1alpha1.ReasonPolicyNotFound,
			fmt.Sprintf("ConsentPolicy %s not found in namespace %s; the engine answers the fallback until it exists", policy, c.Namespace))
	}

	// Compliant and findings.
	deny := denials(o.findings)
	switch {
	case !o.policyFound && o.checked:
		set(ethosv1alpha1.ConditionCompliant, metav1.ConditionUnknown, ethosv1alpha1.ReasonPolicyUnavailable,
			fmt.Sprintf("Compliance cannot be checked without ConsentPolicy %s", policy))
	case o.policyFound && len(deny) > 0:
		set(ethosv1alpha1.ConditionCompliant, metav1.ConditionFalse, ethosv1alpha1.ReasonNonCompliant,
			fmt.Sprintf("%d deny finding(s) against ConsentPolicy %s (%s); personalization is blocked: %s",
				len(deny), policy, ruleIDs(deny), deny[0].String()))
	case o.policyFound:
		set(ethosv1alpha1.ConditionCompliant, metav1.ConditionTrue, ethosv1alpha1.ReasonCompliant,
			fmt.Sprintf("No deny rule fires against ConsentPolicy %s", policy))
	}
	if o.checked {
		st.Findings = apiFindings(o.findings)
	}

	// EngineAvailable and the engine summary.
	available := false
	switch {
	case o.deployment != nil:
		s, reason, msg := engineAvailability(o.deployment)
		available = s == metav1.ConditionTrue
		set(ethosv1alpha1.ConditionEngineAvailable, s, reason, msg)
		st.Engine = &ethosv1alpha1.EngineStatus{
			Deployment:    c.EngineName(),
			Service:       c.EngineName(),
			ConfigHash:    o.configHash,
			Replicas:      ptr.Deref(o.deployment.Spec.Replicas, 1),
			ReadyReplicas: o.deployment.Status.ReadyReplicas,
			URL:           resources.URL(c),
		}
	case o.conflict != nil:
		set(ethosv1alpha1.ConditionEngineAvailable, metav1.ConditionUnknown, ethosv1alpha1.ReasonOwnershipConflict, o.conflict.Error())
		st.Engine = nil
	}

	// Stalled, Reconciling, Ready.
	stalledReason, stalledMsg, readyReason := "", "", ""
	switch {
	case o.conflict != nil:
		stalledReason, readyReason = ethosv1alpha1.ReasonOwnershipConflict, ethosv1alpha1.ReasonOwnershipConflict
		stalledMsg = o.conflict.Error() + "; delete or rename it so Ethos can create its own"
	case o.err == nil && phase == ethosv1alpha1.PhasePending:
		stalledReason, readyReason = ethosv1alpha1.ReasonPolicyNotFound, ethosv1alpha1.ReasonPolicyNotFound
		stalledMsg = fmt.Sprintf("ConsentPolicy %s not found in namespace %s; the engine answers the fallback until it exists", policy, c.Namespace)
	case o.err == nil && phase == ethosv1alpha1.PhaseBlocked:
		stalledReason, readyReason = ethosv1alpha1.ReasonNonCompliant, ethosv1alpha1.ReasonBlocked
		stalledMsg = fmt.Sprintf("Campaign does not comply with ConsentPolicy %s (%s); the engine answers the fallback until it is fixed",
			policy, ruleIDs(deny))
	}
	switch {
	case stalledReason != "":
		set(ethosv1alpha1.ConditionStalled, metav1.ConditionTrue, stalledReason, stalledMsg)
		meta.RemoveStatusCondition(&st.Conditions, ethosv1alpha1.ConditionReconciling)
		set(ethosv1alpha1.ConditionReady, metav1.ConditionFalse, readyReason, stalledMsg)
	case o.err != nil:
		meta.RemoveStatusCondition(&st.Conditions, ethosv1alpha1.ConditionStalled)
		set(ethosv1alpha1.ConditionReconciling, metav1.ConditionTrue, ethosv1alpha1.ReasonReconcileError, o.err.Error())
		set(ethosv1alpha1.ConditionReady, metav1.ConditionFalse, ethosv1alpha1.ReasonReconcileError, o.err.Error())
	case !available:
		msg := "Waiting for the engine to roll out: " + meta.FindStatusCondition(st.Conditions, ethosv1alpha1.ConditionEngineAvailable).Message
		meta.RemoveStatusCondition(&st.Conditions, ethosv1alpha1.ConditionStalled)
		set(ethosv1alpha1.ConditionReconciling, metav1.ConditionTrue, ethosv1alpha1.ReasonProgressing, msg)
		set(ethosv1alpha1.ConditionReady, metav1.ConditionFalse, ethosv1alpha1.ReasonProgressing, msg)
	default:
		meta.RemoveStatusCondition(&st.Conditions, ethosv1alpha1.ConditionStalled)
		meta.RemoveStatusCondition(&st.Conditions, ethosv1alpha1.ConditionReconciling)
		reason, msg := readyFor(phase)
		set(ethosv1alpha1.ConditionReady, metav1.ConditionTrue, reason, msg)
	}
	st.ObservedGeneration = gen
	return st, requeue
}

// readyFor is the Ready=True reason and message of a settled phase.
func readyFor(p ethosv1alpha1.Phase) (string, string) {
	switch p {
	case ethosv1alpha1.PhaseScheduled:
		return ethosv1alpha1.ReasonScheduled, "The schedule has not started; the engine answers the fallback until it does"
	case ethosv1alpha1.PhaseEnded:
		return ethosv1alpha1.ReasonEnded, "The schedule has ended; the engine answers the fallback"
	case ethosv1alpha1.PhaseSuspended:
		return ethosv1alpha1.ReasonSuspended, "The Campaign is suspended; the engine answers the fallback"
	default:
		return ethosv1alpha1.ReasonActive, "The engine serves personalized decisions"
	}
}

// ruleIDs lists the distinct rule IDs of findings, in order, comma-separated.
func ruleIDs(fs ethics.Findings) string {
	var ids []string
	for _, f := range fs {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	return strings.Join(ids, ", ")
}

// apiFindings converts rule-engine findings into status findings, within the schema's bounds.
func apiFindings(fs ethics.Findings) []ethosv1alpha1.Finding {
	if len(fs) == 0 {
		return nil
	}
	out := make([]ethosv1alpha1.Finding, 0, min(len(fs), maxFindings))
	for _, f := range fs[:min(len(fs), maxFindings)] {
		f.Message, f.Field = truncate(f.Message, maxMessage), truncate(f.Field, 256)
		out = append(out, f)
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n-3], "") + "..."
}
