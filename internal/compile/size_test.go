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
package compile_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/enginetest"
	"github.com/ethos-operator/ethos/internal/ethics"
)

// TestCheckDocumentSize: the schema's largest Campaign (8 experiences × 24 keys × 2,048
// characters) is denied when its content is HTML, which is stored escaped, and admitted when
// it is plain text; the size is that of the document the controller writes.
func TestCheckDocumentSize(t *testing.T) {
	html := enginetest.ContentHeavyCampaign(8, 24, 2048, enginetest.HTMLBlock)
	plain := enginetest.ContentHeavyCampaign(8, 24, 2048, "Spring sale ")
	tests := []struct {
		name   string
		c      *ethosv1alpha1.Campaign
		policy *ethosv1alpha1.ConsentPolicy
		denied bool
	}{
		{"HTML-heavy, with its policy", html, enginetest.Policy(), true},
		{"HTML-heavy, policy missing: checked against a stand-in", html, nil, true},
		{"plain text of the same length", plain, enginetest.Policy(), false},
		{"the realistic Campaign", enginetest.Campaign(), enginetest.Policy(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			fs, err := compile.CheckDocumentSize(tt.c, tt.policy)
			g.Expect(err).NotTo(HaveOccurred())
			if !tt.denied {
				g.Expect(fs).To(BeEmpty())
				return
			}
			policy := tt.policy
			if policy == nil {
				policy = enginetest.Policy() // same purpose name; the description is the only difference
			}
			size := len(enginetest.DocumentJSON(tt.c, policy, true))
			g.Expect(size).To(BeNumerically(">", 1<<20), "the case of issue 18: over the ConfigMap limit itself")
			g.Expect(fs).To(HaveLen(1))
			f := fs[0]
			g.Expect(f.Rule).To(Equal(ethics.ETH020))
			g.Expect(f.RuleName).To(Equal("DocumentTooLarge"))
			g.Expect(f.Severity).To(Equal(ethics.Deny))
			// Every experience is the same size: the first is named.
			g.Expect(f.Field).To(Equal("spec.experiences[0].content"))
			// 24 × ("block00": + a 2,048-character value of which 788 are escaped, 157 blocks of 5
			// and 3 in the last "<p>&nbs": 10 + 2 + 2,048 + 788×5 bytes) + 23 commas + 2 braces.
			g.Expect(f.Message).To(HaveSuffix(", starting with spec.experiences[0].content (144025 bytes as stored, " +
				"18912 of its characters are <, > or &, which take 6 bytes each)"))
			if tt.policy != nil {
				g.Expect(f.Message).To(HavePrefix(fmt.Sprintf("the compiled decision document would be %d bytes, over the admission limit of "+
					"921600 bytes (900 KiB, kept below the ConfigMap's 1048576-byte limit); cut at least %d bytes", size, size-921600)))
			}
		})
	}
	g := NewWithT(t)
	g.Expect(strings.Count(enginetest.HTMLBlock, "<") + strings.Count(enginetest.HTMLBlock, ">") + strings.Count(enginetest.HTMLBlock, "&")).To(Equal(5))
}

// BenchmarkCheckDocumentSize is the size check's cost per admission (docs/benchmarks.md): the
// realistic Campaign, and the schema's largest one (8 × 24 × 2,048 characters of HTML).
func BenchmarkCheckDocumentSize(b *testing.B) {
	for _, bc := range []struct {
		name string
		c    *ethosv1alpha1.Campaign
	}{
		{"realistic", enginetest.Campaign()},
		{"largest-html", enginetest.ContentHeavyCampaign(8, 24, 2048, enginetest.HTMLBlock)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			policy := enginetest.Policy()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := compile.CheckDocumentSize(bc.c, policy); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
