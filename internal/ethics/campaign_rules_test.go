package ethics

import (
	"os"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// hit is what the tests assert of a finding: rule, severity and exact field path.
type hit struct {
	Rule, Severity, Field string
}

func hits(fs Findings) []hit {
	out := []hit{}
	for _, f := range fs {
		out = append(out, hit{f.Rule, WireSeverity(f.Severity), f.Field})
	}
	return out
}

// goodPolicy is an EU policy that breaks no CPL rule.
func goodPolicy() *ethosv1alpha1.ConsentPolicy {
	return &ethosv1alpha1.ConsentPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "eu-web", Namespace: "shop"},
		Spec: ethosv1alpha1.ConsentPolicySpec{
			Jurisdictions:  []ethosv1alpha1.Jurisdiction{ethosv1alpha1.JurisdictionEU},
			DefaultConsent: ethosv1alpha1.ConsentDefaultDeny,
			Purposes: []ethosv1alpha1.Purpose{
				{Name: "personalization", Description: "We use the products you view to suggest others you may like.",
					LegalBasis: ethosv1alpha1.LegalBasisConsent, Retention: "90d", TCFPurposes: []int32{1, 5},
					DataClasses: []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassBehavioral, ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassContextual, ethosv1alpha1.DataClassProxy}},
				{Name: "email-marketing", Description: "We e-mail you picks for the sports you told us you like.",
					LegalBasis: ethosv1alpha1.LegalBasisExplicitConsent, Retention: "365d",
					DataClasses: []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassPreference}},
				{Name: "ad-retargeting", Description: "We share the products you viewed with our ad partner to show you ads.",
					LegalBasis: ethosv1alpha1.LegalBasisConsent, Retention: "30d",
					DataClasses:  []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassBehavioral},
					ThirdParties: []ethosv1alpha1.ThirdParty{{Name: "adsx", Type: ethosv1alpha1.ThirdPartyAdPlatform, TCFVendorID: ptr.To[int32](755)}}},
			},
			GlobalPrivacyControl: &ethosv1alpha1.GlobalPrivacyControl{Honor: true, OptsOutOf: []string{"ad-retargeting"}},
			Withdrawal:           &ethosv1alpha1.Withdrawal{MaxSteps: 1, GrantSteps: 1},
			ProxyUses:            []ethosv1alpha1.ProxyUse{{Attribute: "postalCode", Uses: []string{"nearestStore"}}},
		},
	}
}

// goodCampaign breaks no ETH rule under goodPolicy.
func goodCampaign() *ethosv1alpha1.Campaign {
	return &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Name: "spring-running", Namespace: "shop"},
		Spec: ethosv1alpha1.CampaignSpec{
			ConsentPolicyRef: ethosv1alpha1.PolicyReference{Name: "eu-web"},
			Purpose:          "personalization",
			Channel:          ethosv1alpha1.ChannelWeb,
			OfferCategory:    ethosv1alpha1.OfferGeneral,
			Audience: ethosv1alpha1.Audience{Rules: []ethosv1alpha1.Rule{
				{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"running", "trail"}},
			}},
			DataUsage: []ethosv1alpha1.DataUsage{
				{Attribute: "viewedCategories", Class: ethosv1alpha1.DataClassBehavioral, Description: "Sports you browsed"},
				{Attribute: "postalCode", Class: ethosv1alpha1.DataClassProxy, Use: "nearestStore", Description: "Your postal code"},
			},
			Experiences: []ethosv1alpha1.Experience{{
				Name:    "trail-hero",
				Rules:   []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"trail"}}},
				Content: map[string]string{"headline": "New trail shoes", "stores": "https://shop.example.com/stores?near={{ postalCode | url }}"},
				Recommendations: &ethosv1alpha1.Recommendations{Source: ethosv1alpha1.SourceCandidates, MaxItems: 4,
					ExcludePurchased: ptr.To(true), BoostBy: "viewedCategories"},
			}},
			Fallback:     ethosv1alpha1.Fallback{Content: map[string]string{"headline": "Spring collection"}},
			ControlGroup: &ethosv1alpha1.ControlGroup{Percent: 10},
			Sharing:      []ethosv1alpha1.Sharing{{Destination: "adsx", Type: ethosv1alpha1.ThirdPartyAdPlatform, Purpose: "ad-retargeting"}},
		},
	}
}

