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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Channel is where a campaign's content is shown.
// +kubebuilder:validation:Enum=Web;Server;Email;Sms;Push
type Channel string

// Channels.
const (
	ChannelWeb    Channel = "Web"
	ChannelServer Channel = "Server"
	ChannelEmail  Channel = "Email"
	ChannelSms    Channel = "Sms"
	ChannelPush   Channel = "Push"
)

// IsMessaging reports whether the channel reaches people outside a visit (e-mail, SMS, push),
// which needs explicit opt-in.
func (c Channel) IsMessaging() bool {
	return c == ChannelEmail || c == ChannelSms || c == ChannelPush
}

// OfferCategory is what a campaign offers. Housing, Employment, Credit and Insurance are
// opportunities that anti-discrimination law protects.
// +kubebuilder:validation:Enum=General;Housing;Employment;Credit;Health;Insurance
type OfferCategory string

// Offer categories.
const (
	OfferGeneral    OfferCategory = "General"
	OfferHousing    OfferCategory = "Housing"
	OfferEmployment OfferCategory = "Employment"
	OfferCredit     OfferCategory = "Credit"
	OfferHealth     OfferCategory = "Health"
	OfferInsurance  OfferCategory = "Insurance"
)

// CampaignType is how an experience is chosen for a visitor.
// +kubebuilder:validation:Enum=RuleBased;ABTest
type CampaignType string

const (
	// CampaignRuleBased serves the first experience whose rules match.
	CampaignRuleBased CampaignType = "RuleBased"
	// CampaignABTest splits matching visitors between experiences by weight.
	CampaignABTest CampaignType = "ABTest"
)

// Operator compares a visitor attribute with a rule's values.
// +kubebuilder:validation:Enum=In;NotIn;Contains;Exists;DoesNotExist;Gt;Lt
type Operator string

// Operators; a missing attribute matches only NotIn and DoesNotExist.
const (
	// OperatorIn: a scalar is one of the values; a list has an element among them.
	OperatorIn Operator = "In"
	// OperatorNotIn is the negation of In.
	OperatorNotIn Operator = "NotIn"
	// OperatorContains: a list holds every value.
	OperatorContains Operator = "Contains"
	// OperatorExists: the attribute is present.
	OperatorExists Operator = "Exists"
	// OperatorDoesNotExist: the attribute is absent.
	OperatorDoesNotExist Operator = "DoesNotExist"
	// OperatorGt: the attribute is a number greater than values[0].
	OperatorGt Operator = "Gt"
	// OperatorLt: the attribute is a number less than values[0].
	OperatorLt Operator = "Lt"
)

// RecommendationSource is where recommended items come from.
// +kubebuilder:validation:Enum=Candidates;RecentlyViewed;RecentlyPurchased
type RecommendationSource string

const (
	// SourceCandidates ranks the candidates the caller sends.
	SourceCandidates RecommendationSource = "Candidates"
	// SourceRecentlyViewed lists the visitor's viewing history (signed-in visitors only).
	SourceRecentlyViewed RecommendationSource = "RecentlyViewed"
	// SourceRecentlyPurchased lists the visitor's purchase history (signed-in visitors only).
	SourceRecentlyPurchased RecommendationSource = "RecentlyPurchased"
)

// Phase is a one-word summary of a Campaign for display; conditions are the API.
// +kubebuilder:validation:Enum=Pending;Scheduled;Active;Suspended;Ended;Blocked
type Phase string

// Phases.
const (
	PhasePending   Phase = "Pending"
	PhaseScheduled Phase = "Scheduled"
	PhaseActive    Phase = "Active"
	PhaseSuspended Phase = "Suspended"
	PhaseEnded     Phase = "Ended"
	PhaseBlocked   Phase = "Blocked"
)

