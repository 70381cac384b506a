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
	"reflect"
	"strings"
	"testing"

	"github.com/ethos-operator/ethos/internal/enginetest"
)

// FuzzDecodeRequest: any body decodes or fails with a FieldError, never panics.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range enginetest.FuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Differential check: whenever the fast decoder accepts a body, encoding/json
		// decodes exactly the same request.
		if fast, ok := decodeFast(body); ok {
			slow, err := decodeSlow(body)
			if err != nil {
				t.Fatalf("fast decoder accepted what encoding/json rejects: %v", err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("decoders disagree:\nfast %#v\nslow %#v", fast, slow)
			}
		}
		req, err := DecodeRequest(body)
		// A Decoder that decoded another request before reads the same.
		dec := new(Decoder)
		_, _ = dec.Decode([]byte(enginetest.GoodBody))
		if again, errAgain := dec.Decode(body); !reflect.DeepEqual(again, req) || !reflect.DeepEqual(errAgain, err) {
			t.Fatalf("a reused Decoder disagrees:\nreused %#v %v\nfresh  %#v %v", again, errAgain, req, err)
		}
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("error %T is not a *FieldError: %v", err, err)
			}
			return
		}
		if req.Visitor.ID == "" || len(req.Candidates) > MaxCandidates || req.Impressions < 0 {
			t.Fatalf("invalid request accepted: %+v", req)
		}
	})
}

// FuzzDecodeOFREPContext: any OFREP body decodes or fails with a FieldError naming a
// context key, never panics; whenever the one-pass decoder accepts a body, the general path
// (the context rewritten into a decision request) reads exactly the same request. The seed
// corpus (testdata/fuzz/FuzzDecodeOFREPContext) holds the shapes the OpenFeature providers
// send, consent strings, and the cases the one pass leaves to the general path.
func FuzzDecodeOFREPContext(f *testing.F) {
	f.Add([]byte(`{"context":{"targetingKey":"v","consent":{"personalization":"granted"},"postalCode":"75011"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if fast, ok := decodeOFREPFast(body); ok {
			slow, _, err := decodeOFREPRewrite(body, nil)
			if verr := fast.validate(); verr != nil {
				if err == nil || ofrepError(verr).Error() != err.Error() {
					t.Fatalf("decoders disagree on the error: one pass %v, rewrite %v", ofrepError(verr), err)
				}
			} else if err != nil {
				t.Fatalf("one pass accepted what the rewrite rejects: %v", err)
			} else if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("decoders disagree:\none pass %#v\nrewrite  %#v", fast, slow)
			}
		}
		req, _, err := DecodeOFREPRequest(body, nil)
		dec := new(Decoder)
		_, _, _ = dec.DecodeOFREP([]byte(`{"context":{"targetingKey":"v","a":1,"consent":{"p":"granted"},"candidates":[{"id":"x","categories":["c"]}]}}`), nil)
		if again, _, errAgain := dec.DecodeOFREP(body, nil); !reflect.DeepEqual(again, req) || !reflect.DeepEqual(errAgain, err) {
			t.Fatalf("a reused Decoder disagrees:\nreused %#v %v\nfresh  %#v %v", again, errAgain, req, err)
		}
		if err == nil {
			return
		}
		fe, ok := err.(*FieldError)
		if !ok {
			t.Fatalf("error %T is not a *FieldError: %v", err, err)
		}
		if fe.Field != "" && !strings.HasPrefix(fe.Field, "context") {
			t.Fatalf("error field %q is not a context key's path", fe.Field)
		}
	})
}
