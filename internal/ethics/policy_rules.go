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

package ethics

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// policyInput is what the ConsentPolicy rules look at.
type policyInput struct {
	old   *ethosv1alpha1.ConsentPolicy // nil on create
	p     *ethosv1alpha1.ConsentPolicy
	bound []ethosv1alpha1.Campaign
}

// Each check below appends its findings for one ConsentPolicy to fs; Registry binds it to
// its rule.

var purposesPath = specPath.Child("purposes")

// defaultConsent is the policy's defaultConsent with the CRD default (Deny) applied, so an
// object that skipped defaulting (a unit test, a Go client) is judged like a stored one.
func defaultConsent(p *ethosv1alpha1.ConsentPolicy) ethosv1alpha1.ConsentDefault {
	return p.EffectiveDefaultConsent()
}

// optInJurisdictionDefault (CPL001) requires defaultConsent Deny in opt-in regimes.
func optInJurisdictionDefault(r *Rule, in *policyInput, fs Findings) Findings {
	if defaultConsent(in.p) == ethosv1alpha1.ConsentDefaultDeny {
		return fs
	}
	for _, j := range in.p.Spec.Jurisdictions {
		if j == ethosv1alpha1.JurisdictionEU || j == ethosv1alpha1.JurisdictionUK || j == ethosv1alpha1.JurisdictionBR {
			return append(fs, r.fire(specPath.Child("defaultConsent"),
				fmt.Sprintf("jurisdiction %s is opt-in: unknown consent must mean no; set defaultConsent: Deny.", j)))
		}
	}
	return fs
}

// plainLanguageDescription (CPL002) requires a description of at least 5 words that is more
// than a link.
func plainLanguageDescription(r *Rule, in *policyInput, fs Findings) Findings {
	for i, q := range in.p.Spec.Purposes {
		n := 0
		for _, w := range strings.Fields(q.Description) {
			if !isURL(w) && strings.IndexFunc(w, isLetter) >= 0 {
				n++
			}
		}
		if n < 5 {
			fs = append(fs, r.fire(purposesPath.Index(i).Child("description"),
				fmt.Sprintf("purpose %q needs a plain-language description of at least 5 words (has %d); say what data is used and why.", q.Name, n)))
		}
	}
	return fs
}

func isURL(w string) bool {
	w = strings.ToLower(w)
	return strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www.")
}

func isLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
}

// retentionDays parses a SPEC duration (24h, 90d) into days; ok is false for a malformed
// value, which the schema rejects anyway.
func retentionDays(s string) (float64, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	switch s[len(s)-1] {
	case 'd':
		return float64(n), true
	case 'h':
		return float64(n) / 24, true
	}
	return 0, false
}

// retentionTooLong (CPL003) warns about retention over 365 days.
func retentionTooLong(r *Rule, in *policyInput, fs Findings) Findings {
	for i, q := range in.p.Spec.Purposes {
		if d, ok := retentionDays(q.Retention); ok && d > 365 {
			fs = append(fs, r.fire(purposesPath.Index(i).Child("retention"),
				fmt.Sprintf("retention %s is over 365 days; keep personalization data for a year at most.", q.Retention)))
		}
	}
	return fs
}

// profilingNeedsConsent (CPL004) requires consent for TCF profiling purposes 3–6.
func profilingNeedsConsent(r *Rule, in *policyInput, fs Findings) Findings {
	for i, q := range in.p.Spec.Purposes {
		if q.LegalBasis.IsConsent() {
			continue
		}
		for _, t := range q.TCFPurposes {
			if t >= 3 && t <= 6 {
				fs = append(fs, r.fire(purposesPath.Index(i).Child("legalBasis"),
					fmt.Sprintf("TCF purpose %d (profiling) needs consent but purpose %q has legal basis %s; use Consent or ExplicitConsent.", t, q.Name, q.LegalBasis)))
				break
			}
		}
	}
	return fs
}

// globalPrivacyControlRequired (CPL005) requires honouring GPC where the law says so, and
// making it opt out of every purpose that shares with an ad platform.
func globalPrivacyControlRequired(r *Rule, in *policyInput, fs Findings) Findings {
	gpc := in.p.Spec.GlobalPrivacyControl
	honor := gpc != nil && gpc.Honor
	for _, j := range in.p.Spec.Jurisdictions {
		if !honor && (j == ethosv1alpha1.JurisdictionUSCA || j == ethosv1alpha1.JurisdictionUSCO || j == ethosv1alpha1.JurisdictionUSCT) {
			fs = append(fs, r.fire(specPath.Child("globalPrivacyControl", "honor"),
				fmt.Sprintf("jurisdiction %s requires honouring Global Privacy Control; set globalPrivacyControl.honor: true.", j)))
			break
		}
	}
	if !honor {
		return fs
	}
	for _, q := range in.p.Spec.Purposes {
		if slices.Contains(gpc.OptsOutOf, q.Name) {
			continue
		}
		for _, t := range q.ThirdParties {
			if t.Type == ethosv1alpha1.ThirdPartyAdPlatform {
				fs = append(fs, r.fire(specPath.Child("globalPrivacyControl", "optsOutOf"),
					fmt.Sprintf("purpose %q shares with ad platform %q, so Global Privacy Control must withdraw it; add %q to optsOutOf.", q.Name, t.Name, q.Name)))
				break
			}
		}
	}
	return fs
}

