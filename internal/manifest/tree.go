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
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A tree is the set of files that would be applied together: the nearest directory holding
// a kustomization file (searched up to the directory named on the command line), else the
// file's own directory; standard input is one tree. A repository with envs/dev and envs/prod
// thus holds two trees, and the same ConsentPolicy name in both is two environments, not a
// duplicate.

// kustomizationFiles are the names kustomize looks for in a directory.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// treeOf returns the tree of file, found under the command-line directory root ("" for a
// file named on the command line).
func (l *loader) treeOf(file, root string) string {
	dir := filepath.Dir(file)
	if root == "" {
		return dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		if l.hasKustomization(d) {
			return d
		}
		if d == filepath.Clean(root) || d == filepath.Dir(d) {
			return dir
		}
	}
}

func (l *loader) hasKustomization(dir string) bool {
	if has, ok := l.kustomizations[dir]; ok {
		return has
	}
	has := false
	for _, name := range kustomizationFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			has = true
			break
		}
	}
	l.kustomizations[dir] = has
	return has
}

// Where names an object's place in the input for messages: file:line.
func (o *Object) Where() string {
	return fmt.Sprintf("%s:%d", label(o.File), o.Start.Line)
}

// checkDuplicates fails on two objects of the same kind, namespace and name in one tree:
// the cluster would keep only the last one applied, so the other was never checked.
func (s *Set) checkDuplicates() error {
	seen := map[string]*Object{}
	for _, o := range s.Objects {
		key := o.Kind + "\x00" + o.Namespace + "\x00" + o.Name + "\x00" + o.tree
		if first, ok := seen[key]; ok {
			return fmt.Errorf("%s %s/%s is defined twice, at %s and at %s: the cluster would keep only the one applied last; remove or rename one",
				o.Kind, o.Namespace, o.Name, first.Where(), o.Where())
		}
		seen[key] = o
	}
	return nil
}

// resolvePolicies sets ResolvedPolicy of every Campaign: the ConsentPolicy of its namespace
// and consentPolicyRef.name in the input; when several trees define one, the Campaign's own
// tree wins, then the tree that shares the longest directory prefix with it. Two equally
// near candidates are an error, since lint cannot know which one the cluster will hold.
func (s *Set) resolvePolicies() error {
	for _, c := range s.Campaigns() {
		var best []*Object
		bestScore := -1
		for _, p := range s.Objects {
			if p.Policy == nil || p.Namespace != c.Namespace || p.Name != c.Campaign.Spec.ConsentPolicyRef.Name {
				continue
			}
			score := treeAffinity(c.tree, p.tree)
			switch {
			case score > bestScore:
				best, bestScore = []*Object{p}, score //nolint:prealloc // a new best starts the list again
			case score == bestScore:
				best = append(best, p)
			}
		}
		switch len(best) {
		case 0:
		case 1:
			c.ResolvedPolicy = best[0]
		default:
			where := make([]string, len(best))
			for i, p := range best {
				where[i] = p.Where()
			}
			return fmt.Errorf("the Campaign %s/%s (%s) refers to ConsentPolicy %s/%s, which is defined at %s, none nearer to the Campaign than the others: "+
				"lint each environment on its own (for example `kustomize build envs/prod | kubectl ethos lint -f -`)",
				c.Namespace, c.Name, c.Where(), c.Namespace, c.Campaign.Spec.ConsentPolicyRef.Name, strings.Join(where, " and "))
		}
	}
	return nil
}

// treeAffinity ranks how near tree b is to tree a: the same tree ranks highest, then the
// number of leading directories the two share.
func treeAffinity(a, b string) int {
	if a == b {
		return 1 << 30
	}
	if a == Stdin || b == Stdin {
		return 0
	}
	pa, pb := absParts(a), absParts(b)
	n := 0
	for n < len(pa) && n < len(pb) && pa[n] == pb[n] {
		n++
	}
	return n
}

func absParts(dir string) []string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return strings.Split(filepath.ToSlash(dir), "/")
}