// CampaignSpec describes a personalization campaign: who it is for, what data it reads and
// why, what it shows, and the decision engine that serves it.
// +kubebuilder:validation:XValidation:rule="(has(self.type) && self.type == 'ABTest') || self.experiences.all(e, !has(e.weight))",message="weight is only allowed when type is ABTest",fieldPath=".experiences"
type CampaignSpec struct {
	// consentPolicyRef names the ConsentPolicy, in the same namespace, that this campaign lives under.
	// +required
	ConsentPolicyRef PolicyReference `json:"consentPolicyRef"`

	// purpose is the name of the policy's purpose this campaign serves; visitors must have
	// consented to it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Purpose string `json:"purpose"`

	// channel is where the content is shown: Web, Server, Email, Sms or Push. Defaults to Web.
	// +optional
	// +kubebuilder:default=Web
	Channel Channel `json:"channel,omitempty"`

	// offerCategory is what is offered: General, Housing, Employment, Credit, Health or
	// Insurance. Defaults to General.
	// +optional
	// +kubebuilder:default=General
	OfferCategory OfferCategory `json:"offerCategory,omitempty"`

	// type is how an experience is chosen: RuleBased (the first experience whose rules match)
	// or ABTest (a weighted split among matching experiences). Defaults to RuleBased.
	// +optional
	// +kubebuilder:default=RuleBased
	Type CampaignType `json:"type,omitempty"`

	// zones are the content zones this campaign answers for; a request for another zone gets
	// the fallback. Empty means every zone.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z][A-Za-z0-9_-]*$`
	Zones []string `json:"zones,omitempty"`

	// schedule limits when the campaign personalizes; outside it visitors get the fallback.
	// +optional
	Schedule *Schedule `json:"schedule,omitempty"`

	// suspend makes the engine answer with the fallback only, for every visitor.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// bucketingSeed seeds the control group and A/B split hashing. Defaults to
	// "<namespace>/<name>"; change it to reshuffle visitors.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	BucketingSeed string `json:"bucketingSeed,omitempty"`

	// audience selects the visitors the campaign is for.
	// +optional
	Audience Audience `json:"audience,omitzero"`

	// dataUsage declares every visitor attribute the campaign reads, its class and, in plain
	// language, why. Attributes not declared here are dropped before the engine reads a
	// request, and an attribute declared but never used is refused (data minimisation).
	// +optional
	// +listType=map
	// +listMapKey=attribute
	// +kubebuilder:validation:MaxItems=32
	DataUsage []DataUsage `json:"dataUsage,omitempty"`

	// experiences are the personalized variants, in order.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Experiences []Experience `json:"experiences"`

	// fallback is the non-personalized answer given to every visitor who is not personalized
	// (no consent, control group, outside the schedule, ...).
	// +required
	Fallback Fallback `json:"fallback"`

	// controlGroup holds back a share of visitors, who get the fallback, so lift can be measured.
	// +optional
	ControlGroup *ControlGroup `json:"controlGroup,omitempty"`

	// frequencyCap limits how often one visitor is served; the policy's cap applies when unset.
	// +optional
	FrequencyCap *FrequencyCap `json:"frequencyCap,omitempty"`

	// sharing declares the data handed to third parties.
	// +optional
	// +listType=map
	// +listMapKey=destination
	// +kubebuilder:validation:MaxItems=16
	Sharing []Sharing `json:"sharing,omitempty"`

	// engine tunes the decision-engine workload that serves this campaign.
	// +optional
	// +kubebuilder:default={}
	Engine EngineSpec `json:"engine,omitzero"`
}

