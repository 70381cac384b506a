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

package main

import (
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestExplainSchemaAndJSON(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "explain", "SCHEMA")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(HavePrefix("SCHEMA SchemaViolation (deny)\n\nFires when: (lint only) the object fails the CRD's OpenAPI or CEL validation\n"))

	code, out, _ = runCLI("", "explain", "BinaryGenderSegmentation", "-o", "json")
	g.Expect(code).To(Equal(0))
	var one map[string]string
	g.Expect(json.Unmarshal([]byte(out), &one)).To(Succeed())
	g.Expect(one["id"]).To(Equal("ETH019"))
	g.Expect(one["subject"]).To(Equal("Campaign"))
	g.Expect(one["severity"]).To(Equal("deny / warning"))
	g.Expect(one["example"]).To(ContainSubstring("values: [female]"))

	code, out, _ = runCLI("", "explain", "-o", "json")
	g.Expect(code).To(Equal(0))
	var all []map[string]string
	g.Expect(json.Unmarshal([]byte(out), &all)).To(Succeed())
	g.Expect(all).To(HaveLen(34))
	g.Expect(all[19]["id"]).To(Equal("ETH020"))
	g.Expect(all[19]["subject"]).To(Equal("Campaign's compiled document (admission and lint)"))
	g.Expect(all[33]["id"]).To(Equal("SCHEMA"))
	g.Expect(all[33]["subject"]).To(Equal("any object (lint only)"))

	code, _, errOut := runCLI("", "explain", "ETH003", "-o", "yaml")
	g.Expect(code).To(Equal(2))
	g.Expect(errOut).To(ContainSubstring(`unsupported output "yaml": use text or json`))
}

// A Campaign whose policy is not in the input: the rules that need it say they were not
// evaluated, in every format, and count neither as denials nor as warnings.
func TestLintSkippedRules(t *testing.T) {
	g := NewWithT(t)
	in := `apiVersion: personalization.ethos.dev/v1alpha1
kind: Campaign
metadata: {name: c, namespace: shop}
spec:
  consentPolicyRef: {name: eu-web}
  purpose: personalization
  channel: Web
  controlGroup: {percent: 5}
  audience:
    rules: [{attribute: viewedCategories, operator: In, values: [running]}]
  dataUsage: [{attribute: viewedCategories, class: Behavioral, description: Sports you browsed}]
  experiences: [{name: a, content: {headline: hi}}]
  fallback: {content: {headline: hello}}
`
	code, out, _ := runCLI(in, "lint", "-f", "-", "-o", "json")
	g.Expect(code).To(Equal(0), out)
	var report struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]int   `json:"summary"`
	}
	g.Expect(json.Unmarshal([]byte(out), &report)).To(Succeed())
	g.Expect(report.Summary).To(Equal(map[string]int{"objects": 1, "skipped": 0, "denied": 0, "warnings": 1}))
	g.Expect(report.Findings).To(HaveLen(3))
	// Where the finding's field is written: line and column are tested with the golden files.
	for _, f := range report.Findings {
		g.Expect(f["line"]).To(BeNumerically(">", 0))
		g.Expect(f["column"]).To(BeNumerically(">", 0))
		delete(f, "line")
		delete(f, "column")
	}
	g.Expect(report.Findings[0]).To(Equal(map[string]any{
		"rule": "ETH008", "ruleName": "PurposeNotInPolicy", "severity": "skipped", "kind": "Campaign",
		"namespace": "shop", "name": "c", "file": "-", "field": "spec.consentPolicyRef.name",
		"message": `[ETH008 PurposeNotInPolicy] spec.consentPolicyRef.name: not evaluated: ConsentPolicy "eu-web" not found; checked once it exists.`,
	}))
	g.Expect(report.Findings[1]["rule"]).To(Equal("ETH009"))
	g.Expect(report.Findings[1]["severity"]).To(Equal("skipped"))
	g.Expect(report.Findings[2]["rule"]).To(Equal("ETH018"))
	g.Expect(report.Findings[2]["severity"]).To(Equal("warning"))

	code, out, _ = runCLI(in, "lint", "-f", "-")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring("Campaign shop/c: allowed with 1 warning\n"))
	g.Expect(out).To(ContainSubstring("    skipped ETH008 PurposeNotInPolicy  spec.consentPolicyRef.name  (line 5, column 22)\n" +
		`            not evaluated: ConsentPolicy "eu-web" not found; checked once it exists.` + "\n"))

	code, out, _ = runCLI(in, "lint", "-f", "-", "-o", "sarif")
	g.Expect(code).To(Equal(0))
	g.Expect(strings.Count(out, `"level": "note"`)).To(Equal(2))
}
