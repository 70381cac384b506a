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

package policyreport

import (
	"fmt"
	"reflect"
	"testing"

	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
)

var (
	t0 = metav1.Timestamp{Seconds: 1000}
	t1 = metav1.Timestamp{Seconds: 2000}
)

func campaign(name string, fs ...Finding) Check {
	return Check{Subject: Subject{Kind: kindCampaign, Namespace: "shop", Name: name, UID: "uid-name"}, Findings: fs}
}

var (
	eth001 = Finding{Rule: ethics.ETH001, Name: "SensitiveAttribute", Severity: ethics.Deny,
		Field: "spec.audience.rules[0].attribute", Message: "[ETH001 SensitiveAttribute] spec.audience.rules[0].attribute: age"}
	eth001b = Finding{Rule: ethics.ETH001, Name: "SensitiveAttribute", Severity: ethics.Deny,
		Field: "spec.dataUsage[1].attribute", Message: "[ETH001 SensitiveAttribute] spec.dataUsage[1].attribute: age"}
	eth016 = Finding{Rule: ethics.ETH016, Name: "NoControlGroup", Severity: ethics.Warning,
		Field: "spec.controlGroup", Message: "[ETH016 NoControlGroup] spec.controlGroup: none"}
	eth008skip = Finding{Rule: ethics.ETH008, Name: "PurposeNotInPolicy", Severity: ethics.Skipped,
		Field: "spec.consentPolicyRef.name", Message: "[ETH008 PurposeNotInPolicy] spec.consentPolicyRef.name: not evaluated"}
	eth009skip = Finding{Rule: ethics.ETH009, Name: "ClassNotCoveredByPurpose", Severity: ethics.Skipped,
		Field: "spec.consentPolicyRef.name", Message: "[ETH009 ClassNotCoveredByPurpose] spec.consentPolicyRef.name: not evaluated"}
	eth018 = Finding{Rule: ethics.ETH018, Name: "PolicyNotFound", Severity: ethics.Warning,
		Field: "spec.consentPolicyRef.name", Message: "[ETH018 PolicyNotFound] spec.consentPolicyRef.name: eu-web"}
)

// outcome is a result reduced to what the tables compare.
type outcome struct {
	Name, Policy, Result, Field string
}

func outcomes(r openreportsv1alpha1.Report) []outcome {
	var out []outcome
	for _, res := range r.Results {
		out = append(out, outcome{res.Subjects[0].Name, res.Policy, string(res.Result), res.Properties[PropertyField]})
	}
	return out
}

