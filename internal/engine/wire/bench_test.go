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
package wire

import (
	"testing"

	"github.com/ethos-operator/ethos/internal/enginetest"
)

// BenchmarkDecodeRequest decodes the 50-candidate request body.
func BenchmarkDecodeRequest(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(enginetest.BenchBody)))
	for b.Loop() {
		if _, err := DecodeRequest(enginetest.BenchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecoderDecode decodes the 50-candidate request body with one Decoder, as the
// server's pooled decoders do under load.
func BenchmarkDecoderDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(enginetest.BenchBody)))
	dec := new(Decoder)
	for b.Loop() {
		if _, err := dec.Decode(enginetest.BenchBody); err != nil {
			b.Fatal(err)
		}
	}
}
