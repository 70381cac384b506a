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

package decisionengine

import (
	"encoding/json"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	goodBody,
	`{"visitor":{"id":"😀","authenticated":true},"consent":{"personalization":"denied"},"gpc":true}`,
	`{"visitor":{"id":"v"},"attributes":{"a":[],"b":null,"c":1e400,"d":-0,"e":true},"candidates":[{"id":1},{"id":"x","categories":[]}]}`,
	`{"visitor":{"id":"v"},"history":{"viewed":["a","a"],"purchased":[1,"b"]},"impressions":99999999999}`,
	`{"visitor":{"id":"v","x":[{"a":"\u00e9\n"},-1.5e3,null,true]},"zone":"z","Zone":"y"}`,
	`{"visitor":{"id":"v"},"consent":{},"attributes":{},"history":{"viewed":[]},"candidates":[]}`,
	`{"visitor":{"id":"v"},"impressions":1.0}`, `{"visitor":{"id":"v","id":"w"}}`,
	`{"visitor":`, `[]`, `null`, `{"attributes":{"x":{"y":1}}}`, `{"candidates":[{}]}`,
}

// FuzzDecodeRequest: any body decodes or fails with a FieldError, never panics.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
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

// FuzzDecide: any decodable request gets an answer that is valid JSON, with the fallback
// whenever it is not personalized.
func FuzzDecide(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	rb := mustEngine(fixtureCampaign(), fixturePolicy(), true)
	ab := mustEngine(abCampaign(3, 1, 1), fixturePolicy(), true)
	f.Fuzz(func(t *testing.T, body []byte, abTest bool) {
		req, err := DecodeRequest(body)
		if err != nil {
			return
		}
		e := rb
		if abTest {
			e = ab
		}
		a := e.Decide(req, now)
		var back map[string]any
		if err := json.Unmarshal(AppendJSON(nil, &a), &back); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if !a.Personalized && (a.Explanation != NeutralExplanation || a.Experience != "" || len(a.Items) != 0) {
			t.Fatalf("fallback answer reveals more than the fallback: %+v", a)
		}
		if a.Personalized && a.Reason != ReasonMatched {
			t.Fatalf("personalized answer with reason %s", a.Reason)
		}
	})
}
