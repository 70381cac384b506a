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

// Package wire is the decision API's wire format: the request (with its two decoders, a
// fast one for the common shape and encoding/json for everything else), the answer and its
// encoder, and the field errors of bad requests. It knows nothing of documents or HTTP, so
// the server, the evaluator and `kubectl ethos decide` share one definition.
package wire

// Reason says why an answer is what it is (SPEC §6).
type Reason string

// Decision reasons. Every reason but Matched answers the fallback.
const (
	ReasonMatched              Reason = "Matched"
	ReasonConsentDenied        Reason = "ConsentDenied"
	ReasonConsentUnknown       Reason = "ConsentUnknown"
	ReasonGlobalPrivacyControl Reason = "GlobalPrivacyControl"
	ReasonControlGroup         Reason = "ControlGroup"
	ReasonNotInAudience        Reason = "NotInAudience"
	ReasonNotAuthenticated     Reason = "NotAuthenticated"
	ReasonOutsideSchedule      Reason = "OutsideSchedule"
	ReasonFrequencyCapped      Reason = "FrequencyCapped"
	ReasonSuspended            Reason = "Suspended"
	ReasonBlocked              Reason = "Blocked"
	ReasonZoneNotServed        Reason = "ZoneNotServed"
)

// Reasons lists every reason, in the order of SPEC §6 (metrics pre-create their series).
var Reasons = []Reason{
	ReasonMatched, ReasonConsentDenied, ReasonConsentUnknown, ReasonGlobalPrivacyControl,
	ReasonControlGroup, ReasonNotInAudience, ReasonNotAuthenticated, ReasonOutsideSchedule,
	ReasonFrequencyCapped, ReasonSuspended, ReasonBlocked, ReasonZoneNotServed,
}

// NeutralExplanation is the explanation of every fallback answer. It is the same for all
// visitors and reasons, so it reveals nothing about the visitor.
const NeutralExplanation = "This is our standard content, shown to everyone who is not seeing personalized content. It was not chosen using information about you."

// Answer is the body of a decision. Content and Items may be shared with the compiled
// engine (fallback content, content without placeholders): treat them as read-only.
type Answer struct {
	Campaign     string            `json:"campaign"`
	Personalized bool              `json:"personalized"`
	Experience   string            `json:"experience"`
	Content      map[string]string `json:"content"`
	Items        []string          `json:"items"`
	Reason       Reason            `json:"reason"`
	Explanation  string            `json:"explanation"`
	ConfigHash   string            `json:"configHash"`
}
