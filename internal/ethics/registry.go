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
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Rule is one rule of the catalogue (SPEC §4) as a single value: its identity, what it can
// decide, its check, and the explanation `kubectl ethos explain` and docs/rules.md print.
// The check chains, the explain command, status findings, SARIF rule metadata and
// docs/rules.md are all derived from Registry, so a rule is defined in exactly one place.
type Rule struct {
	ID   string
	Name string
	// Severity is what the rule decides when it fires.
	Severity Severity
	// Milder is the second, milder outcome some triggers of the rule give (ETH010's soft
	// opt-in, ETH013's allowRepurchase, ETH015 next to behaviour): Warning, or empty.
	Milder Severity
	// OnUpdateOnly rules compare the object with its previous version (CPL008).
	OnUpdateOnly bool

	FiresWhen string
	Rationale string
	Example   string // a YAML fragment that fires the rule
	Fix       string

	// Exactly one of campaign and policy is set, or lintOnly: the rule is checked by
	// `kubectl ethos lint` outside this package (SCHEMA), or compiledDocument: the rule is
	// checked on the compiled decision document by the webhook and lint (ETH020), outside
	// this package because the rule engine does not link the compiler.
	campaign         func(r *Rule, in *campaignInput, fs Findings) Findings
	policy           func(r *Rule, in *policyInput, fs Findings) Findings
	lintOnly         bool
	compiledDocument bool
}

// Subject names what the rule checks: Campaign, ConsentPolicy, or any object (lint only).
func (r *Rule) Subject() string {
	switch {
	case r.campaign != nil:
		return "Campaign"
	case r.policy != nil:
		return "ConsentPolicy"
	case r.compiledDocument:
		// Not "Campaign": the controller's compliance check and PolicyReport do not run it
		// (the controller stalls with DocumentTooLarge instead).
		return "Campaign's compiled document (admission and lint)"
	}
	return "any object (lint only)"
}

// SeverityText is the severity as the CLI and docs write it: "deny", "deny / warning",
// "deny (update)", "warning" — SPEC §4's table, in the CLI's lower-case spelling.
func (r *Rule) SeverityText() string {
	s := WireSeverity(r.Severity)
	if r.Milder != "" {
		s += " / " + WireSeverity(r.Milder)
	}
	if r.OnUpdateOnly {
		s += " (update)"
	}
	return s
}

// WireSeverity is a severity in the lower case SPEC §7 puts on the CLI's wire: deny, warning,
// skipped.
func WireSeverity(s Severity) string { return strings.ToLower(string(s)) }

// fire is the finding of the rule's main outcome at path.
func (r *Rule) fire(path *field.Path, detail string) Finding {
	return r.finding(r.Severity, path, detail)
}

// fireMild is the finding of the rule's milder outcome (Milder) at path.
func (r *Rule) fireMild(path *field.Path, detail string) Finding {
	return r.finding(r.Milder, path, detail)
}

// skip is the Skipped finding of a rule that could not be evaluated; why names the missing
// input.
func (r *Rule) skip(path *field.Path, why string) Finding {
	return r.finding(Skipped, path, "not evaluated: "+why)
}

func (r *Rule) finding(sev Severity, path *field.Path, detail string) Finding {
	return Finding{Rule: r.ID, RuleName: r.Name, Severity: sev, Field: path.String(), Message: detail}
}

// Rule IDs.
const (
	ETH001 = "ETH001"
	ETH002 = "ETH002"
	ETH003 = "ETH003"
	ETH004 = "ETH004"
	ETH005 = "ETH005"
	ETH006 = "ETH006"
	ETH007 = "ETH007"
	ETH008 = "ETH008"
	ETH009 = "ETH009"
	ETH010 = "ETH010"
	ETH011 = "ETH011"
	ETH012 = "ETH012"
	ETH013 = "ETH013"
	ETH014 = "ETH014"
	ETH015 = "ETH015"
	ETH016 = "ETH016"
	ETH017 = "ETH017"
	ETH018 = "ETH018"
	ETH019 = "ETH019"
	ETH020 = "ETH020"
	ETH021 = "ETH021"
	ETH022 = "ETH022"
	CPL001 = "CPL001"
	CPL002 = "CPL002"
	CPL003 = "CPL003"
	CPL004 = "CPL004"
	CPL005 = "CPL005"
	CPL006 = "CPL006"
	CPL007 = "CPL007"
	CPL008 = "CPL008"
	CPL009 = "CPL009"
	CPL010 = "CPL010"
	CPL011 = "CPL011"
	// SCHEMA is the rule ID of schema violations found by `kubectl ethos lint` (SPEC §7).
	SCHEMA = "SCHEMA"
)

