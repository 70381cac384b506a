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

// Package document defines the decision document: the versioned JSON the Campaign
// controller writes into the engine's ConfigMap (internal/compile produces it) and the
// decision engine serves from. Its types are its own, not the CRD's, so a change to the
// Campaign or ConsentPolicy API never changes the engine's input silently, and the engine
// links no Kubernetes package.
//
// Every policy value is resolved by the producer: the document says what to do (the
// effective frequency cap, the default consent, whether Global Privacy Control withdraws
// the purpose, the bucketing seed, defaults of recommendations and weights), and the engine
// interprets nothing of the CRD. decision-document.schema.json (beside this file) is generated from
// these types (`make manifests`).
//
// Every version of the format starts with the same Envelope (apiVersion, campaign, mode,
// reason, fallback), which any engine version can read even when the rest is newer.
package document

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// APIVersion identifies this format. A change that old engines cannot read needs a new
// version; the Envelope's fields never change meaning across versions.
const APIVersion = "decision.ethos.dev/v2"

// FileName is the ConfigMap key, and the file name in the engine's config volume.
const FileName = "decision.json"

// Mode says whether the engine may personalize at all.
type Mode string

const (
	// ModePersonalize evaluates requests normally (consent, audience, experiences, ...).
	ModePersonalize Mode = "Personalize"
	// ModeFallbackOnly answers every request with the fallback; Reason says why.
	ModeFallbackOnly Mode = "FallbackOnly"
)

// FallbackReason is why a document is FallbackOnly. Its values are decision reasons.
type FallbackReason string

const (
	// FallbackBlocked: the Campaign does not comply with its policy, or the policy is missing.
	FallbackBlocked FallbackReason = "Blocked"
	// FallbackSuspended: spec.suspend is true.
	FallbackSuspended FallbackReason = "Suspended"
)

// Envelope is the part of the document that every format version shares: enough to answer
// every request with the fallback. It is small and stable on purpose, so an engine that
// cannot read the rest of a newer document can still tell that it must stop personalizing.
type Envelope struct {
	// APIVersion is the format version, APIVersion for this one.
	APIVersion string `json:"apiVersion" jsonschema:"required"`
	// Campaign identifies the Campaign the document was compiled from.
	Campaign CampaignRef `json:"campaign" jsonschema:"required"`
	// Mode is Personalize or FallbackOnly.
	Mode Mode `json:"mode" jsonschema:"required,enum=Personalize,enum=FallbackOnly"`
	// Reason is set when Mode is FallbackOnly: Blocked or Suspended.
	Reason FallbackReason `json:"reason,omitempty" jsonschema:"enum=Blocked,enum=Suspended"`
	// Fallback is what every non-personalized answer shows.
	Fallback Fallback `json:"fallback" jsonschema:"required"`
	// Engine holds the engine's HTTP settings, served in every mode (CORS).
	Engine *EngineSettings `json:"engine,omitempty"`
}

// MaxAllowedOrigins is the most CORS origins a document may list.
const MaxAllowedOrigins = 32

// EngineSettings are the decision engine's HTTP settings.
type EngineSettings struct {
	// CORS lets pages on other origins call the decision APIs from a browser; unset: no CORS
	// headers at all.
	CORS *CORS `json:"cors,omitempty"`
}

// CORS is the engine's cross-origin resource sharing policy.
type CORS struct {
	// AllowedOrigins are the origins (scheme://host[:port]) allowed, compared exactly with the
	// request's Origin header.
	AllowedOrigins []string `json:"allowedOrigins" jsonschema:"required,maxItems=32"`
}

// AllowedOrigins are the CORS origins of the settings; nil when CORS is off.
func (s *EngineSettings) AllowedOrigins() []string {
	if s == nil || s.CORS == nil {
		return nil
	}
	return s.CORS.AllowedOrigins
}

// Document is the decision document.
type Document struct {
	Envelope
	// Personalization is how to personalize; set exactly when Mode is Personalize.
	Personalization *Personalization `json:"personalization,omitempty"`
}

