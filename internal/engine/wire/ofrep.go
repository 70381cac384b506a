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
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The OpenFeature Remote Evaluation Protocol (OFREP, github.com/open-feature/protocol,
// service/openapi.yaml) carries an evaluation context: {"context": {"targetingKey": ..., ...}}.
// DecodeOFREPRequest decodes the context in one pass into a decision request with the fast
// decoder's own field decoders, so every field (consent included) means exactly what it
// means in POST /v1/decisions, with the same limits and checks. What the fast decoder leaves
// to encoding/json (escapes, nulls, wrong types) is rewritten into the body of a decision
// request and decoded by DecodeRequest's path, which also words the errors;
// FuzzDecodeOFREPContext checks that both ways read every context alike.

// TargetingKey is the OFREP context key of the visitor id.
const TargetingKey = "targetingKey"

// ofrepFields are the context keys copied as the decision request's top-level fields of the
// same name; targetingKey and authenticated go into visitor, every other key is an attribute.
// They are the decision request's fields but visitor and attributes.
var ofrepFields = slices.DeleteFunc(slices.Clone(requestFields), func(f string) bool { return f == "visitor" || f == "attributes" })

// maxOFREPFields bounds len(ofrepFields), so a context's fields fit an array.
const maxOFREPFields = 16

// OFREP error codes (OpenFeature's error codes, as the protocol's failures carry them).
const (
	OFREPParseError          = "PARSE_ERROR"
	OFREPTargetingKeyMissing = "TARGETING_KEY_MISSING"
	OFREPInvalidContext      = "INVALID_CONTEXT"
	OFREPFlagNotFound        = "FLAG_NOT_FOUND"
	OFREPGeneral             = "GENERAL"
)

// ofrepContext holds the raw JSON of an evaluation context's keys, as substrings of the body.
type ofrepContext struct {
	targetingKey, authenticated string
	fields                      [maxOFREPFields]string
	// attrs are the other keys: key, raw value.
	attrs []rawMember
	buf   [16]rawMember
}

type rawMember struct{ key, value string }

func (c *ofrepContext) set(key, raw string) {
	switch key {
	case TargetingKey:
		c.targetingKey = raw
	case "authenticated":
		c.authenticated = raw
	default:
		for i, f := range ofrepFields {
			if key == f {
				c.fields[i] = raw
				return
			}
		}
		c.attrs = append(c.attrs, rawMember{key, raw})
	}
}

// DecodeOFREPRequest decodes an OFREP evaluation request body into a decision request.
// scratch is a buffer the rewritten body is built in (returned, possibly grown, for reuse).
// Every error is a *FieldError whose Field is the context key's path (context.targetingKey,
// context.consent.personalization, context.postalCode); OFREPErrorCode classifies it.
func DecodeOFREPRequest(body, scratch []byte) (*Request, []byte, error) {
	return new(Decoder).DecodeOFREP(body, scratch)
}

// DecodeOFREP is DecodeOFREPRequest reusing the decoder's storage.
func (dec *Decoder) DecodeOFREP(body, scratch []byte) (*Request, []byte, error) {
	if len(body) > MaxBodyBytes {
		return nil, scratch, &FieldError{Message: fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes)}
	}
	if req, ok := dec.fast(body, decodeOFREPFastInto); ok {
		if err := req.validate(); err != nil {
			return nil, scratch, ofrepError(err)
		}
		return req, scratch, nil
	}
	return decodeOFREPRewrite(body, scratch)
}

// decodeOFREPFast decodes a well-formed OFREP body in one pass, as decodeFast does a
// decision request; ok=false leaves it to decodeOFREPRewrite.
func decodeOFREPFast(body []byte) (req *Request, ok bool) {
	return new(Decoder).fast(body, decodeOFREPFastInto)
}

// decodeOFREPFastInto is decodeOFREPFast into req, taking maps and slices from st.
func decodeOFREPFastInto(body []byte, req *Request, st *storage) bool {
	d := fastDecoder{s: string(body), st: st}
	req.Attributes = st.takeAttrs()
	found := false
	ok := d.object(func(key string) bool {
		if key != "context" {
			return d.unknown(key, "context")
		}
		if found {
			return false
		}
		found = true
		return d.ofrepContext(req)
	})
	st.keepCats(d.cats)
	d.ws()
	return ok && d.i == len(d.s)
}