// withdrawalHarderThanGrant (CPL006) requires withdrawal to be as easy as granting.
func withdrawalHarderThanGrant(r *Rule, in *policyInput, fs Findings) Findings {
	w := in.p.Spec.Withdrawal
	if w == nil || (w.MaxSteps <= w.GrantSteps && w.MaxSteps <= 2) {
		return fs
	}
	return append(fs, r.fire(specPath.Child("withdrawal", "maxSteps"),
		fmt.Sprintf("withdrawing consent takes %d steps, granting %d; withdrawal must take no more steps than granting, and at most 2.", w.MaxSteps, w.GrantSteps)))
}

// sensitiveDataPurpose (CPL007) denies purposes that cover Sensitive data.
func sensitiveDataPurpose(r *Rule, in *policyInput, fs Findings) Findings {
	for i, q := range in.p.Spec.Purposes {
		for j, c := range q.DataClasses {
			if c == ethosv1alpha1.DataClassSensitive {
				fs = append(fs, r.fire(purposesPath.Index(i).Child("dataClasses").Index(j),
					fmt.Sprintf("purpose %q must not cover Sensitive data: Ethos never personalizes on it; remove Sensitive.", q.Name)))
			}
		}
	}
	return fs
}

// purposeInUse (CPL008) denies an update that removes a purpose bound Campaigns still use,
// naming them. The path is keyed by the removed purpose's name: its index no longer exists.
func purposeInUse(r *Rule, in *policyInput, fs Findings) Findings {
	if in.old == nil {
		return fs
	}
	for _, q := range in.old.Spec.Purposes {
		if in.p.Purpose(q.Name) != nil {
			continue
		}
		var users []string
		for i := range in.bound {
			c := &in.bound[i]
			uses := c.Spec.Purpose == q.Name
			for _, s := range c.Spec.Sharing {
				uses = uses || s.Purpose == q.Name
			}
			if uses {
				users = append(users, c.Name)
			}
		}
		if len(users) == 0 {
			continue
		}
		slices.Sort(users)
		fs = append(fs, r.fire(purposesPath.Key(q.Name),
			fmt.Sprintf("purpose %q is still used by Campaign(s) %s; move them to another purpose or delete them first.", q.Name, strings.Join(users, ", "))))
	}
	return fs
}

// consentDefaultAllow (CPL009) warns that Allow contradicts a consent legal basis outside
// opt-out regimes.
func consentDefaultAllow(r *Rule, in *policyInput, fs Findings) Findings {
	if defaultConsent(in.p) != ethosv1alpha1.ConsentDefaultAllow {
		return fs
	}
	for _, q := range in.p.Spec.Purposes {
		if q.LegalBasis.IsConsent() {
			return append(fs, r.fire(specPath.Child("defaultConsent"),
				fmt.Sprintf("Allow treats unknown consent as granted for purpose %q; lawful in opt-out regimes only.", q.Name)))
		}
	}
	return fs
}

// adPlatformWithoutTCFVendor (CPL010) asks for the TCF vendor id of every ad platform a
// purpose shares with where consent is collected with IAB TCF (EU, UK).
func adPlatformWithoutTCFVendor(r *Rule, in *policyInput, fs Findings) Findings {
	if !slices.ContainsFunc(in.p.Spec.Jurisdictions, func(j ethosv1alpha1.Jurisdiction) bool {
		return j == ethosv1alpha1.JurisdictionEU || j == ethosv1alpha1.JurisdictionUK
	}) {
		return fs
	}
	for i, q := range in.p.Spec.Purposes {
		for k, t := range q.ThirdParties {
			if t.Type == ethosv1alpha1.ThirdPartyAdPlatform && t.TCFVendorID == nil {
				fs = append(fs, r.fire(purposesPath.Index(i).Child("thirdParties").Index(k).Child("tcfVendorId"),
					fmt.Sprintf("purpose %q shares with ad platform %q, which has no tcfVendorId, so a TC string's refusal of that vendor is not checked; set its IAB Global Vendor List id.", q.Name, t.Name)))
			}
		}
	}
	return fs
}

// adPersonalizationFromAnalytics (CPL011) refuses an advertising purpose granted by the
// Consent Mode analytics_storage signal alone.
func adPersonalizationFromAnalytics(r *Rule, in *policyInput, fs Findings) Findings {
	for i, q := range in.p.Spec.Purposes {
		if len(q.ConsentModeSignals) != 1 || q.ConsentModeSignals[0] != ethosv1alpha1.ConsentModeAnalyticsStorage || !advertisingPurpose(&q) {
			continue
		}
		fs = append(fs, r.fire(purposesPath.Index(i).Child("consentModeSignals"),
			fmt.Sprintf("purpose %q is advertising but Consent Mode's analytics_storage alone would grant it; map it to ad_personalization and ad_user_data.", q.Name)))
	}
	return fs
}

// advertisingPurpose: the purpose serves ads (TCF purpose 2–4) or shares with an ad platform.
func advertisingPurpose(q *ethosv1alpha1.Purpose) bool {
	for _, t := range q.TCFPurposes {
		if t >= 2 && t <= 4 {
			return true
		}
	}
	return slices.ContainsFunc(q.ThirdParties, func(t ethosv1alpha1.ThirdParty) bool { return t.Type == ethosv1alpha1.ThirdPartyAdPlatform })
}
