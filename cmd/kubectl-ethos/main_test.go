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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/enginetest"
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
	g.Expect(out).To(ContainSubstring("5 objects checked, 1 skipped (not Ethos objects): 1 denied, 1 warning."))

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
		Findings []map[string]any `json:"findings"`
		Summary  map[string]int   `json:"summary"`
	}
	g.Expect(json.Unmarshal([]byte(out), &report)).To(Succeed())
	// requests/spring-running.json (a decision request, not a manifest) is skipped.
	g.Expect(report.Summary).To(Equal(map[string]int{"objects": 5, "skipped": 1, "denied": 1, "warnings": 1}))
	g.Expect(report.Findings[0]).To(Equal(map[string]any{
		"rule": "ETH001", "ruleName": "SensitiveAttribute", "severity": "deny", "kind": "Campaign",
		"namespace": "default", "name": "seniors-credit", "file": filepath.Join(samples, "05-campaign-biased-REJECTED.yaml"),
		"line": float64(lineOf(t, filepath.Join(samples, "05-campaign-biased-REJECTED.yaml"), "- {attribute: age,")), "column": float64(10),
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
	g.Expect(errOut).To(ContainSubstring("failed to parse <stdin> (document 1, line 1)"))

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

	// Nothing to check is never a pass: a directory of other kinds, an empty file, an empty
	// directory.
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("apiVersion: v1\nkind: Secret\n"), 0o600)).To(Succeed())
	code, out, errOut := runCLI("", "lint", dir)
	g.Expect(code).To(Equal(2))
	g.Expect(out).To(BeEmpty())
	g.Expect(errOut).To(Equal("Error: nothing to lint: the input holds no Campaign or ConsentPolicy (1 document skipped: other API groups or not Kubernetes objects); check the paths\n"))
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	g.Expect(os.WriteFile(empty, nil, 0o600)).To(Succeed())
	for _, args := range [][]string{{"lint", empty}, {"lint", t.TempDir()}, {"lint", "-f", "-"}} {
		code, _, errOut = runCLI("", args...)
		g.Expect(code).To(Equal(2), args)
		g.Expect(errOut).To(ContainSubstring("nothing to lint: the input holds no Campaign or ConsentPolicy (0 documents skipped"), args)
	}
}

// lineOf returns the 1-based line of the first line of file containing s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, s)
	return 0
}

// TestLintRejectsWhatWouldPassUnchecked: input that would otherwise check nothing, or the
// wrong thing, exits 2 with a message naming the file.
func TestLintRejectsWhatWouldPassUnchecked(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("apiVersion: personalization.ethos.dev/v1alpha1\nkind: Campain\nmetadata: {name: c}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := "apiVersion: personalization.ethos.dev/v1alpha1\nkind: ConsentPolicy\nmetadata: {name: p}\nspec: {purposes: []}\n"
	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantError string
	}{
		{name: "endless input", args: []string{"lint", "-f", "/dev/zero"},
			wantError: "Error: failed to read /dev/zero (document 1): the document starting on line 1 is larger than 4 MiB, the per-document limit (is this a YAML file?)\n"},
		{name: "kind typo", args: []string{"lint", typo},
			wantError: "Error: failed to parse " + typo + ` (document 1, line 1): unknown kind "Campain" in personalization.ethos.dev: did you mean Campaign? (this group serves Campaign, ConsentPolicy)` + "\n"},
		{name: "duplicates on stdin", args: []string{"lint", "-f", "-"}, stdin: policy + "---\n" + policy,
			wantError: "Error: ConsentPolicy default/p is defined twice, at <stdin>:1 and at <stdin>:6: the cluster would keep only the one applied last; remove or rename one\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			code, out, errOut := runCLI(tt.stdin, tt.args...)
			g.Expect(code).To(Equal(exitBadInput))
			g.Expect(out).To(BeEmpty())
			g.Expect(errOut).To(Equal(tt.wantError))
		})
	}
}

