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

// Command kubectl-ethos is the Ethos kubectl plugin (`kubectl ethos ...`): `lint` runs the
// admission rules offline for CI, `explain` describes a rule, and `decide` answers a decision
// request offline.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// The build stamps these with -ldflags "-X main.version=... -X main.commit=... -X
// main.date=..." (Makefile, Dockerfile, hack/build-image); date is the commit's time, so that
// builds stay reproducible. Unstamped builds fall back to what `go build` records from Git.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// Exit codes (SPEC §7).
const (
	exitOK       = 0 // nothing denied
	exitDenied   = 1 // at least one denial (or a warning with --strict)
	exitBadInput = 2 // unreadable input or a usage error
)

// exitError carries an exit code; a nil err means the output already said everything.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a bad invocation or unreadable input (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: exitBadInput, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code; tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "Error:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors: unknown command or flag.
	fmt.Fprintln(stderr, "Error:", err)
	return exitBadInput
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "kubectl-ethos",
		Short:         "Ethos: ethical personalization for Kubernetes",
		Long:          "kubectl-ethos checks Campaigns and ConsentPolicies offline with the same rules as the Ethos admission webhook.\nInstalled on PATH it runs as `kubectl ethos`.",
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ethos"},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newLintCmd(), newExplainCmd(), newDecideCmd(), newCompileCmd(), newConsentCmd(), newReportCmd(), newVersionCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return err
		},
	}
}

// versionLine is what `version` and `--version` print:
// "kubectl-ethos v0.1.0 (commit 0123abc..., built 2026-12-03T10:00:00Z)".
func versionLine() string {
	c, d := commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("kubectl-ethos %s (commit %s, built %s)", version, c, d)
}
