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
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

// BenchmarkHandler is the whole HTTP handler in process (no network): read, decode,
// decide, encode, metrics.
func BenchmarkHandler(b *testing.B) {
	path := filepath.Join(b.TempDir(), document.FileName)
	data := enginetest.DocumentJSON(enginetest.BenchCampaign(true), enginetest.Policy(), true)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	store := NewStore(path, slog.New(slog.DiscardHandler))
	srv := NewServer(store, NewMetrics(), slog.New(slog.DiscardHandler), func() time.Time { return enginetest.Now }, nil)
	store.LoadInitial()
	h := srv.DecisionHandler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, DecisionsPath, bytes.NewReader(enginetest.BenchBody))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
}
