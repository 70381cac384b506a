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

	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// BenchmarkParseTCUncached is go-gdpr's decode of a TC string plus ours, without the cache.
func BenchmarkParseTCUncached(b *testing.B) {
	s := tcStrings["allGranted"]
	b.ReportAllocs()
	for b.Loop() {
		if _, cause := parseTC(s); cause != CauseNone {
			b.Fatal(cause)
		}
	}
}

// BenchmarkParseGPPUncached is go-gpp's decode of a GPP string (US national section) plus ours.
func BenchmarkParseGPPUncached(b *testing.B) {
	s := gppString(nil, 2, 2, false, "")
	b.ReportAllocs()
	for b.Loop() {
		if _, cause := parseGPP(s); cause != CauseNone {
			b.Fatal(cause)
		}
	}
}

// BenchmarkDeriveWarm derives the ad-retargeting purpose (3 TCF purposes, a vendor, Consent
// Mode) from a cached TC string.
func BenchmarkDeriveWarm(b *testing.B) {
	r, err := NewRules(adRetargeting)
	if err != nil {
		b.Fatal(err)
	}
	c := wire.Consent{TCString: tcStrings["allGranted"], Mode: mode("", "", "granted", "granted")}
	if res := r.Derive(&c, now); res.TCF != StateGranted {
		b.Fatalf("%+v", res)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Derive(&c, now)
	}
}
