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

package v1alpha1_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// These tests install the generated CRDs into a real kube-apiserver and prove that the
// OpenAPI schema, defaults and CEL rules do what the API promises.

var k8s client.Client

func TestMain(m *testing.M) {
	env, err := testenv.Start(testenv.Options{})
	if err != nil {
		_, _ = os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	k8s = env.Client
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

func createNamespace(t *testing.T, name string) string {
	t.Helper()
	obj := newNamespace(name)
	if err := k8s.Create(context.Background(), obj); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace: %v", err)
	}
	return name
}

func validPolicy(ns string) *ethosv1alpha1.ConsentPolicy {
	return &ethosv1alpha1.ConsentPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "eu-web", Namespace: ns},
		Spec: ethosv1alpha1.ConsentPolicySpec{
			Jurisdictions: []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionEU},
			Purposes: []ethosv1alpha1.Purpose{{
				Name:        "personalization",
				Description: "We use the products you view to suggest others you may like.",
				LegalBasis:  ethosv1alpha1.LegalBasisConsent,
				DataClasses: []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassBehavioral},
				Retention:   "90d",
			}},
		},
	}
}

func validCampaign(ns string) *ethosv1alpha1.Campaign {
	return &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Name: "spring-running", Namespace: ns},
		Spec: ethosv1alpha1.CampaignSpec{
			ConsentPolicyRef: ethosv1alpha1.PolicyReference{Name: "eu-web"},
			Purpose:          "personalization",
			DataUsage: []ethosv1alpha1.DataUsage{{
				Attribute: "viewedCategories", Class: ethosv1alpha1.DataClassBehavioral,
				Description: "The sports you browsed, to pick the banner",
			}},
			Experiences: []ethosv1alpha1.Experience{{
				Name:    "trail-hero",
				Rules:   []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"trail"}}},
				Content: map[string]string{"headline": "New trail shoes"},
			}},
			Fallback: ethosv1alpha1.Fallback{Content: map[string]string{"headline": "Spring collection"}},
		},
	}
}

// TestSamplesAccepted applies every file of config/samples: all are well-formed (the biased
// one is refused by the ethics webhook, not by the schema).
func TestSamplesAccepted(t *testing.T) {
	g := NewWithT(t)
	ns := createNamespace(t, "samples")
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(len(files)).To(BeNumerically(">=", 5))
	for _, f := range files {
		obj, err := decodeFile(f)
		g.Expect(err).NotTo(HaveOccurred(), f)
		obj.SetNamespace(ns)
		g.Expect(k8s.Create(context.Background(), obj)).To(Succeed(), f)
	}
}

