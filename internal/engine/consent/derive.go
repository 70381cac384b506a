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

package consent

import (
	"fmt"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// State is what one signal says about a purpose, from least to most restrictive.
type State uint8

// States.
const (
	// StateNone: the signal is absent or says nothing about the purpose.
	StateNone State = iota
	// StateGranted: the signal grants the purpose.
	StateGranted
	// StateUnknown: a string was given but cannot be used (malformed, truncated, wrong
	// version, stale); it never grants.
	StateUnknown
	// StateDenied: the signal refuses (or, for GPP, opts out of) the purpose.
	StateDenied
)

func (s State) String() string {
	return [...]string{"none", "granted", "unknown", "denied"}[s]
}

// Rules are a purpose's ConsentSignals, checked and ready to derive from.
type Rules struct {
	tcf          *document.TCFConsent
	maxAge       time.Duration
	gppWithdraws bool
	mode         []wire.ConsentModeSignal
}

// NewRules checks a document's ConsentSignals; nil gives nil Rules (no signal is read).
func NewRules(s *document.ConsentSignals) (*Rules, error) {
	if s == nil {
		return nil, nil
	}
	r := &Rules{gppWithdraws: s.GPPOptOutWithdraws}
	if t := s.TCF; t != nil {
		for i, p := range t.Purposes {
			if p.ID < 1 || p.ID > 11 {
				return nil, fmt.Errorf("tcf.purposes[%d].id: must be 1 to 11, got %d", i, p.ID)
			}
			if p.Basis != document.TCFBasisConsent && p.Basis != document.TCFBasisLegitimateInterest {
				return nil, fmt.Errorf("tcf.purposes[%d].basis: must be Consent or LegitimateInterest, got %q", i, p.Basis)
			}
		}
		for i, v := range t.Vendors {
			if !validVendor(int(v.ID)) {
				return nil, fmt.Errorf("tcf.vendors[%d].id: must be 1 to 65535, got %d", i, v.ID)
			}
		}
		if t.MaxAgeSeconds < 0 {
			return nil, fmt.Errorf("tcf.maxAgeSeconds: must not be negative")
		}
		r.tcf, r.maxAge = t, time.Duration(t.MaxAgeSeconds)*time.Second
	}
	for i, name := range s.ConsentModeSignals {
		j := -1
		for k, n := range wire.ConsentModeSignals {
			if n == name {
				j = k
			}
		}
		if j < 0 {
			return nil, fmt.Errorf("consentModeSignals[%d]: unknown Consent Mode signal %q", i, name)
		}
		r.mode = append(r.mode, wire.ConsentModeSignal(j))
	}
	return r, nil
}

// Result is what each signal of a request says about the purpose, with enough detail for
// `kubectl ethos consent decode` to say why.
type Result struct {
	// TCF is the TC string's verdict (tcString, else the GPP string's TCF EU section).
	TCF      State
	TCFCause Cause
	// TCFPurpose and TCFVendor name what is missing when TCF is StateDenied: a purpose's
	// signal (TCFPurpose only), the vendor's (TCFVendor only), or the vendor for a purpose,
	// by publisher restriction or the purpose signal the restriction requires (both).
	TCFPurpose, TCFVendor int
	// TCFFromGPP: the TC string came from the GPP string's TCF EU v2 section.
	TCFFromGPP bool

	// GPP is StateDenied when a US section opts out and the purpose is withdrawn by it,
	// StateUnknown when the string cannot be read.
	GPP        State
	GPPCause   Cause
	GPPSection int
	// GPPGPC: a GPP US section's GPC subsection is set (counts as Global Privacy Control).
	GPPGPC bool

	// Mode is the Consent Mode verdict; ModeSignal is the first denied signal.
	Mode       State
	ModeSignal wire.ConsentModeSignal
}

// Restrictive is the most restrictive state of all signals.
func (r *Result) Restrictive() State { return max(r.TCF, r.GPP, r.Mode) }

// Granted reports whether a banner signal (TC string or Consent Mode) grants the purpose.
func (r *Result) Granted() bool { return r.TCF == StateGranted || r.Mode == StateGranted }

// Derive reads the request's signals for the purpose at time now. Unusable strings are
// counted in ErrorCount.
func (r *Rules) Derive(c *wire.Consent, now time.Time) Result {
	var res Result
	if r == nil {
		return res
	}
	tcString := c.TCString
	if c.GPP != "" && (r.gppWithdraws || (r.tcf != nil && tcString == "")) {
		g, cause := ParseGPP(c.GPP)
		if cause != CauseNone {
			res.GPP, res.GPPCause = StateUnknown, cause
			countError(FormatGPP, cause)
		} else {
			sig := g.Signals(c.GPPSid)
			res.GPPGPC = sig.GPC
			if sig.OptOut && r.gppWithdraws {
				res.GPP, res.GPPSection = StateDenied, sig.OptOutSection
			}
			if tcString == "" && sig.TCString != "" {
				tcString, res.TCFFromGPP = sig.TCString, true
			}
		}
	}
	if r.tcf != nil && tcString != "" {
		res.TCF, res.TCFCause, res.TCFPurpose, res.TCFVendor = r.deriveTCF(tcString, now)
		if res.TCFCause != CauseNone {
			countError(FormatTCF, res.TCFCause)
		}
	}
	if len(r.mode) > 0 {
		res.Mode, res.ModeSignal = r.deriveMode(c)
	}
	return res
}

func (r *Rules) deriveTCF(s string, now time.Time) (state State, cause Cause, purpose, vendor int) {
	tc, cause := ParseTC(s)
	switch {
	case cause != CauseNone:
		return StateUnknown, cause, 0, 0
	case tc.PolicyVersion < int(r.tcf.MinPolicyVersion) || (r.tcf.MaxPolicyVersion > 0 && tc.PolicyVersion > int(r.tcf.MaxPolicyVersion)):
		return StateUnknown, CausePolicyVersion, 0, 0
	case r.maxAge > 0 && now.Sub(tc.Created) > r.maxAge:
		return StateUnknown, CauseStale, 0, 0
	}
	for _, p := range r.tcf.Purposes {
		if !purposeSignal(tc, int(p.ID), liAllowed(p)) {
			return StateDenied, CauseNone, int(p.ID), 0
		}
	}
	for _, v := range r.tcf.Vendors {
		id := int(v.ID)
		if len(r.tcf.Purposes) == 0 && !tc.VendorConsent(id) {
			return StateDenied, CauseNone, 0, id
		}
		for _, p := range r.tcf.Purposes {
			pid := int(p.ID)
			li := liAllowed(p)
			switch {
			case tc.Restricted(pid, id, restrictNotAllowed):
				return StateDenied, CauseNone, pid, id
			case tc.Restricted(pid, id, restrictRequireConsent):
				li = false
			}
			// A publisher restriction requiring legitimate interest never lets a purpose
			// whose policy basis is consent go without it.
			if !purposeSignal(tc, pid, li) {
				return StateDenied, CauseNone, pid, id
			}
			if (li && !tc.VendorLI(id)) || (!li && !tc.VendorConsent(id)) {
				return StateDenied, CauseNone, 0, id // the vendor itself is refused
			}
		}
	}
	return StateGranted, CauseNone, 0, 0
}

// liAllowed: the legitimate-interest bit counts only for a LegitimateInterest purpose that
// is not TCF purpose 3–6 (personalised ads and content profiles need consent, CPL004).
func liAllowed(p document.TCFPurpose) bool {
	return p.Basis == document.TCFBasisLegitimateInterest && (p.ID < 3 || p.ID > 6)
}

func purposeSignal(tc *TC, id int, li bool) bool {
	if li {
		return tc.PurposeLI(id)
	}
	return tc.PurposeConsent(id)
}

func (r *Rules) deriveMode(c *wire.Consent) (State, wire.ConsentModeSignal) {
	all := true
	for _, s := range r.mode {
		switch c.Mode[s] {
		case wire.ConsentDenied:
			return StateDenied, s
		case wire.ConsentGranted:
		default:
			all = false
		}
	}
	if all {
		return StateGranted, 0
	}
	return StateNone, 0
}
