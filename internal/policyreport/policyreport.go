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

// Package policyreport turns the rule engine's verdicts on Campaigns and ConsentPolicies into
// OpenReports `Report` objects (openreports.io/v1alpha1, the successor of the policy working
// group's wgpolicyk8s.io PolicyReport, read by Policy Reporter). It is pure: the controller's
// report writer and `kubectl ethos lint -o policyreport` both call Build, so the cluster and
// CI print the same report.
//
// A namespace gets one Report with one result per object × rule evaluated: `fail` for a
// denial, `warn` for a warning, `pass` for a rule that found nothing, `skip` for a rule that
// could not run (a Campaign's policy-dependent rules while its ConsentPolicy is missing).
// A namespace with more than ObjectsPerReport objects is split into shards by a hash of the
// object's name, so no report outgrows etcd's object size limit and a change to one Campaign
// rewrites one shard.
package policyreport

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"

	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
)

const (
	// Source names Ethos as the producer of every report and result.
	Source = "ethos"
	// BaseName is the name of a namespace's report, and the prefix of its shards' names.
	BaseName = "ethos"
	// LabelManagedBy and ManagedBy mark the reports Ethos owns; the writer lists and deletes
	// only those.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "ethos"
	// ObjectsPerReport is the most objects a shard holds on average: about 19 results of
	// ~400 bytes each per object keeps a full shard near 0.5 MB, under etcd's 1.5 MB.
	ObjectsPerReport = 64
	// PropertyField is the result property holding the finding's field path.
	PropertyField = "field"
	// PropertySeverity is the result property holding the Ethos severity (deny, warning).
	PropertySeverity = "ethosSeverity"

	kindCampaign = "Campaign"
	kindPolicy   = "ConsentPolicy"
)

// Result values of openreports.io/v1alpha1.
const (
	Pass openreportsv1alpha1.Result = "pass"
	Fail openreportsv1alpha1.Result = "fail"
	Warn openreportsv1alpha1.Result = "warn"
	Skip openreportsv1alpha1.Result = "skip"
)

// Subject identifies the checked object.
type Subject struct {
	Kind      string // Campaign or ConsentPolicy
	Namespace string
	Name      string
	UID       types.UID // empty offline (lint)
}

// Finding is one rule's verdict on one field, as the rule engine or lint reports it.
type Finding struct {
	Rule     string          // ETH001, CPL003, SCHEMA
	Name     string          // SensitiveAttribute, ...
	Severity ethics.Severity // deny or warning
	Field    string          // spec.audience.rules[0].attribute
	Message  string          // the canonical "[ETH001 SensitiveAttribute] spec...: ..." line
}

// Check is everything known about one object: its findings, and the rules not evaluated.
// Every other rule of the object's kind passed.
type Check struct {
	Subject  Subject
	Findings []Finding
	// SchemaInvalid marks an object the API server would reject before any rule runs (lint
	// only): its findings are the schema's, and no rule counts as passed.
	SchemaInvalid bool
}

// FromEthics converts the rule engine's findings.
func FromEthics(fs ethics.Findings) []Finding {
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = Finding{Rule: f.Rule, Name: f.RuleName, Severity: f.Severity, Field: f.Field, Message: f.String()}
	}
	return out
}

// CheckCampaign runs the rule engine on a Campaign with its policy (nil when missing). This is
// the one call into internal/ethics, so a change of the engine's API changes one function.
func CheckCampaign(c *ethosv1alpha1.Campaign, policy *ethosv1alpha1.ConsentPolicy) Check {
	fs := FromEthics(ethics.CheckCampaign(c, policy))
	return Check{Subject: SubjectOf(kindCampaign, &c.ObjectMeta), Findings: fs}
}

// CheckConsentPolicy runs the ConsentPolicy rules on a stored policy.
func CheckConsentPolicy(p *ethosv1alpha1.ConsentPolicy) Check {
	return Check{Subject: SubjectOf(kindPolicy, &p.ObjectMeta), Findings: FromEthics(ethics.CheckConsentPolicy(nil, p, nil))}
}

