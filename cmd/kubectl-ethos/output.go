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
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/manifest"
)

func writeReport(w io.Writer, format string, r *lintReport, strict bool) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "junit":
		return writeJUnit(w, r, strict)
	case "sarif":
		return writeSARIF(w, r)
	case "policyreport":
		return writePolicyReports(w, r)
	}
	return writeText(w, r)
}

// MarshalJSON writes a finding in SPEC §7's shape: severity in lower case (deny, warning,
// skipped) and message as the whole canonical line. Fields added to lintFinding follow
// automatically.
func (f lintFinding) MarshalJSON() ([]byte, error) {
	type plain lintFinding // without this method
	return json.Marshal(struct {
		plain
		Severity string `json:"severity"` // shadows Finding.Severity
		Field    string `json:"field"`    // always present, as SPEC §7 shows it
		Message  string `json:"message"`  // shadows Finding.Message (the detail only)
	}{plain(f), ethics.WireSeverity(f.Severity), f.Field, f.String()})
}

// findingsOf returns the findings of one object, in order.
func (r *lintReport) findingsOf(o *manifest.Object) []lintFinding {
	var out []lintFinding
	for _, f := range r.Findings {
		if f.File == o.File && f.Kind == o.Kind && f.Namespace == o.Namespace && f.Name == o.Name {
			out = append(out, f)
		}
	}
	return out
}

// writeText prints a report a person reads at a glance: grouped by file, then object, one
// finding per rule ID and field with the message below.
func writeText(w io.Writer, r *lintReport) error {
	var b strings.Builder
	file := ""
	for _, o := range r.objects {
		if o.File != file {
			if file != "" {
				b.WriteString("\n")
			}
			file = o.File
			b.WriteString(displayFile(file) + "\n")
		}
		fs := r.findingsOf(o)
		denials, warnings := 0, 0
		for _, f := range fs {
			switch f.Severity {
			case ethics.Deny:
				denials++
			case ethics.Warning:
				warnings++
			}
		}
		verdict := "ok"
		switch {
		case denials > 0:
			verdict = fmt.Sprintf("DENIED (%s, %s)", plural(denials, "denial"), plural(warnings, "warning"))
		case warnings > 0:
			verdict = "allowed with " + plural(warnings, "warning")
		}
		fmt.Fprintf(&b, "  %s %s/%s: %s\n", o.Kind, o.Namespace, o.Name, verdict)
		for _, f := range fs {
			fmt.Fprintf(&b, "    %-7s %s %s  %s  (line %d, column %d)\n", ethics.WireSeverity(f.Severity), f.Rule, f.RuleName, f.Field, f.Line, f.Column)
			fmt.Fprintf(&b, "            %s\n", f.Message)
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%s checked, %d skipped (not Ethos objects): %d denied, %s.\n",
		plural(s.Objects, "object"), s.Skipped, s.Denied, plural(s.Warnings, "warning"))
	if s.Denied > 0 {
		b.WriteString("Run `kubectl ethos explain RULE` for a rule's rationale and fix.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func displayFile(f string) string {
	if f == manifest.Stdin {
		return "<stdin>"
	}
	return f
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// JUnit XML: one test case per object, failed when it has a denial (or, with --strict, a
// warning); the findings are the failure text so CI systems show them inline.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *lintReport, strict bool) error {
	suite := junitSuite{Name: "kubectl-ethos lint", Skipped: r.Summary.Skipped}
	for _, o := range r.objects {
		c := junitCase{Name: fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name), Classname: displayFile(o.File)}
		var failing, other []string
		for _, f := range r.findingsOf(o) {
			// file:line:column: message, the form editors and CI log viewers link.
			m := fmt.Sprintf("%s:%d:%d: %s", displayFile(f.File), f.Line, f.Column, f.String())
			if f.Severity == ethics.Deny || (strict && f.Severity == ethics.Warning) {
				failing = append(failing, m)
			} else {
				other = append(other, m)
			}
		}
		if len(failing) > 0 {
			c.Failure = &junitFailure{Message: plural(len(failing), "finding"), Type: "EthosPolicy", Text: strings.Join(failing, "\n")}
			suite.Failures++
		}
		c.SystemOut = strings.Join(other, "\n")
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "kubectl-ethos", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// SARIF 2.1.0, for code-scanning UIs. Locations name the file with the line and column of
// the field (GitHub code scanning needs region.startLine) and, as a logical location, the
// object and field.
type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	ShortDescription sarifText `json:"shortDescription"`
	FullDescription  sarifText `json:"fullDescription"`
	Help             sarifText `json:"help"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region sarifRegion `json:"region"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func writeSARIF(w io.Writer, r *lintReport) error {
	driver := sarifDriver{Name: "kubectl-ethos", Version: version, InformationURI: "https://github.com/ethos-operator/ethos/blob/main/docs/rules.md"}
	index := map[string]int{}
	for _, rule := range ethics.Registry {
		index[rule.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{ID: rule.ID, Name: rule.Name,
			ShortDescription: sarifText{rule.FiresWhen}, FullDescription: sarifText{rule.Rationale}, Help: sarifText{rule.Fix}})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		// A skipped rule is a note: it neither fails nor warns, but says what was not checked.
		level := map[ethics.Severity]string{ethics.Deny: "error", ethics.Warning: "warning", ethics.Skipped: "note"}[f.Severity]
		loc := sarifLocation{LogicalLocations: []sarifLogical{{
			FullyQualifiedName: fmt.Sprintf("%s/%s/%s/%s", f.Kind, f.Namespace, f.Name, f.Field), Kind: "object"}}}
		loc.PhysicalLocation.ArtifactLocation.URI = displayFile(f.File)
		loc.PhysicalLocation.Region = sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		run.Results = append(run.Results, sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: level,
			Message: sarifText{f.String()}, Locations: []sarifLocation{loc}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
}
