package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// golden compares got with testdata/golden/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./cmd/kubectl-ethos/ -run %s -update` to create it)", err, t.Name())
	}
	NewWithT(t).Expect(got).To(Equal(string(want)), "output differs from %s; rerun with -update if the change is intended", path)
}

// TestLintGolden lints testdata/repo (two environments with the same policy name, a Helm
// values file, kustomization files, a biased Campaign, a one-line JSON file) in every format.
func TestLintGolden(t *testing.T) {
	for _, format := range outputFormats {
		t.Run(format, func(t *testing.T) {
			g := NewWithT(t)
			code, out, stderr := runCLI("", "lint", "-n", "shop", "-o", format, "testdata/repo")
			g.Expect(code).To(Equal(exitDenied), stderr)
			g.Expect(stderr).To(BeEmpty())
			if format == "sarif" {
				out = sarifWithoutRules(t, out)
			}
			golden(t, "lint-repo."+format, out)
		})
	}
}

// sarifWithoutRules drops the rule catalogue and rule indexes from a SARIF log (they are the
// rule registry's, tested there), after checking each result points at its rule.
func sarifWithoutRules(t *testing.T, out string) string {
	t.Helper()
	g := NewWithT(t)
	var log sarifLog
	g.Expect(json.Unmarshal([]byte(out), &log)).To(Succeed())
	for i, r := range log.Runs[0].Results {
		g.Expect(log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID).To(Equal(r.RuleID))
		log.Runs[0].Results[i].RuleIndex = 0 // depends on the catalogue's order
	}
	log.Runs[0].Tool.Driver.Rules = nil
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	g.Expect(enc.Encode(log)).To(Succeed())
	return b.String()
}

func TestDecideListsTheChoices(t *testing.T) {
	g := NewWithT(t)
	req := filepath.Join(t.TempDir(), "req.json")
	g.Expect(os.WriteFile(req, []byte(`{"consent":{"personalization":"granted"}}`), 0o600)).To(Succeed())
	var got bytes.Buffer
	for _, campaign := range []string{"", "spring-running", "autumn", "prod/spring-running"} {
		args := []string{"decide", "-f", "testdata/repo", "--request", req}
		if campaign != "" {
			args = append(args, "--campaign", campaign)
		}
		code, out, stderr := runCLI("", args...)
		g.Expect(code).To(Equal(exitBadInput))
		g.Expect(out).To(BeEmpty())
		got.WriteString("--campaign " + campaign + "\n" + stderr)
	}
	golden(t, "decide-choices.txt", got.String())
}

// TestCompileGolden compiles the sample Campaign: the document is the controller's bytes
// (compile.Document + document.Marshal), written on stdout and nothing else.
func TestCompileGolden(t *testing.T) {
	g := NewWithT(t)
	code, out, stderr := runCLI("", "compile", "-f", "../../config/samples", "--campaign", "spring-running")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(HavePrefix("Compiled default/spring-running: mode Personalize, configHash "))
	golden(t, "compile-spring-running.json", out)

	// Several Campaigns and no --campaign: the error lists them.
	code, out, stderr = runCLI("", "compile", "-f", "../../config/samples")
	g.Expect(code).To(Equal(2))
	g.Expect(out).To(BeEmpty())
	g.Expect(stderr).To(ContainSubstring("the input holds 3 Campaigns; choose one with --campaign NAME"))
	g.Expect(stderr).To(ContainSubstring("default/seniors-credit"))
}
