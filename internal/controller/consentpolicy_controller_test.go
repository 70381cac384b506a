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
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func TestConsentPolicyStatusAndDeletionProtection(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	g.Expect(k8s.Create(ctx, c)).To(Succeed())

	p := &ethosv1alpha1.ConsentPolicy{}
	g.Eventually(func(g Gomega) {
		get(g, ns, "eu-web", p)
		g.Expect(p.Finalizers).To(ConsistOf(ethosv1alpha1.ConsentPolicyFinalizer))
		g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
		g.Expect(p.Status.PurposeCount).To(Equal(int32(3)))
		g.Expect(p.Status.BoundCampaigns).To(Equal(int32(1)))
		g.Expect(p.Status.InUseBy).To(Equal([]string{"spring-running"}))
		g.Expect(conditionSummary(p.Status.Conditions)).To(Equal(map[string]string{"Ready": "True/Succeeded"}))
	}, timeout, poll).Should(Succeed())

	// Deleting a policy in use waits, and says for whom.
	g.Expect(k8s.Delete(ctx, p)).To(Succeed())
	g.Eventually(func(g Gomega) {
		get(g, ns, "eu-web", p)
		g.Expect(p.DeletionTimestamp).NotTo(BeNil())
		ready := meta.FindStatusCondition(p.Status.Conditions, ethosv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(ready.Reason).To(Equal(ethosv1alpha1.ReasonInUse))
		g.Expect(ready.Message).To(Equal("Deletion waits for 1 Campaign(s) that use this policy: spring-running"))
	}, timeout, poll).Should(Succeed())
	// The Campaign keeps its policy meanwhile.
	got := settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, ethosv1alpha1.ConditionConsentPolicyResolved)).To(BeTrue())

	g.Expect(k8s.Delete(ctx, got)).To(Succeed())
	g.Eventually(func(g Gomega) {
		err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "eu-web"}, p)
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "policy still there: %v", err)
	}, timeout, poll).Should(Succeed())
}
