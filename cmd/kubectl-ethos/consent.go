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
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/consent"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/manifest"
)

type consentDecodeOptions struct {
	files     []string
	namespace string
	policy    string
	now       string
	gppSid    string
	output    string
}

// newConsentCmd is `kubectl ethos consent`, for now only `decode`.
func newConsentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "consent",
		Short: "Inspect consent signals (TC and GPP strings) against a ConsentPolicy",
	}
	cmd.AddCommand(newConsentDecodeCmd())
	return cmd
}

func newConsentDecodeCmd() *cobra.Command {
	o := &consentDecodeOptions{}
	cmd := &cobra.Command{
		Use:   "decode STRING -f POLICY.yaml [--policy NAME]",
		Short: "Say what a TC or GPP string grants in terms of a ConsentPolicy's purposes",
		Long: `decode reads an IAB TCF v2 TC string (it starts with C) or a GPP string (it starts with D)
and prints, for every purpose of the ConsentPolicy, what the decision engine derives from it
alone: granted, denied, unknown (a string the engine cannot use: malformed, truncated, of
another version, outside the policy's TCF policy versions or older than its consentMaxAge)
or not read (the purpose maps nothing the string carries), and why.
Exit 0 when the string was evaluated, 2 on bad input.`,
		Example: `  kubectl ethos consent decode CQ...AAAA -f config/samples/01-consentpolicy-eu-web.yaml
  kubectl ethos consent decode 'DBABLA~BVQqAAAAAgA.QA' -f policy.yaml --gpp-sid 7 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsentDecode(cmd, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "file or directory holding the ConsentPolicy, or - for stdin (repeatable)")
	f.StringVarP(&o.namespace, "namespace", "n", "default", "namespace of objects without metadata.namespace")
	f.StringVar(&o.policy, "policy", "", "name of the ConsentPolicy when the input holds several")
	f.StringVar(&o.now, "now", "", "time (RFC 3339) the string's age is measured at; default the current time")
	f.StringVar(&o.gppSid, "gpp-sid", "", `GPP section ids that apply, as CMPs pass them ("2,7"); default every section`)
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// decodedString is what the string itself says, before any policy.
type decodedString struct {
	Format        string    `json:"format"`
	Error         string    `json:"error,omitempty"`
	PolicyVersion int       `json:"tcfPolicyVersion,omitempty"`
	Created       time.Time `json:"created,omitzero"`
	CmpID         int       `json:"cmpId,omitempty"`
	Sections      []int     `json:"gppSections,omitempty"`
}

type purposeVerdict struct {
	Purpose string `json:"purpose"`
	// State is granted, denied, unknown or notRead.
	State string `json:"state"`
	Why   string `json:"why"`
}

type consentDecodeOutput struct {
	Policy   string           `json:"policy"`
	String   decodedString    `json:"string"`
	Purposes []purposeVerdict `json:"purposes"`
}

func runConsentDecode(cmd *cobra.Command, o *consentDecodeOptions, s string) error {
	switch {
	case len(o.files) == 0:
		return usageError("-f POLICY.yaml is required")
	case o.output != "text" && o.output != "json":
		return usageError("unsupported output format %q: text or json", o.output)
	case len(s) > wire.MaxConsentStringBytes:
		return usageError("the string is longer than the %d bytes the engine accepts", wire.MaxConsentStringBytes)
	}
	at := time.Now()
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return usageError("--now must be an RFC 3339 time such as 2027-03-15T12:00:00Z: %v", err)
		}
		at = t
	}
	req := wire.Consent{}
	if strings.HasPrefix(s, "D") {
		req.GPP = s
	} else {
		req.TCString = s
	}
	if o.gppSid != "" {
		b, _ := json.Marshal(map[string]string{wire.ConsentKeyGPPSid: o.gppSid})
		c, err := wire.DecodeConsent(b)
		if err != nil {
			return usageError("--gpp-sid: %v", err)
		}
		req.GPPSid = c.GPPSid
	}
	set, err := manifest.Load(cmd.Context(), o.files, manifest.Options{Namespace: o.namespace, Stdin: cmd.InOrStdin()})
	if err != nil {
		return usageError("%v", err)
	}
	policy, err := pickPolicy(set, o.policy)
	if err != nil {
		return err
	}
	out := consentDecodeOutput{Policy: policy.Namespace + "/" + policy.Name, String: describeString(&req)}
	for i := range policy.Spec.Purposes {
		out.Purposes = append(out.Purposes, verdict(policy, &policy.Spec.Purposes[i], &req, at))
	}
	w := cmd.OutOrStdout()
	if o.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeConsentText(w, &out)
}

func pickPolicy(set *manifest.Set, name string) (*ethosv1alpha1.ConsentPolicy, error) {
	var all, matches []*manifest.Object
	for _, o := range set.Objects {
		if o.Policy == nil {
			continue
		}
		all = append(all, o)
		if name == "" || o.Name == name || o.Namespace+"/"+o.Name == name {
			matches = append(matches, o)
		}
	}
	names := make([]string, 0, len(all))
	for _, o := range all {
		names = append(names, "  "+o.Namespace+"/"+o.Name+"\t("+o.Where()+")")
	}
	switch {
	case len(all) == 0:
		return nil, usageError("the input holds no ConsentPolicy")
	case len(matches) == 0:
		return nil, usageError("no ConsentPolicy named %q in the input; choose one of:\n%s", name, strings.Join(names, "\n"))
	case len(matches) > 1:
		return nil, usageError("the input holds %d ConsentPolicies; choose one with --policy NAME:\n%s", len(matches), strings.Join(names, "\n"))
	case len(matches[0].SchemaErrors) > 0:
		return nil, usageError("ConsentPolicy %s/%s does not pass the CRD schema: %v", matches[0].Namespace, matches[0].Name, matches[0].SchemaErrors.ToAggregate())
	}
	return matches[0].Policy, nil
}

func describeString(c *wire.Consent) decodedString {
	if c.GPP != "" {
		d := decodedString{Format: "gpp"}
		g, cause := consent.ParseGPP(c.GPP)
		if cause != consent.CauseNone {
			d.Error = cause.Describe(consent.FormatGPP)
			return d
		}
		d.Sections = g.Sections()
		return d
	}
	d := decodedString{Format: "tcf"}
	tc, cause := consent.ParseTC(c.TCString)
	if cause != consent.CauseNone {
		d.Error = cause.Describe(consent.FormatTCF)
		return d
	}
	d.PolicyVersion, d.Created, d.CmpID = tc.PolicyVersion, tc.Created.UTC(), tc.CmpID
	return d
}

// verdict derives the purpose's consent from the string alone, as the engine does.
func verdict(policy *ethosv1alpha1.ConsentPolicy, p *ethosv1alpha1.Purpose, c *wire.Consent, at time.Time) purposeVerdict {
	v := purposeVerdict{Purpose: p.Name, State: "notRead"}
	rules, err := consent.NewRules(compile.ConsentSignals(policy, p))
	if err != nil {
		v.State, v.Why = "unknown", err.Error()
		return v
	}
	res := rules.Derive(c, at)
	switch {
	case res.GPP == consent.StateDenied:
		v.State = "denied"
		v.Why = fmt.Sprintf("GPP section %d records a sale, sharing or targeted-advertising opt-out, which withdraws this purpose (globalPrivacyControl.optsOutOf)", res.GPPSection)
	case res.TCF == consent.StateDenied && res.TCFVendor != 0 && res.TCFPurpose != 0:
		v.State = "denied"
		v.Why = fmt.Sprintf("the publisher restricts vendor %s (TCF vendor %d) for TCF purpose %d",
			vendorName(p, res.TCFVendor), res.TCFVendor, res.TCFPurpose)
	case res.TCF == consent.StateDenied && res.TCFVendor != 0:
		v.State = "denied"
		v.Why = fmt.Sprintf("vendor %s (TCF vendor %d) has no %s", vendorName(p, res.TCFVendor), res.TCFVendor, basisWord(p))
	case res.TCF == consent.StateDenied:
		v.State = "denied"
		v.Why = fmt.Sprintf("TCF purpose %d has no %s", res.TCFPurpose, basisWord(p))
	case res.TCF == consent.StateUnknown:
		v.State, v.Why = "unknown", res.TCFCause.Describe(consent.FormatTCF)
	case res.GPP == consent.StateUnknown:
		v.State, v.Why = "unknown", res.GPPCause.Describe(consent.FormatGPP)
	case res.TCF == consent.StateGranted:
		v.State = "granted"
		v.Why = fmt.Sprintf("TCF purposes %s have %s", joinInts(p.TCFPurposes), basisWord(p))
		if n := vendorCount(p); n > 0 {
			v.Why += fmt.Sprintf(", and its %d TCF vendor(s) too", n)
		}
	case res.GPPGPC:
		v.Why = "the GPP string carries Global Privacy Control; it withdraws the purpose when the policy honours GPC"
	case rules == nil:
		v.Why = "the purpose maps no TCF purpose, TCF vendor or GPP opt-out"
	case c.GPP != "":
		v.Why = "no applicable GPP section opts out, and the string carries no TC string the purpose reads; the policy default applies"
	default:
		v.Why = "the purpose maps no TCF purpose or vendor; the string says nothing about it"
	}
	if res.TCFFromGPP && v.State != "notRead" {
		v.Why += " (TC string of the GPP string's TCF EU section)"
	}
	return v
}

func basisWord(p *ethosv1alpha1.Purpose) string {
	if p.LegalBasis == ethosv1alpha1.LegalBasisLegitimateInterest {
		return "legitimate-interest signal (no objection; purposes 3–6 need consent)"
	}
	return "consent"
}

func vendorName(p *ethosv1alpha1.Purpose, id int) string {
	for _, t := range p.ThirdParties {
		if t.TCFVendorID != nil && int(*t.TCFVendorID) == id {
			return t.Name
		}
	}
	return "?"
}

func vendorCount(p *ethosv1alpha1.Purpose) int {
	n := 0
	for _, t := range p.ThirdParties {
		if t.TCFVendorID != nil {
			n++
		}
	}
	return n
}

func joinInts(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

func writeConsentText(w io.Writer, out *consentDecodeOutput) error {
	d := out.String
	switch {
	case d.Error != "":
		fmt.Fprintf(w, "String: %s\n", d.Error)
	case d.Format == "tcf":
		fmt.Fprintf(w, "TC string: TCF policy version %d, created %s, CMP %d\n", d.PolicyVersion, d.Created.Format(time.RFC3339), d.CmpID)
	default:
		fmt.Fprintf(w, "GPP string: sections %s\n", strings.Trim(fmt.Sprint(d.Sections), "[]"))
	}
	fmt.Fprintf(w, "Policy %s:\n", out.Policy)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PURPOSE\tSTATE\tWHY")
	for _, v := range out.Purposes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Purpose, v.State, v.Why)
	}
	return tw.Flush()
}
