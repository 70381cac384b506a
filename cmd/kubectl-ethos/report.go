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
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/ethics"
	"github.com/ethos-operator/ethos/internal/manifest"
)

var reportFormats = []string{"markdown", "csv", "html"}

type reportOptions struct {
	files         []string
	cluster       bool
	allNamespaces bool
	output        string
	config        *genericclioptions.ConfigFlags
}

func newReportCmd() *cobra.Command {
	o := &reportOptions{config: genericclioptions.NewConfigFlags(true)}
	cmd := &cobra.Command{
		Use:   "report (-f FILE|DIR|- ... | --cluster) [-n NAMESPACE | -A] [-o markdown|csv|html]",
		Short: "Print the GDPR Art. 30 record of processing activities of ConsentPolicies and Campaigns",
		Long: `report prints the record of processing activities (GDPR Article 30) that the ConsentPolicies
and Campaigns describe: per purpose its description, legal basis, data classes, retention, third
parties, jurisdictions and Global Privacy Control / withdrawal settings, and per Campaign its
status, the attributes it reads with their stated reason, its channel and schedule.

Input is YAML files (-f, as for lint) or the cluster of the current kubeconfig context
(--cluster). Output is sorted, so it diffs cleanly in Git: Markdown (default), CSV (one row per
Campaign attribute) or one self-contained HTML page.`,
		Example: "  kubectl ethos report -f config/samples/ > record.md\n  kubectl ethos report --cluster -A -o html > record.html",
		RunE: func(cmd *cobra.Command, args []string) error {
			paths := append(slices.Clone(o.files), args...)
			if o.cluster == (len(paths) > 0) {
				return usageError("choose one input: files with -f (or - for stdin), or --cluster")
			}
			if !slices.Contains(reportFormats, o.output) {
				return usageError("unsupported output %q: use one of %s", o.output, strings.Join(reportFormats, ", "))
			}
			var rec *record
			if o.cluster {
				var err error
				if rec, err = o.fromCluster(cmd.Context()); err != nil {
					return &exitError{code: exitBadInput, err: err}
				}
			} else {
				ns := "default"
				if *o.config.Namespace != "" {
					ns = *o.config.Namespace
				}
				set, err := manifest.Load(cmd.Context(), paths, manifest.Options{Namespace: ns, Stdin: cmd.InOrStdin()})
				if err != nil {
					return &exitError{code: exitBadInput, err: err}
				}
				rec = fromFiles(set)
			}
			return writeRecord(cmd.OutOrStdout(), o.output, rec)
		},
	}
	cmd.Flags().StringArrayVarP(&o.files, "filename", "f", nil, "file, directory or - (stdin) to read; repeatable")
	cmd.Flags().BoolVar(&o.cluster, "cluster", false, "read the ConsentPolicies and Campaigns of the cluster instead of files")
	cmd.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "with --cluster: every namespace")
	cmd.Flags().StringVarP(&o.output, "output", "o", "markdown", "output format: markdown, csv or html")
	cmd.Flags().StringVar(o.config.KubeConfig, "kubeconfig", "", "path to the kubeconfig file (with --cluster)")
	cmd.Flags().StringVar(o.config.Context, "context", "", "kubeconfig context to use (with --cluster)")
	cmd.Flags().StringVarP(o.config.Namespace, "namespace", "n", "", "namespace: of objects without one (files, default \"default\"), or to read (--cluster, default the context's)")
	return cmd
}