func TestCheckCampaign(t *testing.T) {
	type edit func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy)
	du := func(attr string, class ethosv1alpha1.DataClass) ethosv1alpha1.DataUsage {
		return ethosv1alpha1.DataUsage{Attribute: attr, Class: class, Description: "d"}
	}
	rule := func(attr string, values ...string) ethosv1alpha1.Rule {
		return ethosv1alpha1.Rule{Attribute: attr, Operator: ethosv1alpha1.OperatorIn, Values: values}
	}
	tests := []struct {
		name     string
		edit     edit
		noPolicy bool
		wantHits []hit
	}{
		{name: "ethical campaign", edit: func(*ethosv1alpha1.Campaign, *ethosv1alpha1.ConsentPolicy) {}, wantHits: []hit{}},

		{name: "ETH001 sensitive attribute in a rule and declared", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, rule("religion", "x"))
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("religion", ethosv1alpha1.DataClassSensitive))
		}, wantHits: []hit{
			{"ETH001", "deny", "spec.audience.rules[1].attribute"},
			{"ETH001", "deny", "spec.dataUsage[2].attribute"},
			{"ETH009", "deny", "spec.dataUsage[2].attribute"}, // no purpose covers Sensitive
		}},
		{name: "ETH001 via placeholder, ETH005 lower class", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Content["hello"] = "Happy {{dateDeNaissance}}"
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("dateDeNaissance", ethosv1alpha1.DataClassPreference))
		}, wantHits: []hit{
			{"ETH001", "deny", "spec.experiences[0].content[hello]"},
			{"ETH001", "deny", "spec.dataUsage[2].attribute"},
			{"ETH005", "deny", "spec.dataUsage[2].class"},
			{"ETH009", "deny", "spec.dataUsage[2].attribute"},
		}},
		{name: "ETH001 near miss: pageViews, usageCount, language-free names", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, rule("pageViews", "3"), rule("usageStage", "x"))
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("pageViews", ethosv1alpha1.DataClassBehavioral), du("usageStage", ethosv1alpha1.DataClassBehavioral))
		}, wantHits: []hit{}},

		{name: "ETH002 sensitive values", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, rule("interests", "running", "Muslim", "over-55"))
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("interests", ethosv1alpha1.DataClassPreference))
			c.Spec.Experiences[0].Rules[0].Values = []string{"pregnant"}
		}, wantHits: []hit{
			{"ETH002", "deny", "spec.audience.rules[1].values[1]"},
			{"ETH002", "deny", "spec.audience.rules[1].values[2]"},
			{"ETH002", "deny", "spec.experiences[0].rules[0].values[0]"},
		}},
		{name: "ETH002 near miss: colours and product words", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules[0].Values = []string{"black", "white", "trail-running", "size-42", "race-day"}
		}, wantHits: []hit{}},

		{name: "ETH003 proxy in a rule", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Rules = append(c.Spec.Experiences[0].Rules, rule("postalCode", "75011"))
		}, wantHits: []hit{{"ETH003", "deny", "spec.experiences[0].rules[1].attribute"}}},
		// The near miss of ETH003 is the ethical campaign: postalCode read by a placeholder only.

		{name: "ETH004 proxy without use", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[1].Use = ""
		}, wantHits: []hit{{"ETH004", "deny", "spec.dataUsage[1].use"}}},
		{name: "ETH004 use not allowed by the policy", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[1].Use = "creditScoring"
		}, wantHits: []hit{{"ETH004", "deny", "spec.dataUsage[1].use"}}},

		{name: "ETH005 postal code declared Contextual", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[1].Class = ethosv1alpha1.DataClassContextual
		}, wantHits: []hit{{"ETH005", "deny", "spec.dataUsage[1].class"}}},
		{name: "ETH005 near miss: imageStyle is not age, its declared class stands", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, rule("imageStyle", "minimal"))
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("imageStyle", ethosv1alpha1.DataClassPreference))
		}, wantHits: []hit{}},

		{name: "ETH006 used but undeclared, and unknown without class", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Recommendations.BoostBy = "favouriteBrands"
			c.Spec.DataUsage[0].Class = ""
		}, wantHits: []hit{
			{"ETH006", "deny", "spec.experiences[0].recommendations.boostBy"},
			{"ETH006", "deny", "spec.dataUsage[0].class"},
		}},
		{name: "ETH006 near miss: dictionary knows the class", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[1].Class = ""
		}, wantHits: []hit{}},

		{name: "ETH007 declared but not used", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("favouriteColour", ethosv1alpha1.DataClassPreference))
		}, wantHits: []hit{{"ETH007", "deny", "spec.dataUsage[2].attribute"}}},

		{name: "ETH008 unknown purposes", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Purpose = "upselling"
			c.Spec.Sharing[0].Purpose = "resale"
		}, wantHits: []hit{
			{"ETH008", "deny", "spec.purpose"},
			{"ETH008", "deny", "spec.sharing[0].purpose"},
			{"ETH009", "skipped", "spec.purpose"},
		}},

		{name: "ETH009 class and history not covered", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].DataClasses = []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassProxy}
		}, wantHits: []hit{
			{"ETH009", "deny", "spec.dataUsage[0].attribute"},
			{"ETH009", "deny", "spec.experiences[0].recommendations.excludePurchased"},
		}},

		{name: "ETH001 effective class is the declared one when higher: postalCode declared Sensitive", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[1].Class = ethosv1alpha1.DataClassSensitive
		}, wantHits: []hit{
			{"ETH001", "deny", "spec.experiences[0].content[stores]"},
			{"ETH001", "deny", "spec.dataUsage[1].attribute"},
			{"ETH009", "deny", "spec.dataUsage[1].attribute"},
		}},
		{name: "ETH001 age bracket in a name: over55", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, ethosv1alpha1.Rule{Attribute: "over55", Operator: ethosv1alpha1.OperatorExists})
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("over55", ethosv1alpha1.DataClassPreference))
		}, wantHits: []hit{
			{"ETH001", "deny", "spec.audience.rules[1].attribute"},
			{"ETH001", "deny", "spec.dataUsage[2].attribute"},
			{"ETH005", "deny", "spec.dataUsage[2].class"},
			{"ETH009", "deny", "spec.dataUsage[2].attribute"},
		}},
		{name: "ETH009 history read by RecentlyViewed alone", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].DataClasses = []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassProxy}
			c.Spec.DataUsage[0].Class = ethosv1alpha1.DataClassPreference
			c.Spec.Audience.RequireAuthenticated = true
			r := c.Spec.Experiences[0].Recommendations
			r.Source, r.ExcludePurchased, r.AllowRepurchase = ethosv1alpha1.SourceRecentlyViewed, ptr.To(false), true
		}, wantHits: []hit{
			{"ETH009", "deny", "spec.experiences[0].recommendations.source"},
			{"ETH013", "warning", "spec.experiences[0].recommendations.allowRepurchase"},
		}},
		{name: "ETH009 near miss: no history read", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].DataClasses = []ethosv1alpha1.DataClass{ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassProxy}
			c.Spec.DataUsage[0].Class = ethosv1alpha1.DataClassPreference
			c.Spec.Experiences[0].Recommendations = nil
		}, wantHits: []hit{}},

		{name: "ETH010 email under consent", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Channel = ethosv1alpha1.ChannelEmail
			c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 2, Per: "7d"}
		}, wantHits: []hit{{"ETH010", "deny", "spec.channel"}}},
		{name: "ETH010 soft opt-in warns", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Channel = ethosv1alpha1.ChannelSms
			c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 2, Per: "7d"}
			p.Spec.Purposes[0].LegalBasis = ethosv1alpha1.LegalBasisSoftOptIn
		}, wantHits: []hit{{"ETH010", "warning", "spec.channel"}}},

		{name: "ETH011 destination not listed and no consent", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Sharing[0].Destination = "adsy"
			p.Spec.Purposes[2].LegalBasis = ethosv1alpha1.LegalBasisLegitimateInterest
		}, wantHits: []hit{
			{"ETH011", "deny", "spec.sharing[0].destination"},
			{"ETH011", "deny", "spec.sharing[0].purpose"},
		}},

		{name: "ETH012 history for anonymous visitors", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Recommendations.Source = ethosv1alpha1.SourceRecentlyViewed
		}, wantHits: []hit{{"ETH012", "deny", "spec.experiences[0].recommendations.source"}}},
		{name: "ETH012 near miss: authenticated", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Recommendations.Source = ethosv1alpha1.SourceRecentlyPurchased
			c.Spec.Audience.RequireAuthenticated = true
		}, wantHits: []hit{}},

		{name: "ETH013 recommends purchased", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Recommendations.ExcludePurchased = ptr.To(false)
		}, wantHits: []hit{{"ETH013", "deny", "spec.experiences[0].recommendations.excludePurchased"}}},
		{name: "ETH013 repurchase allowed warns", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Recommendations.ExcludePurchased = ptr.To(false)
			c.Spec.Experiences[0].Recommendations.AllowRepurchase = true
		}, wantHits: []hit{{"ETH013", "warning", "spec.experiences[0].recommendations.allowRepurchase"}}},

		{name: "ETH014 proxy in a credit offer", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.OfferCategory = ethosv1alpha1.OfferCredit
		}, wantHits: []hit{{"ETH014", "deny", "spec.dataUsage[1].attribute"}}},
		{name: "ETH014 near miss: health offers are not opportunity offers", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.OfferCategory = ethosv1alpha1.OfferHealth
		}, wantHits: []hit{}},

		{name: "ETH015 demographic only", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].DataClasses = append(p.Spec.Purposes[0].DataClasses, ethosv1alpha1.DataClassDemographic)
			c.Spec.DataUsage[0] = du("householdSize", ethosv1alpha1.DataClassDemographic)
			c.Spec.Audience.Rules = []ethosv1alpha1.Rule{rule("householdSize", "4")}
			c.Spec.Experiences[0].Rules = nil
			c.Spec.Experiences[0].Recommendations.BoostBy = ""
		}, wantHits: []hit{{"ETH015", "deny", "spec.audience.rules[0].attribute"}}},
		{name: "ETH015 demographic next to behaviour warns", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			p.Spec.Purposes[0].DataClasses = append(p.Spec.Purposes[0].DataClasses, ethosv1alpha1.DataClassDemographic)
			c.Spec.DataUsage = append(c.Spec.DataUsage, du("householdSize", ethosv1alpha1.DataClassDemographic))
			c.Spec.Experiences[0].Rules = append(c.Spec.Experiences[0].Rules, rule("householdSize", "4"))
		}, wantHits: []hit{{"ETH015", "warning", "spec.experiences[0].rules[1].attribute"}}},

		{name: "ETH016 no control group", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.ControlGroup = &ethosv1alpha1.ControlGroup{Percent: 0}
		}, wantHits: []hit{{"ETH016", "warning", "spec.controlGroup"}}},

		{name: "ETH017 push without a cap", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Channel = ethosv1alpha1.ChannelPush
			c.Spec.Purpose = "email-marketing"
			c.Spec.DataUsage = c.Spec.DataUsage[:1]
			c.Spec.DataUsage[0].Class = ethosv1alpha1.DataClassPreference
			c.Spec.Experiences[0].Content = map[string]string{"title": "Hi"}
			c.Spec.Experiences[0].Recommendations = nil
		}, wantHits: []hit{{"ETH017", "warning", "spec.frequencyCap"}}},
		{name: "ETH017 near miss: the policy's cap counts", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Channel = ethosv1alpha1.ChannelPush
			c.Spec.Purpose = "email-marketing"
			c.Spec.DataUsage = c.Spec.DataUsage[:1]
			c.Spec.DataUsage[0].Class = ethosv1alpha1.DataClassPreference
			c.Spec.Experiences[0].Content = map[string]string{"title": "Hi"}
			c.Spec.Experiences[0].Recommendations = nil
			p.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 3, Per: "24h"}
		}, wantHits: []hit{}},

		{name: "ETH017 policy not found gives no cap", noPolicy: true, edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Channel = ethosv1alpha1.ChannelEmail
		}, wantHits: []hit{
			{"ETH004", "skipped", "spec.consentPolicyRef.name"},
			{"ETH008", "skipped", "spec.consentPolicyRef.name"},
			{"ETH009", "skipped", "spec.consentPolicyRef.name"},
			{"ETH010", "skipped", "spec.consentPolicyRef.name"},
			{"ETH011", "skipped", "spec.consentPolicyRef.name"},
			{"ETH017", "warning", "spec.frequencyCap"},
			{"ETH018", "warning", "spec.consentPolicyRef.name"},
		}},
		{name: "ETH018 policy not found: the rules that need it are skipped", noPolicy: true, edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Purpose = "whatever"
			c.Spec.Sharing = nil
			c.Spec.DataUsage[1].Use = ""
		}, wantHits: []hit{
			{"ETH004", "deny", "spec.dataUsage[1].use"}, // a missing use needs no policy
			{"ETH008", "skipped", "spec.consentPolicyRef.name"},
			{"ETH009", "skipped", "spec.consentPolicyRef.name"},
			{"ETH018", "warning", "spec.consentPolicyRef.name"},
		}},
		{name: "ETH009 and ETH010 skipped when the purpose is not in the policy", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Purpose = "upselling"
			c.Spec.Channel = ethosv1alpha1.ChannelEmail
			c.Spec.FrequencyCap = &ethosv1alpha1.FrequencyCap{MaxImpressions: 2, Per: "7d"}
		}, wantHits: []hit{
			{"ETH008", "deny", "spec.purpose"},
			{"ETH009", "skipped", "spec.purpose"},
			{"ETH010", "skipped", "spec.purpose"},
		}},
		{name: "ETH021 unknown encoding denied, URL without | url warned", edit: func(c *ethosv1alpha1.Campaign, _ *ethosv1alpha1.ConsentPolicy) {
			c.Spec.Experiences[0].Content = map[string]string{
				"a": "near {{ postalCode | ulr }}",                                    // typo: deny
				"b": "https://shop.example.com/stores?near={{postalCode}}",            // scheme URL: warning
				"c": `<a href="/stores/{{ postalCode | html }}">Your store</a>`,       // path in an attribute: warning
				"d": "Stores near {{ postalCode }} / {{ postalCode | js }}",           // text, not a URL
				"e": "?near={{ postalCode | url }}&cats={{ viewedCategories | url }}", // fine
			}
		}, wantHits: []hit{
			{"ETH021", "deny", "spec.experiences[0].content[a]"},
			{"ETH021", "warning", "spec.experiences[0].content[b]"},
			{"ETH021", "warning", "spec.experiences[0].content[c]"},
		}},
		{name: "ETH022 a declared language missing from the purpose and another entry", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[0].DescriptionTranslations = map[string]string{"fr": "Les sports consultés", "de": "Angesehene Sportarten"}
			c.Spec.DataUsage[1].DescriptionTranslations = map[string]string{"fr": "Votre code postal"}
			p.Spec.Purposes[0].DescriptionTranslations = map[string]string{"de": "Wir schlagen Ihnen Produkte vor."}
		}, wantHits: []hit{
			{"ETH022", "warning", "spec.dataUsage[1].descriptionTranslations"},
			{"ETH022", "warning", "spec.dataUsage"},
		}},
		{name: "ETH022 silent when every text has the languages", edit: func(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy) {
			c.Spec.DataUsage[0].DescriptionTranslations = map[string]string{"fr": "Les sports consultés"}
			c.Spec.DataUsage[1].DescriptionTranslations = map[string]string{"fr": "Votre code postal"}
			p.Spec.Purposes[0].DescriptionTranslations = map[string]string{"fr": "Nous vous suggérons des produits.", "it": "Ti suggeriamo prodotti."}
		}, wantHits: []hit{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c, p := goodCampaign(), goodPolicy()
			tt.edit(c, p)
			if tt.noPolicy {
				p = nil
			}
			g.Expect(hits(CheckCampaign(c, p))).To(Equal(tt.wantHits))
		})
	}
}

