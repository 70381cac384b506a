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
package document

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
)

// TestUnmarshalReadsTheEnvelopeOfAnyVersion: a document of an unknown version is refused,
// but its envelope is still read, so the caller can honour a FallbackOnly mode.
func TestUnmarshalReadsTheEnvelopeOfAnyVersion(t *testing.T) {
	g := NewWithT(t)
	_, err := Unmarshal([]byte(`{"apiVersion":"decision.ethos.dev/v9","campaign":{"namespace":"shop","name":"x"},
		"mode":"FallbackOnly","reason":"Blocked","fallback":{"content":{"headline":"Hi"}},"somethingNew":{"a":1}}`))
	var uv *UnsupportedVersionError
	g.Expect(errors.As(err, &uv)).To(BeTrue())
	g.Expect(uv.Envelope).To(Equal(Envelope{
		APIVersion: "decision.ethos.dev/v9", Campaign: CampaignRef{Namespace: "shop", Name: "x"},
		Mode: ModeFallbackOnly, Reason: FallbackBlocked, Fallback: Fallback{Content: map[string]string{"headline": "Hi"}},
	}))
	g.Expect(err.Error()).To(Equal(`unsupported apiVersion "decision.ethos.dev/v9", this engine reads "decision.ethos.dev/v2"`))

	_, err = Unmarshal([]byte(`not json`))
	g.Expect(err).To(MatchError(ContainSubstring("failed to decode decision document")))
}
