package main

import (
	"bytes"
	"strings"
	"testing"
)

// stream is govulncheck's JSON: config, the OSV entries, and findings. A finding whose first
// frame has no function is only imported, not called.
const stream = `{"config":{"go_version":"go1.26.8","db":"file:///db"}}
{"osv":{"id":"GO-1","summary":"bad thing in stdlib"}}
{"osv":{"id":"GO-2","summary":"bad thing in a module"}}
{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Serve"},{"module":"github.com/ethos-operator/ethos","package":"github.com/ethos-operator/ethos/cmd/x","function":"main","position":{"filename":"cmd/x/main.go","line":7}}]}}
{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Serve"}]}}
`

const moduleFinding = `{"finding":{"osv":"GO-2","fixed_version":"v1.2.0","trace":[{"module":"example.com/m","version":"v1.1.0","package":"example.com/m","function":"Do","receiver":"*Client"}]}}
{"finding":{"osv":"GO-3","fixed_version":"v2.0.0","trace":[{"module":"example.com/imported","version":"v1.0.0","package":"example.com/imported"}]}}
`

func TestRun(t *testing.T) {
	tests := []struct {
		name, in, waiver string
		wantCode         int
		wantLines        []string
	}{{
		name: "stdlib finding without waiver fails", in: stream, wantCode: 1,
		wantLines: []string{
			"FAIL GO-1: stdlib@v1.26.8, fixed in v1.26.9, called from cmd/x/main.go:7 (main): bad thing in stdlib",
			"vulncheck: 1 of 1 reachable vulnerabilities need a fix: bump the module to its fixed version (go get MODULE@VERSION); standard-library ones need Go's fixed version",
		},
	}, {
		name: "stdlib finding waived for exactly this toolchain", in: stream, waiver: "go1.26.8", wantCode: 0,
		wantLines: []string{
			"waived (toolchain go1.26.8) GO-1: stdlib@v1.26.8, fixed in v1.26.9, called from cmd/x/main.go:7 (main): bad thing in stdlib",
			"vulncheck: 1 reachable standard-library vulnerabilities waived for go1.26.8; build releases with Go's fixed version",
		},
	}, {
		name: "a waiver for another toolchain does not apply", in: stream, waiver: "go1.26.7", wantCode: 1,
		wantLines: []string{
			"FAIL GO-1: stdlib@v1.26.8, fixed in v1.26.9, called from cmd/x/main.go:7 (main): bad thing in stdlib",
			"vulncheck: 1 of 1 reachable vulnerabilities need a fix: bump the module to its fixed version (go get MODULE@VERSION); standard-library ones need Go's fixed version",
		},
	}, {
		name: "a called module finding fails even with the waiver; an imported one is not reported",
		in:   stream + moduleFinding, waiver: "go1.26.8", wantCode: 1,
		wantLines: []string{
			"waived (toolchain go1.26.8) GO-1: stdlib@v1.26.8, fixed in v1.26.9, called from cmd/x/main.go:7 (main): bad thing in stdlib",
			"FAIL GO-2: example.com/m@v1.1.0, fixed in v1.2.0, called from example.com/m.Client.Do: bad thing in a module",
			"vulncheck: 1 of 2 reachable vulnerabilities need a fix: bump the module to its fixed version (go get MODULE@VERSION); standard-library ones need Go's fixed version",
		},
	}, {
		name: "nothing reachable", in: `{"config":{"go_version":"go1.26.8"}}`, wantCode: 0,
		wantLines: []string{"vulncheck: no reachable vulnerability"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := run(strings.NewReader(tt.in), &out, tt.waiver)
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(tt.wantLines, "\n") {
				t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantLines, "\n"))
			}
		})
	}
}

func TestRunRejectsOtherInput(t *testing.T) {
	for _, in := range []string{"", "not json", `{"osv":{"id":"GO-1"}}`} {
		if code, err := run(strings.NewReader(in), &bytes.Buffer{}, ""); err == nil || code != 2 {
			t.Errorf("run(%q) = %d, %v; want 2 and an error", in, code, err)
		}
	}
}