func TestPlaceholderAndTranslationMessages(t *testing.T) {
	g := NewWithT(t)
	c, p := goodCampaign(), goodPolicy()
	c.Spec.Experiences[0].Content = map[string]string{"a": "x {{ postalCode | bogus }}", "b": "https://s.example/?near={{postalCode}}"}
	c.Spec.DataUsage[0].DescriptionTranslations = map[string]string{"fr": "Les sports consultés"}
	c.Spec.DataUsage[1].DescriptionTranslations = map[string]string{"fr": "Votre code postal"}
	var got []string
	fs := CheckCampaign(c, p)
	for _, f := range fs {
		got = append(got, f.Rule+" "+f.Field+": "+f.Message)
	}
	for _, f := range fs {
		g.Expect(len(f.Message)).To(BeNumerically("<", 120), f.Message)
	}
	g.Expect(got).To(Equal([]string{
		`ETH021 spec.experiences[0].content[a]: "{{ postalCode | bogus }}" names an unknown encoding "bogus"; use url, html or js, as in {{ postalCode | url }}.`,
		`ETH021 spec.experiences[0].content[b]: "{{postalCode}}" is in a URL without URL encoding; write {{ postalCode | url }}.`,
		`ETH022 spec.dataUsage: purpose "personalization" lacks fr; those visitors get the explanation in the default language.`,
	}))
}

