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
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Limits on a decision request (SPEC §6).
const (
	// MaxBodyBytes is the largest request body accepted: 1 MiB.
	MaxBodyBytes = 1 << 20
	// MaxCandidates is the most candidates one request may carry.
	MaxCandidates = 1000
	// MaxVisitorIDLength bounds visitor ids, which are hashed for bucketing.
	MaxVisitorIDLength = 512
)

// Consent states a request may carry for a purpose; a purpose absent from the map is unknown.
const (
	ConsentGranted = "granted"
	ConsentDenied  = "denied"
)

// Request is the body of POST /v1/decisions. Unknown fields are ignored.
type Request struct {
	Visitor     Visitor     `json:"visitor"`
	Consent     Consent     `json:"consent"`
	Attributes  Attributes  `json:"attributes"`
	Zone        string      `json:"zone"`
	History     History     `json:"history"`
	Candidates  []Candidate `json:"candidates"`
	Impressions int64       `json:"impressions"`
	// GPC is the Global Privacy Control signal forwarded by a server-side caller; the
	// Sec-GPC: 1 header sets it too.
	GPC bool `json:"gpc"`
	// Locale is the visitor's language tag (fr, fr-CH, ...) for the explanation, from the body or
	// the OFREP context's locale key; it wins over an Accept-Language header
	// (ApplyAcceptLanguage). Unsupported tags answer in English.
	Locale string `json:"locale"`
}

// Visitor identifies the visitor. The id is only hashed (bucketing, logs), never stored.
type Visitor struct {
	ID            string `json:"id"`
	Authenticated bool   `json:"authenticated"`
}

// History is the visitor's history, newest first. It is read only by history sources and
// purchase exclusion.
type History struct {
	Viewed    []ItemID `json:"viewed"`
	Purchased []ItemID `json:"purchased"`
}

// Candidate is an item the caller offers for ranking.
type Candidate struct {
	ID         ItemID   `json:"id"`
	Categories []string `json:"categories"`
}

// ItemID is an item id. JSON strings and numbers are accepted; answers carry it as a string.
type ItemID string

// UnmarshalJSON accepts a string or a number.
func (id *ItemID) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil // as encoding/json does for a null string; validate rejects empty ids
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ItemID(s)
		return nil
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*id = ItemID(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: typeString}
}

// Kind is the JSON type of an attribute value.
type Kind uint8

// Attribute value kinds. KindMissing is the zero value: the attribute is absent (or null).
const (
	KindMissing Kind = iota
	KindString
	KindNumber
	KindBool
	KindList
)

// Value is one attribute value: a string, number, boolean or list of strings.
type Value struct {
	Kind Kind
	// Str is the text form of a scalar: the string, the number as written, "true"/"false".
	// In compares it with rule values, and placeholders print it.
	Str string
	// Num is the number of a KindNumber value.
	Num float64
	// List holds the elements of a KindList value.
	List []string
}

// Attributes are the visitor's attributes by name.
type Attributes map[string]Value

// UnmarshalJSON decodes the object and reports a wrong type with the attribute's path,
// which encoding/json does not do for map entries.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Attributes, len(raw))
	// By name, so that of several bad attributes the same one is always reported.
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		v := raw[name]
		val, err := parseValue(v)
		if err != nil {
			return &FieldError{Field: "attributes." + name, Message: err.Error()}
		}
		if val.Kind != KindMissing {
			out[name] = val
		}
	}
	*a = out
	return nil
}

var errAttributeType = errors.New("must be a string, number, boolean or list of strings")

func parseValue(b []byte) (Value, error) {
	if len(b) == 0 {
		return Value{}, errAttributeType
	}
	switch c := b[0]; {
	case c == 'n':
		return Value{}, nil
	case c == 't' || c == 'f':
		return Value{Kind: KindBool, Str: string(b)}, nil
	case c == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return Value{}, err
		}
		return Value{Kind: KindString, Str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return Value{}, errors.New("must be a finite number")
		}
		return Value{Kind: KindNumber, Str: string(b), Num: f}, nil
	case c == '[':
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return Value{}, errAttributeType
		}
		if list == nil {
			list = []string{}
		}
		return Value{Kind: KindList, List: list}, nil
	}
	return Value{}, errAttributeType
}

