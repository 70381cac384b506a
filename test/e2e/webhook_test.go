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

// TestWebhookDownBlocksOnlyEthos stops every manager pod: the fail-closed webhook then refuses
// Ethos's own resources, and only them; a plain ConfigMap still applies. When the manager is
// back, Campaigns apply again.
func TestWebhookDownBlocksOnlyEthos(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t, "e2e-webhook-down")
	mustKubectl(t, "apply", "-n", ns, "-f", sample("01-consentpolicy-eu-web.yaml"))

	var replicas string
	g.Eventually(func() error {
		r := kubectl("get", "-n", systemNamespace, "deployment", managerDeployment, "-o", "jsonpath={.spec.replicas}")
		replicas = r.stdout
		return r.asError()
	}).WithTimeout(shortTimeout).Should(Succeed())
	restore := func() {
		_ = kubectl("-n", systemNamespace, "scale", "deployment", managerDeployment, "--replicas="+replicas)
		_ = kubectlTimeout(settleTimeout, "-n", systemNamespace, "rollout", "status", "deployment/"+managerDeployment, "--timeout=5m")
	}
	t.Cleanup(restore)

	mustKubectl(t, "-n", systemNamespace, "scale", "deployment", managerDeployment, "--replicas=0")
	g.Eventually(func(g Gomega) {
		g.Expect(podNames(g, systemNamespace, managerSelector)).To(BeEmpty())
	}).WithTimeout(shortTimeout).WithPolling(poll).Should(Succeed())

	// Not an Ethos resource: the webhook's rules do not match it.
	mustKubectl(t, "create", "configmap", "-n", ns, "plain", "--from-literal=greeting=hello")
	// Ethos's resources are refused while nobody can check them (failurePolicy: Fail).
	r := kubectl("apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml"))
	g.Expect(r.err).To(HaveOccurred(), "a Campaign was admitted with the webhook down")
	t.Logf("with the webhook down, kubectl apply of a Campaign says: %s", r.stderr)
	g.Expect(r.stderr).To(ContainSubstring("failed calling webhook"))
	g.Expect(notFound(ns, "campaign/spring-running")).To(BeTrue())
	// Reads are not affected.
	mustKubectl(t, "get", "-n", ns, "consentpolicies,campaigns")

	restore()
	g.Eventually(func() error {
		return kubectl("apply", "-n", ns, "-f", sample("03-campaign-spring-running.yaml")).asError()
	}).WithTimeout(shortTimeout).WithPolling(2 * poll).Should(Succeed())
}
