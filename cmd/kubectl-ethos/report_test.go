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
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"sigs.k8s.io/yaml"
)

func TestReportGolden(t *testing.T) {
	for _, tt := range []struct{ format, file string }{
		{"markdown", "report.md"}, {"csv", "report.csv"}, {"html", "report.html"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			code, out, errOut := runCLI("", "report", "-f", samples, "-n", "shop", "-o", tt.format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tt.file, out)
			// Deterministic: the same input in another order prints the same record.
			args := []string{"report", "-n", "shop", "-o", tt.format}
			for _, f := range []string{"05-campaign-biased-REJECTED.yaml", "04-campaign-email-newsletter.yaml", "03-campaign-spring-running.yaml",
				"02-consentpolicy-us-ca.yaml", "01-consentpolicy-eu-web.yaml"} {
				args = append(args, "-f", filepath.Join(samples, f))
			}
			_, again, _ := runCLI("", args...)
			if again != out {
				t.Errorf("output depends on input order")
			}
		})
	}
}

func TestReportHTMLIsSelfContained(t *testing.T) {
	g := NewWithT(t)
	_, out, _ := runCLI("", "report", "-f", samples, "-o", "html")
	for _, external := range []string{"<script", "<link", "src=", "url(", "@import"} {
		g.Expect(out).NotTo(ContainSubstring(external))
	}
}

func TestReportUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "choose one input: files with -f (or - for stdin), or --cluster"},
		{[]string{"report", "-f", samples, "--cluster"}, "choose one input"},
		{[]string{"report", "-f", samples, "-o", "pdf"}, `unsupported output "pdf": use one of markdown, csv, html`},
	} {
		code, _, errOut := runCLI("", tt.args...)
		if code != exitBadInput || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestLintPolicyReportGolden(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "lint", "-f", samples, "-n", "shop", "-o", "policyreport")
	g.Expect(code).To(Equal(1)) // the biased sample is denied: same exit status as every format
	golden(t, "lint-policyreport.yaml", out)
	var rep openreportsv1alpha1.Report
	g.Expect(yaml.UnmarshalStrict([]byte(out), &rep)).To(Succeed())
	g.Expect(rep.Namespace).To(Equal("shop"))
	// 3 Campaigns × 18 rules (+ extra results for rules firing on several fields) and
	// 2 ConsentPolicies × 8 rules.
	g.Expect(rep.Summary.Pass + rep.Summary.Fail + rep.Summary.Warn + rep.Summary.Skip).To(Equal(len(rep.Results)))
	g.Expect(rep.Summary.Fail).To(BeNumerically(">=", 12))
}
