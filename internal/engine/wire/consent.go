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

package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Keys of the consent object that are not purposes. Purpose names are DNS labels, so the
// camel-case keys cannot collide with one; "gpp" is reserved (a ConsentPolicy may not name
// a purpose gpp).
const (
	ConsentKeyTCString    = "tcString"
	ConsentKeyGPP         = "gpp"
	ConsentKeyGPPSid      = "gppSid"
	ConsentKeyConsentMode = "consentMode"
)

// MaxConsentStringBytes bounds a TC or GPP string; real ones are a few hundred bytes.
const MaxConsentStringBytes = 8192

// MaxGPPSids bounds gppSid.
const MaxGPPSids = 32

// ConsentModeSignal indexes the four Google Consent Mode v2 signals.
type ConsentModeSignal uint8

// Google Consent Mode v2 signals, in the order of ConsentModeSignals.
const (
	SignalAdStorage ConsentModeSignal = iota
	SignalAnalyticsStorage
	SignalAdUserData
	SignalAdPersonalization
	numSignals
)

// ConsentModeSignals are the signal names, as Consent Mode spells them.
var ConsentModeSignals = [numSignals]string{"ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"}

// Consent is the request's consent object: the explicit purpose map and the signals a
// consent banner (CMP) produces, taken as the site has them.
type Consent struct {
	// Purposes maps a purpose name to "granted" or "denied"; an absent purpose is unknown.
	Purposes map[string]string
	// TCString is an IAB TCF v2 TC string (the euconsent-v2 cookie, __tcfapi's tcString).
	TCString string
	// GPP is a Global Privacy Platform string.
	GPP string
	// GPPSid are the GPP section ids that apply (__gpp's applicableSections), nil when
	// absent. Requests may give a list of numbers or the string form CMPs pass in URLs, "2,7".
	GPPSid []int
	// Mode holds the Consent Mode v2 signals by ConsentModeSignal: "granted", "denied" or ""
	// (not given).
	Mode [numSignals]string
}

// HasSignals reports whether a CMP signal (TC string, GPP string or Consent Mode) is present.
func (c *Consent) HasSignals() bool {
	return c.TCString != "" || c.GPP != "" || c.Mode != [numSignals]string{}
}

// UnmarshalJSON decodes the consent object (types only: DecodeRequest checks the values
// after either decoder, so both report the same errors).
func (c *Consent) UnmarshalJSON(b []byte) error {
	out, err := decodeConsent(b)
	if err != nil {
		return err
	}
	*c = out
	return nil
}

// DecodeConsent decodes and checks a consent object (null is an empty one). It is the one
// decoder of consent for every caller (POST /v1/decisions, OFREP evaluation contexts, the
// CLI); every error is a *FieldError whose field starts with "consent".
func DecodeConsent(b []byte) (Consent, error) {
	c, err := decodeConsent(b)
	if err != nil {
		return Consent{}, err
	}
	return c, c.validate()
}

func decodeConsent(b []byte) (Consent, error) {
	var c Consent
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return c, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return c, &FieldError{Field: "consent", Message: "must be an object, not " + jsonKind(bytes.TrimSpace(b))}
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) { // sorted: the same error every time
		if err := c.decodeMember(key, raw[key]); err != nil {
			return Consent{}, err
		}
	}
	return c, nil
}

