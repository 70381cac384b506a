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
	"slices"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation/field"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/manifest"
)

// lintFinding is one line of the report: the rule engine's Finding and the object it is about,
// in the JSON shape of SPEC §7 (output.go writes severity in lower case).
type lintFinding struct {
	ethics.Finding
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	File      string `json:"file"`
	// Line and Column (1-based) are where Field is written in File, or its nearest written
	// ancestor for a field the file leaves out.
	Line   int `json:"line"`
	Column int `json:"column"`
}

// lintSummary counts what was checked. Denied counts objects with at least one denial;
// Warnings counts warning findings.
type lintSummary struct {
	Objects  int `json:"objects"`
	Skipped  int `json:"skipped"`
	Denied   int `json:"denied"`
	Warnings int `json:"warnings"`
}

// lintReport is the whole result, grouped by object in input order.
type lintReport struct {
	Findings []lintFinding `json:"findings"`
	Summary  lintSummary   `json:"summary"`
	objects  []*manifest.Object
}

type lintOptions struct {
	files     []string
	namespace string
	output    string
	strict    bool
}

var outputFormats = []string{"text", "json", "junit", "sarif", "policyreport"}

func newLintCmd() *cobra.Command {
	o := &lintOptions{}
	cmd := &cobra.Command{
		Use:   "lint [-f FILE|DIR|-]... [PATH]...",
		Short: "Check Campaigns and ConsentPolicies offline with the admission rules",
		Long: `lint reads multi-document YAML (directories recursively, "-" for stdin), applies the CRDs'
defaults, validates the schema (OpenAPI and CEL) like the API server, then runs the admission
webhook's rules. Documents of other API groups and documents that are not Kubernetes objects
(kustomization files, Helm values) are skipped. Campaigns resolve their ConsentPolicy within
the input: from their own kustomization or directory tree first when several trees define it.

Exit status: 0 no denial, 1 at least one denial (or a warning with --strict), 2 bad input:
unreadable or oversized input, an unknown Ethos kind or version, two objects with the same
kind, namespace and name in one tree, or no Campaign or ConsentPolicy in the input at all.`,
		Example: "  kubectl ethos lint config/samples/\n  kustomize build overlays/prod | kubectl ethos lint -f - -o sarif > ethos.sarif",
		RunE: func(cmd *cobra.Command, args []string) error {
			paths := append(slices.Clone(o.files), args...)
			if len(paths) == 0 {
				return usageError("no input: pass files or directories with -f (or - for stdin)")
			}
			if !slices.Contains(outputFormats, o.output) {
				return usageError("unsupported output %q: use one of text, json, junit, sarif, policyreport", o.output)
			}
			set, err := manifest.Load(cmd.Context(), paths, manifest.Options{Namespace: o.namespace, Stdin: cmd.InOrStdin()})
			if err != nil {
				return &exitError{code: exitBadInput, err: err}
			}
			if len(set.Objects) == 0 {
				// CI must never pass on nothing: a wrong path or glob checks no object.
				return usageError("nothing to lint: the input holds no Campaign or ConsentPolicy (%s skipped: other API groups or not Kubernetes objects); check the paths", plural(set.Skipped, "document"))
			}
			report, err := lint(set)
			if err != nil {
				return &exitError{code: exitBadInput, err: err}
			}
			if err := writeReport(cmd.OutOrStdout(), o.output, report, o.strict); err != nil {
				return &exitError{code: exitBadInput, err: fmt.Errorf("failed to write the report: %w", err)}
			}
			if report.Summary.Denied > 0 || (o.strict && report.Summary.Warnings > 0) {
				return &exitError{code: exitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&o.files, "filename", "f", nil, "file, directory or - (stdin) to lint; repeatable")
	cmd.Flags().StringVarP(&o.namespace, "namespace", "n", "default", "namespace of objects without metadata.namespace")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text, json, junit, sarif or policyreport")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "exit 1 on warnings too")
	return cmd
}

// lint checks every object like the cluster would: an object that fails the schema is
// rejected by the API server before any webhook runs, so it gets only its SCHEMA findings.
// A Campaign also gets the webhook's size check of its compiled document (ETH020).
func lint(set *manifest.Set) (*lintReport, error) {
	r := &lintReport{Findings: []lintFinding{}, objects: set.Objects}
	r.Summary.Objects = len(set.Objects)
	r.Summary.Skipped = set.Skipped
	for _, o := range set.Objects {
		var fs []lintFinding
		if len(o.SchemaErrors) > 0 {
			for _, e := range o.SchemaErrors {
				fs = append(fs, schemaFinding(o, e))
			}
		} else {
			var findings ethics.Findings
			if o.Campaign != nil {
				policy := resolvePolicy(o)
				size, err := compile.CheckDocumentSize(o.Campaign, policy)
				if err != nil {
					return nil, err
				}
				findings = append(ethics.CheckCampaign(o.Campaign, policy), size...)
			} else {
				findings = ethics.CheckConsentPolicy(nil, o.Policy, nil)
			}
			for _, f := range findings {
				fs = append(fs, locate(o, lintFinding{Finding: f, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, File: o.File}))
			}
		}
		denied := false
		for _, f := range fs {
			switch f.Severity {
			case ethics.Deny:
				denied = true
			case ethics.Warning:
				r.Summary.Warnings++
			}
		}
		if denied {
			r.Summary.Denied++
		}
		r.Findings = append(r.Findings, fs...)
	}
	return r, nil
}

// resolvePolicy returns the ConsentPolicy the loader resolved for a Campaign. A policy the
// API server would reject on schema grounds would not exist in the cluster, so it counts as
// missing (ETH018).
func resolvePolicy(c *manifest.Object) *ethosv1alpha1.ConsentPolicy {
	if p := c.ResolvedPolicy; p != nil && len(p.SchemaErrors) == 0 {
		return p.Policy
	}
	return nil
}

func schemaFinding(o *manifest.Object, e *field.Error) lintFinding {
	return locate(o, lintFinding{Finding: ethics.SchemaFinding(e), Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, File: o.File})
}

// locate fills in where the finding's field is written; the position comes from the YAML
// nodes the loader kept, so the rules need not know about files.
func locate(o *manifest.Object, f lintFinding) lintFinding {
	pos := o.Position(f.Field)
	f.Line, f.Column = pos.Line, pos.Column
	return f
}
