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
	"encoding/json"
	"log/slog"
	"maps"
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
func BenchmarkHandler(b *testing.B) { benchHandler(b, DecisionsPath, enginetest.BenchBody) }

// BenchmarkHandlerOFREP is the same decision through POST /ofrep/v1/evaluate/flags/{key}:
// the same visitor as an OFREP context, the same campaign.
func BenchmarkHandlerOFREP(b *testing.B) {
	benchHandler(b, "/ofrep/v1/evaluate/flags/spring-running", ofrepBody(b, enginetest.BenchBody))
}

// ofrepBody turns a decision request into the equivalent OFREP evaluation request.
func ofrepBody(b *testing.B, body []byte) []byte {
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		b.Fatal(err)
	}
	ctx := map[string]any{}
	for k, v := range req {
		switch k {
		case "visitor":
			ctx["targetingKey"] = v.(map[string]any)["id"]
		case "attributes":
			maps.Copy(ctx, v.(map[string]any))
		default:
			ctx[k] = v
		}
	}
	out, err := json.Marshal(map[string]any{"context": ctx})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func benchHandler(b *testing.B, path string, body []byte) {
	file := filepath.Join(b.TempDir(), document.FileName)
	data := enginetest.DocumentJSON(enginetest.BenchCampaign(true), enginetest.Policy(), true)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	store := NewStore(file, slog.New(slog.DiscardHandler))
	srv := NewServer(store, NewMetrics(), slog.New(slog.DiscardHandler), func() time.Time { return enginetest.Now }, nil)
	store.LoadInitial()
	h := srv.DecisionHandler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte("road-hero")) {
			b.Fatal(w.Body.String())
		}
	}
}
