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
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeFast decodes a well-formed request without reflection, taking every string as a
// substring of one copy of the body (so a 50-candidate request costs a handful of
// allocations rather than hundreds). It only handles the common shape: on anything
// unusual (escapes in strings, nulls where a value is expected, duplicate or case-folded
// keys, wrong types, malformed JSON) it reports ok=false and DecodeRequest falls back to
// encoding/json, which gives the answer and the precise error. FuzzDecodeRequest checks
// that whenever it succeeds, encoding/json decodes the same request.
func decodeFast(body []byte) (req *Request, ok bool) {
	return new(Decoder).fast(body, decodeFastInto)
}

// decodeFastInto is decodeFast into req, taking maps and slices from st.
func decodeFastInto(body []byte, req *Request, st *storage) bool {
	d := fastDecoder{s: string(body), st: st}
	ok := d.request(req)
	st.keepCats(d.cats)
	d.ws()
	return ok && d.i == len(d.s)
}

type fastDecoder struct {
	s string
	i int
	// cats backs the candidates' category lists.
	cats []string
	// st lends the maps and slices of a request decoded before.
	st *storage
}

// storage holds the emptied maps and slices of a request decoded before, for the next
// decode to fill instead of allocating (Decoder); nil fields are allocated.
type storage struct {
	attrs    Attributes
	purposes map[string]string
	cands    []Candidate
	cats     []string
}

// Bounds of what storage keeps: a rare large request must not pin its memory in a pool.
const (
	maxKeptMapLen = 64
	maxKeptCats   = 4096
)

// reclaim empties the maps and slices of r, a request decoded before and no longer used,
// into st; emptied, they hold no part of the body they were decoded from.
func (st *storage) reclaim(r *Request) {
	if r.Attributes != nil && len(r.Attributes) <= maxKeptMapLen {
		clear(r.Attributes)
		st.attrs = r.Attributes
	}
	if p := r.Consent.Purposes; p != nil && len(p) <= maxKeptMapLen {
		clear(p)
		st.purposes = p
	}
	if cap(r.Candidates) > 0 {
		clear(r.Candidates)
		st.cands = r.Candidates[:0]
	}
	if cap(st.cats) > maxKeptCats {
		st.cats = nil
	}
	clear(st.cats)
	st.cats = st.cats[:0]
}

// keepCats keeps the categories' backing a decode used (grown, maybe), if it used one.
func (st *storage) keepCats(cats []string) {
	if cats != nil {
		st.cats = cats
	}
}

func (st *storage) takeAttrs() Attributes {
	a := st.attrs
	st.attrs = nil
	if a == nil {
		a = make(Attributes, 8)
	}
	return a
}

func (st *storage) takePurposes() map[string]string {
	p := st.purposes
	st.purposes = nil
	if p == nil {
		p = make(map[string]string, 4)
	}
	return p
}

// maxSkipDepth bounds the nesting of ignored values; deeper input takes the slow path.
const maxSkipDepth = 64

func (d *fastDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (d *fastDecoder) peek() byte {
	if d.i < len(d.s) && d.s[d.i] > ' ' {
		return d.s[d.i] // compact JSON: no white space to skip, no call
	}
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

func (d *fastDecoder) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// nextKey reads the next key of an object whose '{' was consumed; n is the number of
// keys read so far. done is true at the closing '}'.
func (d *fastDecoder) nextKey(n int) (key string, done, ok bool) {
	if d.consume('}') {
		return "", true, true
	}
	if n > 0 && !d.consume(',') {
		return "", false, false
	}
	if d.peek() != '"' {
		return "", false, false
	}
	key, ok = d.str()
	if !ok || !d.consume(':') {
		return "", false, false
	}
	return key, false, true
}

// array decodes a JSON array, calling elem at each element with its index; elem decodes
// the element and reports whether it could. It is object's counterpart: every array of the
// request (and of an ignored value) is read by this one loop.
func (d *fastDecoder) array(elem func(n int) bool) bool {
	if !d.consume('[') {
		return false
	}
	for n := 0; ; n++ {
		if d.consume(']') {
			return true
		}
		if n > 0 && !d.consume(',') {
			return false
		}
		if !elem(n) {
			return false
		}
	}
}

// str reads a string without escapes; anything else is left to the slow path.
func (d *fastDecoder) str() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.s); j++ {
		if plain[d.s[j]] {
			continue
		}
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			s := d.s[start:j]
			if !ascii && !utf8.ValidString(s) {
				return "", false // encoding/json replaces invalid bytes; let it
			}
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// plain marks the bytes str passes over: not '"', '\\', a control character or non-ASCII.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// number reads a JSON number and returns its text.
func (d *fastDecoder) number() (string, bool) {
	d.ws()
	start, j := d.i, d.i
	s := d.s
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		return "", false
	}
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return "", false
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return "", false
		}
	}
	d.i = j
	return s[start:j], true
}

