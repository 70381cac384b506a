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

// Package consent reads the consent signals websites collect — IAB TCF v2.2 TC strings, GPP
// strings with US sections, Google Consent Mode v2 — and derives from them, as a decision
// document's ConsentSignals say, whether a purpose is granted. Strings are decoded with the
// field's libraries (github.com/prebid/go-gdpr, github.com/prebid/go-gpp) and kept in a
// bounded cache; a string that cannot be read is unknown consent, never a grant, and is
// counted by format and cause (ErrorCount). It links no Kubernetes package.
package consent

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prebid/go-gdpr/consentconstants"
	tcf2 "github.com/prebid/go-gdpr/vendorconsent/tcf2"
	gpp "github.com/prebid/go-gpp"
	gppconst "github.com/prebid/go-gpp/constants"
	"github.com/prebid/go-gpp/sections/uspca"
	"github.com/prebid/go-gpp/sections/uspco"
	"github.com/prebid/go-gpp/sections/uspct"
	"github.com/prebid/go-gpp/sections/uspnat"
	"github.com/prebid/go-gpp/sections/usput"
	"github.com/prebid/go-gpp/sections/uspva"
)

// Format is a consent string format, a label of the error metric.
type Format uint8

// Formats.
const (
	FormatTCF Format = iota
	FormatGPP
	numFormats
)

// Formats lists every format (the metric pre-creates its series).
var Formats = []Format{FormatTCF, FormatGPP}

func (f Format) String() string {
	if f == FormatTCF {
		return "tcf"
	}
	return "gpp"
}

// Cause is why a string gave no consent, a label of the error metric. CauseNone is success.
type Cause uint8

// Causes.
const (
	CauseNone Cause = iota
	// CauseMalformed: not base64url, bad field values, not a string of the format at all.
	CauseMalformed
	// CauseTruncated: the string ends before a field it announces.
	CauseTruncated
	// CauseVersion: a TC string that is not TCF v2, a GPP header of another type.
	CauseVersion
	// CausePolicyVersion: the TC string's TCF policy version is outside the policy's bounds.
	CausePolicyVersion
	// CauseStale: the TC string was created longer ago than the policy's consent max age.
	CauseStale
	numCauses
)

// Causes lists every failure cause.
var Causes = []Cause{CauseMalformed, CauseTruncated, CauseVersion, CausePolicyVersion, CauseStale}

func (c Cause) String() string {
	return [...]string{"none", "malformed", "truncated", "version", "policyVersion", "stale"}[c]
}

var errorCounts [numFormats][numCauses]atomic.Uint64

// ErrorCount is how many decisions found a string of the format unusable for the cause.
func ErrorCount(f Format, c Cause) uint64 { return errorCounts[f][c].Load() }

func countError(f Format, c Cause) { errorCounts[f][c].Add(1) }

// tcfVendors is what go-gdpr's TCF v2 ConsentMetadata answers beyond api.VendorConsents.
type tcfVendors interface {
	VendorConsent(id uint16) bool
	VendorLegitInterest(id uint16) bool
	CheckPubRestriction(purposeID uint8, restrictType uint8, vendor uint16) bool
}

// Publisher restriction types (TCF v2 core string, PubRestrictionEntry.RestrictionType).
const (
	restrictNotAllowed     = 0
	restrictRequireConsent = 1
	restrictRequireLI      = 2
)

// TC is a decoded TC string: what derivation reads of it.
type TC struct {
	PolicyVersion int
	Created       time.Time
	CmpID         int
	// purposes and purposesLI have bit i set when TCF purpose i has consent, or
	// legitimate-interest transparency (no objection).
	purposes, purposesLI uint32
	vendors              tcfVendors
}

// PurposeConsent reports the consent bit of TCF purpose id (1–24).
func (t *TC) PurposeConsent(id int) bool { return id >= 1 && id <= 24 && t.purposes&(1<<id) != 0 }

// PurposeLI reports the legitimate-interest bit of TCF purpose id (1–24).
func (t *TC) PurposeLI(id int) bool { return id >= 1 && id <= 24 && t.purposesLI&(1<<id) != 0 }

