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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/evaluator"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// TestPolicyEditChangesConsentDerivation: editing a ConsentPolicy's tcfPurposes changes what
// the engine derives from the same TC string. The document is read back from the ConfigMap
// the controller wrote and loaded with the engine's evaluator, as the engine loads it.
func TestPolicyEditChangesConsentDerivation(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	c.Spec.ControlGroup = nil // every visitor is personalised when consent allows
	g.Expect(k8s.Create(ctx, c)).To(Succeed())

	// The visitor refused TCF purpose 5 in the banner (an IAB-encoded string, see enginetest).
	req := &wire.Request{
		Visitor:    wire.Visitor{ID: "anon-7f3a"},
		Consent:    wire.Consent{TCString: enginetest.TCStrings["missingPurpose5"]},
		Attributes: wire.Attributes{"viewedCategories": {Kind: wire.KindList, List: []string{"trail"}}},
		Zone:       "home_hero",
	}
	decide := func() wire.Answer {
		cm := &corev1.ConfigMap{}
		get(g, ns, "spring-running-engine", cm)
		e, err := evaluator.Parse([]byte(cm.Data[document.FileName]))
		g.Expect(err).NotTo(HaveOccurred())
		return e.Decide(req, enginetest.Now)
	}

	// The sample's personalization purpose maps TCF purposes 1, 5 and 6: denied.
	settle(t, ns, ethosv1alpha1.PhaseActive)
	doc, _ := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Personalization.ConsentSignals.TCF.Purposes).To(HaveLen(3))
	g.Expect(decide().Reason).To(Equal(wire.ReasonConsentDenied))

	// The policy stops relying on purpose 5: the same string now grants the purpose.
	p := &ethosv1alpha1.ConsentPolicy{}
	get(g, ns, "eu-web", p)
	p.Spec.Purposes[0].TCFPurposes = []int32{1, 6}
	g.Expect(k8s.Update(ctx, p)).To(Succeed())
	g.Eventually(func(g Gomega) {
		doc, _ := engineDocument(g, ns, "spring-running")
		g.Expect(doc.Personalization).NotTo(BeNil())
		g.Expect(doc.Personalization.ConsentSignals.TCF.Purposes).To(HaveLen(2))
	}, timeout, poll).Should(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)
	a := decide()
	g.Expect(a.Reason).To(Equal(wire.ReasonMatched))
	g.Expect(a.Explanation).To(HaveSuffix(" This is based on your cookie choices."))

	// And a policy that raises the minimum TCF policy version past the string's makes it
	// unknown consent.
	get(g, ns, "eu-web", p)
	p.Spec.TCF.MinPolicyVersion = ptr.To[int32](5)
	g.Expect(k8s.Update(ctx, p)).To(Succeed())
	g.Eventually(func(g Gomega) {
		doc, _ := engineDocument(g, ns, "spring-running")
		g.Expect(doc.Personalization).NotTo(BeNil())
		g.Expect(doc.Personalization.ConsentSignals.TCF.MinPolicyVersion).To(Equal(int32(5)))
	}, timeout, poll).Should(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(decide().Reason).To(Equal(wire.ReasonConsentUnknown))
}