// ofrepContext decodes an evaluation context: targetingKey and authenticated are the
// visitor, the request's other fields keep their names (exact keys only, so "Zone" is an
// attribute), and every other key is an attribute.
func (d *fastDecoder) ofrepContext(r *Request) bool {
	if d.peek() == 'n' {
		return d.literal("null")
	}
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case TargetingKey:
			return seen(&mask, bitTargetingKey) && d.strTo(&r.Visitor.ID)
		case "authenticated":
			return seen(&mask, bitAuthenticated) && d.boolTo(&r.Visitor.Authenticated)
		}
		if known, ok := d.requestField(r, key, &mask); known {
			return ok
		}
		return d.attribute(r.Attributes, key)
	})
}

// ofrepError turns a decision request's error into the context's.
func ofrepError(err error) *FieldError {
	fe, ok := err.(*FieldError)
	if !ok {
		fe = &FieldError{Message: err.Error()}
	}
	return &FieldError{Field: ofrepField(fe.Field), Message: fe.Message}
}

// decodeOFREPRewrite is DecodeOFREPRequest's general path: it rewrites the context into
// the body of a decision request in scratch and decodes that.
func decodeOFREPRewrite(body, scratch []byte) (*Request, []byte, error) {
	c := &ofrepContext{}
	c.attrs = c.buf[:0]
	s := string(body)
	if !c.scanFast(s) {
		*c = ofrepContext{}
		if err := c.scanSlow(body); err != nil {
			return nil, scratch, err
		}
	}
	scratch = c.appendRequest(scratch[:0])
	req, err := new(Decoder).decodeUnbounded(scratch)
	if err != nil {
		return nil, scratch, ofrepError(err)
	}
	return req, scratch, nil
}

// scanFast reads the body with the fast decoder's scanner; false means "let encoding/json
// decide" (escapes in keys, case-folded or duplicate "context", malformed JSON).
func (c *ofrepContext) scanFast(s string) bool {
	d := fastDecoder{s: s}
	found := false
	ok := d.object(func(key string) bool {
		if key != "context" {
			return d.unknown(key, "context")
		}
		if found {
			return false
		}
		found = true
		return c.scanContext(&d)
	})
	d.ws()
	return ok && d.i == len(d.s)
}

func (c *ofrepContext) scanContext(d *fastDecoder) bool {
	if d.peek() == 'n' {
		return d.literal("null")
	}
	return d.object(func(key string) bool {
		d.ws()
		v := d.i
		if !d.skip(0) {
			return false
		}
		c.set(key, d.s[v:d.i])
		return true
	})
}

// scanSlow reads the body with encoding/json, which also words the errors.
func (c *ofrepContext) scanSlow(body []byte) error {
	var env struct {
		Context map[string]json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		fe := toFieldError(err).(*FieldError)
		if fe.Field == "(body)" {
			fe.Field = ""
			fe.Message = "the body " + fe.Message + `; send {"context": {...}}`
		}
		return fe
	}
	for key, v := range env.Context {
		c.set(key, string(v))
	}
	return nil
}

// appendRequest writes the decision request body.
func (c *ofrepContext) appendRequest(dst []byte) []byte {
	dst = append(dst, `{"visitor":{`...)
	if c.targetingKey != "" {
		dst = append(dst, `"id":`...)
		dst = append(dst, c.targetingKey...)
	}
	if c.authenticated != "" {
		if c.targetingKey != "" {
			dst = append(dst, ',')
		}
		dst = append(dst, `"authenticated":`...)
		dst = append(dst, c.authenticated...)
	}
	dst = append(dst, '}')
	for i, raw := range c.fields {
		if raw != "" {
			dst = append(dst, `,"`...)
			dst = append(dst, ofrepFields[i]...)
			dst = append(dst, `":`...)
			dst = append(dst, raw...)
		}
	}
	dst = append(dst, `,"attributes":{`...)
	for i, a := range c.attrs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, a.key)
		dst = append(dst, ':')
		dst = append(dst, a.value...)
	}
	return append(dst, "}}"...)
}