// FieldError is a request error about one field; the server answers it as a 400 JSON error.
type FieldError struct {
	// Field is the JSON path of the offending field, such as attributes.postalCode.
	Field string
	// Message says what is wrong with it.
	Message string
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// DecodeRequest parses and checks a request body. Every error is a *FieldError naming the
// field, so callers can answer a clear 400; it never panics on any input.
func DecodeRequest(body []byte) (*Request, error) {
	if len(body) > MaxBodyBytes {
		return nil, &FieldError{Message: fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes)}
	}
	return new(Decoder).Decode(body)
}

// Decoder decodes request bodies into the maps and slices of the request it decoded before,
// so a steady stream of requests decodes with few allocations. The request a Decode returns
// is valid until the next Decode; a Decoder is not safe for concurrent use (pool them).
// Its answers are DecodeRequest's and DecodeOFREPRequest's.
type Decoder struct {
	req Request
	st  storage
}

// Decode is DecodeRequest reusing the decoder's storage.
func (dec *Decoder) Decode(body []byte) (*Request, error) {
	if len(body) > MaxBodyBytes {
		return nil, &FieldError{Message: fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes)}
	}
	return dec.decodeUnbounded(body)
}

// fast runs a fast decoder into the decoder's request, which gets the storage of the
// request decoded before.
func (dec *Decoder) fast(body []byte, decode func([]byte, *Request, *storage) bool) (*Request, bool) {
	dec.st.reclaim(&dec.req)
	dec.req = Request{}
	return &dec.req, decode(body, &dec.req, &dec.st)
}

// decodeUnbounded is Decode without the size limit, for bodies whose caller checked the
// size of what was received (an OFREP request is rewritten into a slightly larger one).
func (dec *Decoder) decodeUnbounded(body []byte) (*Request, error) {
	req, ok := dec.fast(body, decodeFastInto)
	if !ok {
		var err error
		if req, err = decodeSlow(body); err != nil {
			return nil, err
		}
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeSlow is DecodeRequest's encoding/json path, without validation (for tests).
func decodeSlow(body []byte) (*Request, error) {
	req := &Request{}
	if err := json.Unmarshal(body, req); err != nil {
		return nil, toFieldError(err)
	}
	return req, nil
}

func (r *Request) validate() error {
	switch {
	case r.Visitor.ID == "":
		return &FieldError{Field: "visitor.id", Message: "is required"}
	case len(r.Visitor.ID) > MaxVisitorIDLength:
		return &FieldError{Field: "visitor.id", Message: fmt.Sprintf("must be at most %d bytes", MaxVisitorIDLength)}
	case len(r.Candidates) > MaxCandidates:
		return &FieldError{Field: "candidates", Message: fmt.Sprintf("must hold at most %d items, got %d", MaxCandidates, len(r.Candidates))}
	case r.Impressions < 0:
		return &FieldError{Field: "impressions", Message: "must not be negative"}
	}
	for i := range r.Candidates {
		if r.Candidates[i].ID == "" {
			return &FieldError{Field: fmt.Sprintf("candidates[%d].id", i), Message: "is required"}
		}
	}
	return r.Consent.validate()
}

var typeString = reflect.TypeFor[string]()

// toFieldError turns encoding/json's errors into FieldErrors without echoing values.
func toFieldError(err error) error {
	var fe *FieldError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		want := "a different type"
		if te.Type != nil {
			want = jsonTypeName(te.Type.String())
		}
		if te.Type != nil && te.Type.Kind() == reflect.Int64 && strings.HasPrefix(te.Value, "number") {
			// A number that does not fit (1e400, 1.5 for a count): say which numbers do,
			// rather than "must be a number, not number 1e400" (and echo no value).
			return &FieldError{Field: field, Message: fmt.Sprintf("must be a whole number from 0 to %d", math.MaxInt64)}
		}
		return &FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", want, te.Value)}
	case errors.As(err, &se):
		return &FieldError{Message: fmt.Sprintf("malformed JSON at byte %d", se.Offset)}
	}
	return &FieldError{Message: "malformed JSON: " + err.Error()}
}

// jsonTypeName names a Go type the way an API user thinks of it.
func jsonTypeName(goType string) string {
	switch goType {
	case "string", "wire.ItemID":
		return "a string"
	case "bool":
		return "a boolean"
	case "int64", "int", "float64":
		return "a number"
	}
	if len(goType) > 2 && goType[:2] == "[]" {
		return "an array"
	}
	return "an object"
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "empty"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '"':
		return "string"
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') {
		return "number"
	}
	return "value"
}