func (c *Consent) decodeMember(key string, v json.RawMessage) error {
	v = bytes.TrimSpace(v)
	if bytes.Equal(v, []byte("null")) {
		return nil // null is absent, as for every other field
	}
	field := "consent." + key
	str := func(dst *string) error {
		if len(v) == 0 || v[0] != '"' {
			return &FieldError{Field: field, Message: "must be a string, not " + jsonKind(v)}
		}
		return json.Unmarshal(v, dst)
	}
	switch key {
	case ConsentKeyTCString:
		return str(&c.TCString)
	case ConsentKeyGPP:
		return str(&c.GPP)
	case ConsentKeyGPPSid:
		if len(v) > 0 && v[0] == '"' {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			sids, ok := parseGPPSidString(s)
			if !ok {
				return &FieldError{Field: field, Message: gppSidMessage}
			}
			c.GPPSid = sids
			return nil
		}
		var sids []int
		if err := json.Unmarshal(v, &sids); err != nil {
			return &FieldError{Field: field, Message: gppSidMessage}
		}
		c.GPPSid = normalizeGPPSid(sids)
		return nil
	case ConsentKeyConsentMode:
		if len(v) == 0 || v[0] != '{' {
			return &FieldError{Field: field, Message: "must be an object, not " + jsonKind(v)}
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return err
		}
		for name, sv := range m {
			i := signalIndex(name)
			if i < 0 {
				continue // other Consent Mode signals (functionality_storage, ...) are not read
			}
			sv = bytes.TrimSpace(sv)
			if bytes.Equal(sv, []byte("null")) {
				continue
			}
			if len(sv) == 0 || sv[0] != '"' {
				return &FieldError{Field: field + "." + name, Message: "must be a string, not " + jsonKind(sv)}
			}
			if err := json.Unmarshal(sv, &c.Mode[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(v) == 0 || v[0] != '"' {
		return &FieldError{Field: field, Message: "must be a string, not " + jsonKind(v)}
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return err
	}
	if c.Purposes == nil {
		c.Purposes = make(map[string]string, 4)
	}
	c.Purposes[key] = s
	return nil
}

const gppSidMessage = `must be a list of section ids (numbers 1 to 65535) or their comma-separated string form, such as [2,7] or "2,7"`

// parseGPPSidString parses "2,7" (also "", "-1" from CMPs that have no GPP, and "2_7" which
// some CMPs use in URLs: -1 and the empty string mean no section).
func parseGPPSidString(s string) ([]int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-1" {
		return []int{}, true
	}
	sids := make([]int, 0, 2)
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == '_' }) {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, false
		}
		sids = append(sids, n)
	}
	return sids, true
}

// normalizeGPPSid maps [-1], which __gpp's applicableSections returns when no section
// applies, to no section, and a JSON [] to an empty (not nil) list.
func normalizeGPPSid(sids []int) []int {
	if sids == nil || (len(sids) == 1 && sids[0] == -1) {
		return []int{}
	}
	return sids
}

func signalIndex(name string) int {
	for i, s := range ConsentModeSignals {
		if s == name {
			return i
		}
	}
	return -1
}

// validate checks the values; both decoders call it, so their errors agree.
func (c *Consent) validate() error {
	// The first bad purpose by name, so the same body always gets the same error.
	bad, found := "", false
	for purpose, state := range c.Purposes {
		if state != ConsentGranted && state != ConsentDenied && (!found || purpose < bad) {
			bad, found = purpose, true
		}
	}
	if found {
		return &FieldError{Field: "consent." + bad, Message: `must be "granted" or "denied"; leave a purpose out when its state is unknown`}
	}
	for i, state := range c.Mode {
		if state != "" && state != ConsentGranted && state != ConsentDenied {
			return &FieldError{Field: "consent.consentMode." + ConsentModeSignals[i], Message: `must be "granted" or "denied"`}
		}
	}
	if len(c.TCString) > MaxConsentStringBytes {
		return &FieldError{Field: "consent.tcString", Message: fmt.Sprintf("must be at most %d bytes", MaxConsentStringBytes)}
	}
	if len(c.GPP) > MaxConsentStringBytes {
		return &FieldError{Field: "consent.gpp", Message: fmt.Sprintf("must be at most %d bytes", MaxConsentStringBytes)}
	}
	if len(c.GPPSid) > MaxGPPSids {
		return &FieldError{Field: "consent.gppSid", Message: fmt.Sprintf("must hold at most %d section ids", MaxGPPSids)}
	}
	for _, sid := range c.GPPSid {
		if sid < 1 || sid > 65535 {
			return &FieldError{Field: "consent.gppSid", Message: gppSidMessage}
		}
	}
	return nil
}