// TestLintOneLineJSONAtBufferBoundary: a biased one-line JSON Campaign of exactly 4,096 bytes
// without a trailing newline was read as nothing and passed (issue 19).
func TestLintOneLineJSONAtBufferBoundary(t *testing.T) {
	const head = `{"apiVersion":"personalization.ethos.dev/v1alpha1","kind":"Campaign","metadata":{"name":"seniors","annotations":{"pad":"`
	const tail = `"}},"spec":{"consentPolicyRef":{"name":"p"},"purpose":"personalization","audience":{"rules":[{"attribute":"age","operator":"Gt","values":["60"]}]},"experiences":[{"name":"a","content":{"h":"x"}}],"fallback":{"content":{"h":"x"}}}}`
	for _, size := range []int{4095, 4096, 4097, 8192} {
		for _, end := range []string{"", "\n"} {
			g := NewWithT(t)
			file := filepath.Join(t.TempDir(), "biased.json")
			body := head + strings.Repeat("x", size-len(head)-len(tail)) + tail + end
			g.Expect(os.WriteFile(file, []byte(body), 0o600)).To(Succeed())
			code, out, _ := runCLI("", "lint", "-o", "json", "-f", file)
			g.Expect(code).To(Equal(exitDenied), "size %d, end %q", size, end)
			g.Expect(out).To(ContainSubstring(`"objects": 1,`))
			g.Expect(out).To(ContainSubstring(`"rule": "ETH001"`))
		}
	}
}

func TestVersion(t *testing.T) {
	g := NewWithT(t)
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-03T10:00:00Z"
	want := "kubectl-ethos v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567, built 2026-12-03T10:00:00Z)\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI("", args...)
		g.Expect(code).To(Equal(0))
		g.Expect(out).To(Equal(want), args)
	}
	code, _, _ := runCLI("", "version", "extra")
	g.Expect(code).To(Equal(exitBadInput))
}

func TestExplain(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runCLI("", "explain", "ETH003")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(HavePrefix("ETH003 ProxyTargeting (deny)"))
	g.Expect(out).To(ContainSubstring("Fix: "))
	code, out, _ = runCLI("", "explain")
	g.Expect(code).To(Equal(0))
	g.Expect(strings.Count(out, "\n")).To(Equal(35)) // header + 33 rules + SCHEMA
	code, _, _ = runCLI("", "explain", "ETH999")
	g.Expect(code).To(Equal(2))
}

// TestLintDocumentTooLarge: the schema's largest Campaign (8 experiences × 24 keys × 2,048
// characters) is denied by ETH020 when its content is HTML, stored escaped, and passes as
// plain text of the same length (issue 18).
func TestLintDocumentTooLarge(t *testing.T) {
	write := func(g *WithT, unit string) string {
		c := enginetest.ContentHeavyCampaign(8, 24, 2048, unit)
		c.TypeMeta = metav1.TypeMeta{APIVersion: ethosv1alpha1.GroupVersion.String(), Kind: "Campaign"}
		c.Generation = 0
		data, err := yaml.Marshal(c)
		g.Expect(err).NotTo(HaveOccurred())
		file := filepath.Join(t.TempDir(), "campaign.yaml")
		g.Expect(os.WriteFile(file, data, 0o600)).To(Succeed())
		return file
	}
	policy := filepath.Join(samples, "01-consentpolicy-eu-web.yaml") // the fixture's policy

	g := NewWithT(t)
	code, out, _ := runCLI("", "lint", "-n", "shop", policy, write(g, enginetest.HTMLBlock))
	g.Expect(code).To(Equal(exitDenied))
	g.Expect(out).To(MatchRegexp(`Campaign shop/spring-running: DENIED \(1 denial, 0 warnings\)\n` +
		`    deny    ETH020 DocumentTooLarge  spec\.experiences\[0\]\.content  \(line \d+, column 5\)\n` +
		`            the compiled decision document would be 1158\d{3} bytes, over the admission limit of 921600 bytes `))
	g.Expect(out).To(ContainSubstring("starting with spec.experiences[0].content (144025 bytes as stored, 18912 of its characters are <, > or &, which take 6 bytes each)"))
	g.Expect(out).To(ContainSubstring("2 objects checked, 0 skipped (not Ethos objects): 1 denied, 0 warnings."))

	code, out, _ = runCLI("", "lint", "-n", "shop", policy, write(g, "Spring sale "))
	g.Expect(code).To(Equal(0), out)
}
