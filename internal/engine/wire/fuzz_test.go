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