// CampaignRef identifies a Campaign and the generation compiled.
type CampaignRef struct {
	Namespace  string `json:"namespace" jsonschema:"required"`
	Name       string `json:"name" jsonschema:"required"`
	Generation int64  `json:"generation,omitempty"`
}

// String is "<namespace>/<name>", the answer's campaign field.
func (r CampaignRef) String() string { return r.Namespace + "/" + r.Name }

// PolicyRef identifies a ConsentPolicy and the generation compiled.
type PolicyRef struct {
	Name       string `json:"name" jsonschema:"required"`
	Generation int64  `json:"generation,omitempty"`
}

// Fallback is the non-personalized answer.
type Fallback struct {
	// Content is the fallback content, by key (may be empty).
	Content map[string]string `json:"content"`
}

// Personalization is everything a Personalize document needs beyond the envelope, with
// every default and policy value already applied.
type Personalization struct {
	// Policy is the ConsentPolicy the document was compiled against (provenance: the engine
	// reads nothing of it beyond the values below).
	Policy PolicyRef `json:"policy" jsonschema:"required"`
	// BucketingSeed is the Campaign's effective bucketing seed (control group and split).
	BucketingSeed string `json:"bucketingSeed" jsonschema:"required"`
	// Purpose is the Campaign's purpose as its ConsentPolicy describes it.
	Purpose Purpose `json:"purpose" jsonschema:"required"`
	// DefaultConsent is what an unknown consent state means: Allow or Deny.
	DefaultConsent ConsentDefault `json:"defaultConsent" jsonschema:"required,enum=Allow,enum=Deny"`
	// GlobalPrivacyControlWithdraws is true when a Global Privacy Control signal withdraws
	// the purpose (the policy honours GPC and lists the purpose).
	GlobalPrivacyControlWithdraws bool `json:"globalPrivacyControlWithdraws,omitempty"`
	// ConsentSignals says how the consent banner's signals (TC string, GPP string, Consent
	// Mode) bear on the purpose; unset: only the explicit purpose map and GPC count.
	ConsentSignals *ConsentSignals `json:"consentSignals,omitempty"`
	// Zones are the zones served; empty means every zone.
	Zones []string `json:"zones,omitempty"`
	// Schedule is the window in which the Campaign personalizes; unset ends are open.
	Schedule Schedule `json:"schedule,omitzero"`
	// RequireAuthenticated personalizes only signed-in visitors.
	RequireAuthenticated bool `json:"requireAuthenticated,omitempty"`
	// Attributes are the declared attributes, in declaration order; nothing else is read.
	Attributes []Attribute `json:"attributes,omitempty"`
	// Audience are the rules every personalized visitor meets.
	Audience []Rule `json:"audience,omitempty"`
	// ControlGroupPercent is the share of visitors, 0–100, kept on the fallback.
	ControlGroupPercent int32 `json:"controlGroupPercent,omitempty" jsonschema:"minimum=0,maximum=100"`
	// Assignment is how an experience is chosen among the matching ones.
	Assignment Assignment `json:"assignment" jsonschema:"required,enum=FirstMatch,enum=WeightedSplit"`
	// Experiences are the experiences, in order.
	Experiences []Experience `json:"experiences" jsonschema:"required"`
	// FrequencyCap is the effective cap (the Campaign's, else its policy's); unset: none.
	FrequencyCap *FrequencyCap `json:"frequencyCap,omitempty"`
}

// ConsentSignals is what the engine reads of a request's consent banner signals for the
// purpose, resolved from the ConsentPolicy (docs/decision-engine.md, "Consent signals").
type ConsentSignals struct {
	// TCF is set when the purpose maps TCF purposes or shares with a TCF vendor: a TC string
	// then grants the purpose only when it consents to all of them.
	TCF *TCFConsent `json:"tcf,omitempty"`
	// GPPOptOutWithdraws is true when a GPP US section's sale, sharing or targeted
	// advertising opt-out withdraws the purpose (the purpose is in the policy's
	// globalPrivacyControl.optsOutOf).
	GPPOptOutWithdraws bool `json:"gppOptOutWithdraws,omitempty"`
	// ConsentModeSignals are the Google Consent Mode v2 signals the purpose needs: all
	// granted grants it, one denied denies it.
	ConsentModeSignals []string `json:"consentModeSignals,omitempty" jsonschema:"uniqueItems=true,maxItems=4"`
}

