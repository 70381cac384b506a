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

	"github.com/ethos-operator/ethos/internal/engine/wire"
)

const decideRequest = `{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},
 "attributes":{"viewedCategories":["running","trail"],"postalCode":"75011","age":44},"zone":"home_hero",
 "history":{"purchased":["sku-9"]},
 "candidates":[{"id":"sku-4","categories":["running"]},{"id":"sku-9","categories":["trail"]},
   {"id":12,"categories":["trail"]}]}`

const (
	samplePolicy   = "../../config/samples/01-consentpolicy-eu-web.yaml"
	sampleCampaign = "../../config/samples/03-campaign-spring-running.yaml"
	neutral        = wire.NeutralExplanation
)

func TestDecide(t *testing.T) {
	dir := t.TempDir()
	reqFile := filepath.Join(dir, "req.json")
	if err := os.WriteFile(reqFile, []byte(decideRequest), 0o600); err != nil {
		t.Fatal(err)
	}
	samples := "../../config/samples"
	withPolicy := func(extra ...string) []string {
		return append([]string{"decide", "-f", sampleCampaign, "-f", samplePolicy, "-n", "shop"}, extra...)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantPrefix string // stdout up to configHash
		wantStderr string
	}{
		{
			name: "compliant sample campaign is personalized",
			args: withPolicy("--request", reqFile, "--now", "2027-03-15T12:00:00Z"),
			wantPrefix: `{"campaign":"shop/spring-running","personalized":true,"experience":"trail-hero",` +
				`"content":{"headline":"New trail shoes","image":"https://cdn.example.com/trail.jpg",` +
				`"stores":"https://shop.example.com/stores?near=75011"},` +
				`"items":["sku-4","12"],"reason":"Matched",` +
				`"explanation":"We showed this because of: the sports you browsed, to pick the banner; ` +
				`your postal code, to show your nearest store; what you already bought, so we do not suggest it again. ` +
				`Purpose: We use the products you view to suggest others you may like.","configHash":"`,
			wantStderr: "Compiled shop/spring-running: mode Personalize",
		},
		{
			name:       "request from stdin, GPC does not withdraw personalization in eu-web",
			args:       withPolicy("--request", "-", "--gpc"),
			stdin:      decideRequest,
			wantPrefix: `{"campaign":"shop/spring-running","personalized":true,"experience":"trail-hero"`,
		},
		{
			name: "missing policy answers Blocked",
			args: []string{"decide", "-f", sampleCampaign, "--request", reqFile, "-n", "shop"},
			wantPrefix: `{"campaign":"shop/spring-running","personalized":false,"experience":"",` +
				`"content":{"headline":"Spring collection","image":"https://cdn.example.com/spring.jpg"},` +
				`"items":[],"reason":"Blocked",` +
				`"explanation":"` + neutral + `","configHash":"`,
			wantStderr: "ETH018",
		},
		{
			name: "non-compliant campaign answers Blocked, findings on stderr",
			args: []string{"decide", "-f", samples, "--campaign", "seniors-credit", "--request", reqFile, "-n", "shop"},
			wantPrefix: `{"campaign":"shop/seniors-credit","personalized":false,"experience":"",` +
				`"content":{"headline":"Our credit cards"},"items":[],"reason":"Blocked"`,
			wantStderr: "[ETH001 SensitiveAttribute]",
		},
		{name: "several campaigns need --campaign", args: []string{"decide", "-f", samples, "--request", reqFile},
			wantCode: exitBadInput, wantStderr: "choose one with --campaign"},
		{name: "endless request", args: []string{"decide", "-f", sampleCampaign, "--request", "/dev/zero"},
			wantCode: exitBadInput, wantStderr: "Error: invalid request: /dev/zero is larger than 1048576 bytes, the engine's request limit\n"},
		{name: "missing request", args: []string{"decide", "-f", sampleCampaign},
			wantCode: exitBadInput, wantStderr: "--request is required"},
		{name: "bad request", args: []string{"decide", "-f", sampleCampaign, "--request", "-"},
			stdin:    `{"visitor":{"id":1}}`,
			wantCode: exitBadInput, wantStderr: "invalid request: visitor.id: must be a string, not number"},
		{name: "bad --now", args: []string{"decide", "-f", sampleCampaign, "--request", reqFile, "--now", "tomorrow"},
			wantCode: exitBadInput, wantStderr: "--now must be an RFC 3339 time"},
		{name: "a campaign without a schedule answers at any time",
			args:       withPolicy("--request", reqFile, "--now", "2020-01-01T00:00:00Z"),
			wantPrefix: `{"campaign":"shop/spring-running","personalized":true`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			code, stdout, stderr := runCLI(tt.stdin, tt.args...)
			g.Expect(code).To(Equal(tt.wantCode), stderr)
			if tt.wantCode == exitOK {
				g.Expect(stdout).To(HavePrefix(tt.wantPrefix))
				g.Expect(strings.Count(stdout, "\n")).To(Equal(1), "stdout holds the answer and nothing else")
				g.Expect(stdout).To(MatchRegexp(`"configHash":"[0-9a-f]{16}"}\n$`))
			} else {
				g.Expect(stdout).To(BeEmpty())
			}
			g.Expect(stderr).To(ContainSubstring(tt.wantStderr))
		})
	}
}
