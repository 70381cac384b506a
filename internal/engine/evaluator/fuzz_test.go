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

package evaluator

import (
	"encoding/json"
	"testing"

	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// FuzzDecide: any decodable request gets an answer that is valid JSON, with the fallback
// whenever it is not personalized.
func FuzzDecide(f *testing.F) {
	for _, s := range enginetest.FuzzSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	rb := mustEngine(fixtureCampaign(), fixturePolicy(), true)
	ab := mustEngine(abCampaign(3, 1, 1), fixturePolicy(), true)
	f.Fuzz(func(t *testing.T, body []byte, abTest bool) {
		req, err := wire.DecodeRequest(body)
		if err != nil {
			return
		}
		e := rb
		if abTest {
			e = ab
		}
		a := e.Decide(req, now)
		var back map[string]any
		if err := json.Unmarshal(wire.AppendJSON(nil, &a), &back); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if !a.Personalized && (a.Explanation != wire.NeutralExplanation || a.Experience != "" || len(a.Items) != 0) {
			t.Fatalf("fallback answer reveals more than the fallback: %+v", a)
		}
		if a.Personalized && a.Reason != wire.ReasonMatched {
			t.Fatalf("personalized answer with reason %s", a.Reason)
		}
	})
}