// TCFConsent is what a TC string must say for the purpose to be granted.
type TCFConsent struct {
	// Purposes are the TCF purposes (1–11) and the legal basis whose signal counts for each.
	Purposes []TCFPurpose `json:"purposes,omitempty"`
	// Vendors are the TCF vendor ids (1–65535) of the third parties the purpose shares with.
	Vendors []TCFVendor `json:"vendors,omitempty"`
	// MinPolicyVersion and MaxPolicyVersion bound the TC string's TCF policy version; a
	// string outside them is unknown consent. MaxPolicyVersion 0: no upper bound.
	MinPolicyVersion int32 `json:"minPolicyVersion" jsonschema:"required,minimum=0,maximum=63"`
	MaxPolicyVersion int32 `json:"maxPolicyVersion,omitempty" jsonschema:"minimum=0,maximum=63"`
	// MaxAgeSeconds: a TC string created longer ago is unknown consent; 0: no limit.
	MaxAgeSeconds int64 `json:"maxAgeSeconds,omitempty" jsonschema:"minimum=0"`
}

// TCFBasis is which TC string signal grants a TCF purpose.
type TCFBasis string

const (
	// TCFBasisConsent needs the purpose's (and vendor's) consent bit.
	TCFBasisConsent TCFBasis = "Consent"
	// TCFBasisLegitimateInterest needs the purpose's (and vendor's) legitimate-interest bit:
	// set when the visitor did not object.
	TCFBasisLegitimateInterest TCFBasis = "LegitimateInterest"
)

// TCFPurpose is one TCF purpose and the basis of its signal.
type TCFPurpose struct {
	ID    int32    `json:"id" jsonschema:"required,minimum=1,maximum=11"`
	Basis TCFBasis `json:"basis" jsonschema:"required,enum=Consent,enum=LegitimateInterest"`
}

// TCFVendor is a TCF vendor the purpose shares data with.
type TCFVendor struct {
	// Name is the third party's name in the policy (for `kubectl ethos consent decode`).
	Name string `json:"name" jsonschema:"required"`
	ID   int32  `json:"id" jsonschema:"required,minimum=1,maximum=65535"`
}

// ConsentDefault is what an unknown consent state means.
type ConsentDefault string

const (
	// ConsentDeny treats a visitor who has not answered as having refused.
	ConsentDeny ConsentDefault = "Deny"
	// ConsentAllow treats a visitor who has not answered as having agreed.
	ConsentAllow ConsentDefault = "Allow"
)

// Assignment is how an experience is chosen.
type Assignment string

const (
	// AssignFirstMatch picks the first experience whose rules match (rule-based campaigns).
	AssignFirstMatch Assignment = "FirstMatch"
	// AssignWeightedSplit splits visitors among the matching experiences by weight (A/B tests).
	AssignWeightedSplit Assignment = "WeightedSplit"
)

// Purpose is a purpose and its plain-language description, quoted in explanations.
type Purpose struct {
	Name        string `json:"name" jsonschema:"required"`
	Description string `json:"description,omitempty"`
	// DescriptionTranslations are the description in other languages, by ISO 639-1 code
	// (en, fr, de, es, it, pt, nl); Description is the default (English) text.
	DescriptionTranslations Translations `json:"descriptionTranslations,omitempty"`
}

// Translations are a text in other languages, by ISO 639-1 code: en, fr, de, es, it, pt, nl
// (the languages of explanations).
type Translations map[string]string

// Schedule is a personalization window.
type Schedule struct {
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
}

// Attribute is a declared attribute.
type Attribute struct {
	Name string `json:"name" jsonschema:"required"`
	// Description is how the visitor's explanation names it; empty: its name in words.
	Description string `json:"description,omitempty"`
	// DescriptionTranslations are the description in other languages, by ISO 639-1 code.
	DescriptionTranslations Translations `json:"descriptionTranslations,omitempty"`
}

// Operator is a rule operator (SPEC §6).
type Operator string

