package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

const samples = "../../config/samples"

func runCLI(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestLintSamples(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "lint", samples)
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(ContainSubstring("Campaign default/seniors-credit: DENIED (13 denials, 1 warning)"))
	g.Expect(out).To(ContainSubstring("deny    ETH001 SensitiveAttribute  spec.audience.rules[0].attribute"))
	g.Expect(out).To(ContainSubstring("5 objects checked, 0 skipped (other kinds): 1 denied, 1 warning."))

	// The ethical samples alone pass.
	args := []string{"lint", "-n", "shop"}
	for _, f := range []string{"01-consentpolicy-eu-web.yaml", "02-consentpolicy-us-ca.yaml", "03-campaign-spring-running.yaml", "04-campaign-email-newsletter.yaml"} {
		args = append(args, "-f", filepath.Join(samples, f))
	}
	code, out, _ = runCLI("", args...)
	g.Expect(code).To(Equal(0), out)
	g.Expect(out).To(ContainSubstring("Campaign shop/spring-running: ok"))
}

func TestLintJSON(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "lint", "-o", "json", "-f", samples)
	g.Expect(code).To(Equal(1))
	var report struct {
		Findings []map[string]string `json:"findings"`
		Summary  map[string]int      `json:"summary"`
	}
	g.Expect(json.Unmarshal([]byte(out), &report)).To(Succeed())
	g.Expect(report.Summary).To(Equal(map[string]int{"objects": 5, "skipped": 0, "denied": 1, "warnings": 1}))
	g.Expect(report.Findings[0]).To(Equal(map[string]string{
		"rule": "ETH001", "ruleName": "SensitiveAttribute", "severity": "deny", "kind": "Campaign",
		"namespace": "default", "name": "seniors-credit", "file": filepath.Join(samples, "05-campaign-biased-REJECTED.yaml"),
		"field":   "spec.audience.rules[0].attribute",
		"message": `[ETH001 SensitiveAttribute] spec.audience.rules[0].attribute: "age" is a sensitive category (age or birth date); campaigns must not target on it. Target on behaviour instead, such as viewed categories or stated preferences.`,
	}))
}

func TestLintJUnitAndSARIF(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "lint", "-o", "junit", samples)
	g.Expect(code).To(Equal(1))
	var suites junitSuites
	g.Expect(xml.Unmarshal([]byte(out), &suites)).To(Succeed())
	g.Expect(suites.Tests).To(Equal(5))
	g.Expect(suites.Failures).To(Equal(1))

	code, out, _ = runCLI("", "lint", "-o", "sarif", samples)
	g.Expect(code).To(Equal(1))
	var log sarifLog
	g.Expect(json.Unmarshal([]byte(out), &log)).To(Succeed())
	g.Expect(log.Version).To(Equal("2.1.0"))
	g.Expect(log.Runs[0].Results).To(HaveLen(14))
	g.Expect(log.Runs[0].Results[0].Level).To(Equal("error"))
	g.Expect(log.Runs[0].Tool.Driver.Rules[log.Runs[0].Results[0].RuleIndex].ID).To(Equal(log.Runs[0].Results[0].RuleID))
}

func TestLintStdinSchemaAndSkipped(t *testing.T) {
	g := NewWithT(t)
	in := `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
apiVersion: personalization.ethos.dev/v1alpha1
kind: Campaign
metadata: {name: bad}
spec:
  consentPolicyRef: {name: missing}
  purpose: personalization
  channel: Fax
  experiences: [{name: a, content: {headline: hi}}]
  fallback: {content: {headline: "{{x}}"}}
`
	code, out, _ := runCLI(in, "lint", "-f", "-", "-o", "json")
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(ContainSubstring(`"rule": "SCHEMA"`))
	g.Expect(out).To(ContainSubstring(`"field": "spec.channel"`))
	g.Expect(out).To(ContainSubstring(`"field": "spec.fallback.content"`))
	g.Expect(out).To(ContainSubstring(`"skipped": 1`))

	// A valid Campaign whose policy is not in the input: ETH018 only, exit 0, 1 with --strict.
	ok := strings.Replace(strings.Replace(in, "Fax", "Web", 1), `"{{x}}"`, "hello", 1)
	ok = strings.Replace(ok, "  experiences:", "  controlGroup: {percent: 5}\n  experiences:", 1)
	code, out, _ = runCLI(ok, "lint", "-f", "-")
	g.Expect(code).To(Equal(0), out)
	g.Expect(out).To(ContainSubstring("ETH018 PolicyNotFound"))
	code, _, _ = runCLI(ok, "lint", "--strict", "-f", "-")
	g.Expect(code).To(Equal(1))
}

func TestLintBadInput(t *testing.T) {
	g := NewWithT(t)
	code, _, errOut := runCLI("kind: [", "lint", "-f", "-")
	g.Expect(code).To(Equal(2))
	g.Expect(errOut).To(ContainSubstring("failed to parse <stdin> (document 1)"))

	code, _, errOut = runCLI("", "lint")
	g.Expect(code).To(Equal(2))
	g.Expect(errOut).To(ContainSubstring("no input"))

	code, _, _ = runCLI("", "lint", "-o", "xml", samples)
	g.Expect(code).To(Equal(2))

	code, _, errOut = runCLI("", "lint", filepath.Join(t.TempDir(), "nope.yaml"))
	g.Expect(code).To(Equal(2))
	g.Expect(errOut).To(ContainSubstring("nope.yaml"))

	code, _, _ = runCLI("", "lint", "--bogus")
	g.Expect(code).To(Equal(2))

	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("apiVersion: v1\nkind: Secret\n"), 0o600)).To(Succeed())
	code, out, _ := runCLI("", "lint", dir)
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring("0 objects checked, 1 skipped"))
}

func TestExplain(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "explain", "ETH003")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(HavePrefix("ETH003 ProxyTargeting (deny)"))
	g.Expect(out).To(ContainSubstring("Fix: "))
	code, out, _ = runCLI("", "explain")
	g.Expect(code).To(Equal(0))
	g.Expect(strings.Count(out, "\n")).To(Equal(30)) // header + 28 rules + SCHEMA
	code, _, _ = runCLI("", "explain", "ETH999")
	g.Expect(code).To(Equal(2))
}