// PolicyReference names a ConsentPolicy in the Campaign's namespace.
type PolicyReference struct {
	// name of the ConsentPolicy.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// Schedule is the window in which a campaign personalizes.
// +kubebuilder:validation:XValidation:rule="!has(self.start) || !has(self.end) || self.end > self.start",message="end must be after start",fieldPath=".end"
type Schedule struct {
	// start is when personalization begins (RFC 3339).
	// +optional
	Start *metav1.Time `json:"start,omitempty"`

	// end is when personalization ends (RFC 3339); the engine keeps answering the fallback after it.
	// +optional
	End *metav1.Time `json:"end,omitempty"`
}

// Audience selects visitors.
type Audience struct {
	// requireAuthenticated limits the campaign to signed-in visitors. Needed for history-based
	// recommendations.
	// +optional
	RequireAuthenticated bool `json:"requireAuthenticated,omitempty"`

	// rules must all match (AND). Empty means every visitor who consented.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	Rules []Rule `json:"rules,omitempty"`
}

// Rule compares one visitor attribute with values.
// +kubebuilder:validation:XValidation:rule="!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",message="Exists and DoesNotExist take no values",fieldPath=".values"
// +kubebuilder:validation:XValidation:rule="!(self.operator in ['In', 'NotIn', 'Contains']) || (has(self.values) && size(self.values) > 0)",message="In, NotIn and Contains need at least one value",fieldPath=".values"
// +kubebuilder:validation:XValidation:rule="!(self.operator in ['Gt', 'Lt']) || (has(self.values) && size(self.values) == 1 && self.values[0].matches('^-?[0-9]+(\\\\.[0-9]+)?$'))",message="Gt and Lt need exactly one numeric value",fieldPath=".values"
type Rule struct {
	// attribute is the visitor attribute compared; it must be declared in dataUsage.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	Attribute string `json:"attribute"`

	// operator is In, NotIn, Contains, Exists, DoesNotExist, Gt or Lt.
	// +required
	Operator Operator `json:"operator"`

	// values compared with the attribute.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=256
	Values []string `json:"values,omitempty"`
}

// DataUsage declares one attribute a campaign reads and why.
type DataUsage struct {
	// attribute is the visitor attribute's name, such as viewedCategories.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	Attribute string `json:"attribute"`

	// class is the attribute's data class. The built-in dictionary's class wins when it is
	// higher; an attribute the dictionary does not know needs one.
	// +optional
	Class DataClass `json:"class,omitempty"`

	// use is, for a Proxy attribute, the legitimate use it serves; it must be one the policy's
	// proxyUses allows for this attribute.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	Use string `json:"use,omitempty"`

	// description says in plain language what the attribute is and why it is read. Visitors
	// see it in the explanation of every personalized answer.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Description string `json:"description,omitempty"`

	// descriptionTranslations are the description in other languages, by ISO 639-1 code:
	// en, fr, de, es, it, pt or nl. Visitors whose language has a translation of every text
	// of their explanation (these and the purpose's) read it in their language; the others
	// read it in the default language (description, English).
	// +optional
	// +kubebuilder:validation:MaxProperties=7
	// +kubebuilder:validation:XValidation:rule="self.all(k, k in ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl'] && size(self[k]) <= 512)",message="descriptionTranslations keys must be en, fr, de, es, it, pt or nl, and values at most 512 characters"
	DescriptionTranslations map[string]string `json:"descriptionTranslations,omitempty"`
}

// Experience is one personalized variant.
type Experience struct {
	// name identifies the experience in answers and metrics.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// rules must all match for the experience to be chosen (AND); empty matches everyone in the audience.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	Rules []Rule `json:"rules,omitempty"`

	// weight is the experience's relative share of an ABTest split (1..1000).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Weight *int32 `json:"weight,omitempty"`

	// content is what the experience shows, as key/value strings. Values may hold
	// placeholders such as {{ postalCode | url }}, filled with the visitor's declared
	// attribute escaped with the encoding named after "|": url, html or js (html when none).
	// +optional
	// +kubebuilder:validation:MaxProperties=24
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 2048)",message="content keys must be at most 63 characters and values at most 2048"
	Content map[string]string `json:"content,omitempty"`

	// recommendations ranks items for the visitor.
	// +optional
	Recommendations *Recommendations `json:"recommendations,omitempty"`
}

// Recommendations configures item ranking for an experience.
type Recommendations struct {
	// source is Candidates (the items the caller sends), RecentlyViewed or RecentlyPurchased
	// (the visitor's history; signed-in visitors only). Defaults to Candidates.
	// +optional
	// +kubebuilder:default=Candidates
	Source RecommendationSource `json:"source,omitempty"`

	// maxItems is how many items are returned (1..50). Defaults to 10.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	MaxItems int32 `json:"maxItems,omitempty"`

	// excludePurchased removes items the visitor already bought. Defaults to true.
	// +optional
	// +kubebuilder:default=true
	ExcludePurchased *bool `json:"excludePurchased,omitempty"`

	// allowRepurchase acknowledges that recommending bought items is intended (consumables);
	// needed when excludePurchased is false.
	// +optional
	AllowRepurchase bool `json:"allowRepurchase,omitempty"`

	// boostBy is an attribute whose values boost candidates of those categories.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	BoostBy string `json:"boostBy,omitempty"`

	// maxPerCategory caps items sharing a first category, for diversity. Unset means unlimited.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	MaxPerCategory *int32 `json:"maxPerCategory,omitempty"`
}

