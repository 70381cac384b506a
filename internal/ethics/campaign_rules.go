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
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/placeholder"
)

// Each check below appends its findings for one Campaign to fs: a small pure function over
// the gathered input (cert-manager's policy chain). Registry binds it to its rule, which
// gives the finding its ID, name and severity.

// skipNoPolicy is the Skipped finding of a rule that needs the missing ConsentPolicy; the
// controller evaluates it once the policy exists.
func skipNoPolicy(r *Rule, in *campaignInput) Finding {
	return r.skip(specPath.Child("consentPolicyRef", "name"),
		fmt.Sprintf("ConsentPolicy %q not found; checked once it exists.", in.c.Spec.ConsentPolicyRef.Name))
}

// skipNoPurpose is the Skipped finding of a rule that needs the Campaign's purpose, when the
// policy is missing or does not define the purpose (ETH008).
func skipNoPurpose(r *Rule, in *campaignInput) Finding {
	if in.policy == nil {
		return skipNoPolicy(r, in)
	}
	return r.skip(specPath.Child("purpose"),
		fmt.Sprintf("purpose %q is not defined by ConsentPolicy %s (ETH008).", in.c.Spec.Purpose, in.policy.Name))
}

// why describes where an attribute's effective class comes from, for messages.
func why(a *attribute) string {
	if a.dict.Class != "" && rank(a.dict.Class) >= rank(a.effective()) {
		return a.dict.Category
	}
	return "declared " + string(a.effective())
}

// sensitiveAttribute (ETH001) denies every use and declaration of an attribute whose
// effective class is Sensitive.
func sensitiveAttribute(r *Rule, in *campaignInput, fs Findings) Findings {
	const fix = "campaigns must not target on it. Target on behaviour instead, such as viewed categories or stated preferences."
	for _, u := range in.uses {
		if u.attr.effective() == ethosv1alpha1.DataClassSensitive {
			fs = append(fs, r.fire(u.at.path(),
				fmt.Sprintf("%q is a sensitive category (%s); %s", u.attr.name, why(u.attr), fix)))
		}
	}
	for i, a := range in.decl {
		if a.effective() == ethosv1alpha1.DataClassSensitive {
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("attribute"),
				fmt.Sprintf("%q is a sensitive category (%s); campaigns must not collect it. Remove this dataUsage entry.", a.name, why(a))))
		}
	}
	return fs
}

// sensitiveValue (ETH002) denies rule values that name or infer a sensitive category. A value
// naming a group of people or a gender is judged by the attribute it describes (issue 11):
// `shopperProfile In [female]` targets a gender, `viewedCategories In [womens-running]` is
// what the visitor browsed.
func sensitiveValue(r *Rule, in *campaignInput, fs Findings) Findings {
	for _, v := range in.values {
		cv := v.cls
		if cv.class.Class != ethosv1alpha1.DataClassSensitive {
			continue
		}
		about := v.attr.about()
		if !cv.use.sensitiveIn(about) {
			continue
		}
		if cv.use == useGroup || cv.use == useGender {
			fs = append(fs, r.fire(v.at.path(),
				fmt.Sprintf("value %q names a group of people (%s) and %q describes the person (%s); target on behaviour or stated preferences instead.", v.value, cv.class.Category, v.attr.name, aboutWhy(v.attr, about))))
			continue
		}
		fs = append(fs, r.fire(v.at.path(),
			fmt.Sprintf("value %q targets a sensitive category (%s); remove it and target on behaviour or stated preferences instead.", v.value, cv.class.Category)))
	}
	return fs
}

// aboutWhy says why an attribute counts as describing the person or not, for messages.
func aboutWhy(a *attribute, about describes) string {
	switch {
	case about == describesPerson && a.context != describesPerson:
		return "its class is " + string(a.effective())
	case about == describesPerson:
		return "a profile, segment or audience word in its name"
	case about == describesProduct:
		return "a product or browsing word in its name"
	}
	return "neither a person nor a product word in its name"
}

