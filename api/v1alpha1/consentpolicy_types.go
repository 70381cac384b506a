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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Jurisdiction is a legal regime a policy is written for. Codes keep their usual form.
// +kubebuilder:validation:Enum=EU;UK;US-CA;US-CO;US-CT;US-VA;US;BR;CA;Other
type Jurisdiction string

// Jurisdictions known to the rules.
const (
	JurisdictionEU    Jurisdiction = "EU"
	JurisdictionUK    Jurisdiction = "UK"
	JurisdictionUSCA  Jurisdiction = "US-CA"
	JurisdictionUSCO  Jurisdiction = "US-CO"
	JurisdictionUSCT  Jurisdiction = "US-CT"
	JurisdictionUSVA  Jurisdiction = "US-VA"
	JurisdictionUS    Jurisdiction = "US"
	JurisdictionBR    Jurisdiction = "BR"
	JurisdictionCA    Jurisdiction = "CA"
	JurisdictionOther Jurisdiction = "Other"
)

// ConsentDefault is what an unknown consent state means when a decision is made.
// +kubebuilder:validation:Enum=Deny;Allow
type ConsentDefault string

const (
	// ConsentDefaultDeny treats a visitor who has not answered as having refused (opt-in regimes).
	ConsentDefaultDeny ConsentDefault = "Deny"
	// ConsentDefaultAllow treats a visitor who has not answered as having agreed (opt-out regimes only).
	ConsentDefaultAllow ConsentDefault = "Allow"
)

// LegalBasis is the lawful ground for processing data for a purpose.
// +kubebuilder:validation:Enum=Consent;ExplicitConsent;SoftOptIn;LegitimateInterest;Contract
type LegalBasis string

const (
	// LegalBasisConsent is freely given, specific, informed and unambiguous consent.
	LegalBasisConsent LegalBasis = "Consent"
	// LegalBasisExplicitConsent is consent given by an explicit statement (an unticked box the visitor ticked).
	LegalBasisExplicitConsent LegalBasis = "ExplicitConsent"
	// LegalBasisSoftOptIn is the existing-customer exception for similar products (e.g. PECR reg. 22).
	LegalBasisSoftOptIn LegalBasis = "SoftOptIn"
	// LegalBasisLegitimateInterest is the company's legitimate interest, balanced against the visitor's.
	LegalBasisLegitimateInterest LegalBasis = "LegitimateInterest"
	// LegalBasisContract is processing needed to fulfil a contract with the visitor.
	LegalBasisContract LegalBasis = "Contract"
)

// ConsentPolicySpec declares the purposes visitors are asked to consent to and the rules
// every Campaign bound to this policy lives under.
// +kubebuilder:validation:XValidation:rule="!has(self.globalPrivacyControl) || !has(self.globalPrivacyControl.optsOutOf) || self.globalPrivacyControl.optsOutOf.all(p, self.purposes.exists(q, q.name == p))",message="globalPrivacyControl.optsOutOf must name purposes of this policy",fieldPath=".globalPrivacyControl.optsOutOf"
type ConsentPolicySpec struct {
	// jurisdictions are the legal regimes this policy is written for: EU, UK, US-CA, US-CO,
	// US-CT, US-VA, US, BR, CA or Other.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10
	Jurisdictions []Jurisdiction `json:"jurisdictions"`

	// defaultConsent is what an unknown consent state means at decision time: Deny (no answer
	// means no) or Allow (lawful only in opt-out regimes). Defaults to Deny.
	// +optional
	// +kubebuilder:default=Deny
	DefaultConsent ConsentDefault `json:"defaultConsent,omitempty"`

	// purposes are what visitors consent to, each with the data it may use and why.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	Purposes []Purpose `json:"purposes"`

	// globalPrivacyControl says whether the browser's Global Privacy Control signal
	// (Sec-GPC: 1) is honoured and which purposes it withdraws.
	// +optional
	GlobalPrivacyControl *GlobalPrivacyControl `json:"globalPrivacyControl,omitempty"`

	// withdrawal records how many steps it takes to withdraw consent and to give it;
	// withdrawing must never be harder than granting.
	// +optional
	Withdrawal *Withdrawal `json:"withdrawal,omitempty"`

	// proxyUses are the only legitimate uses of proxy attributes (such as a postal code
	// used to find the nearest store). A Campaign may declare a proxy attribute only with
	// one of these uses.
	// +optional
	// +listType=map
	// +listMapKey=attribute
	// +kubebuilder:validation:MaxItems=32
	ProxyUses []ProxyUse `json:"proxyUses,omitempty"`

	// frequencyCap applies to every bound Campaign that sets no cap of its own.
	// +optional
	FrequencyCap *FrequencyCap `json:"frequencyCap,omitempty"`

	// tcf holds the publisher's IAB TCF settings the decision engine applies to TC strings:
	// the policy versions accepted and how old a visitor's choice may be.
	// +optional
	TCF *TCFSettings `json:"tcf,omitempty"`
}

