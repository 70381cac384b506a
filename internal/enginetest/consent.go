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

package enginetest

import (
	_ "embed"
	"encoding/json"

	gpp "github.com/prebid/go-gpp"
	gppconst "github.com/prebid/go-gpp/constants"
	"github.com/prebid/go-gpp/sections"
	"github.com/prebid/go-gpp/sections/uspnat"
)

//go:embed testdata/tcstrings.json
var tcStringsJSON []byte

// TCStrings are real TCF v2 TC strings encoded by the IAB's reference encoder,
// @iabtcf/core 1.5.6 (hack/tcstrings/generate.js describes each case): CMP 10, created
// 2027-03-01T10:00:00Z under TCF policy version 4 unless the name says otherwise. Vendor 755
// is the sample policy's ad platform (adsx).
//
//	allGranted       purposes 1, 3, 4, 5, 6, 7; vendors 755 and 32 (32 also on legitimate interest)
//	missingPurpose5  as allGranted without purpose 5; vendor 755
//	vendorMissing    purposes as allGranted; vendor 32 only
//	liOnly           purpose 1 consent; purposes 2 and 7 and vendor 755 on legitimate interest
//	policyVersion2   as allGranted (vendor 755) under TCF policy version 2 (TCF v2.0)
//	old              as allGranted (vendor 755), created 2025-06-01
//	restricted       as allGranted (vendor 755); the publisher does not allow 755 for purpose 4
//	rejectAll        nothing granted
var TCStrings = func() map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(tcStringsJSON, &m); err != nil {
		panic(err)
	}
	return m
}()

// GPPString encodes a GPP string with go-gpp's own encoder: a US national section (id 7)
// with the given sale and targeted-advertising opt-outs (1 opted out, 2 did not) and GPC
// subsection, plus a TCF EU v2 section (id 2) holding tc when it is not empty.
func GPPString(saleOptOut, targetedOptOut byte, gpc bool, tc string) string {
	nat := uspnat.USPNAT{SectionID: gppconst.SectionUSPNAT, CoreSegment: uspnat.USPNATCoreSegment{
		Version: 1, SharingNotice: 1, SaleOptOutNotice: 1, SharingOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1,
		SaleOptOut: saleOptOut, SharingOptOut: 2, TargetedAdvertisingOptOut: targetedOptOut,
		SensitiveDataProcessing: make([]byte, 12), KnownChildSensitiveDataConsents: make([]byte, 2),
	}, GPCSegment: sections.CommonUSGPCSegment{SubsectionType: 1, Gpc: gpc}}
	secs := []gpp.Section{nat}
	if tc != "" {
		secs = append(secs, tcfSection(tc))
	}
	s, err := gpp.Encode(secs)
	if err != nil {
		panic(err)
	}
	return s
}

// tcfSection is a GPP TCF EU v2 section; go-gpp encodes its value as given.
type tcfSection string

func (s tcfSection) GetID() gppconst.SectionID { return gppconst.SectionTCFEU2 }
func (s tcfSection) GetValue() string          { return string(s) }
func (s tcfSection) Encode(bool) []byte        { return []byte(s) }
