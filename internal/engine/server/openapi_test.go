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
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"

	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// openAPISchemas are the document's component schemas with every $ref resolved inline.
func openAPISchemas(t *testing.T) (map[string]*spec.Schema, map[string]any) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	raw := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var resolve func(v any) any
	resolve = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				return resolve(raw[strings.TrimPrefix(ref, "#/components/schemas/")])
			}
			out := map[string]any{}
			for k, e := range x {
				out[k] = resolve(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = resolve(e)
			}
			return out
		}
		return v
	}
	schemas := map[string]*spec.Schema{}
	resolved := map[string]any{}
	for name, s := range raw {
		r := resolve(s)
		resolved[name] = r
		b, _ := json.Marshal(r)
		sch := &spec.Schema{}
		if err := json.Unmarshal(b, sch); err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		schemas[name] = sch
	}
	return schemas, resolved
}

func validateJSON(schema *spec.Schema, body string) error {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return err
	}
	return validate.AgainstSchema(schema, v, strfmt.Default)
}

// TestOpenAPIDescribesTheHandlersAnswers checks real answers and error bodies of the handler
// against the document: Answer and Error forbid unknown properties and require every field,
// so a field added to or removed from the code without the document fails here.
func TestOpenAPIDescribesTheHandlersAnswers(t *testing.T) {
	schemas, _ := openAPISchemas(t)
	ts := newTestServer(t, true)
	answers := []string{
		goodBody,
		strings.Replace(goodBody, `"granted"`, `"denied"`, 1),
		`{"visitor":{"id":"v"}}`,
		`{"visitor":{"id":"v","authenticated":true},"consent":{"personalization":"granted"},"zone":"elsewhere","gpc":true,"locale":"fr"}`,
	}
	for _, body := range answers {
		a := send(t, http.MethodPost, ts.api.URL+DecisionsPath, body, nil)
		NewWithT(t).Expect(a.code).To(Equal(http.StatusOK))
		NewWithT(t).Expect(validateJSON(schemas["Answer"], a.body)).To(Succeed(), a.body)
	}
	errs := []struct {
		method, path, body string
		code               int
	}{
		{http.MethodPost, DecisionsPath, `{"visitor":`, http.StatusBadRequest},
		{http.MethodPost, DecisionsPath, `{"visitor":{"id":"v"},"impressions":"2"}`, http.StatusBadRequest},
		{http.MethodPost, DecisionsPath, `{"visitor":{}}`, http.StatusBadRequest},
		{http.MethodGet, DecisionsPath, "", http.StatusMethodNotAllowed},
		{http.MethodPost, "/v2/decisions", goodBody, http.StatusNotFound},
	}
	for _, e := range errs {
		a := send(t, e.method, ts.api.URL+e.path, e.body, nil)
		NewWithT(t).Expect(a.code).To(Equal(e.code))
		NewWithT(t).Expect(validateJSON(schemas["Error"], a.body)).To(Succeed(), a.body)
	}
	notReady := newTestServer(t, false)
	a := send(t, http.MethodPost, notReady.api.URL+DecisionsPath, goodBody, nil)
	NewWithT(t).Expect(a.code).To(Equal(http.StatusServiceUnavailable))
	NewWithT(t).Expect(validateJSON(schemas["Error"], a.body)).To(Succeed(), a.body)
	g := NewWithT(t)
	g.Expect(ts.srv.SetLimits(Limits{MaxInFlight: 1, MaxBytesInFlight: wire.MaxBodyBytes})).To(Succeed())
	ts.srv.slots <- struct{}{}
	w := httptest.NewRecorder()
	ts.srv.DecisionHandler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, DecisionsPath, strings.NewReader(goodBody)))
	<-ts.srv.slots
	g.Expect(w.Code).To(Equal(http.StatusServiceUnavailable))
	g.Expect(validateJSON(schemas["Error"], w.Body.String())).To(Succeed())

	// The check can fail: an answer with a field the document lacks, or without one it requires.
	_, good := post(t, ts.api.URL, goodBody, nil)
	extra, missing := maps.Clone(good), maps.Clone(good)
	extra["score"] = 1
	delete(missing, "configHash")
	for _, bad := range []map[string]any{extra, missing} {
		b, _ := json.Marshal(bad)
		g.Expect(validateJSON(schemas["Answer"], string(b))).NotTo(Succeed())
	}
}