func (d *fastDecoder) literal(lit string) bool {
	d.ws()
	if strings.HasPrefix(d.s[d.i:], lit) {
		d.i += len(lit)
		return true
	}
	return false
}

func (d *fastDecoder) boolean() (bool, bool) {
	switch d.peek() {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return false, false
}

// skip reads and discards any valid JSON value (an unknown field).
func (d *fastDecoder) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '"':
		return d.skipString()
	case c == '{':
		// Keys with escapes take the slow path here too: rare, and one object loop.
		return d.object(func(string) bool { return d.skip(depth + 1) })
	case c == '[':
		return d.array(func(int) bool { return d.skip(depth + 1) })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := d.number()
		return ok
	}
	return false
}

// skipString skips a string, escapes included.
func (d *fastDecoder) skipString() bool {
	s := d.s
	for j := d.i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			j++
			if j >= len(s) {
				return false
			}
			switch s[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s) {
					return false
				}
				for k := j + 1; k <= j+4; k++ {
					if !isHex(s[k]) {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// unknown skips the value of a key that is not a field, unless encoding/json would match
// it to a field case-insensitively.
func (d *fastDecoder) unknown(key string, fields ...string) bool {
	for _, f := range fields {
		if strings.EqualFold(key, f) {
			return false
		}
	}
	return d.skip(0)
}

// object decodes a JSON object, calling member for each key while the decoder stands at the
// key's value; member decodes the value and reports whether it could.
func (d *fastDecoder) object(member func(key string) bool) bool {
	if !d.consume('{') {
		return false
	}
	for n := 0; ; n++ {
		key, done, ok := d.nextKey(n)
		if !ok || done {
			return ok
		}
		if !member(key) {
			return false
		}
	}
}

func (d *fastDecoder) strTo(dst *string) (ok bool) {
	*dst, ok = d.str()
	return ok
}

func (d *fastDecoder) boolTo(dst *bool) (ok bool) {
	*dst, ok = d.boolean()
	return ok
}

func (d *fastDecoder) itemIDsTo(dst *[]ItemID) (ok bool) {
	*dst, ok = d.itemIDs()
	return ok
}

// seen marks a field as read and reports false for a duplicate, which encoding/json
// merges in ways the slow path should decide.
func seen(mask *uint32, bit uint32) bool {
	if *mask&bit != 0 {
		return false
	}
	*mask |= bit
	return true
}

var requestFields = []string{"visitor", "consent", "attributes", "zone", "history", "candidates", "impressions", "gpc", "locale"}

// Bits of the fields read, for seen.
const (
	bitVisitor uint32 = 1 << iota
	bitConsent
	bitAttributes
	bitZone
	bitHistory
	bitCandidates
	bitImpressions
	bitGPC
	bitLocale
	bitTargetingKey
	bitAuthenticated
)

func (d *fastDecoder) request(r *Request) bool {
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case "visitor":
			return seen(&mask, bitVisitor) && d.visitor(&r.Visitor)
		case "attributes":
			return seen(&mask, bitAttributes) && d.attributes(r)
		}
		if known, ok := d.requestField(r, key, &mask); known {
			return ok
		}
		return d.unknown(key, requestFields...)
	})
}

// requestField decodes the value of key when key is one of the request's fields that a
// decision request and an OFREP context share (all but visitor and attributes): known
// reports whether it is, ok whether its value decoded.
func (d *fastDecoder) requestField(r *Request, key string, mask *uint32) (known, ok bool) {
	switch key {
	case "consent":
		return true, seen(mask, bitConsent) && d.consent(r)
	case "zone":
		return true, seen(mask, bitZone) && d.strTo(&r.Zone)
	case "history":
		return true, seen(mask, bitHistory) && d.history(&r.History)
	case "candidates":
		return true, seen(mask, bitCandidates) && d.candidates(r)
	case "impressions":
		return true, seen(mask, bitImpressions) && d.impressions(r)
	case "gpc":
		return true, seen(mask, bitGPC) && d.boolTo(&r.GPC)
	case "locale":
		return true, seen(mask, bitLocale) && d.strTo(&r.Locale)
	}
	return false, false
}

func (d *fastDecoder) visitor(v *Visitor) bool {
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case "id":
			return seen(&mask, 1) && d.strTo(&v.ID)
		case "authenticated":
			return seen(&mask, 2) && d.boolTo(&v.Authenticated)
		default:
			return d.unknown(key, "id", "authenticated")
		}
	})
}

func (d *fastDecoder) consent(r *Request) bool {
	c := &r.Consent
	return d.object(func(key string) bool {
		switch key {
		case ConsentKeyTCString:
			return d.strTo(&c.TCString)
		case ConsentKeyGPP:
			return d.strTo(&c.GPP)
		case ConsentKeyGPPSid:
			return d.gppSid(c)
		case ConsentKeyConsentMode:
			return d.consentMode(c)
		}
		v, ok := d.str()
		if c.Purposes == nil {
			c.Purposes = d.st.takePurposes()
		}
		c.Purposes[key] = v
		return ok
	})
}

