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
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/evaluator"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/manifest"
)

type decideOptions struct {
	source  campaignSource
	request string
	now     string
	output  string
	gpc     bool
}

// newDecideCmd is `kubectl ethos decide`: it compiles the decision document exactly as the
// operator does (CRD defaults, compliance check, compile.Document) and prints on stdout the
// answer body the engine would return, and nothing else; findings and notes go to stderr.
func newDecideCmd() *cobra.Command {
	o := &decideOptions{}
	cmd := &cobra.Command{
		Use:   "decide -f FILE... --request REQUEST.json",
		Short: "Answer a decision request offline, as the campaign's decision engine would",
		Long: `decide reads a Campaign and its ConsentPolicy, compiles the decision document the way the
operator does (defaults and compliance check included: a non-compliant campaign answers
Blocked) and prints on stdout exactly the answer body the engine returns for the request.
Findings and notes go to stderr. Exit 0 when an answer was produced, 2 on bad input.`,
		Example: `  kubectl ethos decide -f campaign.yaml -f policy.yaml --request req.json
  kubectl ethos decide -f config/samples --campaign spring-running --request req.json --now 2027-03-15T12:00:00Z --gpc`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDecide(cmd, o)
		},
	}
	f := cmd.Flags()
	o.source.bindFlags(f, "use")
	f.StringVar(&o.request, "request", "", "decision request body (JSON, as POST /v1/decisions takes it), or - for stdin")
	f.StringVar(&o.now, "now", "", "decision time (RFC 3339) for the schedule; default the current time")
	f.StringVarP(&o.output, "output", "o", "json", "output format: json")
	f.BoolVar(&o.gpc, "gpc", false, "send the Sec-GPC: 1 header with the request")
	return cmd
}

func runDecide(cmd *cobra.Command, o *decideOptions) error {
	switch {
	case len(o.source.files) == 0:
		return usageError("at least one -f FILE is required")
	case o.request == "":
		return usageError("--request is required")
	case o.output != "json":
		return usageError("unsupported output format %q: only json", o.output)
	case o.request == manifest.Stdin && containsStdin(o.source.files):
		return usageError("only one of -f and --request can read stdin")
	}
	at := time.Now()
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return usageError("--now must be an RFC 3339 time such as 2027-03-15T12:00:00Z: %v", err)
		}
		at = t
	}

	_, engine, err := o.source.compile(cmd, " (the cluster's differs: it includes metadata.generation)")
	if err != nil {
		return err
	}

	body, err := readRequest(cmd.InOrStdin(), o.request)
	if err != nil {
		return err
	}
	req, err := wire.DecodeRequest(body)
	if err != nil {
		// The engine would answer 400 with this error.
		return usageError("invalid request: %v", err)
	}
	if o.gpc {
		req.GPC = true
	}
	answer := engine.Decide(req, at)
	_, err = cmd.OutOrStdout().Write(append(wire.AppendJSON(nil, &answer), '\n'))
	return err
}

// campaignSource is the input of decide and compile: the files, and which Campaign of them.
type campaignSource struct {
	files     []string
	namespace string
	campaign  string
}

// bindFlags adds -f, -n and --campaign; verb says what the command does with the Campaign.
func (s *campaignSource) bindFlags(f *pflag.FlagSet, verb string) {
	f.StringArrayVarP(&s.files, "filename", "f", nil,
		"file or directory of YAML/JSON manifests, or - for stdin (repeatable)")
	f.StringVarP(&s.namespace, "namespace", "n", "default", "namespace of objects without metadata.namespace")
	f.StringVar(&s.campaign, "campaign", "", "name (or namespace/name) of the Campaign to "+verb+" when the input holds several")
}