// passes lists the pass outcomes of a Campaign for rule IDs from..to except the listed ones.
func campaignOutcomes(name string, special map[string][]outcome) []outcome {
	var out []outcome
	for _, r := range rulesOf(kindCampaign) {
		if o, ok := special[r.ID]; ok {
			out = append(out, o...)
			continue
		}
		out = append(out, outcome{name, r.ID, "pass", ""})
	}
	return out
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name        string
		checks      []Check
		wantResults []outcome
		wantSummary openreportsv1alpha1.ReportSummary
	}{{
		name:        "compliant Campaign passes every Campaign rule",
		checks:      []Check{campaign("spring")},
		wantResults: campaignOutcomes("spring", nil),
		wantSummary: openreportsv1alpha1.ReportSummary{Pass: 21},
	}, {
		name:   "one result per finding, in rule order, warnings as warn",
		checks: []Check{campaign("seniors", eth016, eth001b, eth001)},
		wantResults: campaignOutcomes("seniors", map[string][]outcome{
			ethics.ETH001: {{"seniors", "ETH001", "fail", "spec.dataUsage[1].attribute"}, {"seniors", "ETH001", "fail", "spec.audience.rules[0].attribute"}},
			ethics.ETH016: {{"seniors", "ETH016", "warn", "spec.controlGroup"}},
		}),
		wantSummary: openreportsv1alpha1.ReportSummary{Pass: 19, Fail: 2, Warn: 1},
	}, {
		name:   "missing policy skips the rules that need it",
		checks: []Check{campaign("orphan", eth018, eth008skip, eth009skip)},
		wantResults: campaignOutcomes("orphan", map[string][]outcome{
			ethics.ETH008: {{"orphan", "ETH008", "skip", "spec.consentPolicyRef.name"}},
			ethics.ETH009: {{"orphan", "ETH009", "skip", "spec.consentPolicyRef.name"}},
			ethics.ETH018: {{"orphan", "ETH018", "warn", "spec.consentPolicyRef.name"}},
		}),
		wantSummary: openreportsv1alpha1.ReportSummary{Pass: 18, Warn: 1, Skip: 2},
	}, {
		name: "objects sorted by kind then name; policies get CPL rules without CPL008",
		checks: []Check{campaign("b"), {Subject: Subject{Kind: kindPolicy, Namespace: "shop", Name: "eu-web"}},
			campaign("a")},
		wantResults: append(append(campaignOutcomes("a", nil), campaignOutcomes("b", nil)...),
			outcome{"eu-web", "CPL001", "pass", ""}, outcome{"eu-web", "CPL002", "pass", ""}, outcome{"eu-web", "CPL003", "pass", ""},
			outcome{"eu-web", "CPL004", "pass", ""}, outcome{"eu-web", "CPL005", "pass", ""}, outcome{"eu-web", "CPL006", "pass", ""},
			outcome{"eu-web", "CPL007", "pass", ""}, outcome{"eu-web", "CPL009", "pass", ""},
			outcome{"eu-web", "CPL010", "pass", ""}, outcome{"eu-web", "CPL011", "pass", ""}),
		wantSummary: openreportsv1alpha1.ReportSummary{Pass: 52},
	}, {
		name: "schema-invalid object reports only its schema findings",
		checks: []Check{{Subject: Subject{Kind: kindCampaign, Namespace: "shop", Name: "broken"}, SchemaInvalid: true,
			Findings: []Finding{{Rule: "SCHEMA", Name: "SchemaViolation", Severity: ethics.Deny, Field: "spec.channel", Message: "[SCHEMA SchemaViolation] spec.channel: Unsupported value"}}}},
		wantResults: []outcome{{"broken", "SCHEMA", "fail", "spec.channel"}},
		wantSummary: openreportsv1alpha1.ReportSummary{Fail: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := Build("shop", tt.checks, nil, t0)
			if len(reports) != 1 {
				t.Fatalf("got %d reports, want 1", len(reports))
			}
			r := reports[0]
			if r.Name != "ethos" || r.Namespace != "shop" || r.Source != "ethos" || r.Labels[LabelManagedBy] != "ethos" ||
				r.APIVersion != "openreports.io/v1alpha1" || r.Kind != "Report" {
				t.Errorf("report identity = %s/%s source %q labels %v %s %s", r.Namespace, r.Name, r.Source, r.Labels, r.APIVersion, r.Kind)
			}
			if got := outcomes(r); !reflect.DeepEqual(got, tt.wantResults) {
				t.Errorf("results:\n got %v\nwant %v", got, tt.wantResults)
			}
			if r.Summary != tt.wantSummary {
				t.Errorf("summary = %+v, want %+v", r.Summary, tt.wantSummary)
			}
		})
	}
}

func TestBuildResultFields(t *testing.T) {
	r := Build("shop", []Check{campaign("seniors", eth001), campaign("orphan", eth018, eth009skip)}, nil, t0)[0]
	want := openreportsv1alpha1.ReportResult{
		Source: "ethos", Policy: "ETH001", Rule: "SensitiveAttribute", Category: "Ethos Campaign rules",
		Severity: "high", Timestamp: t0, Result: "fail",
		Subjects:    r.Results[0].Subjects,
		Description: eth001.Message,
		Properties:  map[string]string{"field": "spec.audience.rules[0].attribute", "ethosSeverity": "deny"},
	}
	// orphan sorts before seniors: find seniors' ETH001.
	var got openreportsv1alpha1.ReportResult
	for _, res := range r.Results {
		if res.Subjects[0].Name == "seniors" && res.Policy == "ETH001" {
			got = res
		}
	}
	want.Subjects = got.Subjects
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fail result:\n got %+v\nwant %+v", got, want)
	}
	s := got.Subjects[0]
	if s.APIVersion != "personalization.ethos.dev/v1alpha1" || s.Kind != "Campaign" || s.Namespace != "shop" || s.Name != "seniors" || s.UID != "uid-name" {
		t.Errorf("subject = %+v", s)
	}
	pass := r.Results[0]
	if pass.Policy != "ETH001" || pass.Result != "pass" || pass.Severity != "high" || pass.Properties != nil ||
		pass.Description != "[ETH001 SensitiveAttribute] passed" {
		t.Errorf("pass result = %+v", pass)
	}
	var skip openreportsv1alpha1.ReportResult
	for _, res := range r.Results {
		if res.Subjects[0].Name == "orphan" && res.Policy == "ETH009" {
			skip = res
		}
	}
	if skip.Result != "skip" || skip.Description != eth009skip.Message || skip.Severity != "high" {
		t.Errorf("skip result = %+v", skip)
	}
}