func TestFindingsHelpers(t *testing.T) {
	g := NewWithT(t)
	c := goodCampaign()
	c.Spec.Audience.Rules[0].Attribute = "age"
	c.Spec.ControlGroup = nil
	fs := CheckCampaign(c, goodPolicy())
	g.Expect(fs.HasDenials()).To(BeTrue())
	g.Expect(fs.Rules()).To(Equal([]string{"ETH001", "ETH006", "ETH009", "ETH016"}))
	g.Expect(fs[0].String()).To(Equal(`[ETH001 SensitiveAttribute] spec.audience.rules[0].attribute: "age" is a sensitive category (age or birth date); campaigns must not target on it. Target on behaviour instead, such as viewed categories or stated preferences.`))
	errs := fs.Denials()
	g.Expect(errs).To(HaveLen(3))
	g.Expect(errs[0].Error()).To(Equal(`spec.audience.rules[0].attribute: Forbidden: [ETH001 SensitiveAttribute] "age" is a sensitive category (age or birth date); campaigns must not target on it. Target on behaviour instead, such as viewed categories or stated preferences.`))
	g.Expect(fs.Warnings()).To(Equal([]string{"[ETH016 NoControlGroup] spec.controlGroup: no control group: lift cannot be measured; set controlGroup.percent (5-10)."}))
	for _, w := range fs.Warnings() {
		g.Expect(len(w)).To(BeNumerically("<", 120))
	}
	g.Expect(CheckCampaign(nil, nil)).To(BeNil())
}

