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
// (OpenAPI and CEL) checked by apiextensions-apiserver's own code. Documents of other API
// groups, and documents that are not Kubernetes objects at all (kustomization files, Helm
// values), are skipped and counted; an unknown kind or version inside Ethos' own group is an
// error. Every read is bounded (MaxDocumentBytes, MaxFileBytes), every object remembers where
// it was written so findings can point at a line, and objects are grouped into trees (see
// tree.go) to resolve policies and find duplicates. `kubectl ethos lint` and
// `kubectl ethos decide` share it.
package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	yamlv3 "go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
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
	// Start is where the object begins in File.
	Start Position
	// Campaign or Policy holds the typed object, defaults applied; exactly one is set.
	Campaign *ethosv1alpha1.Campaign
	Policy   *ethosv1alpha1.ConsentPolicy
	// SchemaErrors are what the API server would reject before any webhook runs.
	SchemaErrors field.ErrorList
	// ResolvedPolicy is, for a Campaign, the ConsentPolicy of the input its consentPolicyRef
	// names (the nearest one when several trees define it), or nil.
	ResolvedPolicy *Object

	tree    string       // the tree the file belongs to (tree.go)
	docLine int          // the file line the object's document starts on
	node    *yamlv3.Node // the object's YAML node, for Position; nil when unavailable
}

// Set is everything read from the input.
type Set struct {
	// Objects in input order.
	Objects []*Object
	// Skipped counts documents of other API groups and documents that are not Kubernetes
	// objects (empty documents are not counted).
	Skipped int
}

// Options configures Load.
type Options struct {
	// Namespace for objects without metadata.namespace; "default" when empty.
	Namespace string
	// Stdin is read for the path "-"; os.Stdin when nil.
	Stdin io.Reader
	// MaxDocumentBytes and MaxFileBytes bound every read; 0 means the package default.
	MaxDocumentBytes int
	MaxFileBytes     int64
}

// Load reads every path (a file, a directory walked recursively for *.yaml, *.yml and
// *.json, or "-" for stdin). Unreadable files, inputs over the limits, unparsable YAML, an
// unknown Ethos kind or version, and duplicate objects in one tree are errors naming the
// file and line; schema violations are not errors but Object.SchemaErrors.
func Load(ctx context.Context, paths []string, opts Options) (*Set, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	if opts.MaxDocumentBytes <= 0 {
		opts.MaxDocumentBytes = MaxDocumentBytes
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = MaxFileBytes
	}
	schemas, err := schemas()
	if err != nil {
		return nil, err
	}
	l := &loader{ctx: ctx, opts: opts, schemas: schemas, kinds: newCatalogue(slices.Collect(maps.Keys(schemas))),
		set: &Set{}, kustomizations: map[string]bool{}}
	for _, p := range paths {
		if err := l.path(p); err != nil {
			return nil, err
		}
	}
	if err := l.set.checkDuplicates(); err != nil {
		return nil, err
	}
	if err := l.set.resolvePolicies(); err != nil {
		return nil, err
	}
	return l.set, nil
}

// schemas builds the CRD schemas once per process; they never change.
var schemas = sync.OnceValues(loadSchemas)

type loader struct {
	ctx            context.Context
	opts           Options
	schemas        map[string]*kindSchema
	kinds          *catalogue
	set            *Set
	kustomizations map[string]bool // directory -> holds a kustomization file
}

func (l *loader) path(p string) error {
	if p == Stdin {
		return l.read(Stdin, Stdin, l.opts.Stdin)
	}
	info, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", p, err)
	}
	if !info.IsDir() {
		return l.file(p, "")
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
		if err := l.file(f, p); err != nil {
			return err
		}
	}
	return nil
}

// file reads one file found under the command-line directory root ("" for a file named on
// the command line).
func (l *loader) file(p, root string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", p, err)
	}
	defer f.Close()
	return l.read(p, l.treeOf(p, root), f)
}

// read splits r into YAML documents and decodes each.
func (l *loader) read(name, tree string, r io.Reader) error {
	docs := newDocumentReader(r, l.opts.MaxDocumentBytes, l.opts.MaxFileBytes)
	for i := 1; ; i++ {
		d, err := docs.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("failed to read %s (document %d): %w", label(name), i, err)
		}
		if err := l.document(&docSource{file: name, tree: tree, index: i, line: d.line}, d.data); err != nil {
			return err
		}
	}
}

// docSource is where a document comes from.
type docSource struct {
	file, tree string
	index      int // 1-based document index in file
	line       int // file line the document starts on
}

// errorf formats an error about the document, naming file, document and line.
func (s *docSource) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("failed to parse %s (document %d, line %d): %s", label(s.file), s.index, line, fmt.Sprintf(format, args...))
}

// document decodes one YAML document; a v1 List is unpacked into its items.
//
// It decodes as the API server does: a key given twice in one mapping is an error (kubectl's
// strict field validation rejects it too), and whole numbers become int64, not float64, so
// CEL rules over integer fields (such as weight) evaluate instead of failing on the type.
func (l *loader) document(src *docSource, b []byte) error {
	j, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		return src.errorf(src.line, "%v", err)
	}
	j = bytes.TrimSpace(j)
	if len(j) == 0 || string(j) == "null" {
		return nil // an empty document, such as a trailing "---"
	}
	var obj map[string]any
	if j[0] != '{' || utiljson.Unmarshal(j, &obj) != nil {
		// A list or a scalar is no Kubernetes object (SPEC §7: other documents are skipped).
		l.set.Skipped++
		return nil
	}
	root := parseNodes(b)
	if kind, _ := obj["kind"].(string); strings.HasSuffix(kind, "List") {
		if items, ok := obj["items"].([]any); ok {
			itemNodes := listItemNodes(root)
			for i, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					return src.errorf(src.line, "items[%d] of the %s is not a mapping", i, kind)
				}
				var node *yamlv3.Node
				if i < len(itemNodes) {
					node = itemNodes[i]
				}
				if err := l.object(src, m, node); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return l.object(src, obj, root)
}

// listItemNodes returns the item nodes of a List document's items field.
func listItemNodes(root *yamlv3.Node) []*yamlv3.Node {
	o := &Object{node: root}
	items := o.lookup("items")
	if items == nil || items.Kind != yamlv3.SequenceNode {
		return nil
	}
	return items.Content
}

func (l *loader) object(src *docSource, obj map[string]any, node *yamlv3.Node) error {
	o := &Object{File: src.file, Doc: src.index, tree: src.tree, docLine: src.line, node: node,
		Start: Position{Line: src.line, Column: 1}}
	if node != nil {
		o.Start = o.absolute(node)
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if err := l.kinds.check(apiVersion, kind); err != nil {
		return src.errorf(o.Start.Line, "%v", err)
	}
	if apiVersion == "" && l.kinds.isKind(kind) {
		return src.errorf(o.Start.Line, "apiVersion is required for kind %s: use apiVersion %s", kind, strings.Join(l.kinds.apiVersions(kind), " or "))
	}
	ks, ok := l.schemas[apiVersion+", Kind="+kind]
	if !ok {
		// Another group's kind, or no Kubernetes object at all (a kustomization file without
		// apiVersion, Helm values): not ours to check.
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
	o.Kind = kind
	o.SchemaErrors = ks.apply(l.ctx, obj)

	j, err := json.Marshal(obj)
	if err != nil {
		return src.errorf(o.Start.Line, "failed to encode: %v", err)
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
