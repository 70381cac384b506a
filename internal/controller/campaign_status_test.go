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
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
)

var now = time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)

func statusCampaign(mut func(*ethosv1alpha1.Campaign)) *ethosv1alpha1.Campaign {
	c := &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Name: "spring", Namespace: "shop", Generation: 3},
		Spec:       ethosv1alpha1.CampaignSpec{ConsentPolicyRef: ethosv1alpha1.PolicyReference{Name: "eu-web"}},
	}
	if mut != nil {
		mut(c)
	}
	return c
}

func deployment(replicas, available int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Generation: 2},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: replicas, UpdatedReplicas: replicas, ReadyReplicas: available, AvailableReplicas: available,
		},
	}
}

var deny = ethics.Finding{Rule: "ETH009", RuleName: "ClassNotCoveredByPurpose", Severity: ethics.Deny,
	Field: "spec.dataUsage[0].class", Message: "Behavioral is not covered."}

var warning = ethics.Finding{Rule: "ETH016", RuleName: "NoControlGroup", Severity: ethics.Warning,
	Field: "spec.controlGroup", Message: "No control group."}

func at(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }

func TestComputeStatus(t *testing.T) {
	tests := []struct {
		name        string
		campaign    *ethosv1alpha1.Campaign
		obs         observation
		wantPhase   ethosv1alpha1.Phase
		wantConds   map[string]string
		wantGen     int64
		wantRequeue time.Duration
	}{{
		name:      "active and available",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseActive, wantGen: 3,
		wantConds: map[string]string{"Ready": "True/Active", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name:      "rolling out",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, policyFound: true, findings: ethics.Findings{warning}, deployment: deployment(2, 1)},
		wantPhase: ethosv1alpha1.PhaseActive, wantGen: 3,
		wantConds: map[string]string{"Ready": "False/Progressing", "Reconciling": "True/Progressing", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "False/DeploymentProgressing"},
	}, {
		name:      "scaled to zero is available",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(0, 0)},
		wantPhase: ethosv1alpha1.PhaseActive, wantGen: 3,
		wantConds: map[string]string{"Ready": "True/Active", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/ScaledToZero"},
	}, {
		name:      "policy missing",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhasePending, wantGen: 3,
		wantConds: map[string]string{"Ready": "False/PolicyNotFound", "Stalled": "True/PolicyNotFound", "ConsentPolicyResolved": "False/PolicyNotFound",
			"Compliant": "Unknown/PolicyUnavailable", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name:      "non-compliant",
		campaign:  statusCampaign(func(c *ethosv1alpha1.Campaign) { c.Spec.Suspend = true }),
		obs:       observation{checked: true, policyFound: true, findings: ethics.Findings{warning, deny}, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseBlocked, wantGen: 3,
		wantConds: map[string]string{"Ready": "False/Blocked", "Stalled": "True/NonCompliant", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "False/NonCompliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name:      "suspended",
		campaign:  statusCampaign(func(c *ethosv1alpha1.Campaign) { c.Spec.Suspend = true }),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseSuspended, wantGen: 3,
		wantConds: map[string]string{"Ready": "True/Suspended", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name: "scheduled: requeue at start",
		campaign: statusCampaign(func(c *ethosv1alpha1.Campaign) {
			c.Spec.Schedule = &ethosv1alpha1.Schedule{Start: at(time.Hour), End: at(2 * time.Hour)}
		}),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseScheduled, wantGen: 3, wantRequeue: time.Hour,
		wantConds: map[string]string{"Ready": "True/Scheduled", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name: "in the window: requeue at end",
		campaign: statusCampaign(func(c *ethosv1alpha1.Campaign) {
			c.Spec.Schedule = &ethosv1alpha1.Schedule{Start: at(-time.Hour), End: at(2 * time.Hour)}
		}),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseActive, wantGen: 3, wantRequeue: 2 * time.Hour,
		wantConds: map[string]string{"Ready": "True/Active", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name: "ended at the exact end",
		campaign: statusCampaign(func(c *ethosv1alpha1.Campaign) {
			c.Spec.Schedule = &ethosv1alpha1.Schedule{End: at(0)}
		}),
		obs:       observation{checked: true, policyFound: true, deployment: deployment(1, 1)},
		wantPhase: ethosv1alpha1.PhaseEnded, wantGen: 3,
		wantConds: map[string]string{"Ready": "True/Ended", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "True/DeploymentAvailable"},
	}, {
		name:      "ownership conflict",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, policyFound: true, err: tag("ApplyConfigMap", ownershipConflict("ConfigMap", "spring-engine", "spring"))},
		wantPhase: ethosv1alpha1.PhasePending, wantGen: 3,
		wantConds: map[string]string{"Ready": "False/OwnershipConflict", "Stalled": "True/OwnershipConflict", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "Unknown/OwnershipConflict"},
	}, {
		name:      "document too large",
		campaign:  statusCampaign(nil),
		obs:       observation{checked: true, policyFound: true, err: &stalledError{reason: ethosv1alpha1.ReasonDocumentTooLarge, message: "too big", fix: "cut"}},
		wantPhase: ethosv1alpha1.PhasePending, wantGen: 3,
		wantConds: map[string]string{"Ready": "False/DocumentTooLarge", "Stalled": "True/DocumentTooLarge", "ConsentPolicyResolved": "True/PolicyFound",
			"Compliant": "True/Compliant", "EngineAvailable": "Unknown/DocumentTooLarge"},
	}, {
		name: "transient error keeps observedGeneration",
		campaign: statusCampaign(func(c *ethosv1alpha1.Campaign) {
			c.Status.ObservedGeneration = 2
			c.Status.Phase = ethosv1alpha1.PhaseActive
		}),
		obs:       observation{err: errors.New("failed to get ConsentPolicy shop/eu-web: timeout")},
		wantPhase: ethosv1alpha1.PhaseActive, wantGen: 2,
		wantConds: map[string]string{"Ready": "False/ReconcileError", "Reconciling": "True/ReconcileError"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			tt.obs.now = now
			st := computeStatus(tt.campaign, &tt.obs)
			g.Expect(st.Phase).To(Equal(tt.wantPhase))
			g.Expect(conditionSummary(st.Conditions)).To(Equal(tt.wantConds))
			g.Expect(st.ObservedGeneration).To(Equal(tt.wantGen))
			// The schedule phase owns the requeue; it reads the same observation.
			g.Expect(untilScheduleMoves(tt.campaign, &tt.obs)).To(Equal(tt.wantRequeue))
			for _, c := range st.Conditions {
				g.Expect(c.ObservedGeneration).To(Equal(tt.wantGen), c.Type)
			}
		})
	}
}

func TestComputeStatusDetails(t *testing.T) {
	g := NewWithT(t)
	c := statusCampaign(nil)
	obs := &observation{now: now, checked: true, policyFound: true, findings: ethics.Findings{warning, deny}, configHash: "0123456789abcdef", deployment: deployment(2, 1)}
	st := computeStatus(c, obs)
	g.Expect(st.Engine).To(Equal(&ethosv1alpha1.EngineStatus{
		Deployment: "spring-engine", Service: "spring-engine", ConfigHash: "0123456789abcdef",
		Replicas: 2, ReadyReplicas: 1, URL: "http://spring-engine.shop.svc:8080",
	}))
	g.Expect(st.Findings).To(Equal([]ethosv1alpha1.Finding{
		{Rule: "ETH016", RuleName: "NoControlGroup", Severity: ethosv1alpha1.SeverityWarning, Field: "spec.controlGroup",
			Message: "No control group."},
		{Rule: "ETH009", RuleName: "ClassNotCoveredByPurpose", Severity: ethosv1alpha1.SeverityDeny, Field: "spec.dataUsage[0].class",
			Message: "Behavioral is not covered."},
	}))
	compliant := findCondition(st.Conditions, ethosv1alpha1.ConditionCompliant)
	g.Expect(compliant.Message).To(Equal("1 deny finding(s) against ConsentPolicy eu-web (ETH009); personalization is blocked: " +
		"[ETH009 ClassNotCoveredByPurpose] spec.dataUsage[0].class: Behavioral is not covered."))

	// Deterministic: the same observation gives the same status, and recomputing from it
	// keeps every lastTransitionTime.
	c.Status = st
	again := computeStatus(c, obs)
	g.Expect(again).To(Equal(st))
}

func TestStalledMessages(t *testing.T) {
	g := NewWithT(t)
	st := computeStatus(statusCampaign(nil), &observation{now: now, checked: true, policyFound: true,
		err: tag("ApplyConfigMap", ownershipConflict("ConfigMap", "spring-engine", "spring"))})
	g.Expect(findCondition(st.Conditions, ethosv1alpha1.ConditionStalled).Message).To(Equal(
		"ownership conflict: ConfigMap spring-engine exists and is not controlled by Campaign spring; delete or rename it so Ethos can create its own"))
	g.Expect(findCondition(st.Conditions, ethosv1alpha1.ConditionEngineAvailable).Message).To(Equal(
		"ownership conflict: ConfigMap spring-engine exists and is not controlled by Campaign spring"))
	g.Expect(st.Engine).To(BeNil())
}

func findCondition(conds []metav1.Condition, t string) metav1.Condition {
	for _, c := range conds {
		if c.Type == t {
			return c
		}
	}
	return metav1.Condition{}
}
