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

package manifest

import (
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// Position is a place in an input file: 1-based line and column.
type Position struct {
	Line, Column int
}

// parseNodes parses one document for its node positions, or returns nil when it cannot (the
// document was already decoded; positions then fall back to the document's first line).
func parseNodes(data []byte) *yamlv3.Node {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil || doc.Kind != yamlv3.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// Position returns where a field path (as rules and the schema report it, such as
// spec.audience.rules[2].attribute or metadata.labels[app]) is written in the input: the
// key of a mapping entry, the start of a list item. A field the file does not spell out
// (a default, a missing required field) gets the position of its nearest written ancestor,
// so every finding has a line.
func (o *Object) Position(path string) Position {
	_, pos, _ := o.find(path)
	return pos
}

// lookup returns the node at path, or nil when the document does not spell it out.
func (o *Object) lookup(path string) *yamlv3.Node {
	node, _, ok := o.find(path)
	if !ok {
		return nil
	}
	return deref(node)
}

// find walks path from the object's node as far as the document goes: the last node reached,
// its position, and whether the whole path was found.
func (o *Object) find(path string) (*yamlv3.Node, Position, bool) {
	pos := o.Start
	node := o.node
	for _, seg := range splitPath(path) {
		node = deref(node)
		if node == nil {
			return nil, pos, false
		}
		var next, at *yamlv3.Node
		switch node.Kind {
		case yamlv3.MappingNode:
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == seg {
					at, next = node.Content[i], node.Content[i+1]
					break
				}
			}
		case yamlv3.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(node.Content) {
				at, next = node.Content[i], node.Content[i]
			}
		}
		if at == nil {
			return node, pos, false
		}
		pos = o.absolute(at)
		node = next
	}
	return node, pos, true
}

// absolute turns a node's document-relative line into the file's line.
func (o *Object) absolute(n *yamlv3.Node) Position {
	return Position{Line: o.docLine + n.Line - 1, Column: n.Column}
}

func deref(n *yamlv3.Node) *yamlv3.Node {
	for n != nil && n.Kind == yamlv3.AliasNode {
		n = n.Alias
	}
	return n
}

// splitPath splits "spec.rules[2].attribute" into spec, rules, 2, attribute; a bracketed
// key may hold dots ("metadata.labels[app.kubernetes.io/name]").
func splitPath(path string) []string {
	var segs []string
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return append(segs, path[1:])
			}
			segs = append(segs, strings.Trim(path[1:end], `"`))
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, path[:end])
			path = path[end:]
		}
	}
	return segs
}