// Rule operators.
const (
	OperatorIn           Operator = "In"
	OperatorNotIn        Operator = "NotIn"
	OperatorContains     Operator = "Contains"
	OperatorExists       Operator = "Exists"
	OperatorDoesNotExist Operator = "DoesNotExist"
	OperatorGt           Operator = "Gt"
	OperatorLt           Operator = "Lt"
)

// Rule is a condition on one attribute.
type Rule struct {
	Attribute string   `json:"attribute" jsonschema:"required"`
	Operator  Operator `json:"operator" jsonschema:"required,enum=In,enum=NotIn,enum=Contains,enum=Exists,enum=DoesNotExist,enum=Gt,enum=Lt"`
	// Values are compared as text; Gt and Lt take exactly one number.
	Values []string `json:"values,omitempty"`
}

// Experience is one experience.
type Experience struct {
	Name  string `json:"name" jsonschema:"required"`
	Rules []Rule `json:"rules,omitempty"`
	// Weight is its share in a WeightedSplit, at least 1.
	Weight int32 `json:"weight" jsonschema:"required,minimum=1"`
	// Content may hold {{ attribute }} placeholders.
	Content         map[string]string `json:"content,omitempty"`
	Recommendations *Recommendations  `json:"recommendations,omitempty"`
}

// Source is where recommended items come from.
type Source string

// Recommendation sources.
const (
	SourceCandidates        Source = "Candidates"
	SourceRecentlyViewed    Source = "RecentlyViewed"
	SourceRecentlyPurchased Source = "RecentlyPurchased"
)

// Recommendations is a resolved recommendations block.
type Recommendations struct {
	Source Source `json:"source" jsonschema:"required,enum=Candidates,enum=RecentlyViewed,enum=RecentlyPurchased"`
	// MaxItems is the most items answered, at least 1.
	MaxItems int32 `json:"maxItems" jsonschema:"required,minimum=1"`
	// ExcludePurchased drops the visitor's purchased items.
	ExcludePurchased bool `json:"excludePurchased,omitempty"`
	// BoostBy names the attribute whose values rank matching categories first.
	BoostBy string `json:"boostBy,omitempty"`
	// MaxPerCategory limits items per first category; 0: no limit.
	MaxPerCategory int32 `json:"maxPerCategory,omitempty" jsonschema:"minimum=0"`
}

// FrequencyCap is the effective frequency cap.
type FrequencyCap struct {
	// MaxImpressions is the most impressions a visitor sees in the window.
	MaxImpressions int32 `json:"maxImpressions" jsonschema:"required,minimum=1"`
	// Per is the window, as the policy or Campaign wrote it (the caller counts impressions).
	Per string `json:"per,omitempty"`
}

// Marshal encodes the document deterministically (encoding/json sorts map keys).
func Marshal(d *Document) ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}

// UnsupportedVersionError is returned for a document whose apiVersion this engine does not
// know. Envelope holds what every version shares, so the caller can still act on it.
type UnsupportedVersionError struct {
	Envelope Envelope
}

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("unsupported apiVersion %q, this engine reads %q", e.Envelope.APIVersion, APIVersion)
}

// Unmarshal decodes a document: first its envelope, which every version shares, then, when
// the version is this one, the whole document. A document of another version fails with an
// *UnsupportedVersionError carrying the envelope.
func Unmarshal(data []byte) (*Document, error) {
	env, err := UnmarshalEnvelope(data)
	if err != nil {
		return nil, err
	}
	if env.APIVersion != APIVersion {
		return nil, &UnsupportedVersionError{Envelope: *env}
	}
	d := &Document{}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("failed to decode decision document: %w", err)
	}
	return d, nil
}

// UnmarshalEnvelope decodes only the envelope of a document of any version, so an engine
// can serve the fallback of a document it cannot otherwise read.
func UnmarshalEnvelope(data []byte) (*Envelope, error) {
	env := &Envelope{}
	if err := json.Unmarshal(data, env); err != nil {
		return nil, fmt.Errorf("failed to decode decision document: %w", err)
	}
	return env, nil
}

// Hash identifies a document's bytes: the first 16 hex digits of their SHA-256. The
// controller puts it on the pod template (so any change rolls the pods) and in status;
// the engine returns it in every answer.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
