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
	// documents is what the engine pods said about the document; nil when not asked.
	documents *engineDocuments
	// err is the error that stopped the phases, if any: a stalledError (an ownership
	// conflict, a document too large) or a transient error.
	err error
}

// compliant reports whether the policy exists and no deny rule fired.
func (o *observation) compliant() bool {
	return o.policyFound && !o.findings.HasDenials()
}

// stalledByError returns the stalled state that stopped the phases, if any.
func (o *observation) stalledByError() (*stalledError, bool) {
	if o.err == nil {
		return nil, false
	}
	return errors.AsType[*stalledError](o.err)
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

// phaseFor is the Campaign's display phase. Precedence: a missing policy or a stalled
// reconcile (Pending: no engine of this generation runs, Active would mislead),
// non-compliance (Blocked), suspension, then the schedule.
func phaseFor(c *ethosv1alpha1.Campaign, o *observation) ethosv1alpha1.Phase {
	if _, ok := o.stalledByError(); ok {
		return ethosv1alpha1.PhasePending
	}
	return schedulePhase(c, o)
}

// schedulePhase is the phase from the policy, compliance, suspension and the schedule alone.
func schedulePhase(c *ethosv1alpha1.Campaign, o *observation) ethosv1alpha1.Phase {
	switch {
	case !o.policyFound:
		return ethosv1alpha1.PhasePending
	case !o.compliant():
		return ethosv1alpha1.PhaseBlocked
	case c.Spec.Suspend:
		return ethosv1alpha1.PhaseSuspended
	}
	if s := c.Spec.Schedule; s != nil {
		if s.Start != nil && o.now.Before(s.Start.Time) {
			return ethosv1alpha1.PhaseScheduled
		}
		if s.End != nil && !o.now.Before(s.End.Time) {
			return ethosv1alpha1.PhaseEnded
		}
	}
	return ethosv1alpha1.PhaseActive
}

// untilScheduleMoves is how long until the schedule moves the phase: to the start while
// Scheduled, to the end while Active in a window; 0 when it will not move by itself.
func untilScheduleMoves(c *ethosv1alpha1.Campaign, o *observation) time.Duration {
	s := c.Spec.Schedule
	switch schedulePhase(c, o) {
	case ethosv1alpha1.PhaseScheduled:
		return s.Start.Sub(o.now)
	case ethosv1alpha1.PhaseActive:
		if s != nil && s.End != nil {
			return s.End.Sub(o.now)
		}
	}
	return 0
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
// status only so that unchanged conditions keep their lastTransitionTime. Each condition has
// a function of its own; Stalled, Reconciling and Ready are written from the Campaign's
// outcome by the functions the ConsentPolicy controller shares.
//
// Conditions (kstatus): Ready is True in every settled state (Active, Scheduled, Suspended,
// Ended) once the engine is available; Reconciling is True while the engine rolls out or after
// a transient error; Stalled is True when only a human can help (missing policy,
// non-compliance, an ownership conflict, a document too large). Reconciling and Stalled are
// removed when False. observedGeneration, of the status and of every condition, advances only
// when the reconcile ran to the end (success or a stalled state), never after a transient error.
func computeStatus(c *ethosv1alpha1.Campaign, o *observation) ethosv1alpha1.CampaignStatus {
	st := *c.Status.DeepCopy()
	st.ObservedGeneration = observedGeneration(st.ObservedGeneration, c.Generation, o.err)
	w := conditionWriter{conditions: &st.Conditions, generation: st.ObservedGeneration}
	phase := phaseFor(c, o)
	if o.checked {
		st.Phase = phase
		st.Findings = apiFindings(o.findings)
	}
	setConsentPolicyResolved(w, c, o)
	setCompliant(w, c, o)
	setEngineAvailable(w, &st, c, o)
	setKstatusConditions(w, campaignOutcome(c, o, phase, st.Conditions))
	return st
}

// setConsentPolicyResolved: True when the referenced policy exists, False once the lookup
// found none; untouched when the lookup did not run.
func setConsentPolicyResolved(w conditionWriter, c *ethosv1alpha1.Campaign, o *observation) {
	policy := c.Spec.ConsentPolicyRef.Name
	switch {
	case o.policyFound:
		w.set(ethosv1alpha1.ConditionConsentPolicyResolved, metav1.ConditionTrue, ethosv1alpha1.ReasonPolicyFound,
			fmt.Sprintf("ConsentPolicy %s found", policy))
	case o.checked:
		w.set(ethosv1alpha1.ConditionConsentPolicyResolved, metav1.ConditionFalse, ethosv1alpha1.ReasonPolicyNotFound,
			policyNotFound(c))
	}
}

// policyNotFound is the message of a Campaign whose policy does not exist.
func policyNotFound(c *ethosv1alpha1.Campaign) string {
	return fmt.Sprintf("ConsentPolicy %s not found in namespace %s; the engine answers the fallback until it exists",
		c.Spec.ConsentPolicyRef.Name, c.Namespace)
}

// setCompliant: True without deny findings, False naming the rules and the first denial,
// Unknown without a policy; untouched when the check did not run.
func setCompliant(w conditionWriter, c *ethosv1alpha1.Campaign, o *observation) {
	policy := c.Spec.ConsentPolicyRef.Name
	deny := denials(o.findings)
	switch {
	case !o.policyFound && o.checked:
		w.set(ethosv1alpha1.ConditionCompliant, metav1.ConditionUnknown, ethosv1alpha1.ReasonPolicyUnavailable,
			fmt.Sprintf("Compliance cannot be checked without ConsentPolicy %s", policy))
	case o.policyFound && len(deny) > 0:
		w.set(ethosv1alpha1.ConditionCompliant, metav1.ConditionFalse, ethosv1alpha1.ReasonNonCompliant,
			fmt.Sprintf("%d deny finding(s) against ConsentPolicy %s (%s); personalization is blocked: %s",
				len(deny), policy, ruleIDs(deny), deny[0].String()))
	case o.policyFound:
		w.set(ethosv1alpha1.ConditionCompliant, metav1.ConditionTrue, ethosv1alpha1.ReasonCompliant,
			fmt.Sprintf("No deny rule fires against ConsentPolicy %s", policy))
	}
}

// setEngineAvailable sets EngineAvailable and status.engine from the live Deployment. A
// stalled reconcile that never reached the engine makes it Unknown, with the stalled reason,
// and clears status.engine; a transient error leaves both as they were.
func setEngineAvailable(w conditionWriter, st *ethosv1alpha1.CampaignStatus, c *ethosv1alpha1.Campaign, o *observation) {
	if o.deployment != nil {
		s, reason, msg := engineAvailability(o.deployment)
		if docs := o.documents; docs != nil && docs.state != ethosv1alpha1.EngineDocumentCurrent {
			s, reason, msg = metav1.ConditionFalse, docs.reason, docs.message
			if docs.state == ethosv1alpha1.EngineDocumentUnknown {
				s = metav1.ConditionUnknown
			}
		}
		w.set(ethosv1alpha1.ConditionEngineAvailable, s, reason, msg)
		st.Engine = &ethosv1alpha1.EngineStatus{
			Deployment:    c.EngineName(),
			Service:       c.EngineName(),
			ConfigHash:    o.configHash,
			Replicas:      ptr.Deref(o.deployment.Spec.Replicas, 1),
			ReadyReplicas: o.deployment.Status.ReadyReplicas,
			URL:           resources.URL(c),
		}
		if o.documents != nil {
			st.Engine.DocumentState, st.Engine.ServedConfigHash = o.documents.state, o.documents.served
		}
		return
	}
	if se, ok := o.stalledByError(); ok {
		w.set(ethosv1alpha1.ConditionEngineAvailable, metav1.ConditionUnknown, se.reason, se.message)
		st.Engine = nil
	}
}

// campaignOutcome is where the reconcile left the Campaign: stopped by an error (stalled or
// transient), stalled on its policy (missing, or not complied with), rolling out, or settled
// in its phase. conds are the conditions set so far, for the engine's message.
func campaignOutcome(c *ethosv1alpha1.Campaign, o *observation, phase ethosv1alpha1.Phase, conds []metav1.Condition) outcome {
	if o.err != nil {
		return errorOutcome(o.err)
	}
	engine := meta.FindStatusCondition(conds, ethosv1alpha1.ConditionEngineAvailable)
	switch {
	case phase == ethosv1alpha1.PhasePending:
		return outcome{kind: stalled, reason: ethosv1alpha1.ReasonPolicyNotFound, message: policyNotFound(c)}
	case phase == ethosv1alpha1.PhaseBlocked:
		return outcome{kind: stalled, reason: ethosv1alpha1.ReasonNonCompliant, readyReason: ethosv1alpha1.ReasonBlocked,
			message: fmt.Sprintf("Campaign does not comply with ConsentPolicy %s (%s); the engine answers the fallback until it is fixed",
				c.Spec.ConsentPolicyRef.Name, ruleIDs(denials(o.findings)))}
	case engine == nil || engine.Status != metav1.ConditionTrue:
		msg := "Waiting for the engine to roll out"
		if engine != nil {
			msg += ": " + engine.Message
		}
		return outcome{kind: progressing, reason: ethosv1alpha1.ReasonProgressing, message: msg}
	default:
		reason, msg := readyFor(phase)
		return outcome{kind: settled, reason: reason, message: msg}
	}
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
