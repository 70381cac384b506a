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
	"slices"
	"strings"
)

// ethosDomain is the DNS suffix of every Ethos API group. Documents of other groups are not
// ours to judge and are skipped (SPEC §7); inside this domain an unknown kind or version is
// a typo that would otherwise pass CI unchecked, so it is an error.
const ethosDomain = "ethos.dev"

// catalogue lists the group/version/kind triples the embedded CRDs serve.
type catalogue struct {
	groups []string            // sorted
	kinds  map[string][]string // group -> kinds, sorted
	served map[string][]string // group + "/" + kind -> versions, sorted
}

func newCatalogue(keys []string) *catalogue {
	c := &catalogue{kinds: map[string][]string{}, served: map[string][]string{}}
	for _, k := range keys { // "group/version, Kind=Kind"
		gv, kind, _ := strings.Cut(k, ", Kind=")
		group, version, _ := strings.Cut(gv, "/")
		if !slices.Contains(c.groups, group) {
			c.groups = append(c.groups, group)
		}
		if !slices.Contains(c.kinds[group], kind) {
			c.kinds[group] = append(c.kinds[group], kind)
		}
		c.served[group+"/"+kind] = append(c.served[group+"/"+kind], version)
	}
	slices.Sort(c.groups)
	for _, ks := range c.kinds {
		slices.Sort(ks)
	}
	for _, vs := range c.served {
		slices.Sort(vs)
	}
	return c
}

// check returns nil for a served apiVersion/kind or one outside the Ethos domain, and
// otherwise an error that names the nearest served kind or version.
func (c *catalogue) check(apiVersion, kind string) error {
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok || (group != ethosDomain && !strings.HasSuffix(group, "."+ethosDomain)) {
		return nil
	}
	if !slices.Contains(c.groups, group) {
		return fmt.Errorf("unknown API group %q in apiVersion %s: did you mean %s/%s?", group, apiVersion, nearest(group, c.groups), version)
	}
	kinds := c.kinds[group]
	if !slices.Contains(kinds, kind) {
		if kind == "" {
			return fmt.Errorf("kind is required with apiVersion %s: one of %s", apiVersion, strings.Join(kinds, ", "))
		}
		return fmt.Errorf("unknown kind %q in %s: did you mean %s? (this group serves %s)", kind, group, nearest(kind, kinds), strings.Join(kinds, ", "))
	}
	versions := c.served[group+"/"+kind]
	if !slices.Contains(versions, version) {
		return fmt.Errorf("%s is not a served version of %s: use apiVersion %s/%s", apiVersion, kind, group, nearest(version, versions))
	}
	return nil
}

// isKind reports whether kind is an Ethos kind in any group, for a document that names the
// kind but forgot apiVersion.
func (c *catalogue) isKind(kind string) bool {
	for _, ks := range c.kinds {
		if slices.Contains(ks, kind) {
			return true
		}
	}
	return false
}

// apiVersions lists every served "group/version", for messages.
func (c *catalogue) apiVersions(kind string) []string {
	var out []string
	for _, g := range c.groups {
		for _, v := range c.served[g+"/"+kind] {
			out = append(out, g+"/"+v)
		}
	}
	return out
}

// nearest returns the candidate with the smallest edit distance to s, ignoring case (the
// first one on a tie; candidates are sorted).
func nearest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