func TestSchemaRejectsMalformedObjects(t *testing.T) {
	ns := createNamespace(t, "schema")
	cases := []struct {
		name  string
		obj   func() client.Object
		field string // the field path the API server names; a root-level CEL rule has none, so its message names the field
	}{
		{"bad channel enum", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Channel = "Fax"
			return c
		}, "spec.channel"},
		{"translation in an unsupported language", func() client.Object {
			c := validCampaign(ns)
			c.Spec.DataUsage[0].DescriptionTranslations = map[string]string{"ja": "閲覧したスポーツ"}
			return c
		}, "spec.dataUsage[0].descriptionTranslations"},
		{"purpose translation too long", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Purposes[0].DescriptionTranslations = map[string]string{"fr": strings.Repeat("x", 1025)}
			return p
		}, "spec.purposes[0].descriptionTranslations"},
		{"control group over 50 percent", func() client.Object {
			c := validCampaign(ns)
			c.Spec.ControlGroup = &ethosv1alpha1.ControlGroup{Percent: 60}
			return c
		}, "spec.controlGroup.percent"},
		{"duplicate purpose names", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Purposes = append(p.Spec.Purposes, p.Spec.Purposes[0])
			return p
		}, "spec.purposes[1]"},
		{"weight on a RuleBased campaign", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Experiences[0].Weight = ptr.To[int32](50)
			return c
		}, "spec.experiences"},
		{"schedule end before start", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Schedule = &ethosv1alpha1.Schedule{
				Start: &metav1.Time{Time: mustTime("2027-04-30T00:00:00Z")},
				End:   &metav1.Time{Time: mustTime("2027-03-01T00:00:00Z")},
			}
			return c
		}, "spec.schedule.end"},
		{"campaign name of 60 characters", func() client.Object {
			c := validCampaign(ns)
			c.Name = strings.Repeat("a", 60)
			return c
		}, "metadata.name"},
		{"campaign name not a DNS-1035 label", func() client.Object {
			c := validCampaign(ns)
			c.Name = "1-spring"
			return c
		}, "metadata.name"},
		{"bad retention duration", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Purposes[0].Retention = "90 days"
			return p
		}, "spec.purposes[0].retention"},
		{"bad frequency cap duration", func() client.Object {
			c := validCampaign(ns)
			c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 3, Per: "0d"}
			return c
		}, "spec.frequencyCap.per"},
		{"empty purposes", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Purposes = []ethosv1alpha1.Purpose{}
			return p
		}, "spec.purposes"},
		{"no experiences", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Experiences = []ethosv1alpha1.Experience{}
			return c
		}, "spec.experiences"},
		{"placeholder in fallback content", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Fallback.Content["headline"] = "Hello {{firstName}}"
			return c
		}, "spec.fallback.content"},
		{"unknown jurisdiction", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Jurisdictions = []ethosv1alpha1.Jurisdiction{"FR"}
			return p
		}, "spec.jurisdictions[0]"},
		{"TCF purpose out of range", func() client.Object {
			p := validPolicy(ns)
			p.Spec.Purposes[0].TCFPurposes = []int32{12}
			return p
		}, "spec.purposes[0].tcfPurposes[0]"},
		{"Gt with a non-numeric value", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Audience.Rules = []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorGt, Values: []string{"many"}}}
			return c
		}, "spec.audience.rules[0].values"},
		{"Exists with values", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Audience.Rules = []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorExists, Values: []string{"x"}}}
			return c
		}, "spec.audience.rules[0].values"},
		{"purpose not a DNS label", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Purpose = "Personalization"
			return c
		}, "spec.purpose"},
		{"attribute not an identifier", func() client.Object {
			c := validCampaign(ns)
			c.Spec.DataUsage[0].Attribute = "1st-visit"
			return c
		}, "spec.dataUsage[0].attribute"},
		{"GPC opts out of an unknown purpose", func() client.Object {
			p := validPolicy(ns)
			p.Spec.GlobalPrivacyControl = &ethosv1alpha1.GlobalPrivacyControl{Honor: true, OptsOutOf: []string{"ad-retargeting"}}
			return p
		}, "spec.globalPrivacyControl.optsOutOf"},
		{"autoscaling max below min", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Engine.Autoscaling = &ethosv1alpha1.Autoscaling{MinReplicas: ptr.To[int32](5), MaxReplicas: 2}
			return c
		}, "spec.engine.autoscaling.maxReplicas"},
		{"recommendations maxItems over 50", func() client.Object {
			c := validCampaign(ns)
			c.Spec.Experiences[0].Recommendations = &ethosv1alpha1.Recommendations{MaxItems: 51}
			return c
		}, "spec.experiences[0].recommendations.maxItems"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := k8s.Create(context.Background(), tc.obj())
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got %v", err)
			if strings.HasPrefix(tc.field, "metadata.") {
				g.Expect(err.Error()).To(ContainSubstring(tc.field))
				return
			}
			g.Expect(causeFields(err)).To(ContainElement(tc.field), "error: %v", err)
		})
	}
}

func TestDefaultsApplied(t *testing.T) {
	g := NewWithT(t)
	ns := createNamespace(t, "defaults")
	c := validCampaign(ns)
	c.Spec.Experiences[0].Recommendations = &ethosv1alpha1.Recommendations{}
	g.Expect(k8s.Create(context.Background(), c)).To(Succeed())

	got := &ethosv1alpha1.Campaign{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(c), got)).To(Succeed())
	g.Expect(got.Spec.Channel).To(Equal(ethosv1alpha1.ChannelWeb))
	g.Expect(got.Spec.Type).To(Equal(ethosv1alpha1.CampaignRuleBased))
	g.Expect(got.Spec.OfferCategory).To(Equal(ethosv1alpha1.OfferGeneral))
	g.Expect(got.Spec.Engine.Replicas).To(Equal(ptr.To[int32](1)))
	rec := got.Spec.Experiences[0].Recommendations
	g.Expect(rec.ExcludePurchased).To(Equal(ptr.To(true)))
	g.Expect(rec.Source).To(Equal(ethosv1alpha1.SourceCandidates))
	g.Expect(rec.MaxItems).To(Equal(int32(10)))

	p := validPolicy(ns)
	g.Expect(k8s.Create(context.Background(), p)).To(Succeed())
	gotP := &ethosv1alpha1.ConsentPolicy{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(p), gotP)).To(Succeed())
	g.Expect(gotP.Spec.DefaultConsent).To(Equal(ethosv1alpha1.ConsentDefaultDeny))
}

