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
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

var update = flag.Bool("update", false, "rewrite testdata/load from the benchmark campaign")

// TestLoadFixtures keeps testdata/load (the document and requests the HTTP load test of
// docs/benchmarks.md sends) equal to the benchmark campaign and request; run with -update
// after changing them.
func TestLoadFixtures(t *testing.T) {
	g := NewWithT(t)
	c := enginetest.BenchCampaign(true)
	c.Spec.Schedule = nil // the load test runs today, not in the fixture's window
	doc := enginetest.DocumentJSON(c, enginetest.Policy(), true)
	small := []byte(`{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},"attributes":{"viewedCategories":["running","trail"],"visits":5},"zone":"home_hero"}`)
	files := map[string][]byte{document.FileName: doc, "request-50-candidates.json": enginetest.BenchBody, "request-small.json": small}
	for name, want := range files {
		path := filepath.Join("testdata", "load", name)
		if *update {
			g.Expect(os.MkdirAll(filepath.Dir(path), 0o755)).To(Succeed())
			g.Expect(os.WriteFile(path, want, 0o644)).To(Succeed())
		}
		got, err := os.ReadFile(path)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(bytes.Equal(got, want)).To(BeTrue(), "%s is stale: run go test ./internal/engine/server -run TestLoadFixtures -update", path)
		if name != document.FileName {
			_, err := wire.DecodeRequest(got)
			g.Expect(err).NotTo(HaveOccurred())
		}
	}
}
