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
// Command docschema writes the JSON Schema of the decision document, generated from its Go
// types and their comments (internal/engine/document), so the schema can never drift from
// what the controller writes and the engine reads. `make manifests` runs it; `make verify`
// fails when the committed file is stale.
//
//	go run ./hack/docschema [output]
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/invopop/jsonschema"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

const defaultOutput = "internal/engine/document/decision-document.schema.json"

func main() {
	out := defaultOutput
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := write(out); err != nil {
		fmt.Fprintln(os.Stderr, "docschema:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	r := &jsonschema.Reflector{ExpandedStruct: true}
	// Comments are read from the source, so run from the repository root (make does).
	if err := r.AddGoComments("github.com/ethos-operator/ethos", "./internal/engine/document"); err != nil {
		return fmt.Errorf("failed to read the document's comments: %w", err)
	}
	s := r.Reflect(&document.Document{})
	s.ID = jsonschema.ID("https://ethos.dev/schemas/" + document.APIVersion + "/decision-document.json")
	s.Title = "Ethos decision document " + document.APIVersion
	if v, ok := s.Properties.Get("apiVersion"); ok {
		v.Const = document.APIVersion
	}
	// Translations are keyed by the languages of explanations: say which, as the CRDs do.
	if t, ok := s.Definitions["Translations"]; ok {
		codes := make([]any, 0, len(wire.LanguageCodes))
		for _, c := range wire.LanguageCodes {
			codes = append(codes, c)
		}
		t.PropertyNames = &jsonschema.Schema{Enum: codes}
		n := uint64(len(codes))
		t.MaxProperties = &n
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("failed to encode the schema: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