// DefaultTCFMinPolicyVersion is the TCF policy version of TCF v2.2, the oldest accepted
// when spec.tcf.minPolicyVersion is unset.
const DefaultTCFMinPolicyVersion = 4

// TCFSettings are the publisher's IAB TCF v2.2 settings.
// +kubebuilder:validation:XValidation:rule="!has(self.minPolicyVersion) || !has(self.maxPolicyVersion) || self.minPolicyVersion <= self.maxPolicyVersion",message="minPolicyVersion must not exceed maxPolicyVersion"
type TCFSettings struct {
	// minPolicyVersion is the oldest TCF policy version a TC string may carry (4 is TCF
	// v2.2, 5 its 2024 revision); an older string is unknown consent. Defaults to 4.
	// +optional
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:validation:Maximum=63
	MinPolicyVersion *int32 `json:"minPolicyVersion,omitempty"`

	// maxPolicyVersion is the newest TCF policy version accepted; unset: any newer one.
	// +optional
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:validation:Maximum=63
	MaxPolicyVersion *int32 `json:"maxPolicyVersion,omitempty"`

	// consentMaxAge is how long a visitor's TC string stays valid after it was created, such
	// as 390d (13 months, the usual renewal period); an older string is unknown consent.
	// Unset: no limit.
	// +optional
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:Pattern=`^[1-9][0-9]*(h|d)$`
	ConsentMaxAge string `json:"consentMaxAge,omitempty"`
}

// ConsentModeSignal is a Google Consent Mode v2 signal.
// +kubebuilder:validation:Enum=ad_storage;analytics_storage;ad_user_data;ad_personalization
type ConsentModeSignal string

// Google Consent Mode v2 signals.
const (
	ConsentModeAdStorage         ConsentModeSignal = "ad_storage"
	ConsentModeAnalyticsStorage  ConsentModeSignal = "analytics_storage"
	ConsentModeAdUserData        ConsentModeSignal = "ad_user_data"
	ConsentModeAdPersonalization ConsentModeSignal = "ad_personalization"
)

// Purpose is one reason for processing visitor data, shown to visitors when they consent.
// +kubebuilder:validation:XValidation:rule="self.name != 'gpp'",message="gpp is reserved: decision requests carry the GPP string under consent.gpp",fieldPath=".name"
type Purpose struct {
	// name identifies the purpose; Campaigns reference it. A DNS label such as personalization.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// description says in plain language what the data is used for. It is shown to visitors
	// in consent dialogs and in every decision's explanation, so it must be a sentence,
	// not a link.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Description string `json:"description,omitempty"`

	// descriptionTranslations are the description in other languages, by ISO 639-1 code:
	// en, fr, de, es, it, pt or nl. Explanations quote the translation in the visitor's
	// language when every text they need has one, and the default description otherwise.
	// +optional
	// +kubebuilder:validation:MaxProperties=7
	// +kubebuilder:validation:XValidation:rule="self.all(k, k in ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl'] && size(self[k]) <= 1024)",message="descriptionTranslations keys must be en, fr, de, es, it, pt or nl, and values at most 1024 characters"
	DescriptionTranslations map[string]string `json:"descriptionTranslations,omitempty"`

	// legalBasis is the lawful ground for this purpose: Consent, ExplicitConsent, SoftOptIn,
	// LegitimateInterest or Contract.
	// +required
	LegalBasis LegalBasis `json:"legalBasis"`

	// dataClasses are the classes of data this purpose may use: Behavioral, Preference,
	// Contextual, Demographic, Proxy (Sensitive is refused by rule CPL007).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=6
	DataClasses []DataClass `json:"dataClasses,omitempty"`

	// retention is how long data collected for this purpose is kept, such as 90d or 48h.
	// +required
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:Pattern=`^[1-9][0-9]*(h|d)$`
	Retention string `json:"retention"`

	// tcfPurposes are the IAB TCF v2.2 purpose numbers (1..11) this purpose corresponds to.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=11
	// +kubebuilder:validation:items:Minimum=1
	// +kubebuilder:validation:items:Maximum=11
	TCFPurposes []int32 `json:"tcfPurposes,omitempty"`

	// consentModeSignals are the Google Consent Mode v2 signals that stand for this purpose
	// (ad_storage, analytics_storage, ad_user_data, ad_personalization): a request whose
	// consentMode grants all of them grants the purpose; one denied denies it.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=4
	ConsentModeSignals []ConsentModeSignal `json:"consentModeSignals,omitempty"`

	// thirdParties are the organisations data collected for this purpose is shared with.
	// Visitors are told about each of them.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	ThirdParties []ThirdParty `json:"thirdParties,omitempty"`
}

