package ethics

import (
	"fmt"
	"testing"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// realisticCampaign has 10 rules, 10 declared attributes and 4 experiences.
func realisticCampaign() (*ethosv1alpha1.Campaign, *ethosv1alpha1.ConsentPolicy) {
	c, p := goodCampaign(), goodPolicy()
	attrs := []string{"viewedCategories", "favouriteSport", "cartValue", "visitCount", "lastCampaignClicked",
		"preferredBrand", "shoeSize", "deviceType", "weatherToday", "postalCode"}
	c.Spec.DataUsage = nil
	for _, a := range attrs {
		class := ethosv1alpha1.DataClassBehavioral
		d := ethosv1alpha1.DataUsage{Attribute: a, Class: class, Description: "d"}
		if a == "postalCode" {
			d.Class, d.Use = ethosv1alpha1.DataClassProxy, "nearestStore"
		}
		c.Spec.DataUsage = append(c.Spec.DataUsage, d)
	}
	c.Spec.Audience.Rules = nil
	for i := 0; i < 2; i++ {
		c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, ethosv1alpha1.Rule{Attribute: attrs[i], Operator: ethosv1alpha1.OperatorIn, Values: []string{"running", "trail"}})
	}
	base := c.Spec.Experiences[0]
	c.Spec.Experiences = nil
	for i := 0; i < 4; i++ {
		e := *base.DeepCopy()
		e.Name = fmt.Sprintf("exp-%d", i)
		second := attrs[3+2*i]
		if second == "postalCode" {
			second = attrs[1] // postalCode is read by the content placeholder only (ETH003)
		}
		e.Rules = []ethosv1alpha1.Rule{
			{Attribute: attrs[2+2*i], Operator: ethosv1alpha1.OperatorGt, Values: []string{"3"}},
			{Attribute: second, Operator: ethosv1alpha1.OperatorIn, Values: []string{"nike", "road-running"}},
		}
		c.Spec.Experiences = append(c.Spec.Experiences, e)
	}
	return c, p
}

func BenchmarkCheckCampaign(b *testing.B) {
	c, p := realisticCampaign()
	if fs := CheckCampaign(c, p); fs.HasDenials() {
		b.Fatalf("benchmark campaign should be ethical:\n%s", fs)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = CheckCampaign(c, p)
	}
}
