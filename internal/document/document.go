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

// Package document defines the compiled decision document: the versioned JSON the Campaign
// controller writes into the engine's ConfigMap and the decision engine serves from.
// `kubectl ethos decide` compiles it the same way, so the three never disagree.
//
// The document is self-contained: it holds the Campaign's defaulted spec and the parts of its
// ConsentPolicy that decisions need, so the engine never talks to the API server.
package document

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// APIVersion identifies this format. A change that old engines cannot read needs a new version.
const APIVersion = "decision.ethos.dev/v1"

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

// Document is the compiled decision document.
type Document struct {
	// APIVersion is always APIVersion.
	APIVersion string `json:"apiVersion"`
	// Campaign identifies the Campaign the document was compiled from.
	Campaign CampaignRef `json:"campaign"`
	// Mode is Personalize or FallbackOnly.
	Mode Mode `json:"mode"`
	// Reason is set when Mode is FallbackOnly.
	Reason FallbackReason `json:"reason,omitempty"`
	// BucketingSeed is the Campaign's effective bucketing seed.
	BucketingSeed string `json:"bucketingSeed"`
	// Spec is the Campaign's spec with the CRD's defaults applied.
	Spec ethosv1alpha1.CampaignSpec `json:"spec"`
	// Policy is what decisions need of the ConsentPolicy; nil when it does not exist.
	Policy *Policy `json:"policy,omitempty"`
}

// CampaignRef identifies a Campaign and the generation compiled.
type CampaignRef struct {
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	Generation int64  `json:"generation,omitempty"`
}

// String is "<namespace>/<name>", the answer's campaign field.
func (r CampaignRef) String() string { return r.Namespace + "/" + r.Name }

// Policy is the part of a ConsentPolicy that decisions read.
type Policy struct {
	Name                 string                              `json:"name"`
	Generation           int64                               `json:"generation,omitempty"`
	DefaultConsent       ethosv1alpha1.ConsentDefault        `json:"defaultConsent"`
	Purposes             []Purpose                           `json:"purposes"`
	GlobalPrivacyControl *ethosv1alpha1.GlobalPrivacyControl `json:"globalPrivacyControl,omitempty"`
	// FrequencyCap is the policy's cap; the Campaign's own cap, in Spec, wins when set.
	FrequencyCap *ethosv1alpha1.FrequencyCap `json:"frequencyCap,omitempty"`
}

// Purpose is a policy purpose as decisions see it.
type Purpose struct {
	Name        string                   `json:"name"`
	Description string                   `json:"description"`
	LegalBasis  ethosv1alpha1.LegalBasis `json:"legalBasis"`
}

// Marshal encodes the document deterministically (encoding/json sorts map keys).
func Marshal(d *Document) ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}

// Hash identifies a document's bytes: the first 16 hex digits of their SHA-256. The
// controller puts it on the pod template (so any change rolls the pods) and in status;
// the engine returns it in every answer.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