// VendorConsent reports the vendor's consent bit.
func (t *TC) VendorConsent(id int) bool {
	return validVendor(id) && t.vendors.VendorConsent(uint16(id))
}

// VendorLI reports the vendor's legitimate-interest bit.
func (t *TC) VendorLI(id int) bool {
	return validVendor(id) && t.vendors.VendorLegitInterest(uint16(id))
}

// Restricted reports whether the publisher restricts the vendor for the purpose with the
// restriction type (0 not allowed, 1 require consent, 2 require legitimate interest).
func (t *TC) Restricted(purpose, vendor, restriction int) bool {
	return validVendor(vendor) && purpose >= 1 && purpose <= 24 &&
		t.vendors.CheckPubRestriction(uint8(purpose), uint8(restriction), uint16(vendor))
}

func validVendor(id int) bool { return id >= 1 && id <= 65535 }

// ParseTC decodes a TC string with go-gdpr's TCF v2 decoder, through the cache. It never
// panics: a string the library cannot read, or panics on, is CauseMalformed or
// CauseTruncated, and one of TCF v1 is CauseVersion.
func ParseTC(s string) (*TC, Cause) {
	e := cached(tcCache, s, func(s string) tcEntry {
		tc, cause := parseTC(s)
		return tcEntry{tc: tc, cause: cause}
	})
	return e.tc, e.cause
}

// cached returns the cached decode of s, decoding and caching it on a miss.
func cached[E any](c *cache[E], s string, decode func(string) E) E {
	if e, ok := c.get(s); ok {
		return e
	}
	e := decode(s)
	c.put(s, e)
	return e
}

type tcEntry struct {
	tc    *TC
	cause Cause
}

func parseTC(s string) (tc *TC, cause Cause) {
	defer func() {
		if recover() != nil {
			tc, cause = nil, CauseMalformed // a library bug must not become a 5xx
		}
	}()
	if !tcf2.IsConsentV2(s) {
		// The first base64url character holds the version's top bits: 'C' is version 2.
		if strings.HasPrefix(s, "B") {
			return nil, CauseVersion
		}
		return nil, CauseMalformed
	}
	vc, err := tcf2.ParseString(s)
	if err != nil {
		return nil, classifyTCError(err)
	}
	if vc.Version() != 2 {
		return nil, CauseVersion
	}
	vendors, ok := vc.(tcfVendors)
	if !ok {
		return nil, CauseMalformed
	}
	tc = &TC{PolicyVersion: int(vc.TCFPolicyVersion()), Created: vc.Created(), CmpID: int(vc.CmpID()), vendors: vendors}
	li, ok := vc.(interface {
		PurposeLITransparency(id consentconstants.Purpose) bool
	})
	if !ok {
		return nil, CauseMalformed
	}
	for id := 1; id <= 24; id++ {
		if vc.PurposeAllowed(consentconstants.Purpose(id)) {
			tc.purposes |= 1 << id
		}
		if li.PurposeLITransparency(consentconstants.Purpose(id)) {
			tc.purposesLI |= 1 << id
		}
	}
	return tc, CauseNone
}

func classifyTCError(err error) Cause {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Version of"):
		return CauseVersion
	case strings.Contains(msg, "bytes long"), strings.Contains(msg, "require at least"), strings.Contains(msg, "requires a consent string of"):
		return CauseTruncated
	}
	return CauseMalformed
}

// GPP is a decoded GPP string: what derivation reads of it.
type GPP struct {
	sections []gppSection
	// TCString is the string of the TCF EU v2 section (id 2), if any.
	tcString string
	tcSID    bool
}

type gppSection struct {
	id     int
	optOut bool // sale, sharing or targeted advertising opted out
	gpc    bool // the section's GPC subsection says Global Privacy Control is set
}

// GPPSignals is what a GPP string says for the sections that apply.
type GPPSignals struct {
	// OptOut: a US section records a sale, sharing or targeted-advertising opt-out.
	OptOut bool
	// OptOutSection is the id of the first section that opts out.
	OptOutSection int
	// GPC: a US section's GPC subsection is set.
	GPC bool
	// TCString is the TCF EU v2 section's TC string when that section applies.
	TCString string
}

