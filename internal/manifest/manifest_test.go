package manifest

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func TestLoadAppliesDefaultsAndNamespace(t *testing.T) {
	g := NewWithT(t)
	set, err := Load(context.Background(), []string{"../../config/samples"}, Options{Namespace: "shop"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(set.Objects).To(HaveLen(5))
	g.Expect(set.Skipped).To(Equal(1)) // config/samples/requests/spring-running.json, a decision request
	for _, o := range set.Objects {
		g.Expect(o.SchemaErrors).To(BeEmpty(), o.File)
		g.Expect(o.Namespace).To(Equal("shop"))
	}
	c := set.Campaigns()[2].Campaign // 05: no channel, type or offer defaults written in the file
	g.Expect(c.Name).To(Equal("seniors-credit"))
	g.Expect(c.Spec.Channel).To(Equal(ethosv1alpha1.ChannelWeb))
	g.Expect(c.Spec.Type).To(Equal(ethosv1alpha1.CampaignRuleBased))
	g.Expect(set.Policy("shop", "eu-web")).NotTo(BeNil())
	g.Expect(set.Policy("other", "eu-web")).To(BeNil())
}

func TestLoadListAndSchemaErrors(t *testing.T) {
	g := NewWithT(t)
	in := `apiVersion: v1
kind: List
items:
- apiVersion: personalization.ethos.dev/v1alpha1
  kind: ConsentPolicy
  metadata: {name: p, namespace: a}
  spec: {jurisdictions: [Mars], purposes: [], typo: 1}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
---
`
	set, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(in)})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(set.Skipped).To(Equal(1))
	g.Expect(set.Objects).To(HaveLen(1))
	var fields []string
	for _, e := range set.Objects[0].SchemaErrors {
		fields = append(fields, e.Field)
	}
	g.Expect(fields).To(ContainElements("spec.typo", "spec.jurisdictions[0]", "spec.purposes"))
	g.Expect(set.Objects[0].Policy.Spec.DefaultConsent).To(Equal(ethosv1alpha1.ConsentDefaultDeny))
}

func TestLoadErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader("a: [")})
	g.Expect(err).To(MatchError(ContainSubstring("failed to parse <stdin> (document 1, line 1)")))
	_, err = Load(context.Background(), []string{"does-not-exist.yaml"}, Options{})
	g.Expect(err).To(MatchError(ContainSubstring("failed to read does-not-exist.yaml")))
}

// TestLoadDecodesLikeTheAPIServer: a key given twice is an error, as with kubectl's strict
// field validation, and integers reach CEL as integers (weight only with ABTest).
func TestLoadDecodesLikeTheAPIServer(t *testing.T) {
	g := NewWithT(t)
	_, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader("apiVersion: v1\nkind: ConfigMap\nkind: Secret\n")})
	g.Expect(err).To(MatchError(ContainSubstring(`key "kind" already set`)))

	in := `apiVersion: personalization.ethos.dev/v1alpha1
kind: Campaign
metadata: {name: c}
spec:
  consentPolicyRef: {name: p}
  purpose: personalization
  experiences:
  - {name: a, weight: 5, content: {h: x}}
  fallback: {content: {h: x}}
`
	set, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(in)})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(set.Objects).To(HaveLen(1))
	var msgs []string
	for _, e := range set.Objects[0].SchemaErrors {
		msgs = append(msgs, e.Field+": "+e.Detail)
	}
	g.Expect(msgs).To(ConsistOf("spec.experiences: weight is only allowed when type is ABTest"))
}