// binaryGenderSegmentation (ETH019) finds experiences that split visitors on the two binary
// genders of one attribute: one experience selects a masculine value, another a feminine
// one. It denies when the attribute describes the person and warns otherwise (browsing
// women's or men's running is intent, but a whole-experience split on it deserves a look).
// It reports once per attribute, at the value of the later experience.
func binaryGenderSegmentation(r *Rule, in *campaignInput, fs Findings) Findings {
	var picks map[*attribute]map[genderSides][]genderPick // made on the first gender value: most Campaigns have none
	var order []*attribute
	for i := range in.values {
		v := &in.values[i]
		if v.experience < 0 || !v.selects {
			continue
		}
		side := v.cls.sides.binary()
		if side == 0 {
			continue
		}
		if picks == nil {
			picks = map[*attribute]map[genderSides][]genderPick{}
		}
		if picks[v.attr] == nil {
			picks[v.attr] = map[genderSides][]genderPick{}
			order = append(order, v.attr)
		}
		picks[v.attr][side] = append(picks[v.attr][side], genderPick{v.experience, v})
	}
	for _, a := range order {
		first, second, ok := split(picks[a][sideMasculine], picks[a][sideFeminine])
		if !ok {
			continue
		}
		exps := in.c.Spec.Experiences
		about := a.about()
		msg := fmt.Sprintf("experiences %q and %q split visitors by gender on %q (%q / %q)",
			exps[first.experience].Name, exps[second.experience].Name, a.name, first.v.value, second.v.value)
		if about == describesPerson {
			fs = append(fs, r.fire(second.v.at.path(), msg+fmt.Sprintf(", which describes the person (%s); select on what visitors did or asked for instead.", aboutWhy(a, about))))
		} else {
			fs = append(fs, r.fireMild(second.v.at.path(), msg+"; browsing one department is intent, but check the split follows it, not assumed gender."))
		}
	}
	return fs
}

// genderPick is a rule value of an experience that selects one binary gender.
type genderPick struct {
	experience int
	v          *ruleValue
}

// split returns the first masculine and feminine picks in different experiences, ordered by
// experience.
func split(masc, fem []genderPick) (first, second genderPick, ok bool) {
	for _, m := range masc {
		for _, f := range fem {
			switch {
			case m.experience < f.experience:
				return m, f, true
			case f.experience < m.experience:
				return f, m, true
			}
		}
	}
	return genderPick{}, genderPick{}, false
}

// proxyTargeting (ETH003) denies selecting visitors on a proxy attribute.
func proxyTargeting(r *Rule, in *campaignInput, fs Findings) Findings {
	for _, u := range in.uses {
		if u.inRule && u.attr.effective() == ethosv1alpha1.DataClassProxy {
			fs = append(fs, r.fire(u.at.path(),
				fmt.Sprintf("%q is a proxy (%s) for sensitive categories; rules must not select visitors on it. Use it only for a declared proxy use such as a content placeholder.", u.attr.name, why(u.attr))))
		}
	}
	return fs
}

// proxyWithoutLegitimateUse (ETH004) denies a declared proxy without a use the policy allows.
// Without the policy only a missing use is checked; the controller re-checks later.
func proxyWithoutLegitimateUse(r *Rule, in *campaignInput, fs Findings) Findings {
	usesUnchecked := false
	for i, a := range in.decl {
		if a.effective() != ethosv1alpha1.DataClassProxy {
			continue
		}
		d := &in.c.Spec.DataUsage[i]
		usesUnchecked = usesUnchecked || (in.policy == nil && d.Use != "")
		var allowed []string
		if in.policy != nil {
			allowed = in.policy.ProxyUsesFor(d.Attribute)
		}
		switch {
		case d.Use == "":
			hint := "one of the uses the ConsentPolicy's proxyUses allows for it"
			if len(allowed) > 0 {
				hint = "one of: " + strings.Join(allowed, ", ")
			}
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("use"),
				fmt.Sprintf("%q is a proxy (%s) declared without a use; set use to %s.", a.name, why(a), hint)))
		case in.policy != nil && !slices.Contains(allowed, d.Use):
			hint := "the policy allows no use for it; ask its owner to add one to spec.proxyUses"
			if len(allowed) > 0 {
				hint = "allowed: " + strings.Join(allowed, ", ")
			}
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("use"),
				fmt.Sprintf("use %q of proxy %q is not allowed by ConsentPolicy %s (%s).", d.Use, a.name, in.policy.Name, hint)))
		}
	}
	if usesUnchecked {
		fs = append(fs, skipNoPolicy(r, in))
	}
	return fs
}