func TestStatusIsASubresource(t *testing.T) {
	g := NewWithT(t)
	ns := createNamespace(t, "status")
	c := validCampaign(ns)
	g.Expect(k8s.Create(context.Background(), c)).To(Succeed())

	// A write to the main resource does not change status ...
	c.Status.Phase = ethosv1alpha1.PhaseActive
	c.Spec.Suspend = true
	g.Expect(k8s.Update(context.Background(), c)).To(Succeed())
	got := &ethosv1alpha1.Campaign{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(c), got)).To(Succeed())
	g.Expect(got.Spec.Suspend).To(BeTrue())
	g.Expect(got.Status.Phase).To(BeEmpty())
	g.Expect(got.Generation).To(Equal(int64(2)))

	// ... a write to the status subresource does, and leaves generation alone.
	got.Status.Phase = ethosv1alpha1.PhaseSuspended
	got.Status.ObservedGeneration = got.Generation
	g.Expect(k8s.Status().Update(context.Background(), got)).To(Succeed())
	again := &ethosv1alpha1.Campaign{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(c), again)).To(Succeed())
	g.Expect(again.Status.Phase).To(Equal(ethosv1alpha1.PhaseSuspended))
	g.Expect(again.Generation).To(Equal(int64(2)))
}

// TestRoundTrip writes fully specified objects (every default spelled out) and reads them back
// unchanged: no field is dropped or rewritten by the schema.
func TestRoundTrip(t *testing.T) {
	ns := createNamespace(t, "roundtrip")
	for _, f := range []string{"01-consentpolicy-eu-web.yaml", "03-campaign-spring-running.yaml", "04-campaign-email-newsletter.yaml"} {
		t.Run(f, func(t *testing.T) {
			g := NewWithT(t)
			obj, err := decodeFile(filepath.Join(testenv.RepoRoot(), "config", "samples", f))
			g.Expect(err).NotTo(HaveOccurred())
			obj.SetNamespace(ns)
			if c, ok := obj.(*ethosv1alpha1.Campaign); ok {
				c.Spec.Schedule = &ethosv1alpha1.Schedule{
					Start: &metav1.Time{Time: mustTime("2027-03-01T00:00:00Z")},
					End:   &metav1.Time{Time: mustTime("2027-04-30T23:59:59Z")},
				}
				spelledOutDefaults(c)
			}
			if p, ok := obj.(*ethosv1alpha1.ConsentPolicy); ok && p.Spec.DefaultConsent == "" {
				p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultDeny
			}
			want := obj.DeepCopyObject().(client.Object)
			g.Expect(k8s.Create(context.Background(), obj)).To(Succeed())

			got := want.DeepCopyObject().(client.Object)
			g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), got)).To(Succeed())
			g.Expect(equality.Semantic.DeepEqual(specOf(got), specOf(want))).To(BeTrue(),
				"read back:\n%s\nwritten:\n%s", toYAML(specOf(got)), toYAML(specOf(want)))
		})
	}
}

func spelledOutDefaults(c *ethosv1alpha1.Campaign) {
	if c.Spec.Channel == "" {
		c.Spec.Channel = ethosv1alpha1.ChannelWeb
	}
	if c.Spec.OfferCategory == "" {
		c.Spec.OfferCategory = ethosv1alpha1.OfferGeneral
	}
	if c.Spec.Type == "" {
		c.Spec.Type = ethosv1alpha1.CampaignRuleBased
	}
	if c.Spec.Engine.Replicas == nil {
		c.Spec.Engine.Replicas = ptr.To[int32](1)
	}
	for i := range c.Spec.Experiences {
		if r := c.Spec.Experiences[i].Recommendations; r != nil {
			if r.ExcludePurchased == nil {
				r.ExcludePurchased = ptr.To(true)
			}
			if r.Source == "" {
				r.Source = ethosv1alpha1.SourceCandidates
			}
		}
	}
}

func specOf(obj client.Object) any {
	switch o := obj.(type) {
	case *ethosv1alpha1.Campaign:
		return o.Spec
	case *ethosv1alpha1.ConsentPolicy:
		return o.Spec
	}
	return nil
}

func toYAML(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}
