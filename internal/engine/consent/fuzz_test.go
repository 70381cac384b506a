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

package consent

import (
	"testing"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// FuzzDerive: any TC or GPP string decodes or fails with a cause, never panics (not even
// in the vendor and restriction look-ups after decoding), and never grants when it cannot
// be read. The seed corpus (testdata/fuzz/FuzzDerive) holds the IAB-encoded strings and the
// published examples.
func FuzzDerive(f *testing.F) {
	for _, s := range tcStrings {
		f.Add(s, "")
	}
	f.Add(tcfV1String, iabGPPWithTCF)
	f.Add(quantcastV2String, "DBABLA~BVQqAAAAAgA.QA")
	var rules []*Rules
	for _, sig := range []*document.ConsentSignals{personalization, adRetargeting, measurement, profilingOnLI} {
		r, err := NewRules(sig)
		if err != nil {
			f.Fatal(err)
		}
		rules = append(rules, r)
	}
	f.Fuzz(func(t *testing.T, tc, gppString string) {
		for _, r := range rules {
			for _, c := range []wire.Consent{{TCString: tc}, {GPP: gppString}, {TCString: tc, GPP: gppString, GPPSid: []int{2, 7}}} {
				res := r.Derive(&c, now)
				if res.TCF == StateGranted && !res.TCFFromGPP {
					if _, cause := ParseTC(tc); cause != CauseNone {
						t.Fatalf("a TC string that does not decode (%v) granted", cause)
					}
				}
				if (res.TCF == StateUnknown) != (res.TCFCause != CauseNone) || (res.GPP == StateUnknown) != (res.GPPCause != CauseNone) {
					t.Fatalf("unknown without a cause, or a cause without unknown: %+v", res)
				}
			}
		}
	})
}