// TestOpenAPIDescribesTheRequest checks the request schema against wire.Request: the same
// properties at every level (by JSON name, from the Go types), the document's example
// answered 200, and requests the schema rejects rejected by the handler too.
func TestOpenAPIDescribesTheRequest(t *testing.T) {
	schemas, resolved := openAPISchemas(t)
	g := NewWithT(t)
	var compare func(path string, typ reflect.Type, schema map[string]any)
	compare = func(path string, typ reflect.Type, schema map[string]any) {
		for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
			if items, ok := schema["items"].(map[string]any); ok {
				schema = items
			}
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		props, _ := schema["properties"].(map[string]any)
		var fields []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields = append(fields, name)
			sub, ok := props[name].(map[string]any)
			g.Expect(ok).To(BeTrue(), "%s%s is in %s but not in the OpenAPI document", path, name, typ)
			if ok {
				compare(path+name+".", f.Type, sub)
			}
		}
		var documented []string
		for name := range props {
			documented = append(documented, name)
		}
		slices.Sort(fields)
		slices.Sort(documented)
		g.Expect(documented).To(Equal(fields), "properties of %s in the OpenAPI document and %s", strings.TrimSuffix(path, "."), typ)
	}
	compare("", reflect.TypeFor[wire.Request](), resolved["DecisionRequest"].(map[string]any))

	ts := newTestServer(t, true)
	var doc map[string]any
	g.Expect(json.Unmarshal(OpenAPIDocument, &doc)).To(Succeed())
	example := doc["paths"].(map[string]any)[DecisionsPath].(map[string]any)["post"].(map[string]any)["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["example"]
	b, _ := json.Marshal(example)
	g.Expect(validateJSON(schemas["DecisionRequest"], string(b))).To(Succeed())
	a := send(t, http.MethodPost, ts.api.URL+DecisionsPath, string(b), nil)
	g.Expect(a.code).To(Equal(http.StatusOK), a.body)

	for _, bad := range []string{
		`{}`, `{"visitor":{"id":""}}`, `{"visitor":{"id":7}}`, `{"visitor":{"id":"v"},"consent":{"personalization":"yes"}}`,
		`{"visitor":{"id":"v"},"attributes":{"a":{"b":1}}}`, `{"visitor":{"id":"v"},"impressions":-1}`,
		`{"visitor":{"id":"v"},"impressions":"2"}`, `{"visitor":{"id":"v"},"gpc":"yes"}`, `{"visitor":{"id":"v"},"zone":1}`,
		`{"visitor":{"id":"v"},"candidates":[{"categories":["x"]}]}`, `{"visitor":{"id":"v"},"history":{"viewed":[true]}}`,
		`{"visitor":{"id":"v"},"locale":7}`,
	} {
		g.Expect(validateJSON(schemas["DecisionRequest"], bad)).NotTo(Succeed(), "the schema accepts %s", bad)
		g.Expect(send(t, http.MethodPost, ts.api.URL+DecisionsPath, bad, nil).code).To(Equal(http.StatusBadRequest), "the handler accepts %s", bad)
	}
	for _, good := range []string{
		`{"visitor":{"id":"v"},"attributes":{"a":null,"b":1.5,"c":true,"d":["x"]},"history":{"viewed":["a",1]},"unknown":1}`,
		`{"visitor":{"id":"v"},"consent":{},"candidates":[{"id":3}]}`,
	} {
		g.Expect(validateJSON(schemas["DecisionRequest"], good)).To(Succeed(), good)
		g.Expect(send(t, http.MethodPost, ts.api.URL+DecisionsPath, good, nil).code).To(Equal(http.StatusOK), good)
	}
}
