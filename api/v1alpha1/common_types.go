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

// Types shared by Campaign and ConsentPolicy.

// DataClass classifies a visitor attribute by how personal it is. The order
// Behavioral = Preference = Contextual < Demographic < Proxy < Sensitive decides an
// attribute's effective class (see docs/rules.md).
// +kubebuilder:validation:Enum=Behavioral;Preference;Contextual;Demographic;Proxy;Sensitive
type DataClass string

const (
	// DataClassBehavioral is what a visitor did: pages viewed, items bought.
	DataClassBehavioral DataClass = "Behavioral"
	// DataClassPreference is what a visitor told us they like.
	DataClassPreference DataClass = "Preference"
	// DataClassContextual is about the visit, not the person: device, time of day, page.
	DataClassContextual DataClass = "Contextual"
	// DataClassDemographic describes who a visitor is (not a protected category).
	DataClassDemographic DataClass = "Demographic"
	// DataClassProxy stands in for a sensitive category (a postal code for ethnicity).
	DataClassProxy DataClass = "Proxy"
	// DataClassSensitive is a protected category (GDPR Art. 9, CPRA sensitive data, age, gender).
	DataClassSensitive DataClass = "Sensitive"
)

// ThirdPartyType is the kind of organisation data is handed to.
// +kubebuilder:validation:Enum=AdPlatform;Analytics;EmailProvider;Other
type ThirdPartyType string

const (
	// ThirdPartyAdPlatform is an advertising platform (retargeting, lookalike audiences).
	ThirdPartyAdPlatform ThirdPartyType = "AdPlatform"
	// ThirdPartyAnalytics is an analytics provider.
	ThirdPartyAnalytics ThirdPartyType = "Analytics"
	// ThirdPartyEmailProvider sends e-mail on the company's behalf.
	ThirdPartyEmailProvider ThirdPartyType = "EmailProvider"
	// ThirdPartyOther is any other recipient.
	ThirdPartyOther ThirdPartyType = "Other"
)

// FrequencyCap limits how often one visitor is shown a campaign.
type FrequencyCap struct {
	// maxImpressions is how many times one visitor may be served within the window.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MaxImpressions int32 `json:"maxImpressions"`

	// per is the window, a whole number of hours or days such as 24h or 7d.
	// +required
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:Pattern=`^[1-9][0-9]*(h|d)$`
	Per string `json:"per"`
}