// compile loads the files, picks the Campaign and compiles its decision document exactly as
// the controller does (CRD defaults, compliance check, compile.Document, document.Marshal).
// Findings go to stderr, then one note with the mode and configHash (hashNote appended).
func (s *campaignSource) compile(cmd *cobra.Command, hashNote string) ([]byte, *evaluator.Evaluator, error) {
	stderr := cmd.ErrOrStderr()
	set, err := manifest.Load(cmd.Context(), s.files, manifest.Options{Namespace: s.namespace, Stdin: cmd.InOrStdin()})
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	obj, err := pickCampaign(set, s.campaign)
	if err != nil {
		return nil, nil, err
	}
	if len(obj.SchemaErrors) > 0 {
		// The API server would reject this Campaign: there is no engine to ask.
		for _, e := range obj.SchemaErrors {
			fmt.Fprintf(stderr, "%s: [SCHEMA SchemaViolation] %s\n", displayFile(obj.File), e.Error())
		}
		return nil, nil, usageError("Campaign %s/%s does not pass the CRD schema", obj.Namespace, obj.Name)
	}
	policy := resolvePolicy(obj)
	findings := ethics.CheckCampaign(obj.Campaign, policy)
	for _, f := range findings {
		fmt.Fprintf(stderr, "%s: %s %s\n", displayFile(obj.File), ethics.WireSeverity(f.Severity), f)
	}
	compliant := policy != nil && !findings.HasDenials()
	data, err := document.Marshal(compile.Document(obj.Campaign, policy, compliant))
	if err != nil {
		return nil, nil, usageError("failed to compile the decision document: %v", err)
	}
	engine, err := evaluator.Parse(data)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	mode, reason := engine.Mode()
	note := fmt.Sprintf("Compiled %s: mode %s", engine.Campaign(), mode)
	if reason != "" {
		note += " (" + string(reason) + ")"
	}
	fmt.Fprintf(stderr, "%s, configHash %s%s\n", note, engine.ConfigHash(), hashNote)
	return data, engine, nil
}

func containsStdin(files []string) bool {
	for _, f := range files {
		if f == manifest.Stdin {
			return true
		}
	}
	return false
}

// pickCampaign returns the Campaign named name (NAME or NAMESPACE/NAME), or the only
// Campaign of the input; when a choice is needed the message lists the choices.
func pickCampaign(set *manifest.Set, name string) (*manifest.Object, error) {
	campaigns := set.Campaigns()
	if len(campaigns) == 0 {
		return nil, usageError("the input holds no Campaign")
	}
	if name == "" {
		if len(campaigns) == 1 {
			return campaigns[0], nil
		}
		return nil, usageError("the input holds %d Campaigns; choose one with --campaign NAME:\n%s", len(campaigns), campaignChoices(campaigns))
	}
	var matches []*manifest.Object
	for _, c := range campaigns {
		if c.Name == name || c.Namespace+"/"+c.Name == name {
			matches = append(matches, c)
		}
	}
	switch len(matches) {
	case 0:
		return nil, usageError("no Campaign named %q in the input; choose one of:\n%s", name, campaignChoices(campaigns))
	case 1:
		return matches[0], nil
	}
	return nil, usageError("%d Campaigns are named %q; choose one with --campaign NAMESPACE/NAME (and -f only the files of one environment):\n%s",
		len(matches), name, campaignChoices(matches))
}

// campaignChoices lists Campaigns one a line: namespace/name and where each is written.
func campaignChoices(campaigns []*manifest.Object) string {
	var b strings.Builder
	for _, c := range campaigns {
		fmt.Fprintf(&b, "  %s/%s\t(%s)\n", c.Namespace, c.Name, c.Where())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// readRequest reads the request body, never more than the engine accepts: a file or stdin
// that does not end (/dev/zero) stops at the limit.
func readRequest(stdin io.Reader, path string) ([]byte, error) {
	name := "<stdin>"
	r := stdin
	if path != manifest.Stdin {
		name = path
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError("failed to read the request: %v", err)
		}
		defer f.Close()
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, wire.MaxBodyBytes+1))
	if err != nil {
		return nil, usageError("failed to read the request %s: %v", name, err)
	}
	if len(body) > wire.MaxBodyBytes {
		return nil, usageError("invalid request: %s is larger than %d bytes, the engine's request limit", name, wire.MaxBodyBytes)
	}
	return body, nil
}