// fromCluster lists the ConsentPolicies and Campaigns of one namespace (or all with -A).
func (o *reportOptions) fromCluster(ctx context.Context) (*record, error) {
	cfg, err := o.config.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("failed to load the kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: reportScheme()})
	if err != nil {
		return nil, fmt.Errorf("failed to create a client: %w", err)
	}
	var opts []client.ListOption
	if !o.allNamespaces {
		ns, _, err := o.config.ToRawKubeConfigLoader().Namespace()
		if err != nil {
			return nil, fmt.Errorf("failed to find the namespace: %w", err)
		}
		opts = append(opts, client.InNamespace(ns))
	}
	var policies ethosv1alpha1.ConsentPolicyList
	if err := c.List(ctx, &policies, opts...); err != nil {
		return nil, fmt.Errorf("failed to list ConsentPolicies: %w", err)
	}
	var campaigns ethosv1alpha1.CampaignList
	if err := c.List(ctx, &campaigns, opts...); err != nil {
		return nil, fmt.Errorf("failed to list Campaigns: %w", err)
	}
	ps := make([]*ethosv1alpha1.ConsentPolicy, len(policies.Items))
	for i := range policies.Items {
		ps[i] = &policies.Items[i]
	}
	cs := make([]campaignInput, len(campaigns.Items))
	for i := range campaigns.Items {
		c := &campaigns.Items[i]
		cs[i] = campaignInput{c: c, status: clusterStatus(c)}
	}
	return buildRecord(ps, cs, "cluster"), nil
}

// clusterStatus is the Campaign's phase and readiness as the controller reports them.
func clusterStatus(c *ethosv1alpha1.Campaign) string {
	phase := string(c.Status.Phase)
	if phase == "" {
		phase = "Pending"
	}
	for _, cond := range c.Status.Conditions {
		if cond.Type == ethosv1alpha1.ConditionReady {
			return phase + " (Ready=" + string(cond.Status) + ")"
		}
	}
	return phase
}

// fromFiles reads the record from lint's input. A Campaign's status is what admission would
// say: admitted (with warnings) or denied, with the rule IDs.
func fromFiles(set *manifest.Set) *record {
	var ps []*ethosv1alpha1.ConsentPolicy
	var cs []campaignInput
	for _, o := range set.Objects {
		switch {
		case o.Policy != nil && len(o.SchemaErrors) == 0:
			ps = append(ps, o.Policy)
		case o.Campaign != nil:
			status := "Invalid (schema)"
			if len(o.SchemaErrors) == 0 {
				status = fileStatus(ethics.CheckCampaign(o.Campaign, set.Policy(o.Namespace, o.Campaign.Spec.ConsentPolicyRef.Name)))
			}
			cs = append(cs, campaignInput{c: o.Campaign, status: status})
		}
	}
	return buildRecord(ps, cs, "files")
}

func fileStatus(fs ethics.Findings) string {
	switch {
	case fs.HasDenials():
		var ids []string
		for _, f := range fs {
			if f.Severity == ethics.Deny && !slices.Contains(ids, f.Rule) {
				ids = append(ids, f.Rule)
			}
		}
		return "Would be denied (" + strings.Join(ids, ", ") + ")"
	case len(fs) > 0:
		return "Would be admitted with warnings (" + strings.Join(fs.Rules(), ", ") + ")"
	}
	return "Would be admitted"
}

// record is the record of processing activities: one entry per ConsentPolicy, sorted by
// namespace and name, each purpose with the Campaigns that process data for it.
type record struct {
	Source    string // "files" or "cluster"
	Policies  []policyEntry
	Orphans   []campaignEntry // Campaigns whose policy or purpose is not in the input
	Campaigns int
}

type policyEntry struct {
	Namespace, Name string
	Jurisdictions   []string
	DefaultConsent  string
	GPC             string // "honoured; withdraws: ad-retargeting" or "not honoured"
	Withdrawal      string // "1 step to withdraw, 1 to grant"
	Purposes        []purposeEntry
}

type purposeEntry struct {
	Name, Description, LegalBasis, Retention string
	DataClasses                              []string
	TCFPurposes                              []string
	ThirdParties                             []string // "adsx (AdPlatform)"
	GPCWithdraws                             bool
	Campaigns                                []campaignEntry
}

type campaignEntry struct {
	Namespace, Name, Policy, Purpose string
	Status, Channel, Schedule        string
	Attributes                       []attributeEntry
}

type attributeEntry struct {
	Attribute, Class, Use, Reason string
}

type campaignInput struct {
	c      *ethosv1alpha1.Campaign
	status string
}

func buildRecord(policies []*ethosv1alpha1.ConsentPolicy, campaigns []campaignInput, source string) *record {
	rec := &record{Source: source, Campaigns: len(campaigns)}
	slices.SortFunc(policies, func(a, b *ethosv1alpha1.ConsentPolicy) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(campaigns, func(a, b campaignInput) int {
		return cmp.Or(cmp.Compare(a.c.Namespace, b.c.Namespace), cmp.Compare(a.c.Name, b.c.Name))
	})
	index := map[string]*purposeEntry{}
	for _, p := range policies {
		pe := policyEntry{Namespace: p.Namespace, Name: p.Name, DefaultConsent: string(p.Spec.DefaultConsent),
			GPC: "not honoured", Withdrawal: "not stated"}
		for _, j := range p.Spec.Jurisdictions {
			pe.Jurisdictions = append(pe.Jurisdictions, string(j))
		}
		gpc := p.Spec.GlobalPrivacyControl
		if gpc != nil && gpc.Honor {
			pe.GPC = "honoured"
			if len(gpc.OptsOutOf) > 0 {
				pe.GPC += "; withdraws " + strings.Join(gpc.OptsOutOf, ", ")
			}
		}
		if w := p.Spec.Withdrawal; w != nil {
			pe.Withdrawal = fmt.Sprintf("%s to withdraw, %s to grant", steps(w.MaxSteps), steps(w.GrantSteps))
		}
		for _, pu := range p.Spec.Purposes {
			e := purposeEntry{Name: pu.Name, Description: pu.Description, LegalBasis: string(pu.LegalBasis), Retention: pu.Retention,
				GPCWithdraws: gpc != nil && gpc.Honor && slices.Contains(gpc.OptsOutOf, pu.Name)}
			for _, d := range pu.DataClasses {
				e.DataClasses = append(e.DataClasses, string(d))
			}
			for _, t := range pu.TCFPurposes {
				e.TCFPurposes = append(e.TCFPurposes, fmt.Sprint(t))
			}
			for _, t := range pu.ThirdParties {
				e.ThirdParties = append(e.ThirdParties, t.Name+" ("+string(t.Type)+")")
			}
			slices.Sort(e.ThirdParties)
			pe.Purposes = append(pe.Purposes, e)
		}
		slices.SortFunc(pe.Purposes, func(a, b purposeEntry) int { return cmp.Compare(a.Name, b.Name) })
		rec.Policies = append(rec.Policies, pe)
	}
	for i := range rec.Policies {
		pe := &rec.Policies[i]
		for j := range pe.Purposes {
			index[pe.Namespace+"/"+pe.Name+"/"+pe.Purposes[j].Name] = &pe.Purposes[j]
		}
	}
	for _, in := range campaigns {
		ce := campaignEntryOf(in)
		if e, ok := index[ce.Namespace+"/"+ce.Policy+"/"+ce.Purpose]; ok {
			e.Campaigns = append(e.Campaigns, ce)
		} else {
			rec.Orphans = append(rec.Orphans, ce)
		}
	}
	return rec
}

func steps(n int32) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}

func campaignEntryOf(in campaignInput) campaignEntry {
	c := in.c
	ce := campaignEntry{Namespace: c.Namespace, Name: c.Name, Policy: c.Spec.ConsentPolicyRef.Name, Purpose: c.Spec.Purpose,
		Status: in.status, Channel: string(c.Spec.Channel), Schedule: "always"}
	if ce.Channel == "" {
		ce.Channel = string(ethosv1alpha1.ChannelWeb)
	}
	if c.Spec.Suspend {
		ce.Status += ", suspended"
	}
	if s := c.Spec.Schedule; s != nil {
		from, to := "", ""
		if s.Start != nil {
			from = s.Start.UTC().Format(time.RFC3339)
		}
		if s.End != nil {
			to = s.End.UTC().Format(time.RFC3339)
		}
		switch {
		case from != "" && to != "":
			ce.Schedule = from + " to " + to
		case from != "":
			ce.Schedule = "from " + from
		case to != "":
			ce.Schedule = "until " + to
		}
	}
	for _, d := range c.Spec.DataUsage {
		class := string(d.Class)
		if class == "" {
			if cl := ethics.ClassifyName(d.Attribute); cl.Class != "" {
				class = string(cl.Class) + " (dictionary)"
			} else {
				class = "not stated"
			}
		}
		ce.Attributes = append(ce.Attributes, attributeEntry{Attribute: d.Attribute, Class: class, Use: d.Use, Reason: d.Description})
	}
	slices.SortFunc(ce.Attributes, func(a, b attributeEntry) int { return cmp.Compare(a.Attribute, b.Attribute) })
	return ce
}

func reportScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = ethosv1alpha1.AddToScheme(s)
	return s
}