// ThirdParty is an organisation that receives visitor data.
type ThirdParty struct {
	// name identifies the recipient, such as adsx.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Name string `json:"name"`

	// type is what kind of recipient it is: AdPlatform, Analytics, EmailProvider or Other.
	// +required
	Type ThirdPartyType `json:"type"`

	// tcfVendorId is the recipient's IAB Global Vendor List id: a TC string then grants the
	// purpose only when it also consents to this vendor.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	TCFVendorID *int32 `json:"tcfVendorId,omitempty"`
}

// GlobalPrivacyControl configures how the Sec-GPC signal is honoured.
type GlobalPrivacyControl struct {
	// honor makes a Sec-GPC: 1 request header (or "gpc": true in a request body) withdraw
	// the purposes listed in optsOutOf.
	// +optional
	Honor bool `json:"honor,omitempty"`

	// optsOutOf are the purposes of this policy that the signal withdraws.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	OptsOutOf []string `json:"optsOutOf,omitempty"`
}

// Withdrawal records the effort visitors need to give and to withdraw consent.
type Withdrawal struct {
	// maxSteps is the number of clicks or steps needed to withdraw consent.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	MaxSteps int32 `json:"maxSteps"`

	// grantSteps is the number of clicks or steps needed to give consent.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	GrantSteps int32 `json:"grantSteps"`
}

// ProxyUse lists the legitimate uses of one proxy attribute.
type ProxyUse struct {
	// attribute is the visitor attribute, such as postalCode.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	Attribute string `json:"attribute"`

	// uses are the purposes the attribute may serve, such as nearestStore or shippingEstimate.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	Uses []string `json:"uses"`
}

// ConsentPolicyStatus is the observed state of a ConsentPolicy.
type ConsentPolicyStatus struct {
	// observedGeneration is the generation the controller last finished reconciling.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Reconciling and Stalled, following kstatus.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// purposeCount is the number of purposes the policy declares.
	// +optional
	PurposeCount int32 `json:"purposeCount"`

	// boundCampaigns is the number of Campaigns in the namespace that reference this policy.
	// +optional
	BoundCampaigns int32 `json:"boundCampaigns"`

	// inUseBy names the Campaigns that reference this policy (at most 50, sorted); while the
	// policy is being deleted, deletion waits for them to go.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=63
	InUseBy []string `json:"inUseBy,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cpol,categories=ethos
// +kubebuilder:printcolumn:name="Jurisdictions",type=string,JSONPath=`.spec.jurisdictions`
// +kubebuilder:printcolumn:name="Purposes",type=integer,JSONPath=`.status.purposeCount`
// +kubebuilder:printcolumn:name="Campaigns",type=integer,JSONPath=`.status.boundCampaigns`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// ConsentPolicy declares the purposes visitors consent to in a namespace, their legal basis,
// the data classes each may use, how Global Privacy Control is honoured and which proxy
// attributes may be used for what. Campaigns reference one policy and are checked against it.
type ConsentPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired policy.
	// +required
	Spec ConsentPolicySpec `json:"spec"`

	// status is the observed state of the policy.
	// +optional
	Status ConsentPolicyStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// ConsentPolicyList contains a list of ConsentPolicy.
type ConsentPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ConsentPolicy `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ConsentPolicy{}, &ConsentPolicyList{})
}
