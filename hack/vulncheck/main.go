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

// Command vulncheck reads `govulncheck -format json` on stdin and decides: it prints one line
// per vulnerability that Ethos' code reaches (ID, module, found and fixed versions, where it is
// called, summary) and exits 1 when one of them is in a module, which go.mod can fix.
//
// Findings in the Go standard library are fixed by the toolchain, not by go.mod. They fail too,
// unless -stdlib-waiver names the toolchain that found them (the Makefile's
// VULNCHECK_STDLIB_WAIVER): a reviewed, written-down exception for one Go version that stops
// applying, and so fails again, as soon as the toolchain changes.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// message is one value of govulncheck's JSON stream; only the parts read here.
type message struct {
	Config *struct {
		GoVersion string `json:"go_version"`
		DB        string `json:"db"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

// vuln is a vulnerability the code reaches.
type vuln struct {
	id, module, found, fixed, calledFrom string
}

func main() {
	waiver := flag.String("stdlib-waiver", "", "Go version (e.g. go1.26.8) whose standard-library findings are reported but do not fail")
	flag.Parse()
	code, err := run(os.Stdin, os.Stdout, *waiver)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vulncheck: %v\n", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(in io.Reader, out io.Writer, waiver string) (int, error) {
	goVersion, summaries, called, err := read(in)
	if err != nil {
		return 2, err
	}
	failed := 0
	for _, v := range called {
		verdict := "FAIL"
		if v.module == "stdlib" && waiver != "" && waiver == goVersion {
			verdict = "waived (toolchain " + goVersion + ")"
		} else {
			failed++
		}
		_, _ = fmt.Fprintf(out, "%s %s: %s@%s, fixed in %s, called from %s: %s\n",
			verdict, v.id, v.module, v.found, v.fixed, v.calledFrom, summaries[v.id])
	}
	switch {
	case failed > 0:
		_, _ = fmt.Fprintf(out, "vulncheck: %d of %d reachable vulnerabilities need a fix: %s\n", failed, len(called),
			"bump the module to its fixed version (go get MODULE@VERSION); standard-library ones need Go's fixed version")
		return 1, nil
	case len(called) > 0:
		_, _ = fmt.Fprintf(out, "vulncheck: %d reachable standard-library vulnerabilities waived for %s; %s\n",
			len(called), goVersion, "build releases with Go's fixed version")
	default:
		_, _ = fmt.Fprintln(out, "vulncheck: no reachable vulnerability")
	}
	return 0, nil
}

// read collects the toolchain version, the summaries and the called vulnerabilities, one per
// ID and module, sorted.
func read(in io.Reader) (goVersion string, summaries map[string]string, called []vuln, err error) {
	summaries = map[string]string{}
	seen := map[string]bool{}
	dec := json.NewDecoder(in)
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, nil, fmt.Errorf("failed to read govulncheck's JSON: %w", err)
		}
		switch {
		case m.Config != nil:
			goVersion = m.Config.GoVersion
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0 && m.Finding.Trace[0].Function != "":
			// A finding whose first frame names a function is reached by our code; without one
			// it is only imported or required.
			f := m.Finding.Trace[0]
			key := m.Finding.OSV + " " + f.Module
			if seen[key] {
				continue
			}
			seen[key] = true
			called = append(called, vuln{id: m.Finding.OSV, module: f.Module, found: f.Version,
				fixed: m.Finding.FixedVersion, calledFrom: caller(m.Finding.Trace)})
		}
	}
	if goVersion == "" {
		return "", nil, nil, errors.New("govulncheck's JSON has no config message: did it run?")
	}
	slices.SortFunc(called, func(a, b vuln) int {
		return strings.Compare(a.id+" "+a.module, b.id+" "+b.module)
	})
	return goVersion, summaries, called, nil
}

// caller is the position of the outermost frame (our code's call into the vulnerable path).
func caller(trace []frame) string {
	last := trace[len(trace)-1]
	name := last.Function
	if last.Receiver != "" {
		name = strings.TrimPrefix(last.Receiver, "*") + "." + name
	}
	if last.Position != nil {
		return fmt.Sprintf("%s:%d (%s)", last.Position.Filename, last.Position.Line, name)
	}
	return last.Package + "." + name
}
