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

package compile

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/resources"
)

// AdmitDocumentBytes is the largest compiled document the webhook and lint admit (ETH020):
// 900 KiB, a margin of 124 KiB below the ConfigMap's hard limit (resources.MaxDocumentBytes,
// 1 MiB) for what can still grow after admission without the Campaign changing: the
// ConsentPolicy's purpose description, policy and Campaign generations, and the stand-in
// policy used when the real one does not exist yet.
const AdmitDocumentBytes = 900 << 10

// htmlEscaped are the characters encoding/json writes as a 6-byte \u00XX escape.
const htmlEscaped = "<>&"

// CheckDocumentSize compiles the Campaign as the controller would once it complies and returns
// the ETH020 finding when the document is over AdmitDocumentBytes, naming the largest part to
// cut. Compliance is assumed because a non-compliant Campaign compiles to a small FallbackOnly
// document but becomes the full one as soon as its denials are fixed. policy may be nil (or
// lack the Campaign's purpose): a stand-in policy defining only the purpose then takes its place.
func CheckDocumentSize(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) (ethics.Findings, error) {
	if policy == nil || policy.Purpose(c.Spec.Purpose) == nil {
		policy = &ethosv1alpha1.ConsentPolicy{
			ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: c.Spec.ConsentPolicyRef.Name},
			Spec:       ethosv1alpha1.ConsentPolicySpec{Purposes: []ethosv1alpha1.Purpose{{Name: c.Spec.Purpose}}},
		}
	}
	data, err := document.Marshal(Document(c, policy, true))
	if err != nil {
		return nil, fmt.Errorf("failed to marshal the decision document of Campaign %s/%s: %w", c.Namespace, c.Name, err)
	}
	if len(data) <= AdmitDocumentBytes {
		return nil, nil
	}
	part, size, escaped := largestContent(c)
	msg := fmt.Sprintf("the compiled decision document would be %d bytes, over the admission limit of %d bytes "+
		"(900 KiB, kept below the ConfigMap's %d-byte limit); cut at least %d bytes, starting with %s "+
		"(%d bytes as stored, %d of its characters are <, > or &, which take 6 bytes each)",
		len(data), AdmitDocumentBytes, resources.MaxDocumentBytes, len(data)-AdmitDocumentBytes, part, size, escaped)
	return ethics.Findings{ethics.DocumentTooLargeFinding(part, msg)}, nil
}

// largestContent returns the field path of the content map that takes the most room in the
// document (an experience's or the fallback's), its JSON size and how many of its characters
// are escaped.
func largestContent(c *ethosv1alpha1.Campaign) (path string, size, escaped int) {
	consider := func(p string, content map[string]string) {
		data, err := json.Marshal(content)
		if err != nil || len(data) <= size {
			return
		}
		path, size, escaped = p, len(data), 0
		for k, v := range content {
			escaped += countAny(k) + countAny(v)
		}
	}
	consider("spec.fallback.content", c.Spec.Fallback.Content)
	for i := range c.Spec.Experiences {
		consider(fmt.Sprintf("spec.experiences[%d].content", i), c.Spec.Experiences[i].Content)
	}
	if path == "" {
		// No content at all: the rules and attributes are what is large.
		path = "spec.experiences"
	}
	return path, size, escaped
}

func countAny(s string) int {
	n := 0
	for _, r := range s {
		if strings.ContainsRune(htmlEscaped, r) {
			n++
		}
	}
	return n
}
