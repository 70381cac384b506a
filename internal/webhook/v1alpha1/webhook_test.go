package v1alpha1

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

func TestCampaignAdmission(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, "campaign-admission")
	var policy ethosv1alpha1.ConsentPolicy
	sample(t, "01-consentpolicy-eu-web.yaml", ns, &policy)
	NewWithT(t).Expect(k8s.Create(ctx, &policy)).To(Succeed())

	t.Run("biased sample is rejected with rule IDs and field paths", func(t *testing.T) {
		g := NewWithT(t)
		for _, opts := range [][]client.CreateOption{{client.DryRunAll}, nil} {
			var c ethosv1alpha1.Campaign
			sample(t, "05-campaign-biased-REJECTED.yaml", ns, &c)
			err := k8s.Create(ctx, &c, opts...)
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
			g.Expect(err.Error()).To(ContainSubstring(`spec.audience.rules[0].attribute: Forbidden: [ETH001 SensitiveAttribute] "age" is a sensitive category`))
			g.Expect(err.Error()).To(ContainSubstring(`spec.audience.rules[2].attribute: Forbidden: [ETH003 ProxyTargeting]`))
			g.Expect(err.Error()).To(ContainSubstring(`spec.dataUsage[2].attribute: Forbidden: [ETH014 OpportunityTargeting]`))
			causes := err.(apierrors.APIStatus).Status().Details.Causes
			g.Expect(causes).To(HaveLen(13)) // ETH001 ×4, ETH002 (gender In [female]), ETH003, ETH004, ETH005 ×3, ETH009 ×2 (age, gender), ETH014
			g.Expect(causes[0].Field).To(Equal("spec.audience.rules[0].attribute"))
		}
	})

	t.Run("ethical samples are accepted, dry-run first", func(t *testing.T) {
		g := NewWithT(t)
		for _, file := range []string{"03-campaign-spring-running.yaml", "04-campaign-email-newsletter.yaml"} {
			var dry, c ethosv1alpha1.Campaign
			sample(t, file, ns, &dry)
			g.Expect(k8s.Create(ctx, &dry, client.DryRunAll)).To(Succeed(), file)
			sample(t, file, ns, &c)
			warnings.take()
			g.Expect(k8s.Create(ctx, &c)).To(Succeed(), file)
			g.Expect(warnings.take()).To(BeEmpty(), file)
		}
	})

	t.Run("missing policy is allowed with an ETH018 warning", func(t *testing.T) {
		g := NewWithT(t)
		var c ethosv1alpha1.Campaign
		sample(t, "03-campaign-spring-running.yaml", ns, &c)
		c.Name = "early-bird"
		c.Spec.ConsentPolicyRef.Name = "not-yet"
		warnings.take()
		g.Expect(k8s.Create(ctx, &c, client.DryRunAll)).To(Succeed())
		dry := warnings.take()
		g.Expect(k8s.Create(ctx, &c)).To(Succeed())
		g.Expect(warnings.take()).To(Equal([]string{
			`[ETH018 PolicyNotFound] spec.consentPolicyRef.name: ConsentPolicy "not-yet" not found; not personalized until it exists.`,
		}))
		g.Expect(dry).To(HaveLen(1))
	})

	t.Run("a Campaign whose compiled document would not fit its ConfigMap is rejected (ETH020)", func(t *testing.T) {
		g := NewWithT(t)
		// Within every schema bound: 8 experiences × 24 content keys × 2,048 characters.
		heavy := func(name, unit string) *ethosv1alpha1.Campaign {
			c := enginetest.ContentHeavyCampaign(8, 24, 2048, unit)
			c.Namespace, c.Name, c.Generation, c.Spec.ConsentPolicyRef.Name = ns, name, 0, policy.Name
			return c
		}
		err := k8s.Create(ctx, heavy("html-heavy", enginetest.HTMLBlock))
		g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		causes := err.(apierrors.APIStatus).Status().Details.Causes
		g.Expect(causes).To(HaveLen(1))
		g.Expect(causes[0].Field).To(Equal("spec.experiences[0].content"))
		g.Expect(causes[0].Message).To(MatchRegexp(`^Forbidden: \[ETH020 DocumentTooLarge\] the compiled decision document would be 1158[0-9]{3} bytes, ` +
			`over the admission limit of 921600 bytes \(900 KiB, kept below the ConfigMap's 1048576-byte limit\); cut at least 23[0-9]{4} bytes, ` +
			`starting with spec.experiences\[0\].content \(144025 bytes as stored, 18912 of its characters are <, > or &, which take 6 bytes each\)$`))

		// The same number of characters as plain text fits.
		warnings.take()
		g.Expect(k8s.Create(ctx, heavy("plain-heavy", "Spring sale "))).To(Succeed())
		g.Expect(warnings.take()).To(BeEmpty())
	})

	t.Run("an update that breaks a rule is rejected", func(t *testing.T) {
		g := NewWithT(t)
		var c ethosv1alpha1.Campaign
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "spring-running"}, &c)).To(Succeed())
		c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, ethosv1alpha1.Rule{Attribute: "religion", Operator: ethosv1alpha1.OperatorExists})
		err := k8s.Update(ctx, &c)
		g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		g.Expect(err.Error()).To(ContainSubstring("ETH001"))
		g.Expect(err.Error()).To(ContainSubstring("spec.audience.rules[1].attribute"))
	})
}

