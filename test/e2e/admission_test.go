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
	"testing"

	. "github.com/onsi/gomega"
)

// TestBiasedSampleIsRejected applies config/samples/05-campaign-biased-REJECTED.yaml with kubectl:
// the webhook of the manager Deployment refuses it, kubectl's stderr names the rules and fields,
// and nothing is stored.
func TestBiasedSampleIsRejected(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "e2e-admission")
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))

	r := kubectl("apply", "-n", ns, "-f", sample("05-campaign-biased-REJECTED.yaml"))
	g.Expect(r.err).To(HaveOccurred(), "the biased Campaign was accepted:\n%s", r.stdout)
	t.Logf("kubectl apply of the biased sample failed as expected:\n%s", r.stderr)
	// The webhook's Invalid error, with the rules' IDs (only the webhook knows them; the schema
	// accepts this Campaign) and the offending fields: age and gender are sensitive (ETH001), the
	// postal code is a proxy for ethnicity used for targeting (ETH003).
	g.Expect(r.stderr).To(ContainSubstring(`The Campaign "seniors-credit" is invalid`))
	g.Expect(r.stderr).To(ContainSubstring("ETH001"))
	g.Expect(r.stderr).To(ContainSubstring("ETH003"))
	g.Expect(r.stderr).To(ContainSubstring("spec.audience.rules[0].attribute"))
	g.Expect(notFound(ns, "campaign/seniors-credit")).To(BeTrue(), "a rejected Campaign must not be stored")
}