// Registry lists every rule in ID order: Campaign rules, ConsentPolicy rules, then SCHEMA.
var Registry = []*Rule{
	{ID: ETH001, Name: "SensitiveAttribute", Severity: Deny,
		campaign:  sensitiveAttribute,
		FiresWhen: "a used or declared attribute's effective class is Sensitive",
		Rationale: "Targeting on racial or ethnic origin, religion, political opinion, union membership, health, sex life, gender, age, genetic or biometric data, national origin, precise location, government IDs or financial accounts is special-category processing (GDPR Art. 9, CPRA) and the classic route to discriminatory personalization.",
		Example:   "audience:\n  rules:\n  - {attribute: age, operator: Gt, values: [\"55\"]}",
		Fix:       "Remove the attribute from the rules, content and dataUsage; target on behaviour (viewed categories) or stated preferences instead."},
	{ID: ETH002, Name: "SensitiveValue", Severity: Deny,
		campaign:  sensitiveValue,
		FiresWhen: "a rule value names or infers a sensitive category",
		Rationale: "A neutral attribute with a sensitive value (interests In [muslim], tags In [pregnant]) infers special-category data just as surely as a sensitive attribute does.",
		Example:   "rules:\n- {attribute: interests, operator: In, values: [pregnant]}",
		Fix:       "Remove the value; if it describes a product, use the product's category name rather than a description of the person."},
	{ID: ETH003, Name: "ProxyTargeting", Severity: Deny,
		campaign:  proxyTargeting,
		FiresWhen: "an attribute of effective class Proxy appears in audience.rules or experiences[].rules",
		Rationale: "Postal codes, names, language, IP addresses, marital status and household income stand in for ethnicity, gender, national origin or wealth; selecting visitors on them reproduces redlining.",
		Example:   "audience:\n  rules:\n  - {attribute: postalCode, operator: In, values: [\"75011\"]}",
		Fix:       "Do not select visitors on the proxy. A proxy may only be read for a legitimate use declared in the policy's proxyUses (for example a nearest-store placeholder in content)."},
	{ID: ETH004, Name: "ProxyWithoutLegitimateUse", Severity: Deny,
		campaign:  proxyWithoutLegitimateUse,
		FiresWhen: "a Proxy attribute is declared without use, or with a use the policy's proxyUses does not allow for it",
		Rationale: "Proxy data is only acceptable for a narrow, declared purpose such as finding the nearest store; the policy owner decides which uses are legitimate.",
		Example:   "dataUsage:\n- {attribute: postalCode, class: Proxy, description: \"...\"}   # no use",
		Fix:       "Set dataUsage[].use to one of the uses the ConsentPolicy's proxyUses lists for this attribute, or ask the policy owner to add it."},
	{ID: ETH005, Name: "ClassMismatch", Severity: Deny,
		campaign:  classMismatch,
		FiresWhen: "a declared class is lower than the dictionary's",
		Rationale: "Declaring religion as Behavioral or postalCode as Contextual would hide it from the rules and from the purpose's dataClasses; the dictionary wins over a lower declared class.",
		Example:   "dataUsage:\n- {attribute: postalCode, class: Contextual}",
		Fix:       "Declare the class the dictionary gives (shown in the message), or stop reading the attribute."},
	{ID: ETH006, Name: "UndeclaredAttribute", Severity: Deny,
		campaign:  undeclaredAttribute,
		FiresWhen: "a used attribute is not declared, or is unknown to the dictionary and has no class",
		Rationale: "The engine reads only declared data, and visitors are told what was used from the declarations; undeclared or unclassified data cannot be explained or checked.",
		Example:   "experiences:\n- rules: [{attribute: loyaltyTier, operator: In, values: [gold]}]   # not in dataUsage",
		Fix:       "Add a dataUsage entry with the attribute, its class and a plain-language description."},
	{ID: ETH007, Name: "CollectedNotUsed", Severity: Deny,
		campaign:  collectedNotUsed,
		FiresWhen: "a declared attribute is not used",
		Rationale: "Data minimisation (GDPR Art. 5(1)(c)): a campaign must not receive data it does not use.",
		Example:   "dataUsage:\n- {attribute: favouriteColour, class: Preference}   # no rule, boostBy or placeholder reads it",
		Fix:       "Remove the dataUsage entry, or use the attribute in a rule, boostBy or a content placeholder."},
	{ID: ETH008, Name: "PurposeNotInPolicy", Severity: Deny,
		campaign:  purposeNotInPolicy,
		FiresWhen: "spec.purpose or a sharing[].purpose is not a purpose of the policy",
		Rationale: "Processing is lawful only for a purpose the visitor was told about and (where needed) consented to.",
		Example:   "purpose: upselling   # the policy has no purpose named upselling",
		Fix:       "Use a purpose the ConsentPolicy defines, or add the purpose to the policy first."},
	{ID: ETH009, Name: "ClassNotCoveredByPurpose", Severity: Deny,
		campaign:  classNotCoveredByPurpose,
		FiresWhen: "the effective class of a used or declared attribute (or of history, when read) is not in the purpose's dataClasses",
		Rationale: "Each purpose states which kinds of data it covers; reading another kind goes beyond what the visitor agreed to. Browsing and purchase history is Behavioral data.",
		Example:   "dataUsage:\n- {attribute: favouriteSport, class: Preference}   # purpose dataClasses: [Behavioral]",
		Fix:       "Add the class to the purpose's dataClasses in the ConsentPolicy (and to its description), or stop reading the attribute. Sensitive data is never covered (CPL007): stop reading it."},
	{ID: ETH010, Name: "MessagingWithoutOptIn", Severity: Deny, Milder: Warning,
		campaign:  messagingWithoutOptIn,
		FiresWhen: "channel Email/Sms/Push and the purpose's legal basis is not ExplicitConsent (SoftOptIn: warning)",
		Rationale: "Electronic marketing needs prior opt-in (ePrivacy Directive Art. 13, PECR); the soft opt-in for existing customers is narrow and must be checked by a person.",
		Example:   "channel: Email\npurpose: personalization   # legalBasis: Consent",
		Fix:       "Use a purpose whose legalBasis is ExplicitConsent for messaging campaigns."},
	{ID: ETH011, Name: "AdSharingWithoutNotice", Severity: Deny,
		campaign:  adSharingWithoutNotice,
		FiresWhen: "a sharing entry whose purpose does not list its destination in thirdParties, or whose legal basis is not Consent/ExplicitConsent",
		Rationale: "Visitors must be told who receives their data, and handing it to third parties (ad platforms above all) needs their consent.",
		Example:   "sharing:\n- {destination: adsx, type: AdPlatform, purpose: personalization}   # adsx not in thirdParties",
		Fix:       "List the destination in the purpose's thirdParties and use a purpose with legalBasis Consent or ExplicitConsent."},
	{ID: ETH012, Name: "HistoryRequiresAuthentication", Severity: Deny,
		campaign:  historyRequiresAuth,
		FiresWhen: "a RecentlyViewed / RecentlyPurchased source while audience.requireAuthenticated is false",
		Rationale: "Showing what a browser viewed or bought to whoever uses it next reveals one person's history to another on shared devices.",
		Example:   "recommendations: {source: RecentlyPurchased}   # audience.requireAuthenticated: false",
		Fix:       "Set spec.audience.requireAuthenticated: true, or use source: Candidates."},
	{ID: ETH013, Name: "RecommendsPurchased", Severity: Deny, Milder: Warning,
		campaign:  recommendsPurchased,
		FiresWhen: "excludePurchased: false without allowRepurchase: true (with it: a warning)",
		Rationale: "Recommending what a visitor already bought is useless for durable goods and reveals purchases; only consumables justify it.",
		Example:   "recommendations: {source: Candidates, excludePurchased: false}",
		Fix:       "Remove excludePurchased: false, or set allowRepurchase: true for consumables."},
	{ID: ETH014, Name: "OpportunityTargeting", Severity: Deny,
		campaign:  opportunityTargeting,
		FiresWhen: "offerCategory Housing/Employment/Credit/Insurance and a used or declared attribute of effective class Demographic or Proxy",
		Rationale: "Housing, employment, credit and insurance offers fall under anti-discrimination law (Fair Housing Act, ECOA, EU equal treatment); demographic and proxy data must not decide who sees them.",
		Example:   "offerCategory: Credit\ndataUsage:\n- {attribute: postalCode, class: Proxy, use: nearestStore}",
		Fix:       "Use only Behavioral, Preference or Contextual data for these offers, or use offerCategory General if the offer is not one of them."},
	{ID: ETH015, Name: "DemographicOnlyTargeting", Severity: Deny, Milder: Warning,
		campaign:  demographicOnlyTargeting,
		FiresWhen: "deny: the rules use a Demographic attribute and no Behavioral or Preference one; warning: a Demographic attribute next to behavioural ones",
		Rationale: "Selecting people for who they are rather than what they did or asked for stereotypes them; next to behaviour it is tolerated but worth a second look.",
		Example:   "audience:\n  rules:\n  - {attribute: householdSize, operator: Gt, values: [\"3\"]}   # declared Demographic",
		Fix:       "Add or use a Behavioral or Preference attribute in the rules, or drop the demographic rule."},
	{ID: ETH016, Name: "NoControlGroup", Severity: Warning,
		campaign:  noControlGroup,
		FiresWhen: "controlGroup missing or 0",
		Rationale: "Without a control group nobody can measure whether personalization helps, so its data use cannot be justified.",
		Example:   "controlGroup: {percent: 0}",
		Fix:       "Set spec.controlGroup.percent (5 to 10 is common)."},
	{ID: ETH017, Name: "NoFrequencyCap", Severity: Warning,
		campaign:  noFrequencyCap,
		FiresWhen: "channel Email/Sms/Push without a frequency cap from the campaign or its policy",
		Rationale: "Uncapped messaging is harassment waiting to happen.",
		Example:   "channel: Sms   # no spec.frequencyCap and none in the policy",
		Fix:       "Set spec.frequencyCap (or the policy's frequencyCap), for example {maxImpressions: 2, per: 7d}."},
	{ID: ETH018, Name: "PolicyNotFound", Severity: Warning,
		campaign:  policyNotFound,
		FiresWhen: "the referenced ConsentPolicy does not exist yet",
		Rationale: "Allowed so GitOps tools can apply objects in any order; the controller keeps the Campaign non-personalized (Blocked answers) until the policy exists and the rules pass.",
		Example:   "consentPolicyRef: {name: eu-web}   # no ConsentPolicy eu-web in the namespace",
		Fix:       "Create the ConsentPolicy in the Campaign's namespace, or fix consentPolicyRef.name."},

	{ID: ETH019, Name: "BinaryGenderSegmentation", Severity: Deny, Milder: Warning,
		campaign:  binaryGenderSegmentation,
		FiresWhen: "experiences split visitors on two gender values of one attribute (male/female, men/women, in any of the seven languages): deny when the attribute describes the person, a warning when it describes products or content",
		Rationale: "Splitting an experience into a men's and a women's version sorts people by gender (GDPR Art. 9 once inferred, and a stereotype either way) and leaves out everyone who is neither. What a visitor browsed is intent, so a split on browsed categories is allowed, but a whole-experience split on it still deserves a look.",
		Example:   "experiences:\n- name: for-him\n  rules: [{attribute: shopperProfile, operator: In, values: [male]}]\n- name: for-her\n  rules: [{attribute: shopperProfile, operator: In, values: [female]}]",
		Fix:       "Select on what visitors did or asked for (viewed categories, stated preferences) and show every experience to everyone it fits; for product departments, check that the split follows browsing, not assumed gender."},
	{ID: ETH020, Name: "DocumentTooLarge", Severity: Deny, compiledDocument: true,
		FiresWhen: "the Campaign's compiled decision document is over 900 KiB (921,600 bytes), checked by the webhook and lint with internal/compile",
		Rationale: "The engine reads its document from a ConfigMap, which holds at most 1 MiB (1,048,576 bytes); a larger document is refused by the API server on every retry and the engine never rolls out. The margin below 1 MiB absorbs what can grow after admission (the ConsentPolicy's purpose description and generation, the Campaign's generation). Content is stored JSON-escaped, so each <, > and & costs 6 bytes (\\u003c): HTML-heavy content reaches the limit at a third of the characters.",
		Example:   "experiences:   # 8 experiences x 24 content keys x 2,048 characters of HTML\n- name: hero\n  content: {block1: \"<div><p>&nbsp;</p>...\", ...}",
		Fix:       "Shorten or remove the content the message names (largest experience first), move long HTML to the site and reference it by key, or split the Campaign into several."},
	{ID: ETH021, Name: "PlaceholderEncoding", Severity: Deny, Milder: Warning,
		campaign:  placeholderEncoding,
		FiresWhen: "deny: a content placeholder names an unknown encoding ({{ x | bogus }}); warning: a placeholder inside a URL (after a scheme's ://, or in a value starting with / or ?) without | url",
		Rationale: "The engine escapes every visitor value: | url (percent-encoding, one query or path component), | html (the default of a bare {{ x }}) or | js (a JavaScript string literal). An unknown word is denied because it would otherwise silently turn the placeholder into literal text shown to every visitor. Inside a URL, HTML escaping keeps markup out but lets a visitor's value add parameters, a fragment or path segments (a postal code of \"1&admin=1\"): it is a warning, not a denial, because campaigns admitted before encodings existed must not be blocked by an upgrade of the operator (the controller re-checks running campaigns); run lint with --strict in CI to refuse it.",
		Example:   "content:\n  stores: \"https://shop.example.com/stores?near={{ postalCode }}\"   # no | url",
		Fix:       "Write {{ postalCode | url }} in URLs, {{ x | js }} inside <script> strings, and keep the default (HTML) elsewhere; correct a misspelt encoding to url, html or js."},
	{ID: ETH022, Name: "MissingTranslation", Severity: Warning,
		campaign:  missingTranslation,
		FiresWhen: "the Campaign's dataUsage descriptions are translated (descriptionTranslations) into a language that another dataUsage entry or the purpose's description lacks",
		Rationale: "Explanations are written in the visitor's language only when every text they quote has a translation; otherwise the whole explanation falls back to the default language, never a sentence mixing two. A Campaign that declares a language its policy's purpose lacks looks translated but explains in English to those visitors.",
		Example:   "dataUsage:\n- attribute: viewedCategories\n  description: \"The sports you browsed\"\n  descriptionTranslations: {fr: \"Les sports consultés\"}\n# the purpose has no descriptionTranslations.fr",
		Fix:       "Add the missing language to the purpose's descriptionTranslations in the ConsentPolicy (and to every dataUsage entry), or remove the translation the others lack."},

	{ID: CPL001, Name: "OptInJurisdictionDefault", Severity: Deny,
		policy:    optInJurisdictionDefault,
		FiresWhen: "jurisdictions include EU, UK or BR and defaultConsent is not Deny",
		Rationale: "GDPR, UK GDPR and LGPD are opt-in regimes: silence is not consent.",
		Example:   "jurisdictions: [EU]\ndefaultConsent: Allow",
		Fix:       "Set defaultConsent: Deny."},
	{ID: CPL002, Name: "PlainLanguageDescription", Severity: Deny,
		policy:    plainLanguageDescription,
		FiresWhen: "a purpose description is empty, only a URL, or under 5 words",
		Rationale: "The description is what visitors read in consent banners and explanations; it must say in plain words what is done and why.",
		Example:   "purposes:\n- {name: personalization, description: \"See https://example.com/privacy\"}",
		Fix:       "Write one plain sentence of at least 5 words, such as \"We use the products you view to suggest others you may like.\""},
	{ID: CPL003, Name: "RetentionTooLong", Severity: Warning,
		policy:    retentionTooLong,
		FiresWhen: "retention over 365 days",
		Rationale: "Storage limitation (GDPR Art. 5(1)(e)): personalization data rarely needs to live longer than a year.",
		Example:   "retention: 730d",
		Fix:       "Shorten retention to 365d or less, or document why longer is needed."},
	{ID: CPL004, Name: "ProfilingNeedsConsent", Severity: Deny,
		policy:    profilingNeedsConsent,
		FiresWhen: "tcfPurposes include 3, 4, 5 or 6 and the legal basis is not Consent/ExplicitConsent",
		Rationale: "IAB TCF v2.2 purposes 3–6 (creating and using personalised profiles) may only rely on consent.",
		Example:   "legalBasis: LegitimateInterest\ntcfPurposes: [1, 5]",
		Fix:       "Use legalBasis Consent (or ExplicitConsent), or remove TCF purposes 3–6."},
	{ID: CPL005, Name: "GlobalPrivacyControlRequired", Severity: Deny,
		policy:    globalPrivacyControlRequired,
		FiresWhen: "(a) a US-CA/US-CO/US-CT jurisdiction and globalPrivacyControl.honor is not true; or (b) honor is true and a purpose with an AdPlatform third party is missing from optsOutOf",
		Rationale: "California, Colorado and Connecticut require honouring the Global Privacy Control signal as an opt-out of sale/sharing, which ad-platform sharing is.",
		Example:   "jurisdictions: [US-CA]\nglobalPrivacyControl: {honor: false}",
		Fix:       "Set globalPrivacyControl.honor: true and list every purpose that shares with an AdPlatform in optsOutOf."},
	{ID: CPL006, Name: "WithdrawalHarderThanGrant", Severity: Deny,
		policy:    withdrawalHarderThanGrant,
		FiresWhen: "withdrawal.maxSteps greater than withdrawal.grantSteps or greater than 2",
		Rationale: "Withdrawing consent must be as easy as giving it (GDPR Art. 7(3)).",
		Example:   "withdrawal: {maxSteps: 3, grantSteps: 1}",
		Fix:       "Make withdrawal take at most as many steps as granting, and no more than 2."},
	{ID: CPL007, Name: "SensitiveDataPurpose", Severity: Deny,
		policy:    sensitiveDataPurpose,
		FiresWhen: "a purpose lists Sensitive in dataClasses",
		Rationale: "Ethos never personalizes on special-category data (see ETH001), so no purpose may cover it.",
		Example:   "dataClasses: [Behavioral, Sensitive]",
		Fix:       "Remove Sensitive from dataClasses."},
	{ID: CPL008, Name: "PurposeInUse", Severity: Deny, OnUpdateOnly: true,
		policy:    purposeInUse,
		FiresWhen: "an update removes a purpose that bound Campaigns still use",
		Rationale: "Removing a purpose under running campaigns would leave them processing data without a legal basis.",
		Example:   "# the purpose email-marketing is removed while Campaign running-newsletter uses it",
		Fix:       "Move or delete the Campaigns named in the message first, then remove the purpose."},
	{ID: CPL009, Name: "ConsentDefaultAllow", Severity: Warning,
		policy:    consentDefaultAllow,
		FiresWhen: "defaultConsent: Allow while a purpose's legal basis is Consent/ExplicitConsent",
		Rationale: "Treating unknown consent as granted is only lawful in opt-out regimes, and contradicts a consent legal basis everywhere else.",
		Example:   "jurisdictions: [US]\ndefaultConsent: Allow\npurposes: [{legalBasis: Consent, ...}]",
		Fix:       "Set defaultConsent: Deny unless every jurisdiction is opt-out."},
	{ID: CPL010, Name: "AdPlatformWithoutTCFVendor", Severity: Warning,
		policy:    adPlatformWithoutTCFVendor,
		FiresWhen: "jurisdictions include EU or UK (where sites collect consent with IAB TCF) and a purpose shares with an AdPlatform third party that has no tcfVendorId",
		Rationale: "A TC string records consent per vendor as well as per purpose. Without the ad platform's Global Vendor List id the engine can only check the purposes, so a visitor who refused that vendor in the banner would still have their data shared with it.",
		Example:   "jurisdictions: [EU]\npurposes:\n- name: ad-retargeting\n  thirdParties: [{name: adsx, type: AdPlatform}]",
		Fix:       "Set thirdParties[].tcfVendorId to the platform's id in the IAB Global Vendor List (as your CMP lists it)."},
	{ID: CPL011, Name: "AdPersonalizationFromAnalytics", Severity: Deny,
		policy:    adPersonalizationFromAnalytics,
		FiresWhen: "an advertising purpose (TCF purpose 2, 3 or 4, or an AdPlatform third party) maps consentModeSignals to analytics_storage alone",
		Rationale: "Consent Mode v2 separates analytics cookies from advertising: analytics_storage says nothing about ads. Granting an advertising purpose on it would personalise ads for visitors who refused ad_personalization and ad_user_data.",
		Example:   "purposes:\n- name: ad-retargeting\n  thirdParties: [{name: adsx, type: AdPlatform}]\n  consentModeSignals: [analytics_storage]",
		Fix:       "Map the purpose to ad_personalization and ad_user_data (and ad_storage when it sets advertising cookies)."},
	{ID: SCHEMA, Name: "SchemaViolation", Severity: Deny, lintOnly: true,
		FiresWhen: "(lint only) the object fails the CRD's OpenAPI or CEL validation",
		Rationale: "The API server rejects such an object before any admission webhook runs, so lint reports only these findings for it, exactly as the cluster would.",
		Example:   "spec:\n  controlGroup: {percent: 150}   # maximum 50",
		Fix:       "Fix the field as the message says; `kubectl explain campaigns.spec` shows the schema."},
}