// gppSid reads a list of whole numbers or the "2,7" string form.
func (d *fastDecoder) gppSid(c *Consent) bool {
	if d.peek() == '"' {
		s, ok := d.str()
		if !ok {
			return false
		}
		c.GPPSid, ok = parseGPPSidString(s)
		return ok
	}
	sids := make([]int, 0, 2)
	ok := d.array(func(int) bool {
		s, ok := d.number()
		if !ok {
			return false
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return false // fractions, exponents, overflow: the slow path reports them
		}
		sids = append(sids, v)
		return true
	})
	if ok {
		c.GPPSid = normalizeGPPSid(sids)
	}
	return ok
}

// consentMode reads the Consent Mode object; signals other than the four are skipped.
func (d *fastDecoder) consentMode(c *Consent) bool {
	return d.object(func(key string) bool {
		i := signalIndex(key)
		if i < 0 {
			return d.skip(0)
		}
		return d.strTo(&c.Mode[i])
	})
}

func (d *fastDecoder) attributes(r *Request) bool {
	r.Attributes = d.st.takeAttrs()
	return d.object(func(key string) bool { return d.attribute(r.Attributes, key) })
}

// attribute decodes the value of the attribute key into attrs (an OFREP context's keys
// other than the request's fields are attributes too).
func (d *fastDecoder) attribute(attrs Attributes, key string) bool {
	var v Value
	var ok bool
	switch c := d.peek(); {
	case c == '"':
		v.Kind = KindString
		v.Str, ok = d.str()
	case c == 't' || c == 'f':
		v.Kind = KindBool
		var b bool
		b, ok = d.boolean()
		v.Str = strconv.FormatBool(b)
	case c == 'n':
		delete(attrs, key) // null is absent, as a later duplicate would make it
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		v.Kind = KindNumber
		if v.Str, ok = d.number(); ok {
			var err error
			v.Num, err = strconv.ParseFloat(v.Str, 64)
			ok = err == nil
		}
	case c == '[':
		v.Kind = KindList
		v.List, ok = d.strings(nil)
	}
	attrs[key] = v
	return ok
}

// strings reads an array of strings, appending to backing when given.
func (d *fastDecoder) strings(backing *[]string) ([]string, bool) {
	var list []string
	start := 0
	if backing != nil {
		start = len(*backing)
	}
	ok := d.array(func(int) bool {
		s, ok := d.str()
		if !ok {
			return false
		}
		if backing != nil {
			*backing = append(*backing, s)
		} else {
			list = append(list, s)
		}
		return true
	})
	if !ok {
		return nil, false
	}
	if backing != nil {
		// Full slice expression: later appends to the backing must not alias this list.
		return (*backing)[start:len(*backing):len(*backing)], true
	}
	if list == nil {
		list = []string{}
	}
	return list, true
}

func (d *fastDecoder) itemID() (ItemID, bool) {
	if d.peek() == '"' {
		s, ok := d.str()
		return ItemID(s), ok
	}
	s, ok := d.number()
	return ItemID(s), ok
}

func (d *fastDecoder) itemIDs() ([]ItemID, bool) {
	ids := []ItemID{}
	ok := d.array(func(int) bool {
		id, ok := d.itemID()
		ids = append(ids, id)
		return ok
	})
	if !ok {
		return nil, false
	}
	return ids, true
}

func (d *fastDecoder) history(h *History) bool {
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case "viewed":
			return seen(&mask, 1) && d.itemIDsTo(&h.Viewed)
		case "purchased":
			return seen(&mask, 2) && d.itemIDsTo(&h.Purchased)
		default:
			return d.unknown(key, "viewed", "purchased")
		}
	})
}

func (d *fastDecoder) candidates(r *Request) bool {
	r.Candidates = d.st.cands
	d.st.cands = nil
	if r.Candidates == nil {
		r.Candidates = make([]Candidate, 0, 16)
	}
	d.cats = d.st.cats
	if d.cats == nil {
		d.cats = make([]string, 0, 64)
	}
	return d.array(func(n int) bool {
		if n >= MaxCandidates {
			return false // the slow path reports the limit
		}
		r.Candidates = append(r.Candidates, Candidate{})
		return d.candidate(&r.Candidates[n])
	})
}

func (d *fastDecoder) candidate(c *Candidate) bool {
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case "id":
			var ok bool
			c.ID, ok = d.itemID()
			return seen(&mask, 1) && ok
		case "categories":
			var ok bool
			c.Categories, ok = d.strings(&d.cats)
			return seen(&mask, 2) && ok
		default:
			return d.unknown(key, "id", "categories")
		}
	})
}

func (d *fastDecoder) impressions(r *Request) bool {
	s, ok := d.number()
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return false // fractions, exponents and overflow: the slow path decides
	}
	r.Impressions = n
	return true
}
