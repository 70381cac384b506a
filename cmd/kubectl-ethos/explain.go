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
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ethos-operator/ethos/internal/ethics"
)

func newExplainCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "explain [RULE]",
		Short:   "Print a rule's rationale, example and fix (without RULE: list every rule)",
		Example: "  kubectl ethos explain ETH003\n  kubectl ethos explain ProxyTargeting\n  kubectl ethos explain",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RULE\tNAME\tSEVERITY\tFIRES WHEN")
				for _, r := range ethics.Catalogue {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Severity, r.FiresWhen)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ruleSchema, ruleNameSchema, "deny", "the object fails the CRD's OpenAPI or CEL validation")
				return tw.Flush()
			}
			r, ok := ethics.Lookup(args[0])
			if !ok {
				return usageError("unknown rule %q; run `kubectl ethos explain` to list the rules", args[0])
			}
			fmt.Fprintf(out, "%s %s (%s)\n\nFires when: %s\n\nWhy: %s\n\nExample:\n%s\n\nFix: %s\n",
				r.ID, r.Name, r.Severity, r.FiresWhen, r.Rationale, indent(r.Example, "  "), r.Fix)
			return nil
		},
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