func TestConsentPolicyAdmission(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, "policy-admission")
	g := NewWithT(t)

	var policy ethosv1alpha1.ConsentPolicy
	sample(t, "01-consentpolicy-eu-web.yaml", ns, &policy)
	g.Expect(k8s.Create(ctx, &policy)).To(Succeed())
	var c ethosv1alpha1.Campaign
	sample(t, "04-campaign-email-newsletter.yaml", ns, &c)
	g.Expect(k8s.Create(ctx, &c)).To(Succeed())
	// The webhook reads bound Campaigns from the manager's cache: wait until it has this one.
	g.Eventually(func() error {
		return mgrCache.Get(ctx, client.ObjectKeyFromObject(&c), &ethosv1alpha1.Campaign{})
	}).Should(Succeed())

	t.Run("removing a purpose still used is rejected, dry-run too", func(t *testing.T) {
		g := NewWithT(t)
		var p ethosv1alpha1.ConsentPolicy
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(&policy), &p)).To(Succeed())
		p.Spec.Purposes = removePurpose(p.Spec.Purposes, "email-marketing")
		for _, opts := range [][]client.UpdateOption{{client.DryRunAll}, nil} {
			err := k8s.Update(ctx, p.DeepCopy(), opts...)
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
			g.Expect(err.Error()).To(ContainSubstring(`spec.purposes[email-marketing]: Forbidden: [CPL008 PurposeInUse] purpose "email-marketing" is still used by Campaign(s) running-newsletter`))
		}
	})

	t.Run("a broken policy is rejected on create", func(t *testing.T) {
		g := NewWithT(t)
		var p ethosv1alpha1.ConsentPolicy
		sample(t, "01-consentpolicy-eu-web.yaml", ns, &p)
		p.Name = "allow-eu"
		p.Spec.DefaultConsent = ethosv1alpha1.ConsentDefaultAllow
		err := k8s.Create(ctx, &p)
		g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		g.Expect(err.Error()).To(ContainSubstring("spec.defaultConsent: Forbidden: [CPL001 OptInJurisdictionDefault]"))
	})

	t.Run("metadata-only updates are allowed", func(t *testing.T) {
		g := NewWithT(t)
		var p ethosv1alpha1.ConsentPolicy
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(&policy), &p)).To(Succeed())
		p.Labels = map[string]string{"team": "growth"}
		g.Expect(k8s.Update(ctx, &p)).To(Succeed())
	})
}

func removePurpose(ps []ethosv1alpha1.Purpose, name string) []ethosv1alpha1.Purpose {
	var out []ethosv1alpha1.Purpose
	for _, p := range ps {
		if p.Name != name {
			out = append(out, p)
		}
	}
	return out
}