// Fallback is the non-personalized answer.
type Fallback struct {
	// content is shown verbatim; it may not hold placeholders.
	// +optional
	// +kubebuilder:validation:MaxProperties=24
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 2048)",message="content keys must be at most 63 characters and values at most 2048"
	// +kubebuilder:validation:XValidation:rule="self.all(k, !self[k].contains('{{'))",message="fallback content is not personalized and may not contain {{ placeholders"
	Content map[string]string `json:"content,omitempty"`
}

// ControlGroup holds back visitors so the campaign's lift can be measured.
type ControlGroup struct {
	// percent of visitors who get the fallback (0..50).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=50
	Percent int32 `json:"percent,omitempty"`
}

// Sharing declares data handed to a third party.
type Sharing struct {
	// destination is the recipient; it must be one of the purpose's thirdParties.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Destination string `json:"destination"`

	// type is AdPlatform, Analytics, EmailProvider or Other.
	// +required
	Type ThirdPartyType `json:"type"`

	// purpose is the policy purpose the sharing serves.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Purpose string `json:"purpose"`
}

// EngineSpec tunes the decision-engine workload.
type EngineSpec struct {
	// replicas of the decision engine. Defaults to 1; 0 stops it. Ignored when autoscaling is set.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Replicas *int32 `json:"replicas,omitempty"`

	// resources of the engine container. Defaults: requests 50m CPU and 64Mi memory, limit 256Mi memory.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitzero"`

	// autoscaling adds a HorizontalPodAutoscaler for the engine.
	// +optional
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`

	// cors lets web pages on other origins call the engine's APIs (POST /v1/decisions and
	// OFREP) from a browser. Unset or empty: the engine sends no CORS headers.
	// +optional
	CORS *CORS `json:"cors,omitempty"`
}

// CORS is the decision engine's cross-origin policy.
type CORS struct {
	// allowedOrigins are the origins whose pages may call the engine, written as browsers send
	// the Origin header: scheme://host[:port] in lower case, no path and no wildcard. They are
	// compared exactly.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=262
	// +kubebuilder:validation:items:Pattern=`^https?://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$`
	AllowedOrigins []string `json:"allowedOrigins,omitempty"`
}

// Autoscaling configures a HorizontalPodAutoscaler on CPU.
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicas) || self.maxReplicas >= self.minReplicas",message="maxReplicas must be at least minReplicas",fieldPath=".maxReplicas"
type Autoscaling struct {
	// minReplicas is the lower bound. Defaults to 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MinReplicas *int32 `json:"minReplicas,omitempty"`

	// maxReplicas is the upper bound.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxReplicas int32 `json:"maxReplicas"`

	// targetCPUUtilizationPercentage is the average CPU use the autoscaler aims for. Defaults to 80.
	// +optional
	// +kubebuilder:default=80
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	TargetCPUUtilizationPercentage *int32 `json:"targetCPUUtilizationPercentage,omitempty"`
}

// Severity of a finding: what the rule decided. It is the one spelling of severity in Ethos:
// the rule engine, status and the CLI use these values (the CLI's JSON writes them in lower
// case, as SPEC §7 specifies). Kyverno's rule statuses are the model: Deny is fail, Warning
// is warn, Skipped is skip, and a rule without a finding passed.
// +kubebuilder:validation:Enum=Deny;Warning;Skipped
type Severity string

const (
	// SeverityDeny refuses the object.
	SeverityDeny Severity = "Deny"
	// SeverityWarning is reported but allowed.
	SeverityWarning Severity = "Warning"
	// SeveritySkipped says the rule was not evaluated because its input is missing (such as
	// the ConsentPolicy); the message says what is missing. It neither refuses nor warns.
	SeveritySkipped Severity = "Skipped"
)

// Finding is one result of the ethics rules: the rule engine produces it, status stores it
// and `kubectl ethos lint` prints it.
type Finding struct {
	// rule is the stable rule ID, such as ETH001.
	// +required
	// +kubebuilder:validation:MaxLength=16
	Rule string `json:"rule"`

	// ruleName is the rule's name, such as SensitiveAttribute.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	RuleName string `json:"ruleName,omitempty"`

	// severity is Deny, Warning or Skipped (not evaluated).
	// +required
	Severity Severity `json:"severity"`

	// field is the path of the offending field, such as spec.audience.rules[0].attribute.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Field string `json:"field,omitempty"`

	// message says what is wrong, why, and how to fix it (without the rule and field, which
	// have their own fields).
	// +required
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message"`
}