// Signals reports what the string says, for the sections in applicable (nil: every section).
func (g *GPP) Signals(applicable []int) GPPSignals {
	var s GPPSignals
	for _, sec := range g.sections {
		if applicable != nil && !slices.Contains(applicable, sec.id) {
			continue
		}
		if sec.optOut && !s.OptOut {
			s.OptOut, s.OptOutSection = true, sec.id
		}
		s.GPC = s.GPC || sec.gpc
	}
	if g.tcSID && (applicable == nil || slices.Contains(applicable, int(gppconst.SectionTCFEU2))) {
		s.TCString = g.tcString
	}
	return s
}

// Sections lists the section ids the string holds.
func (g *GPP) Sections() []int {
	ids := make([]int, 0, len(g.sections)+1)
	if g.tcSID {
		ids = append(ids, int(gppconst.SectionTCFEU2))
	}
	for _, s := range g.sections {
		ids = append(ids, s.id)
	}
	return ids
}

// ParseGPP decodes a GPP string with go-gpp, through the cache. A header or section the
// library cannot read makes the whole string unusable (CauseMalformed), so a visitor's
// opt-out is never lost to a half-read string.
func ParseGPP(s string) (*GPP, Cause) {
	e := cached(gppCache, s, func(s string) gppEntry {
		g, cause := parseGPP(s)
		return gppEntry{gpp: g, cause: cause}
	})
	return e.gpp, e.cause
}

type gppEntry struct {
	gpp   *GPP
	cause Cause
}

func parseGPP(s string) (g *GPP, cause Cause) {
	defer func() {
		if recover() != nil {
			g, cause = nil, CauseMalformed
		}
	}()
	if s == "" || s[0] != gpp.SectionGPPByte {
		return nil, CauseVersion
	}
	c, errs := gpp.Parse(s)
	if len(errs) > 0 {
		return nil, CauseMalformed
	}
	g = &GPP{}
	for _, sec := range c.Sections {
		out := gppSection{id: int(sec.GetID())}
		switch v := sec.(type) {
		case uspnat.USPNAT:
			cs := v.CoreSegment
			out.optOut = cs.SaleOptOut == 1 || cs.SharingOptOut == 1 || cs.TargetedAdvertisingOptOut == 1
			out.gpc = v.GPCSegment.Gpc
		case uspca.USPCA:
			out.optOut = v.CoreSegment.SaleOptOut == 1 || v.CoreSegment.SharingOptOut == 1
			out.gpc = v.GPCSegment.Gpc
		case uspva.USPVA:
			out.optOut = v.CoreSegment.SaleOptOut == 1 || v.CoreSegment.TargetedAdvertisingOptOut == 1
		case uspco.USPCO:
			out.optOut = v.CoreSegment.SaleOptOut == 1 || v.CoreSegment.TargetedAdvertisingOptOut == 1
			out.gpc = v.GPCSegment.Gpc
		case uspct.USPCT:
			out.optOut = v.CoreSegment.SaleOptOut == 1 || v.CoreSegment.TargetedAdvertisingOptOut == 1
			out.gpc = v.GPCSegment.Gpc
		case usput.USPUT:
			out.optOut = v.CoreSegment.SaleOptOut == 1 || v.CoreSegment.TargetedAdvertisingOptOut == 1
		default:
			if out.id == int(gppconst.SectionTCFEU2) {
				g.tcString, g.tcSID = strings.Clone(sec.GetValue()), true
			}
			continue // other sections (uspv1, Canada, ...) are not read
		}
		g.sections = append(g.sections, out)
	}
	return g, CauseNone
}

// Describe says what the cause means for people (the CLI).
func (c Cause) Describe(f Format) string {
	name := "TC string"
	if f == FormatGPP {
		name = "GPP string"
	}
	switch c {
	case CauseMalformed:
		return "the " + name + " cannot be read"
	case CauseTruncated:
		return "the " + name + " is truncated"
	case CauseVersion:
		return "the " + name + " is of an unsupported version (TCF v2 and GPP v1 are read)"
	case CausePolicyVersion:
		return "the TC string's TCF policy version is outside the policy's spec.tcf bounds"
	case CauseStale:
		return "the TC string is older than the policy's spec.tcf.consentMaxAge"
	}
	return ""
}