// classMismatch (ETH005) denies a declared class lower than the dictionary's.
func classMismatch(r *Rule, in *campaignInput, fs Findings) Findings {
	for i, a := range in.decl {
		d := &in.c.Spec.DataUsage[i]
		if d.Class != "" && a.dict.Class != "" && rank(d.Class) < rank(a.dict.Class) {
			fix := fmt.Sprintf("declare class %s or stop reading it", a.dict.Class)
			if a.dict.Class == ethosv1alpha1.DataClassSensitive {
				fix = "stop reading it"
			}
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("class"),
				fmt.Sprintf("%q is declared %s but is %s (%s); %s.", a.name, d.Class, a.dict.Class, a.dict.Category, fix)))
		}
	}
	return fs
}

// undeclaredAttribute (ETH006) denies used attributes missing from dataUsage, and declared
// attributes neither the dictionary nor the declaration classifies.
func undeclaredAttribute(r *Rule, in *campaignInput, fs Findings) Findings {
	for _, u := range in.uses {
		if u.attr.declared == nil {
			fs = append(fs, r.fire(u.at.path(),
				fmt.Sprintf("%q is used but not declared; add it to spec.dataUsage with a class and a plain-language description.", u.attr.name)))
		}
	}
	for i, a := range in.decl {
		if a.declared == &in.c.Spec.DataUsage[i] && a.effective() == "" {
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("class"),
				fmt.Sprintf("%q is not in the dictionary and has no class; set class to Behavioral, Preference, Contextual or Demographic.", a.name)))
		}
	}
	return fs
}

// collectedNotUsed (ETH007) denies declared attributes that nothing reads (data minimisation).
func collectedNotUsed(r *Rule, in *campaignInput, fs Findings) Findings {
	for i, a := range in.decl {
		if a.uses == 0 {
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("attribute"),
				fmt.Sprintf("%q is declared but never used by a rule, boostBy or content placeholder; remove it (data minimisation).", a.name)))
		}
	}
	return fs
}

// purposeNotInPolicy (ETH008) denies a purpose the policy does not define.
func purposeNotInPolicy(r *Rule, in *campaignInput, fs Findings) Findings {
	if in.policy == nil {
		return append(fs, skipNoPolicy(r, in))
	}
	if in.purpose == nil {
		fs = append(fs, r.fire(specPath.Child("purpose"),
			fmt.Sprintf("purpose %q is not defined by ConsentPolicy %s (purposes: %s); use one of them or add it to the policy.", in.c.Spec.Purpose, in.policy.Name, purposeNames(in.policy))))
	}
	for i, s := range in.c.Spec.Sharing {
		if in.policy.Purpose(s.Purpose) == nil {
			fs = append(fs, r.fire(specPath.Child("sharing").Index(i).Child("purpose"),
				fmt.Sprintf("purpose %q is not defined by ConsentPolicy %s (purposes: %s); use one of them or add it to the policy.", s.Purpose, in.policy.Name, purposeNames(in.policy))))
		}
	}
	return fs
}

func purposeNames(p *ethosv1alpha1.ConsentPolicy) string {
	names := make([]string, len(p.Spec.Purposes))
	for i, q := range p.Spec.Purposes {
		names[i] = q.Name
	}
	return strings.Join(names, ", ")
}

// classNotCoveredByPurpose (ETH009) denies data of a class the purpose does not cover, once
// per attribute, and history (Behavioral) when read. Sensitive data is never covered (CPL007
// forbids it), so for a Sensitive attribute the fix named is to stop reading it, not to widen
// the purpose; ETH001 reports the same attribute.
func classNotCoveredByPurpose(r *Rule, in *campaignInput, fs Findings) Findings {
	if in.purpose == nil {
		return append(fs, skipNoPurpose(r, in))
	}
	for _, a := range in.attrs {
		cls := a.effective()
		if cls == "" || slices.Contains(in.purpose.DataClasses, cls) {
			continue
		}
		fs = append(fs, r.fire(a.firstPath(in), notCoveredDetail(a.name, cls, in.purpose)))
	}
	if len(in.history) > 0 && !slices.Contains(in.purpose.DataClasses, ethosv1alpha1.DataClassBehavioral) {
		fs = append(fs, r.fire(in.history[0].at.path(),
			fmt.Sprintf("recommendations read the visitor's purchase or viewing history (Behavioral data), which purpose %q does not cover (dataClasses: %s); add Behavioral to the purpose's dataClasses.", in.purpose.Name, classList(in.purpose.DataClasses))))
	}
	return fs
}