func TestBuildKeepsTimestampsOfUnchangedResults(t *testing.T) {
	first := Build("shop", []Check{campaign("a"), campaign("b")}, nil, t0)
	same := Build("shop", []Check{campaign("a"), campaign("b")}, first, t1)
	if !reflect.DeepEqual(first, same) {
		t.Fatalf("rebuilding unchanged checks changed the report")
	}
	changed := Build("shop", []Check{campaign("a", eth016), campaign("b")}, first, t1)[0]
	for _, res := range changed.Results {
		want := t0
		if res.Subjects[0].Name == "a" && res.Policy == ethics.ETH016 {
			want = t1
		}
		if res.Timestamp != want {
			t.Errorf("%s %s %s: timestamp %v, want %v", res.Subjects[0].Name, res.Policy, res.Result, res.Timestamp, want)
		}
	}
}

func TestBuildNothingToReport(t *testing.T) {
	if got := Build("shop", nil, nil, t0); got != nil {
		t.Errorf("Build(no checks) = %v, want nil", got)
	}
}

func TestShards(t *testing.T) {
	for _, tt := range []struct{ n, shards int }{{1, 1}, {64, 1}, {65, 2}, {128, 2}, {129, 4}, {1000, 16}} {
		if got := ShardCount(tt.n); got != tt.shards {
			t.Errorf("ShardCount(%d) = %d, want %d", tt.n, got, tt.shards)
		}
	}
	var checks []Check
	for i := range 1000 {
		checks = append(checks, campaign(fmt.Sprintf("c%04d", i)))
	}
	reports := Build("shop", checks, nil, t0)
	if len(reports) != 16 {
		t.Fatalf("1,000 Campaigns: %d reports, want 16", len(reports))
	}
	seen, total := map[string]bool{}, 0
	for i, r := range reports {
		if want := fmt.Sprintf("ethos-%d-of-16", i+1); r.Name != want {
			t.Errorf("report %d named %s, want %s", i, r.Name, want)
		}
		for _, res := range r.Results {
			seen[res.Subjects[0].Name] = true
		}
		total += r.Summary.Pass
		if n := len(r.Results) / 19; n > 2*ObjectsPerReport {
			t.Errorf("%s holds %d Campaigns, more than twice the average", r.Name, n)
		}
	}
	if len(seen) != 1000 || total != 21000 {
		t.Errorf("shards hold %d Campaigns and %d passes, want 1000 and 21000", len(seen), total)
	}
	// Adding one Campaign changes one shard only.
	more := Build("shop", append(checks, campaign("c1000")), reports, t1)
	changed := 0
	for i := range more {
		if !reflect.DeepEqual(more[i], reports[i]) {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("adding a Campaign changed %d shards, want 1", changed)
	}
}

func TestCheckCampaignUsesTheRuleEngine(t *testing.T) {
	c := &ethosv1alpha1.Campaign{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "orphan", UID: "u1"},
		Spec: ethosv1alpha1.CampaignSpec{ConsentPolicyRef: ethosv1alpha1.PolicyReference{Name: "eu-web"}, Purpose: "personalization"}}
	got := CheckCampaign(c, nil)
	if got.Subject != (Subject{Kind: "Campaign", Namespace: "shop", Name: "orphan", UID: "u1"}) {
		t.Errorf("subject = %+v", got.Subject)
	}
	want := ethics.CheckCampaign(c, nil)
	skipped := 0
	for _, f := range got.Findings {
		if f.Severity == ethics.Skipped {
			skipped++
		}
	}
	// Without its policy: ETH008 and ETH009 (no purposes to check against) are not evaluated.
	if !reflect.DeepEqual(got.Findings, FromEthics(want)) || skipped != 2 {
		t.Errorf("findings = %v, %d skipped; want the engine's %v with 2 skipped", got.Findings, skipped, want.Rules())
	}
}