func TestRegistryIsComplete(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Registry).To(HaveLen(34))
	g.Expect(campaignRules).To(HaveLen(21))
	g.Expect(policyRules).To(HaveLen(11))
	ids := map[string]bool{}
	for _, r := range Registry {
		g.Expect(ids[r.ID]).To(BeFalse(), "duplicate "+r.ID)
		ids[r.ID] = true
		g.Expect(r.Name).NotTo(BeEmpty(), r.ID)
		g.Expect(r.Severity).To(BeElementOf(Deny, Warning), r.ID)
		g.Expect(r.Milder).To(BeElementOf(Severity(""), Warning), r.ID)
		g.Expect(r.FiresWhen).NotTo(BeEmpty(), r.ID)
		g.Expect(r.Rationale).NotTo(BeEmpty(), r.ID)
		g.Expect(r.Example).NotTo(BeEmpty(), r.ID)
		g.Expect(r.Fix).NotTo(BeEmpty(), r.ID)
	}
	r, ok := Lookup("proxytargeting")
	g.Expect(ok).To(BeTrue())
	g.Expect(r.ID).To(Equal("ETH003"))
	g.Expect(r.Subject()).To(Equal("Campaign"))
	r, ok = Lookup("schema")
	g.Expect(ok).To(BeTrue())
	g.Expect(r.Name).To(Equal("SchemaViolation"))
	g.Expect(r.SeverityText()).To(Equal("deny"))
	g.Expect(mustLookup(t, "ETH015").SeverityText()).To(Equal("deny / warning"))
	g.Expect(mustLookup(t, "CPL008").SeverityText()).To(Equal("deny (update)"))
	// ETH020 is checked on the compiled document outside this package: in no chain, and not
	// a "Campaign" rule the PolicyReport would list as passed.
	r = mustLookup(t, "documenttoolarge")
	g.Expect(r.ID).To(Equal(ETH020))
	g.Expect(r.Subject()).To(Equal("Campaign's compiled document (admission and lint)"))
	g.Expect(DocumentTooLargeFinding("spec.experiences[2].content", "too big")).To(Equal(Finding{
		Rule: "ETH020", RuleName: "DocumentTooLarge", Severity: Deny, Field: "spec.experiences[2].content", Message: "too big"}))
	_, ok = Lookup("ETH999")
	g.Expect(ok).To(BeFalse())
}