// SubjectOf identifies an object of kind by its metadata.
func SubjectOf(kind string, m *metav1.ObjectMeta) Subject {
	return Subject{Kind: kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID}
}

// Build returns the reports of one namespace for these checks, sorted by name, none when there
// is nothing to report. previous are the reports as they stand: a result that has not changed
// keeps its timestamp, so rebuilding an unchanged namespace gives identical reports (and the
// writer writes nothing); new or changed results get now.
func Build(namespace string, checks []Check, previous []openreportsv1alpha1.Report, now metav1.Timestamp) []openreportsv1alpha1.Report {
	if len(checks) == 0 {
		return nil
	}
	stamps := timestamps(previous)
	shards := ShardCount(len(checks))
	byShard := make([][]openreportsv1alpha1.ReportResult, shards)
	sorted := slices.Clone(checks)
	slices.SortFunc(sorted, func(a, b Check) int {
		return cmp.Or(cmp.Compare(a.Subject.Kind, b.Subject.Kind), cmp.Compare(a.Subject.Name, b.Subject.Name))
	})
	for _, c := range sorted {
		i := shardOf(c.Subject, shards)
		for _, r := range results(c) {
			if ts, ok := stamps[keyOf(&r)]; ok {
				r.Timestamp = ts
			} else {
				r.Timestamp = now
			}
			byShard[i] = append(byShard[i], r)
		}
	}
	var out []openreportsv1alpha1.Report
	for i, rs := range byShard {
		if len(rs) == 0 {
			continue
		}
		out = append(out, openreportsv1alpha1.Report{
			TypeMeta: metav1.TypeMeta{APIVersion: openreportsv1alpha1.SchemeGroupVersion.String(), Kind: "Report"},
			ObjectMeta: metav1.ObjectMeta{
				Name:      ShardName(i, shards),
				Namespace: namespace,
				Labels:    map[string]string{LabelManagedBy: ManagedBy},
			},
			Source:  Source,
			Summary: summarize(rs),
			Results: rs,
		})
	}
	return out
}

// ShardCount is the number of reports for n objects: 1 up to ObjectsPerReport, else the
// power of two that keeps the average at or under it. Powers of two change rarely as a
// namespace grows, and each change only re-deals objects between shards.
func ShardCount(n int) int {
	s := 1
	for s*ObjectsPerReport < n {
		s *= 2
	}
	return s
}

// ShardName is the name of shard i of shards.
func ShardName(i, shards int) string {
	if shards == 1 {
		return BaseName
	}
	return fmt.Sprintf("%s-%d-of-%d", BaseName, i+1, shards)
}

func shardOf(s Subject, shards int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s.Kind + "/" + s.Name))
	return int(h.Sum32() % uint32(shards))
}

// results lists one result per rule of the object's kind, in catalogue order: the findings of
// the rule (one per field), else skip or pass. A pass says only that: passes are most of a
// report's bytes, and `kubectl ethos explain RULE` says what the rule checks.
func results(c Check) []openreportsv1alpha1.ReportResult {
	var out []openreportsv1alpha1.ReportResult
	if c.SchemaInvalid {
		for _, f := range c.Findings {
			out = append(out, result(c.Subject, f.Rule, f.Name, resultOf(f.Severity), severityOf(f.Severity), f.Message, f.Field, f.Severity))
		}
		return out
	}
	for _, rule := range rulesOf(c.Subject.Kind) {
		found := false
		for _, f := range c.Findings {
			if f.Rule == rule.ID {
				found = true
				// A rule not evaluated is rated by what it decides when it runs.
				rated := f.Severity
				if rated == ethics.Skipped {
					rated = rule.Severity
				}
				out = append(out, result(c.Subject, f.Rule, f.Name, resultOf(f.Severity), severityOf(rated), f.Message, f.Field, f.Severity))
			}
		}
		if found {
			continue
		}
		out = append(out, result(c.Subject, rule.ID, rule.Name, Pass, severityOf(rule.Severity),
			"["+rule.ID+" "+rule.Name+"] passed", "", ""))
	}
	// Findings of rules outside the catalogue (none today) still show up, after the others.
	for _, f := range c.Findings {
		if !slices.ContainsFunc(rulesOf(c.Subject.Kind), func(r *ethics.Rule) bool { return r.ID == f.Rule }) {
			out = append(out, result(c.Subject, f.Rule, f.Name, resultOf(f.Severity), severityOf(f.Severity), f.Message, f.Field, f.Severity))
		}
	}
	return out
}

