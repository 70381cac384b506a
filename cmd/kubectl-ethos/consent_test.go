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
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/enginetest"
)

// TestConsentDecodeGolden decodes IAB-encoded TC strings and a go-gpp-encoded GPP string
// against the sample policy, in text and JSON.
func TestConsentDecodeGolden(t *testing.T) {
	tests := []struct {
		name string
		s    string
		args []string
	}{
		{"all-granted", enginetest.TCStrings["allGranted"], nil},
		{"missing-purpose-5", enginetest.TCStrings["missingPurpose5"], nil},
		{"vendor-missing", enginetest.TCStrings["vendorMissing"], nil},
		{"policy-version-2", enginetest.TCStrings["policyVersion2"], nil},
		{"truncated", enginetest.TCStrings["allGranted"][:30], nil},
		{"gpp-us-opt-out", enginetest.GPPString(1, 2, false, ""), []string{"--gpp-sid", "7"}},
		{"gpp-with-tc", enginetest.GPPString(2, 2, false, enginetest.TCStrings["allGranted"]), nil},
	}
	for _, tt := range tests {
		for _, format := range []string{"text", "json"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				g := NewWithT(t)
				args := append([]string{"consent", "decode", tt.s, "-f", samplePolicy, "-n", "shop", "--now", "2027-03-15T12:00:00Z", "-o", format}, tt.args...)
				code, out, stderr := runCLI("", args...)
				g.Expect(code).To(Equal(0), stderr)
				g.Expect(stderr).To(BeEmpty())
				golden(t, "consent-decode-"+tt.name+"."+format, out)
			})
		}
	}
}

func TestConsentDecodeErrors(t *testing.T) {
	twoPolicies := filepath.Join(t.TempDir(), "two.yaml")
	data, err := os.ReadFile(samplePolicy)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(os.WriteFile(twoPolicies, append(append(data, []byte("\n---\n")...), []byte(renamed(string(data)))...), 0o600)).To(Succeed())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no policy file", []string{"consent", "decode", "CQ"}, "-f POLICY.yaml is required"},
		{"no string", []string{"consent", "decode", "-f", samplePolicy}, "accepts 1 arg(s), received 0"},
		{"bad output", []string{"consent", "decode", "CQ", "-f", samplePolicy, "-o", "yaml"}, `unsupported output format "yaml": text or json`},
		{"bad gpp-sid", []string{"consent", "decode", "DBABLA", "-f", samplePolicy, "--gpp-sid", "x"}, "--gpp-sid: consent.gppSid: must be a list of section ids"},
		{"no policy in the input", []string{"consent", "decode", "CQ", "-f", sampleCampaign}, "the input holds no ConsentPolicy"},
		{"two policies", []string{"consent", "decode", "CQ", "-f", twoPolicies}, "the input holds 2 ConsentPolicies; choose one with --policy NAME"},
		{"unknown policy", []string{"consent", "decode", "CQ", "-f", samplePolicy, "--policy", "us-web"}, `no ConsentPolicy named "us-web" in the input`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			code, out, stderr := runCLI("", tt.args...)
			g.Expect(code).To(Equal(exitBadInput))
			g.Expect(out).To(BeEmpty())
			g.Expect(stderr).To(ContainSubstring(tt.want))
		})
	}
	g := NewWithT(t)
	code, out, stderr := runCLI("", "consent", "decode", enginetest.TCStrings["allGranted"], "-f", twoPolicies, "--policy", "eu-web-2", "--now", "2027-03-15T12:00:00Z")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(out).To(ContainSubstring("Policy default/eu-web-2:"))
}

func renamed(policy string) string {
	return strings.Replace(policy, "name: eu-web\n", "name: eu-web-2\n", 1)
}