// ofrepField turns a decision request's field path into the context key's path.
func ofrepField(field string) string {
	switch {
	case field == "":
		return ""
	case field == "visitor.id":
		return "context." + TargetingKey
	case field == "visitor.authenticated":
		return "context.authenticated"
	case strings.HasPrefix(field, "attributes."):
		return "context." + field[len("attributes."):]
	}
	return "context." + field
}

// OFREPErrorCode classifies a DecodeOFREPRequest error: PARSE_ERROR for a body that is not
// JSON, TARGETING_KEY_MISSING without a targetingKey, INVALID_CONTEXT for every other.
func OFREPErrorCode(fe *FieldError) string {
	switch {
	case fe.Field == "":
		return OFREPParseError
	case fe.Field == "context."+TargetingKey && fe.Message == "is required":
		return OFREPTargetingKeyMissing
	}
	return OFREPInvalidContext
}

// OpenFeature resolution reasons (OpenFeature specification, "Resolution reason").
const (
	OFReasonTargetingMatch = "TARGETING_MATCH"
	OFReasonSplit          = "SPLIT"
	OFReasonDefault        = "DEFAULT"
	OFReasonDisabled       = "DISABLED"
)

// OFREPReason maps Ethos' reason onto OpenFeature's; split is true for an ABTest campaign
// (WeightedSplit), whose matched experience comes from the bucketing split.
//
//	Matched (RuleBased)                      TARGETING_MATCH
//	Matched (ABTest)                         SPLIT
//	ControlGroup                             SPLIT (the bucketing put the visitor in control)
//	Suspended, Blocked, OutsideSchedule      DISABLED
//	every other reason (consent, GPC, audience, authentication, cap, zone)  DEFAULT
func OFREPReason(r Reason, split bool) string {
	switch r {
	case ReasonMatched:
		if split {
			return OFReasonSplit
		}
		return OFReasonTargetingMatch
	case ReasonControlGroup:
		return OFReasonSplit
	case ReasonSuspended, ReasonBlocked, ReasonOutsideSchedule:
		return OFReasonDisabled
	}
	return OFReasonDefault
}

// FallbackVariant is the OFREP variant of every answer that is not personalized.
const FallbackVariant = "fallback"

// AppendOFREPEvaluation appends an OFREP evaluation success for the answer: the value is
// {experience, content, items, explanation}, the variant the experience (or "fallback"),
// and metadata carries Ethos' reason, campaign, configHash and personalized.
func AppendOFREPEvaluation(dst []byte, key string, a *Answer, split bool) []byte {
	dst = append(dst, `{"key":`...)
	dst = AppendString(dst, key)
	dst = append(dst, `,"reason":"`...)
	dst = append(dst, OFREPReason(a.Reason, split)...)
	dst = append(dst, `","variant":`...)
	if a.Experience != "" {
		dst = AppendString(dst, a.Experience)
	} else {
		dst = append(dst, `"`+FallbackVariant+`"`...)
	}
	dst = append(dst, `,"value":{"experience":`...)
	dst = AppendString(dst, a.Experience)
	dst = appendContentAndItems(dst, a)
	dst = append(dst, `,"explanation":`...)
	dst = AppendString(dst, a.Explanation)
	dst = append(dst, `},"metadata":{"reason":`...)
	dst = AppendString(dst, string(a.Reason))
	dst = append(dst, `,"campaign":`...)
	dst = AppendString(dst, a.Campaign)
	dst = append(dst, `,"configHash":`...)
	dst = AppendString(dst, a.ConfigHash)
	dst = append(dst, `,"personalized":`...)
	dst = strconv.AppendBool(dst, a.Personalized)
	return append(dst, '}', '}')
}

// AppendOFREPFailure appends an OFREP failure body: {"key", "errorCode", "errorDetails"},
// without key when key is empty (the bulk endpoint's failure).
func AppendOFREPFailure(dst []byte, key, code, details string) []byte {
	dst = append(dst, '{')
	if key != "" {
		dst = append(dst, `"key":`...)
		dst = AppendString(dst, key)
		dst = append(dst, ',')
	}
	dst = append(dst, `"errorCode":`...)
	dst = AppendString(dst, code)
	dst = append(dst, `,"errorDetails":`...)
	dst = AppendString(dst, details)
	return append(dst, '}')
}