// notCoveredDetail is the ETH009 message for an attribute of class cls.
func notCoveredDetail(name string, cls ethosv1alpha1.DataClass, purpose *ethosv1alpha1.Purpose) string {
	fix := fmt.Sprintf("add %s to the purpose's dataClasses or stop reading it.", cls)
	if cls == ethosv1alpha1.DataClassSensitive {
		fix = "no purpose may cover Sensitive data (CPL007): stop reading it."
	}
	return fmt.Sprintf("%q is %s data, which purpose %q does not cover (dataClasses: %s); %s", name, cls, purpose.Name, classList(purpose.DataClasses), fix)
}

func classList(cs []ethosv1alpha1.DataClass) string {
	if len(cs) == 0 {
		return "none"
	}
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// messagingWithoutOptIn (ETH010) requires ExplicitConsent for Email, Sms and Push; SoftOptIn
// is a warning because only a person can check the existing-customer exemption.
func messagingWithoutOptIn(r *Rule, in *campaignInput, fs Findings) Findings {
	if !in.c.Spec.Channel.IsMessaging() {
		return fs
	}
	if in.purpose == nil {
		return append(fs, skipNoPurpose(r, in))
	}
	p := specPath.Child("channel")
	switch in.purpose.LegalBasis {
	case ethosv1alpha1.LegalBasisExplicitConsent:
	case ethosv1alpha1.LegalBasisSoftOptIn:
		fs = append(fs, r.fireMild(p,
			fmt.Sprintf("%s under soft opt-in (purpose %q): existing customers only, with a one-click opt-out.", in.c.Spec.Channel, in.purpose.Name)))
	default:
		fs = append(fs, r.fire(p,
			fmt.Sprintf("channel %s needs prior opt-in but purpose %q has legal basis %s; use a purpose with legalBasis ExplicitConsent.", in.c.Spec.Channel, in.purpose.Name, in.purpose.LegalBasis)))
	}
	return fs
}

// adSharingWithoutNotice (ETH011) denies sharing to a destination the purpose does not list,
// or under a legal basis other than consent.
func adSharingWithoutNotice(r *Rule, in *campaignInput, fs Findings) Findings {
	if len(in.c.Spec.Sharing) == 0 {
		return fs
	}
	if in.policy == nil {
		return append(fs, skipNoPolicy(r, in))
	}
	for i, s := range in.c.Spec.Sharing {
		purpose := in.policy.Purpose(s.Purpose)
		if purpose == nil {
			continue // ETH008
		}
		if purpose.ThirdParty(s.Destination) == nil {
			fs = append(fs, r.fire(specPath.Child("sharing").Index(i).Child("destination"),
				fmt.Sprintf("%q is not listed in the thirdParties of purpose %q, so visitors were never told; add it to the policy's purpose.", s.Destination, purpose.Name)))
		}
		if !purpose.LegalBasis.IsConsent() {
			fs = append(fs, r.fire(specPath.Child("sharing").Index(i).Child("purpose"),
				fmt.Sprintf("sharing with %q needs consent but purpose %q has legal basis %s; use a purpose with legalBasis Consent or ExplicitConsent.", s.Destination, purpose.Name, purpose.LegalBasis)))
		}
	}
	return fs
}

// historyRequiresAuth (ETH012) denies history-based recommendations for anonymous visitors.
func historyRequiresAuth(r *Rule, in *campaignInput, fs Findings) Findings {
	if in.c.Spec.Audience.RequireAuthenticated {
		return fs
	}
	for i, e := range in.c.Spec.Experiences {
		if e.Recommendations != nil && e.Recommendations.Source.ReadsHistory() {
			fs = append(fs, r.fire(experiencePath.Index(i).Child("recommendations", "source"),
				fmt.Sprintf("source %s shows a visitor's history to whoever uses the device; set spec.audience.requireAuthenticated: true or use source Candidates.", e.Recommendations.Source)))
		}
	}
	return fs
}

// recommendsPurchased (ETH013) denies recommending purchased items unless repurchase is
// explicitly allowed (then warns).
func recommendsPurchased(r *Rule, in *campaignInput, fs Findings) Findings {
	for i, e := range in.c.Spec.Experiences {
		rec := e.Recommendations
		if rec == nil || rec.ExcludesPurchased() {
			continue
		}
		rp := experiencePath.Index(i).Child("recommendations")
		if rec.AllowRepurchase {
			fs = append(fs, r.fireMild(rp.Child("allowRepurchase"),
				"recommends items the visitor already bought; keep allowRepurchase for consumables only."))
		} else {
			fs = append(fs, r.fire(rp.Child("excludePurchased"),
				"excludePurchased: false recommends items the visitor already bought; remove it, or set allowRepurchase: true for consumables."))
		}
	}
	return fs
}

// opportunityOffers are the offer categories of anti-discrimination law.
var opportunityOffers = []ethosv1alpha1.OfferCategory{
	ethosv1alpha1.OfferHousing, ethosv1alpha1.OfferEmployment, ethosv1alpha1.OfferCredit, ethosv1alpha1.OfferInsurance,
}

// opportunityTargeting (ETH014) denies Demographic or Proxy data in housing, employment,
// credit and insurance offers, once per attribute.
func opportunityTargeting(r *Rule, in *campaignInput, fs Findings) Findings {
	if !slices.Contains(opportunityOffers, in.c.Spec.OfferCategory) {
		return fs
	}
	for _, a := range in.attrs {
		cls := a.effective()
		if cls == ethosv1alpha1.DataClassDemographic || cls == ethosv1alpha1.DataClassProxy {
			fs = append(fs, r.fire(a.firstPath(in),
				fmt.Sprintf("%q is %s data (%s) and must not shape a %s offer; use behaviour or stated preferences only.", a.name, cls, why(a), in.c.Spec.OfferCategory)))
		}
	}
	return fs
}

// demographicOnlyTargeting (ETH015) denies rules that select on demographics alone, and warns
// when demographics sit next to behavioural rules.
func demographicOnlyTargeting(r *Rule, in *campaignInput, fs Findings) Findings {
	behavioural := false
	for _, a := range in.ruleAttrs {
		if c := a.effective(); c == ethosv1alpha1.DataClassBehavioral || c == ethosv1alpha1.DataClassPreference {
			behavioural = true
		}
	}
	for _, a := range in.ruleAttrs {
		if a.effective() != ethosv1alpha1.DataClassDemographic {
			continue
		}
		p := firstRulePath(in, a)
		if behavioural {
			fs = append(fs, r.fireMild(p,
				fmt.Sprintf("%q is Demographic; check it is needed next to the behavioural rules.", a.name)))
		} else {
			fs = append(fs, r.fire(p,
				fmt.Sprintf("%q is Demographic and no rule uses Behavioral or Preference data; target on what visitors do or ask for, not who they are.", a.name)))
		}
	}
	return fs
}

func firstRulePath(in *campaignInput, a *attribute) *field.Path {
	for _, u := range in.uses {
		if u.inRule && u.attr == a {
			return u.at.path()
		}
	}
	return nil
}

// noControlGroup (ETH016) warns when lift cannot be measured.
func noControlGroup(r *Rule, in *campaignInput, fs Findings) Findings {
	if cg := in.c.Spec.ControlGroup; cg == nil || cg.Percent == 0 {
		return append(fs, r.fire(specPath.Child("controlGroup"),
			"no control group: lift cannot be measured; set controlGroup.percent (5-10)."))
	}
	return fs
}

// noFrequencyCap (ETH017) warns about messaging without a cap from the campaign or its
// policy. A policy that does not exist yet (ETH018) gives no cap, so the warning fires then
// too, unless the campaign sets its own.
func noFrequencyCap(r *Rule, in *campaignInput, fs Findings) Findings {
	if !in.c.Spec.Channel.IsMessaging() || in.c.EffectiveFrequencyCap(in.policy) != nil {
		return fs
	}
	return append(fs, r.fire(specPath.Child("frequencyCap"),
		fmt.Sprintf("%s without a frequency cap; set frequencyCap, e.g. {maxImpressions: 2, per: 7d}.", in.c.Spec.Channel)))
}

// policyNotFound (ETH018) warns that the referenced policy does not exist yet.
func policyNotFound(r *Rule, in *campaignInput, fs Findings) Findings {
	if in.policy != nil {
		return fs
	}
	return append(fs, r.fire(specPath.Child("consentPolicyRef", "name"),
		fmt.Sprintf("ConsentPolicy %q not found; not personalized until it exists.", in.c.Spec.ConsentPolicyRef.Name)))
}

// placeholderEncoding (ETH021) denies a placeholder whose encoding is unknown (a typo such
// as `| ulr` would otherwise be shown to visitors as literal text) and warns about a
// placeholder inside a URL that is not URL-encoded (`| url`): HTML escaping, the default,
// keeps markup out but lets a value add query parameters, a fragment or path segments.
func placeholderEncoding(r *Rule, in *campaignInput, fs Findings) Findings {
	for i := range in.c.Spec.Experiences {
		content := in.c.Spec.Experiences[i].Content
		for _, k := range slices.Sorted(maps.Keys(content)) {
			path := experiencePath.Index(i).Child("content").Key(k)
			v := content[k]
			at := 0 // byte offset of the segment in v
			for _, seg := range placeholder.Parse(v) {
				start := at
				at = advance(v, at, seg)
				switch {
				case seg.Name == "":
				case seg.Encoding == placeholder.Unknown:
					fs = append(fs, r.fire(path, fmt.Sprintf("%q names an unknown encoding %q; use %s, as in {{ %s | url }}.",
						v[start:at], seg.Spec, placeholder.EncodingNames, seg.Name)))
				case seg.Encoding != placeholder.URL && inURL(v[:start]):
					fs = append(fs, r.fireMild(path, fmt.Sprintf("%q is in a URL without URL encoding; write {{ %s | url }}.",
						v[start:at], seg.Name)))
				}
			}
		}
	}
	return fs
}

// advance returns the offset in v just past seg, which starts at offset at. Placeholders are
// found again from their start, as Parse consumed them ("{{" up to the next "}}").
func advance(v string, at int, seg placeholder.Segment) int {
	if seg.Name == "" {
		return at + len(seg.Text)
	}
	return at + strings.Index(v[at:], "}}") + 2
}

// inURL reports whether text that ends just before a placeholder leaves it inside a URL:
// the last token (back to a space, quote, bracket or parenthesis) has a scheme ("://",
// "mailto:", "tel:") or starts with "/" or "?".
func inURL(before string) bool {
	token := before[strings.LastIndexAny(before, " \t\r\n\"'<>()[]")+1:]
	return strings.Contains(token, "://") || strings.HasPrefix(token, "/") || strings.HasPrefix(token, "?") ||
		strings.HasPrefix(token, "mailto:") || strings.HasPrefix(token, "tel:")
}

// missingTranslation (ETH022) warns when the Campaign's dataUsage descriptions are
// translated into a language that another text of the explanation lacks: the purpose's
// description, or another declared attribute's. The engine then explains in the default
// language to visitors of that language (never in a mix), which is what the warning says.
func missingTranslation(r *Rule, in *campaignInput, fs Findings) Findings {
	var langs []string // the languages the Campaign declares, in first-seen order
	for _, u := range in.c.Spec.DataUsage {
		for _, l := range slices.Sorted(maps.Keys(u.DescriptionTranslations)) {
			if !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	if len(langs) == 0 {
		return fs
	}
	for i, u := range in.c.Spec.DataUsage {
		if missing := lacking(langs, u.DescriptionTranslations); len(missing) > 0 {
			fs = append(fs, r.fire(dataUsagePath.Index(i).Child("descriptionTranslations"),
				fmt.Sprintf("%q lacks %s, which other entries have; those visitors get the default language.",
					u.Attribute, strings.Join(missing, ", "))))
		}
	}
	if in.purpose == nil {
		return append(fs, skipNoPurpose(r, in))
	}
	if missing := lacking(langs, in.purpose.DescriptionTranslations); len(missing) > 0 {
		fs = append(fs, r.fire(dataUsagePath,
			fmt.Sprintf("purpose %q lacks %s; those visitors get the explanation in the default language.",
				in.purpose.Name, strings.Join(missing, ", "))))
	}
	return fs
}

// lacking lists the languages of langs that translations has no text for.
func lacking(langs []string, translations map[string]string) []string {
	var out []string
	for _, l := range langs {
		if strings.TrimSpace(translations[l]) == "" {
			out = append(out, l)
		}
	}
	return out
}
