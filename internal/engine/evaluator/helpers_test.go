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
	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// now is inside the fixture's schedule.
var now = enginetest.Now

func fixtureCampaign() *ethosv1alpha1.Campaign    { return enginetest.Campaign() }
func fixturePolicy() *ethosv1alpha1.ConsentPolicy { return enginetest.Policy() }

// mustEngine compiles a campaign the way the controller does, then builds its evaluator
// from the document's bytes, as the engine does.
func mustEngine(c *ethosv1alpha1.Campaign, p *ethosv1alpha1.ConsentPolicy, compliant bool) *Evaluator {
	e, err := Parse(enginetest.DocumentJSON(c, p, compliant))
	if err != nil {
		panic(err)
	}
	return e
}

// baseRequest is a consenting visitor outside the control group who browsed trail.
func baseRequest() *wire.Request {
	return &wire.Request{
		Visitor:    wire.Visitor{ID: "anon-7f3a"},
		Consent:    wire.Consent{Purposes: map[string]string{"personalization": "granted"}},
		Attributes: wire.Attributes{"viewedCategories": {Kind: wire.KindList, List: []string{"running", "trail"}}, "postalCode": {Kind: wire.KindString, Str: "75011"}},
		Zone:       "home_hero",
	}
}
