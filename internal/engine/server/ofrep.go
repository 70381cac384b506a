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

package server

import (
	_ "embed"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// Paths of the OpenFeature Remote Evaluation Protocol (OFREP) and of the API document.
const (
	OFREPBulkPath = "/ofrep/v1/evaluate/flags"
	OFREPFlagPath = OFREPBulkPath + "/{key}"
	OpenAPIPath   = "/openapi.json"
)

// codeInvalidRequest is the decision API's error code of a bad request.
const codeInvalidRequest = "InvalidRequest"

// apiKind is the API a request came in on: the same decision, two formats.
type apiKind uint8

const (
	apiDecisions apiKind = iota
	apiOFREPFlag
	apiOFREPBulk
)

func (a apiKind) String() string {
	if a == apiDecisions {
		return "decisions"
	}
	return "ofrep"
}

// flagKey is the OFREP flag key of a campaign "<namespace>/<name>": its name.
func flagKey(campaign string) string {
	return campaign[strings.LastIndexByte(campaign, '/')+1:]
}

// isFlag reports whether key names the campaign: its name, or "<namespace>/<name>".
func isFlag(campaign, key string) bool {
	return key == flagKey(campaign) || key == campaign
}

// fail writes an error answer in the format of api: the decision API's ErrorBody, or OFREP's
// failures (400 and 404: {key, errorCode, errorDetails}, the bulk endpoint without key; other
// statuses: {errorDetails}).
func (s *Server) fail(w http.ResponseWriter, api apiKind, key string, status int, body ErrorBody) {
	if api == apiDecisions {
		s.writeError(w, status, body)
		return
	}
	s.metrics.rejected.WithLabelValues(strconv.Itoa(status)).Inc()
	details := body.Message
	if body.Field != "" {
		details = body.Field + ": " + body.Message
	}
	var buf []byte
	if status == http.StatusBadRequest || status == http.StatusNotFound {
		code := body.Code
		if code == codeInvalidRequest {
			code = wire.OFREPGeneral // unreadable or too large: not about the context
		}
		if api == apiOFREPBulk {
			key = ""
		}
		buf = wire.AppendOFREPFailure(nil, key, code, details)
	} else {
		buf = wire.AppendString([]byte(`{"errorDetails":`), details)
		buf = append(buf, '}')
	}
	buf = append(buf, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// bulkETag is the entity tag of a bulk answer: the FNV-1a 64-bit hash of its bytes, the same
// on every replica. The answer depends on the document, the context and the time (schedule),
// so hashing what was answered is what "the flags have not changed" means.
func bulkETag(body []byte) string {
	h := fnv.New64a()
	_, _ = h.Write(body)
	sum := h.Sum64()
	var b [18]byte
	b[0], b[17] = '"', '"'
	for i := 16; i >= 1; i-- {
		b[i] = "0123456789abcdef"[sum&0xF]
		sum >>= 4
	}
	return string(b[:])
}

// etagMatches reports whether an If-None-Match header names etag (weak comparison, as
// RFC 9110 prescribes for If-None-Match; "*" matches any).
func etagMatches(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// setCORS adds the CORS headers of an answer when CORS is on (origins not empty): always
// Vary: Origin (the answer's headers depend on it), and Access-Control-Allow-Origin when the
// Origin header equals one of the origins exactly. It reports whether the origin is allowed.
func setCORS(h http.Header, origins []string, origin string) bool {
	h.Add("Vary", "Origin")
	if origin == "" || !slices.Contains(origins, origin) {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	// The OFREP web provider reads the bulk answer's ETag; Retry-After comes with 429 and 503.
	h.Set("Access-Control-Expose-Headers", "ETag, Retry-After")
	return true
}

// CORS preflight answers. Sec-GPC is not listed: browsers set Sec- headers themselves and
// never ask to send them.
const (
	corsAllowMethods = "POST"
	corsAllowHeaders = "Content-Type, If-None-Match"
	corsMaxAge       = "600"
)

// preflight answers a CORS preflight (OPTIONS) without running a decision: 204, with the
// allowed method and headers when the origin is allowed, and nothing a browser accepts when
// it is not.
func preflight(w http.ResponseWriter, r *http.Request, origins []string) {
	h := w.Header()
	if setCORS(h, origins, r.Header.Get("Origin")) {
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", corsMaxAge)
	}
	h.Set("Allow", "OPTIONS, POST")
	w.WriteHeader(http.StatusNoContent)
}

// OpenAPIDocument is the OpenAPI 3 document of the decision API served at /openapi.json;
// docs/openapi.json is a copy (a test fails when they differ).
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, http.StatusMethodNotAllowed, ErrorBody{Code: "MethodNotAllowed", Message: "use GET"})
		return
	}
	h := w.Header()
	if eng := s.store.Current(); eng != nil && len(eng.AllowedOrigins()) > 0 {
		setCORS(h, eng.AllowedOrigins(), r.Header.Get("Origin"))
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(OpenAPIDocument)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(OpenAPIDocument)
	}
}
