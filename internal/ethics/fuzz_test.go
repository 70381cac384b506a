package ethics

import (
	"encoding/json"
	"testing"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// FuzzCheck feeds arbitrary JSON specs to the engine's entry points: they must never panic.
// The seed corpus runs in every `go test`; `go test -fuzz=FuzzCheck` explores further.
func FuzzCheck(f *testing.F) {
	good, _ := json.Marshal(goodCampaign().Spec)
	policy, _ := json.Marshal(goodPolicy().Spec)
	f.Add(good, policy)
	f.Add([]byte(`{"audience":{"rules":[{"attribute":"âge{{","values":["over-55","{{x}}"]}]},"experiences":[{"content":{"a":"{{ b }}{{"},"recommendations":{"source":"RecentlyViewed","excludePurchased":false}}]}`), []byte(`{}`))
	f.Add([]byte(`{"dataUsage":[{"attribute":""},{"attribute":"ß"}],"sharing":[{}]}`), []byte(`{"purposes":[{}],"withdrawal":{"maxSteps":9},"globalPrivacyControl":{"honor":true}}`))
	f.Add([]byte(`null`), []byte(`null`))
	f.Fuzz(func(t *testing.T, campaignSpec, policySpec []byte) {
		var c ethosv1alpha1.Campaign
		var p ethosv1alpha1.ConsentPolicy
		if json.Unmarshal(campaignSpec, &c.Spec) != nil || json.Unmarshal(policySpec, &p.Spec) != nil {
			return
		}
		for _, f := range append(CheckCampaign(&c, &p), CheckCampaign(&c, nil)...) {
			_ = f.String()
		}
		_ = CheckConsentPolicy(&p, &p, []ethosv1alpha1.Campaign{c}).Denials()
	})
}
