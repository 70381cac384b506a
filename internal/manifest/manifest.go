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

// Package manifest reads Ethos objects from YAML the way the cluster would receive them:
// multi-document YAML from files, directories (recursively) and stdin, decoded into typed
// Campaigns and ConsentPolicies with the CRD's defaults applied and the generated schema
// (OpenAPI and CEL) checked by apiextensions-apiserver's own code. Documents of other kinds
// are skipped and counted. `kubectl ethos lint` and `kubectl ethos decide` share it.
package manifest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// Stdin is the path that means standard input.
const Stdin = "-"

// Object is one Campaign or ConsentPolicy read from the input.
type Object struct {
	// Kind is "Campaign" or "ConsentPolicy".
	Kind string
	// Namespace and Name identify the object (Namespace defaulted from Options.Namespace).
	Namespace, Name string
	// File is where it came from ("-" for stdin), and Doc its 1-based document index there.
	File string
	Doc  int
	// Campaign or Policy holds the typed object, defaults applied; exactly one is set.
	Campaign *ethosv1alpha1.Campaign
	Policy   *ethosv1alpha1.ConsentPolicy
	// SchemaErrors are what the API server would reject before any webhook runs.
	SchemaErrors field.ErrorList
}

// Set is everything read from the input.
type Set struct {
	// Objects in input order.
	Objects []*Object
	// Skipped counts documents of other kinds (and empty documents are not counted).
	Skipped int
}

// Options configures Load.
type Options struct {
	// Namespace for objects without metadata.namespace; "default" when empty.
	Namespace string
	// Stdin is read for the path "-"; os.Stdin when nil.
	Stdin io.Reader
}

// Load reads every path (a file, a directory walked recursively for *.yaml, *.yml and
// *.json, or "-" for stdin). Unreadable files and unparsable YAML are errors naming the file
// and document; schema violations are not errors but Object.SchemaErrors.
func Load(ctx context.Context, paths []string, opts Options) (*Set, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	schemas, err := schemas()
	if err != nil {
		return nil, err
	}
	l := &loader{ctx: ctx, opts: opts, schemas: schemas, set: &Set{}}
	for _, p := range paths {
		if err := l.path(p); err != nil {
			return nil, err
		}
	}
	return l.set, nil
}

// schemas builds the CRD schemas once per process; they never change.
var schemas = sync.OnceValues(loadSchemas)

type loader struct {
	ctx     context.Context
	opts    Options
	schemas map[string]*kindSchema
	set     *Set
}

func (l *loader) path(p string) error {
	if p == Stdin {
		return l.read(Stdin, l.opts.Stdin)
	}
	info, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", p, err)
	}
	if !info.IsDir() {
		return l.file(p)
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to walk %s: %w", p, err)
	}
	slices.Sort(files)
	for _, f := range files {
		if err := l.file(f); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) file(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", p, err)
	}
	defer f.Close()
	return l.read(p, f)
}

// read splits r into YAML documents and decodes each.
func (l *loader) read(name string, r io.Reader) error {
	docs := utilyaml.NewYAMLReader(bufio.NewReader(r))
	for i := 1; ; i++ {
		b, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("failed to read %s (document %d): %w", label(name), i, err)
		}
		if err := l.document(name, i, b); err != nil {
			return err
		}
	}
}

// document decodes one YAML document; a v1 List is unpacked into its items.
//
// It decodes as the API server does: a key given twice in one mapping is an error (kubectl's
// strict field validation rejects it too), and whole numbers become int64, not float64, so
// CEL rules over integer fields (such as weight) evaluate instead of failing on the type.
func (l *loader) document(name string, doc int, b []byte) error {
	j, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		return fmt.Errorf("failed to parse %s (document %d): %w", label(name), doc, err)
	}
	j = bytes.TrimSpace(j)
	if len(j) == 0 || string(j) == "null" {
		return nil // an empty document, such as a trailing "---"
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(j, &obj); err != nil {
		return fmt.Errorf("failed to parse %s (document %d): expected a YAML mapping with apiVersion and kind: %w", name, doc, err)
	}
	if kind, _ := obj["kind"].(string); strings.HasSuffix(kind, "List") {
		if items, ok := obj["items"].([]any); ok {
			for _, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					return fmt.Errorf("failed to parse %s (document %d): a List item is not a mapping", label(name), doc)
				}
				if err := l.object(name, doc, m); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return l.object(name, doc, obj)
}

func (l *loader) object(name string, doc int, obj map[string]any) error {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return fmt.Errorf("failed to parse %s (document %d): apiVersion and kind are required", label(name), doc)
	}
	ks, ok := l.schemas[apiVersion+", Kind="+kind]
	if !ok {
		l.set.Skipped++
		return nil
	}
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	if ns, _ := meta["namespace"].(string); ns == "" {
		meta["namespace"] = l.opts.Namespace
	}
	o := &Object{Kind: kind, File: name, Doc: doc}
	o.SchemaErrors = ks.apply(l.ctx, obj)

	j, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("failed to encode %s (document %d): %w", label(name), doc, err)
	}
	switch kind {
	case "Campaign":
		o.Campaign = &ethosv1alpha1.Campaign{}
		err = json.Unmarshal(j, o.Campaign)
		o.Namespace, o.Name = o.Campaign.Namespace, o.Campaign.Name
	case "ConsentPolicy":
		o.Policy = &ethosv1alpha1.ConsentPolicy{}
		err = json.Unmarshal(j, o.Policy)
		o.Namespace, o.Name = o.Policy.Namespace, o.Policy.Name
	default:
		l.set.Skipped++
		return nil
	}
	if err != nil {
		// Only values of the wrong type get here, and the schema reported them already.
		if len(o.SchemaErrors) == 0 {
			o.SchemaErrors = append(o.SchemaErrors, field.Invalid(field.NewPath(""), nil, err.Error()))
		}
	}
	l.set.Objects = append(l.set.Objects, o)
	return nil
}

// label names an input in messages.
func label(name string) string {
	if name == Stdin {
		return "<stdin>"
	}
	return name
}

// Policy returns the ConsentPolicy namespace/name of the input, or nil.
func (s *Set) Policy(namespace, name string) *ethosv1alpha1.ConsentPolicy {
	for _, o := range s.Objects {
		if o.Policy != nil && o.Namespace == namespace && o.Name == name {
			return o.Policy
		}
	}
	return nil
}

// Campaigns returns the Campaigns of the input, in order.
func (s *Set) Campaigns() []*Object {
	var out []*Object
	for _, o := range s.Objects {
		if o.Campaign != nil {
			out = append(out, o)
		}
	}
	return out
}
