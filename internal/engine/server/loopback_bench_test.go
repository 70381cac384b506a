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
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The loopback benchmarks drive the engine's real HTTP server (newHTTPServer, the decision
// handler) over a keep-alive TCP connection on 127.0.0.1, with a client that writes a
// prepared request and reads the answer by its Content-Length, so that a CPU profile
// (-cpuprofile) shows the server's per-request work rather than a client's:
//
//	go test ./internal/engine/server -run '^$' -bench Loopback -cpuprofile cpu.out
//	go tool pprof -top -focus 'conn..serve' cpu.out
//
// BenchmarkLoopbackBare runs a bare net/http handler the same way, as the baseline, with
// the engine's server settings (timeouts); BenchmarkLoopbackBarePlain with none, as
// loadtest.sh's bare server. Besides ns/op (a round trip, mostly the two sides' system
// calls and wake-ups) they report cpu-ns/op: the process's CPU time (client included, the
// same client in every benchmark) per request, which is what a loaded core runs out of.
func BenchmarkLoopbackSmall(b *testing.B) { benchLoopback(b, nil, newHTTPServer, "request-small.json") }
func BenchmarkLoopback50(b *testing.B) {
	benchLoopback(b, nil, newHTTPServer, "request-50-candidates.json")
}
func BenchmarkLoopbackBare(b *testing.B) {
	benchLoopback(b, bareHandler, newHTTPServer, "request-small.json")
}
func BenchmarkLoopbackBarePlain(b *testing.B) {
	benchLoopback(b, bareHandler, func(h http.Handler) *http.Server { return &http.Server{Handler: h} }, "request-small.json")
}

var bareHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
})

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchLoopback(b *testing.B, h http.Handler, newServer func(http.Handler) *http.Server, request string) {
	fixtures := filepath.Join("testdata", "load")
	body, err := os.ReadFile(filepath.Join(fixtures, request))
	if err != nil {
		b.Fatal(err)
	}
	if h == nil {
		store := NewStore(filepath.Join(fixtures, "decision.json"), slog.New(slog.DiscardHandler))
		srv := NewServer(store, NewMetrics(), slog.New(slog.DiscardHandler), time.Now, nil)
		store.LoadInitial()
		h = srv.DecisionHandler()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := newServer(h)
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	req := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		DecisionsPath, len(body), body)
	r := textproto.NewReader(bufio.NewReader(conn))
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		status, err := r.ReadLine()
		if err != nil {
			b.Fatal(err)
		}
		hdr, err := r.ReadMIMEHeader()
		if err != nil {
			b.Fatal(err)
		}
		n, err := strconv.Atoi(hdr.Get("Content-Length"))
		if err != nil || !bytes.HasPrefix([]byte(status), []byte("HTTP/1.1 200")) {
			b.Fatalf("%s %v", status, hdr)
		}
		if _, err := r.R.Discard(n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