// Prefix is the "[ETH001 SensitiveAttribute]" label that starts every rendered finding, so a
// person (and a grep) finds the rule in `kubectl ethos explain`.
func (f Finding) Prefix() string { return "[" + f.Rule + " " + f.RuleName + "]" }

// String is the canonical one-line text of SPEC §4:
// `[ETH001 SensitiveAttribute] spec.audience.rules[0].attribute: "age" is ...`.
func (f Finding) String() string {
	if f.Field == "" {
		return f.Prefix() + " " + f.Message
	}
	return f.Prefix() + " " + f.Field + ": " + f.Message
}

// EngineStatus summarises the decision engine serving a campaign.
type EngineStatus struct {
	// deployment is the engine Deployment's name.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Deployment string `json:"deployment,omitempty"`

	// service is the engine Service's name.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Service string `json:"service,omitempty"`

	// configHash identifies the compiled decision document the engine serves; every answer carries it.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	ConfigHash string `json:"configHash,omitempty"`

	// replicas is the Deployment's desired replica count.
	// +optional
	Replicas int32 `json:"replicas"`

	// readyReplicas is how many engine pods are ready.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas"`

	// url is the in-cluster address of the decision API.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	URL string `json:"url,omitempty"`

	// documentState is what the engine pods report about the decision document, read from
	// their ops port once the Deployment has rolled out: Current when every ready pod serves
	// configHash as written; else the worst pod's state: FailedClosed (the pod cannot serve
	// the document and answers the fallback), NotLoaded, Stale (it answers from another
	// document), or Unknown (a pod did not answer). Empty until the engine has rolled out.
	// +optional
	// +kubebuilder:validation:Enum=Current;Stale;FailedClosed;NotLoaded;Unknown
	DocumentState EngineDocumentState `json:"documentState,omitempty"`

	// servedConfigHash is the configHash the pod of documentState answers with; it differs
	// from configHash when that pod fails closed on another document or is stale.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	ServedConfigHash string `json:"servedConfigHash,omitempty"`
}

// EngineDocumentState is what the engine pods report about the decision document
// (status.engine.documentState).
type EngineDocumentState string

// The engine document states, from best to worst.
const (
	EngineDocumentCurrent      EngineDocumentState = "Current"
	EngineDocumentStale        EngineDocumentState = "Stale"
	EngineDocumentUnknown      EngineDocumentState = "Unknown"
	EngineDocumentNotLoaded    EngineDocumentState = "NotLoaded"
	EngineDocumentFailedClosed EngineDocumentState = "FailedClosed"
)

// CampaignStatus is the observed state of a Campaign.
type CampaignStatus struct {
	// observedGeneration is the generation the controller last finished reconciling.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase is a one-word summary for display: Pending, Scheduled, Active, Suspended, Ended or
	// Blocked. Tools should read conditions.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// conditions: Ready, ConsentPolicyResolved, Compliant, EngineAvailable, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// engine summarises the decision engine.
	// +optional
	Engine *EngineStatus `json:"engine,omitempty"`

	// findings of the last compliance check: warnings, and when Blocked the denials.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=50
	Findings []Finding `json:"findings,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=camp,categories=ethos
// +kubebuilder:printcolumn:name="Policy",type=string,JSONPath=`.spec.consentPolicyRef.name`
// +kubebuilder:printcolumn:name="Purpose",type=string,JSONPath=`.spec.purpose`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Replicas",type=integer,JSONPath=`.status.engine.replicas`
// +kubebuilder:printcolumn:name="Ready-Replicas",type=integer,JSONPath=`.status.engine.readyReplicas`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 56 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name must be a DNS-1035 label of at most 56 characters, so that <name>-engine fits in 63"

// Campaign is a personalization campaign. Ethos checks it against its ConsentPolicy at
// admission and on every policy change, and serves it with a decision engine that enforces
// consent on every request.
type Campaign struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired campaign.
	// +required
	Spec CampaignSpec `json:"spec"`

	// status is the observed state of the campaign.
	// +optional
	Status CampaignStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// CampaignList contains a list of Campaign.
type CampaignList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Campaign `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Campaign{}, &CampaignList{})
}
