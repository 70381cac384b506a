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
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// TestHashGrowthBookVectors checks the 27 `hash` vectors of the cases.json shipped in
// github.com/growthbook/growthbook-golang v0.7.0 (spec 0.12.0), non-ASCII ids included.
func TestHashGrowthBookVectors(t *testing.T) {
	g := NewWithT(t)
	data, err := os.ReadFile("testdata/growthbook-hash-cases.json")
	g.Expect(err).NotTo(HaveOccurred())
	var cases struct {
		SpecVersion string `json:"specVersion"`
		Hash        [][4]any
	}
	g.Expect(json.Unmarshal(data, &cases)).To(Succeed())
	g.Expect(cases.SpecVersion).To(Equal("0.12.0"))
	g.Expect(cases.Hash).To(HaveLen(27))
	for _, c := range cases.Hash {
		seed, value, version := c[0].(string), c[1].(string), int(c[2].(float64))
		t.Run(fmt.Sprintf("%s|%s|v%d", seed, value, version), func(t *testing.T) {
			g := NewWithT(t)
			got, ok := BucketHash(seed, value, version)
			if c[3] == nil {
				g.Expect(ok).To(BeFalse())
				return
			}
			g.Expect(ok).To(BeTrue())
			g.Expect(got).To(Equal(c[3].(float64)))
		})
	}
}

// TestHashVectorsMatchModule checks that testdata holds exactly the `hash` vectors of the
// cases.json in the growthbook-golang v0.7.0 module (a dependency of the benchmarks), when
// the module is in the module cache.
func TestHashVectorsMatchModule(t *testing.T) {
	g := NewWithT(t)
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "github.com", "growthbook", "growthbook-golang@v0.7.0", "cases.json")
	upstream, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("growthbook-golang v0.7.0 is not in the module cache: %v", err)
	}
	ours, err := os.ReadFile("testdata/growthbook-hash-cases.json")
	g.Expect(err).NotTo(HaveOccurred())
	var a, b struct {
		SpecVersion string          `json:"specVersion"`
		Hash        json.RawMessage `json:"hash"`
	}
	g.Expect(json.Unmarshal(upstream, &a)).To(Succeed())
	g.Expect(json.Unmarshal(ours, &b)).To(Succeed())
	var ha, hb any
	g.Expect(json.Unmarshal(a.Hash, &ha)).To(Succeed())
	g.Expect(json.Unmarshal(b.Hash, &hb)).To(Succeed())
	g.Expect(b.SpecVersion).To(Equal(a.SpecVersion))
	g.Expect(hb).To(Equal(ha))
}

// TestBucketingIsStable pins a few values so a change of hashing (which would move every
// visitor to another bucket on upgrade) cannot go unnoticed.
func TestBucketingIsStable(t *testing.T) {
	tests := []struct {
		seed, id string
		want     float64
	}{
		{"shop/spring-running:control", "anon-7f3a", 0.6663},
		{"shop/spring-running:control", "visitor-5", 0.0784},
		{"", "josé", 0.1315},
		{"", "😀", 0.4971},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, _ := BucketHash(tt.seed, tt.id, 2)
			NewWithT(t).Expect(got).To(Equal(tt.want))
		})
	}
}

func abCampaign(weights ...int32) *ethosv1alpha1.Campaign {
	c := fixtureCampaign()
	c.Spec.Type = ethosv1alpha1.CampaignABTest
	c.Spec.ControlGroup = nil
	c.Spec.Experiences = nil
	for i, w := range weights {
		c.Spec.Experiences = append(c.Spec.Experiences, ethosv1alpha1.Experience{
			Name: fmt.Sprintf("variant-%d", i), Weight: ptr.To(w), Content: map[string]string{"headline": "v"},
		})
	}
	return c
}

// TestWeightedSplit: 100,000 visitors split within 1 % of the weights, and a visitor's
// experience is the same on a freshly compiled engine (as after a restart).
func TestWeightedSplit(t *testing.T) {
	g := NewWithT(t)
	weights := []int32{50, 30, 20}
	e := mustEngine(abCampaign(weights...), fixturePolicy(), true)
	restarted := mustEngine(abCampaign(weights...), fixturePolicy(), true)
	const n = 100000
	counts := map[string]int{}
	req := baseRequest()
	for i := range n {
		req.Visitor.ID = fmt.Sprintf("visitor-%d", i)
		a := e.Decide(req, now)
		g.Expect(a.Reason).To(Equal(wire.ReasonMatched))
		counts[a.Experience]++
		if i%1000 == 0 {
			g.Expect(restarted.Decide(req, now).Experience).To(Equal(a.Experience))
		}
	}
	for i, w := range weights {
		share := float64(counts[fmt.Sprintf("variant-%d", i)]) / n
		g.Expect(math.Abs(share-float64(w)/100)).To(BeNumerically("<", 0.01), "variant-%d got %.4f", i, share)
	}
}

// TestSplitAmongMatching: the split is over the experiences whose rules match, so a
// visitor who matches one experience only always gets it.
func TestSplitAmongMatching(t *testing.T) {
	g := NewWithT(t)
	c := abCampaign(50, 50)
	c.Spec.Experiences[0].Rules = []ethosv1alpha1.Rule{{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"road"}}}
	e := mustEngine(c, fixturePolicy(), true)
	req := baseRequest()
	for i := range 200 {
		req.Visitor.ID = fmt.Sprintf("visitor-%d", i)
		g.Expect(e.Decide(req, now).Experience).To(Equal("variant-1"))
	}
}

// TestControlGroupShare: about percent of the audience lands in the control group.
func TestControlGroupShare(t *testing.T) {
	g := NewWithT(t)
	e := mustEngine(fixtureCampaign(), fixturePolicy(), true)
	const n = 100000
	control := 0
	req := baseRequest()
	for i := range n {
		req.Visitor.ID = fmt.Sprintf("v%d", i)
		a := e.Decide(req, now)
		if a.Reason == wire.ReasonControlGroup {
			control++
			g.Expect(a.Personalized).To(BeFalse())
		}
	}
	g.Expect(math.Abs(float64(control)/n - 0.10)).To(BeNumerically("<", 0.01))
}