func mustLookup(t *testing.T, id string) *Rule {
	t.Helper()
	r, ok := Lookup(id)
	if !ok {
		t.Fatalf("rule %s is not in the registry", id)
	}
	return r
}

// Every finding a check produces carries its rule's name and one of the severities the rule
// declares (or Skipped): the registry, not the check, decides severities.
func TestFindingsMatchTheRegistry(t *testing.T) {
	c, p := goodCampaign(), goodPolicy()
	c.Spec.Channel = ethosv1alpha1.ChannelSms
	p.Spec.Purposes[0].LegalBasis = ethosv1alpha1.LegalBasisSoftOptIn
	c.Spec.ControlGroup = nil
	c.Spec.Audience.Rules[0].Attribute = "age"
	for _, fs := range []Findings{CheckCampaign(c, p), CheckCampaign(c, nil), CheckConsentPolicy(nil, p, nil)} {
		for _, f := range fs {
			r := mustLookup(t, f.Rule)
			NewWithT(t).Expect(f.RuleName).To(Equal(r.Name))
			NewWithT(t).Expect(f.Severity).To(BeElementOf(r.Severity, r.Milder, Skipped), f.String())
		}
	}
}

// Issue 11: gender and group values judged by the attribute they describe, and binary gender
// segmentation (ETH019), both ways.
func TestValuesInContextAndBinaryGenderSegmentation(t *testing.T) {
	in := func(attr string, values ...string) ethosv1alpha1.Rule {
		return ethosv1alpha1.Rule{Attribute: attr, Operator: ethosv1alpha1.OperatorIn, Values: values}
	}
	// split gives the Campaign a second experience; a and b are the two experiences' rules.
	split := func(attr string, class ethosv1alpha1.DataClass, a, b ethosv1alpha1.Rule) func(c *ethosv1alpha1.Campaign) {
		return func(c *ethosv1alpha1.Campaign) {
			if attr != "viewedCategories" {
				c.Spec.DataUsage = append(c.Spec.DataUsage, ethosv1alpha1.DataUsage{Attribute: attr, Class: class, Description: "d"})
			}
			second := *c.Spec.Experiences[0].DeepCopy()
			second.Name = "for-her"
			c.Spec.Experiences[0].Name = "for-him"
			c.Spec.Experiences[0].Rules = append(c.Spec.Experiences[0].Rules, a)
			second.Rules = append(second.Rules, b)
			c.Spec.Experiences = append(c.Spec.Experiences, second)
		}
	}
	B := ethosv1alpha1.DataClassBehavioral
	tests := []struct {
		name     string
		edit     func(c *ethosv1alpha1.Campaign)
		wantHits []hit
	}{
		{name: "person attribute split male/female: ETH002 on both values and ETH019 deny",
			edit: split("shopperProfile", B, in("shopperProfile", "male"), in("shopperProfile", "female")),
			wantHits: []hit{
				{"ETH002", "deny", "spec.experiences[0].rules[1].values[0]"},
				{"ETH002", "deny", "spec.experiences[1].rules[1].values[0]"},
				{"ETH019", "deny", "spec.experiences[1].rules[1].values[0]"},
			}},
		{name: "person attribute split in German: Herren/Damen on zielgruppe",
			edit: split("zielgruppe", B, in("zielgruppe", "Herren"), in("zielgruppe", "Damen")),
			wantHits: []hit{
				{"ETH002", "deny", "spec.experiences[0].rules[1].values[0]"},
				{"ETH002", "deny", "spec.experiences[1].rules[1].values[0]"},
				{"ETH019", "deny", "spec.experiences[1].rules[1].values[0]"},
			}},
		{name: "attribute declared Demographic describes the person: buyer In [women] vs [men]",
			edit: split("buyer", ethosv1alpha1.DataClassDemographic, in("buyer", "men"), in("buyer", "women")),
			wantHits: []hit{
				{"ETH002", "deny", "spec.experiences[0].rules[1].values[0]"},
				{"ETH002", "deny", "spec.experiences[1].rules[1].values[0]"},
				{"ETH009", "deny", "spec.dataUsage[2].attribute"}, // the purpose does not cover Demographic
				{"ETH015", "warning", "spec.experiences[0].rules[1].attribute"},
				{"ETH019", "deny", "spec.experiences[1].rules[1].values[0]"},
			}},
		{name: "product attribute split mens/womens running: ETH019 warning only",
			edit:     split("viewedCategories", B, in("viewedCategories", "mens-running"), in("viewedCategories", "womens-running")),
			wantHits: []hit{{"ETH019", "warning", "spec.experiences[1].rules[1].values[0]"}}},
		{name: "neutral attribute split men/women: ETH019 warning only",
			edit:     split("interests", B, in("interests", "men"), in("interests", "women")),
			wantHits: []hit{{"ETH019", "warning", "spec.experiences[1].rules[1].values[0]"}}},
		{name: "segment In [women] in the audience: ETH002, no split",
			edit: func(c *ethosv1alpha1.Campaign) {
				c.Spec.DataUsage = append(c.Spec.DataUsage, ethosv1alpha1.DataUsage{Attribute: "segment", Class: B, Description: "d"})
				c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, in("segment", "women"))
			},
			wantHits: []hit{{"ETH002", "deny", "spec.audience.rules[1].values[0]"}}},
		{name: "viewedCategories In [womens-running] in one experience: intent, passes",
			edit: func(c *ethosv1alpha1.Campaign) {
				c.Spec.Experiences[0].Rules = append(c.Spec.Experiences[0].Rules, in("viewedCategories", "womens-running"))
			},
			wantHits: []hit{}},
		{name: "both genders in one experience split nothing",
			edit: split("shopperProfile", B, in("shopperProfile", "male", "female"), in("shopperProfile", "kids")),
			wantHits: []hit{
				{"ETH002", "deny", "spec.experiences[0].rules[1].values[0]"},
				{"ETH002", "deny", "spec.experiences[0].rules[1].values[1]"},
			}},
		{name: "NotIn does not select: no split",
			edit: split("viewedCategories", B, in("viewedCategories", "mens-running"),
				ethosv1alpha1.Rule{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorNotIn, Values: []string{"womens-running"}}),
			wantHits: []hit{}},
		{name: "look-alikes pass: menu/manga and unisex on a person attribute",
			edit:     split("shopperProfile", B, in("shopperProfile", "menu", "unisex"), in("shopperProfile", "manga")),
			wantHits: []hit{}},
		{name: "group values in a product attribute pass: seniors and kosher categories",
			edit: func(c *ethosv1alpha1.Campaign) {
				c.Spec.Audience.Rules[0].Values = []string{"seniors", "kosher", "over-55"}
			},
			wantHits: []hit{}},
		{name: "group values in a person attribute deny: customerSegment In [seniors, hispanic]",
			edit: func(c *ethosv1alpha1.Campaign) {
				c.Spec.DataUsage = append(c.Spec.DataUsage, ethosv1alpha1.DataUsage{Attribute: "customerSegment", Class: B, Description: "d"})
				c.Spec.Audience.Rules = append(c.Spec.Audience.Rules, in("customerSegment", "seniors", "hispanic"))
			},
			wantHits: []hit{
				{"ETH002", "deny", "spec.audience.rules[1].values[0]"},
				{"ETH002", "deny", "spec.audience.rules[1].values[1]"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodCampaign()
			tt.edit(c)
			NewWithT(t).Expect(hits(CheckCampaign(c, goodPolicy()))).To(Equal(tt.wantHits))
		})
	}
}