// campaignRules and policyRules are the chains CheckCampaign and CheckConsentPolicy run, in
// registry order.
var campaignRules, policyRules = func() (c, p []*Rule) {
	for _, r := range Registry {
		switch {
		case r.campaign != nil:
			c = append(c, r)
		case r.policy != nil:
			p = append(p, r)
		}
	}
	return c, p
}()

// Lookup returns the rule with an ID or name (case-insensitive).
func Lookup(idOrName string) (*Rule, bool) {
	for _, r := range Registry {
		if strings.EqualFold(r.ID, idOrName) || strings.EqualFold(r.Name, idOrName) {
			return r, true
		}
	}
	return nil, false
}

// DocumentTooLargeFinding is the ETH020 finding the webhook and lint report at fieldPath, with
// a message that says the size, the limit and what to cut (composed by the caller, which
// compiled the document).
func DocumentTooLargeFinding(fieldPath, message string) Finding {
	r, _ := Lookup(ETH020)
	return Finding{Rule: r.ID, RuleName: r.Name, Severity: r.Severity, Field: fieldPath, Message: message}
}

// SchemaFinding is the SCHEMA finding `kubectl ethos lint` reports for a schema violation:
// e's text (field, type and detail, as the API server words it) is the message.
func SchemaFinding(e *field.Error) Finding {
	r, _ := Lookup(SCHEMA)
	return Finding{Rule: r.ID, RuleName: r.Name, Severity: r.Severity, Field: e.Field, Message: e.ErrorBody()}
}
