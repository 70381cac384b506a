//go:build e2e

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

package e2e

import (
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
)

// TestPolicyReportForSamples installs the optional OpenReports CRDs into the running cluster,
// after the manager started without them, and checks that the samples get their Report without
// a restart: one result per rule for the Campaign and the ConsentPolicy, none failing.
func TestPolicyReportForSamples(t *testing.T) {
	ns := newNamespace(t, "e2e-reports")
	mustKubectl(t, "apply", "--server-side", "-k", filepath.Join(samplesDir, "..", "policyreport"))
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))
	mustKubectl(t, "apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml"))

	g := NewWithT(t)
	g.Eventually(func(g Gomega) {
		var r openreportsv1alpha1.Report
		g.Expect(getJSON(ns, "reports.openreports.io/ethos", &r)).To(Succeed())
		perSubject := map[string]int{}
		for _, res := range r.Results {
			g.Expect(res.Result).NotTo(BeEquivalentTo("fail"), "%s %s: %s", res.Policy, res.Rule, res.Description)
			g.Expect(res.Subjects).To(HaveLen(1))
			perSubject[res.Subjects[0].Kind+"/"+res.Subjects[0].Name]++
		}
		// Every Campaign rule (ETH001–ETH022 but ETH020, which judges the compiled document)
		// and every stored-policy rule (CPL001–CPL011 but the update-only CPL008) has its result.
		g.Expect(perSubject).To(Equal(map[string]int{"Campaign/" + campaignName: 21, "ConsentPolicy/" + policyName: 10}))
		g.Expect(r.Source).To(Equal("ethos"))
	}).WithTimeout(shortTimeout).WithPolling(2 * poll).Should(Succeed())
	t.Logf("kubectl get reports -n %s:\n%s", ns, mustKubectl(t, "get", "reports.openreports.io", "-n", ns))
}