// The ETH002 and ETH019 messages say why the attribute counts as describing the person.
func TestGenderMessages(t *testing.T) {
	g := NewWithT(t)
	c := goodCampaign()
	c.Spec.DataUsage = append(c.Spec.DataUsage, ethosv1alpha1.DataUsage{Attribute: "shopperProfile", Class: ethosv1alpha1.DataClassBehavioral, Description: "d"})
	second := *c.Spec.Experiences[0].DeepCopy()
	second.Name = "for-her"
	c.Spec.Experiences[0].Rules = append(c.Spec.Experiences[0].Rules, ethosv1alpha1.Rule{Attribute: "shopperProfile", Operator: ethosv1alpha1.OperatorIn, Values: []string{"male"}})
	second.Rules = append(second.Rules, ethosv1alpha1.Rule{Attribute: "shopperProfile", Operator: ethosv1alpha1.OperatorIn, Values: []string{"female"}})
	c.Spec.Experiences = append(c.Spec.Experiences, second)
	fs := CheckCampaign(c, goodPolicy())
	g.Expect(fs).To(HaveLen(3))
	g.Expect(fs[0].String()).To(Equal(`[ETH002 SensitiveValue] spec.experiences[0].rules[1].values[0]: value "male" names a group of people (gender) and "shopperProfile" describes the person (a profile, segment or audience word in its name); target on behaviour or stated preferences instead.`))
	g.Expect(fs[2].String()).To(Equal(`[ETH019 BinaryGenderSegmentation] spec.experiences[1].rules[1].values[0]: experiences "trail-hero" and "for-her" split visitors by gender on "shopperProfile" ("male" / "female"), which describes the person (a profile, segment or audience word in its name); select on what visitors did or asked for instead.`))
}

// docs/rules.md is generated from the registry and the dictionary: it must not drift.
func TestRulesDocUpToDate(t *testing.T) {
	g := NewWithT(t)
	want, err := RulesMarkdown()
	g.Expect(err).NotTo(HaveOccurred())
	got, err := os.ReadFile("../../docs/rules.md")
	g.Expect(err).NotTo(HaveOccurred())
	if string(got) != string(want) {
		t.Fatal("docs/rules.md is out of date with the rule registry or the dictionary: run `make docs` and commit the result")
	}
	for _, r := range Registry {
		g.Expect(string(want)).To(ContainSubstring("### "+r.ID+" "+r.Name+" ("+r.SeverityText()+")"), r.ID)
	}
}
