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
	"io"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/ethos-operator/ethos/internal/policyreport"
)

// writePolicyReports prints `lint -o policyreport`: the OpenReports Reports the manager would
// write for these objects, built by the same internal/policyreport.Build, as multi-document
// YAML sorted by namespace. Offline there are no UIDs, and timestamps are zero so the output
// is deterministic. Objects the API server would reject on schema grounds appear with their
// SCHEMA failures only (in a cluster they would not exist at all).
func writePolicyReports(w io.Writer, r *lintReport) error {
	byNamespace := map[string][]policyreport.Check{}
	for _, o := range r.objects {
		check := policyreport.Check{
			Subject:       policyreport.Subject{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name},
			SchemaInvalid: len(o.SchemaErrors) > 0,
		}
		for _, f := range r.findingsOf(o) {
			check.Findings = append(check.Findings, policyreport.Finding{
				Rule: f.Rule, Name: f.RuleName, Severity: f.Severity, Field: f.Field, Message: f.String(),
			})
		}
		byNamespace[o.Namespace] = append(byNamespace[o.Namespace], check)
	}
	namespaces := make([]string, 0, len(byNamespace))
	for ns := range byNamespace {
		namespaces = append(namespaces, ns)
	}
	slices.Sort(namespaces)
	first := true
	for _, ns := range namespaces {
		for _, rep := range policyreport.Build(ns, byNamespace[ns], nil, metav1.Timestamp{}) {
			data, err := yaml.Marshal(rep)
			if err != nil {
				return err
			}
			if !first {
				if _, err := io.WriteString(w, "---\n"); err != nil {
					return err
				}
			}
			first = false
			if _, err := w.Write(data); err != nil {
				return err
			}
		}
	}
	return nil
}
