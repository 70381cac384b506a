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
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ethos-operator/ethos/internal/ethics"
)

// explainedRule is a rule as `explain -o json` prints it.
type explainedRule struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Subject   string `json:"subject"`
	Severity  string `json:"severity"` // deny, warning, "deny / warning", "deny (update)"
	FiresWhen string `json:"firesWhen"`
	Rationale string `json:"rationale"`
	Example   string `json:"example"`
	Fix       string `json:"fix"`
}

func explained(r *ethics.Rule) explainedRule {
	return explainedRule{ID: r.ID, Name: r.Name, Subject: r.Subject(), Severity: r.SeverityText(),
		FiresWhen: r.FiresWhen, Rationale: r.Rationale, Example: r.Example, Fix: r.Fix}
}

func newExplainCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "explain [RULE]",
		Short: "Print a rule's rationale, example and fix (without RULE: list every rule)",
		Example: "  kubectl ethos explain ETH003\n  kubectl ethos explain ProxyTargeting\n  kubectl ethos explain SCHEMA\n" +
			"  kubectl ethos explain\n  kubectl ethos explain ETH019 -o json",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return usageError("unsupported output %q: use text or json", output)
			}
			rules := ethics.Registry
			if len(args) == 1 {
				r, ok := ethics.Lookup(args[0])
				if !ok {
					return usageError("unknown rule %q; run `kubectl ethos explain` to list the rules", args[0])
				}
				rules = []*ethics.Rule{r}
			}
			out := cmd.OutOrStdout()
			switch {
			case output == "json" && len(args) == 1:
				return writeJSON(out, explained(rules[0]))
			case output == "json":
				list := make([]explainedRule, len(rules))
				for i, r := range rules {
					list[i] = explained(r)
				}
				return writeJSON(out, list)
			case len(args) == 1:
				r := rules[0]
				_, err := fmt.Fprintf(out, "%s %s (%s)\n\nFires when: %s\n\nWhy: %s\n\nExample:\n%s\n\nFix: %s\n",
					r.ID, r.Name, r.SeverityText(), r.FiresWhen, r.Rationale, indent(r.Example, "  "), r.Fix)
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tNAME\tSEVERITY\tFIRES WHEN")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.SeverityText(), r.FiresWhen)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
