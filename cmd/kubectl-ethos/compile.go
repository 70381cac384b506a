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
	"github.com/spf13/cobra"
)

// newCompileCmd is `kubectl ethos compile`: it writes on stdout the decision document the
// controller puts in the Campaign's ConfigMap, so `decision-engine --config` runs without a
// cluster. It shares decide's code path (campaignSource.compile).
func newCompileCmd() *cobra.Command {
	o := &campaignSource{}
	cmd := &cobra.Command{
		Use:   "compile -f FILE... [--campaign NAME]",
		Short: "Write the decision document of a Campaign, as the operator compiles it",
		Long: `compile reads a Campaign and its ConsentPolicy, compiles the decision document the way the
operator does (defaults and compliance check included: a non-compliant campaign compiles to
FallbackOnly, reason Blocked) and writes it on stdout, byte for byte what the controller puts
in the engine's ConfigMap (with the files' metadata.generation). Findings and notes go to
stderr. Exit 0 when a document was written, 2 on bad input.`,
		Example: `  kubectl ethos compile -f config/samples --campaign spring-running > decision.json
  decision-engine --config decision.json --listen 127.0.0.1:8080 --ops-listen 127.0.0.1:8081`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(o.files) == 0 {
				return usageError("at least one -f FILE is required")
			}
			data, _, err := o.compile(cmd, "")
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	}
	o.bindFlags(cmd.Flags(), "compile")
	return cmd
}