// rulesOf returns the catalogue rules that apply to a kind, without update-only ones.
func rulesOf(kind string) []*ethics.Rule {
	var out []*ethics.Rule
	for _, r := range ethics.Registry {
		if r.Subject() == kind && !r.OnUpdateOnly {
			out = append(out, r)
		}
	}
	return out
}

func result(s Subject, id, name string, res openreportsv1alpha1.Result, sev openreportsv1alpha1.ResultSeverity, msg, fieldPath string, ethosSev ethics.Severity) openreportsv1alpha1.ReportResult {
	r := openreportsv1alpha1.ReportResult{
		Source:      Source,
		Policy:      id,
		Rule:        name,
		Category:    categoryOf(s.Kind),
		Severity:    sev,
		Result:      res,
		Subjects:    []corev1.ObjectReference{{APIVersion: ethosv1alpha1.GroupVersion.String(), Kind: s.Kind, Namespace: s.Namespace, Name: s.Name, UID: s.UID}},
		Description: msg,
	}
	if fieldPath != "" || ethosSev != "" {
		r.Properties = map[string]string{}
		if fieldPath != "" {
			r.Properties[PropertyField] = fieldPath
		}
		if ethosSev != "" {
			r.Properties[PropertySeverity] = ethics.WireSeverity(ethosSev)
		}
	}
	return r
}

func categoryOf(kind string) string {
	if kind == kindPolicy {
		return "Ethos ConsentPolicy rules"
	}
	return "Ethos Campaign rules"
}

func resultOf(s ethics.Severity) openreportsv1alpha1.Result {
	switch s {
	case ethics.Deny:
		return Fail
	case ethics.Skipped:
		return Skip
	}
	return Warn
}

// severityOf maps Ethos severities onto the OpenReports scale: a denial is high (the object
// is refused or Blocked), a warning medium. A rule that can be either ("deny / warning") is
// rated by its worst case.
func severityOf(s ethics.Severity) openreportsv1alpha1.ResultSeverity {
	if s == ethics.Deny {
		return "high"
	}
	return "medium"
}

func summarize(rs []openreportsv1alpha1.ReportResult) openreportsv1alpha1.ReportSummary {
	var s openreportsv1alpha1.ReportSummary
	for _, r := range rs {
		switch r.Result {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
		case Warn:
			s.Warn++
		case Skip:
			s.Skip++
		default:
			s.Error++
		}
	}
	return s
}

// resultKey identifies a result across rebuilds: same object, rule, outcome, field and message.
type resultKey struct {
	kind, name, policy, field, message string
	result                             openreportsv1alpha1.Result
}

func keyOf(r *openreportsv1alpha1.ReportResult) resultKey {
	k := resultKey{policy: r.Policy, field: r.Properties[PropertyField], message: r.Description, result: r.Result}
	if len(r.Subjects) > 0 {
		k.kind, k.name = r.Subjects[0].Kind, r.Subjects[0].Name
	}
	return k
}

func timestamps(reports []openreportsv1alpha1.Report) map[resultKey]metav1.Timestamp {
	m := map[resultKey]metav1.Timestamp{}
	for i := range reports {
		for j := range reports[i].Results {
			r := &reports[i].Results[j]
			m[keyOf(r)] = r.Timestamp
		}
	}
	return m
}
