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

// Package server is the decision engine's transport and operations layer: the HTTP
// handlers of the decision API and of /healthz, /readyz and /metrics, the Store that
// reloads the decision document from its file, and the Prometheus metrics. It wires the
// wire and evaluator layers together; the evaluator itself does no I/O.
package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"

	"github.com/ethos-operator/ethos/internal/engine/evaluator"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// DecisionsPath is the decision API's path.
const DecisionsPath = "/v1/decisions"

// Server answers decisions from a Store and serves health and metrics.
type Server struct {
	store   *Store
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time
	// logKey keys the hash of visitor ids in logs, so logs never hold a raw id and the
	// hashes cannot be reversed by hashing guessed ids.
	logKey   []byte
	draining atomic.Bool
	buffers  sync.Pool
	// decoders holds *wire.Decoder: each keeps the maps and slices of the request it
	// decoded last, so a steady load decodes without allocating them again.
	decoders sync.Pool
	// slots holds one token per request being answered; full means overloaded.
	slots chan struct{}
	// bodyBytes bounds the request bytes being read at once.
	bodyBytes byteBudget
	// maxConns caps the decision API's open connections (Limits.MaxConnections).
	maxConns int
}

// Limits bound what the engine holds in flight, so no burst of requests can push it past
// its memory limit: past a bound a request is answered 503 with Retry-After: 1 at once,
// before its body is read.
type Limits struct {
	// MaxInFlight is the most requests answered at once (--max-in-flight).
	MaxInFlight int
	// MaxBytesInFlight is the most request-body bytes being read at once
	// (--max-bytes-in-flight). A request reserves its Content-Length, or the 1 MiB body
	// limit when it sends none; at least wire.MaxBodyBytes.
	MaxBytesInFlight int64
	// MaxConnections is the most open connections to the decision API (--max-connections);
	// past it new connections wait in the listen queue until one closes. 0: no cap.
	MaxConnections int
}

// DefaultLimits fit the engine's default 256Mi memory limit: 32 MiB of bodies in flight
// is at most about 64 MiB of buffers while they are read and decoded, and 256 decisions of
// microseconds each at once is far more than one replica's cores answer. 1,024 connections
// (about 4 KiB of buffers each when idle, a few MiB in all) is well under the container's
// default open-file limit and far more than an ingress or a service mesh keeps to one pod.
var DefaultLimits = Limits{MaxInFlight: 256, MaxBytesInFlight: 32 << 20, MaxConnections: 1024}

// Validate reports a limit that cannot work, naming its flag.
func (l Limits) Validate() error {
	if l.MaxInFlight < 1 {
		return fmt.Errorf("--max-in-flight must be at least 1, got %d", l.MaxInFlight)
	}
	if l.MaxBytesInFlight < wire.MaxBodyBytes {
		return fmt.Errorf("--max-bytes-in-flight must be at least %d (the request body limit), got %d", wire.MaxBodyBytes, l.MaxBytesInFlight)
	}
	if l.MaxConnections < 0 {
		return fmt.Errorf("--max-connections must be at least 1, or 0 for no cap, got %d", l.MaxConnections)
	}
	return nil
}

// SetLimits replaces the limits; call it before serving. Invalid limits are an error.
func (s *Server) SetLimits(l Limits) error {
	if err := l.Validate(); err != nil {
		return err
	}
	s.slots = make(chan struct{}, l.MaxInFlight)
	s.bodyBytes = byteBudget{limit: l.MaxBytesInFlight}
	s.maxConns = l.MaxConnections
	return nil
}

// byteBudget is a non-blocking counting semaphore over bytes.
type byteBudget struct {
	limit int64
	used  atomic.Int64
}

// tryAcquire reserves n bytes (at most the whole budget) and reports whether it could.
func (b *byteBudget) tryAcquire(n int64) bool {
	for {
		used := b.used.Load()
		if used+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

func (b *byteBudget) release(n int64) { b.used.Add(-n) }

// bodyReservation is what a request reserves of the byte budget: its declared length
// (plus the one byte read past the limit), else the body limit.
func bodyReservation(contentLength, budget int64) int64 {
	n := int64(wire.MaxBodyBytes + 1)
	if contentLength >= 0 && contentLength < n {
		n = contentLength + 1
	}
	return min(n, budget)
}

// NewServer returns a Server. logKey keys visitor-id hashes in logs; when empty a random
// key is drawn, so hashes only correlate within one process.
func NewServer(store *Store, metrics *Metrics, log *slog.Logger, now func() time.Time, logKey []byte) *Server {
	if len(logKey) == 0 {
		logKey = make([]byte, 32)
		_, _ = rand.Read(logKey) // crypto/rand.Read never fails on supported platforms
	}
	if now == nil {
		now = time.Now
	}
	s := &Server{store: store, metrics: metrics, log: log, now: now, logKey: logKey}
	s.buffers.New = func() any { return new(bytes.Buffer) }
	s.decoders.New = func() any { return new(wire.Decoder) }
	_ = s.SetLimits(DefaultLimits) // valid by construction
	prev := store.OnReload
	store.OnReload = func(e *evaluator.Evaluator, st DocumentStatus) {
		metrics.observeReload(e, st)
		if prev != nil {
			prev(e, st)
		}
	}
	metrics.observeState(store.Status().State)
	return s
}

// VisitorHash is the keyed hash that stands for a visitor id in logs.
func (s *Server) VisitorHash(id string) string {
	mac := hmac.New(sha256.New, s.logKey)
	mac.Write([]byte(id))
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	// Code is a stable CamelCase error code: InvalidRequest, MethodNotAllowed, NotReady,
	// NotFound, Overloaded.
	Code string `json:"code"`
	// Field is the JSON path of the offending request field, when there is one.
	Field string `json:"field,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

func (s *Server) writeError(w http.ResponseWriter, status int, body ErrorBody) {
	s.metrics.rejected.WithLabelValues(strconv.Itoa(status)).Inc()
	buf := append([]byte(`{"code":`), wire.AppendString(nil, body.Code)...)
	if body.Field != "" {
		buf = append(buf, `,"field":`...)
		buf = wire.AppendString(buf, body.Field)
	}
	buf = append(buf, `,"message":`...)
	buf = wire.AppendString(buf, body.Message)
	buf = append(buf, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}

// DecisionHandler serves the decision APIs: POST /v1/decisions, OFREP (POST
// /ofrep/v1/evaluate/flags/{key} and POST /ofrep/v1/evaluate/flags), their CORS preflights,
// and GET /openapi.json.
func (s *Server) DecisionHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(DecisionsPath, func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, apiDecisions) })
	mux.HandleFunc(OFREPFlagPath, func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, apiOFREPFlag) })
	mux.HandleFunc(OFREPBulkPath, func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, apiOFREPBulk) })
	mux.HandleFunc(OpenAPIPath, s.openAPI)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, ErrorBody{Code: "NotFound", Message: "the decision API is POST " + DecisionsPath})
	})
	return mux
}

// serveAPI answers one decision in the format of api.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, api apiKind) {
	start := time.Now()
	// Take the engine once: this request finishes on this version even if a reload
	// swaps in another meanwhile.
	eng := s.store.Current()
	if r.Method == http.MethodOptions && eng != nil && len(eng.AllowedOrigins()) > 0 {
		preflight(w, r, eng.AllowedOrigins())
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.fail(w, api, "", http.StatusMethodNotAllowed, ErrorBody{Code: "MethodNotAllowed", Message: "use POST"})
		return
	}
	if eng == nil {
		s.fail(w, api, "", http.StatusServiceUnavailable, ErrorBody{Code: "NotReady", Message: "no valid decision document is loaded yet"})
		return
	}
	if origins := eng.AllowedOrigins(); len(origins) > 0 {
		setCORS(w.Header(), origins, r.Header.Get("Origin"))
	}
	key := ""
	if api == apiOFREPFlag {
		key = r.PathValue("key")
		if !isFlag(eng.Campaign(), key) {
			s.fail(w, api, key, http.StatusNotFound, ErrorBody{Code: wire.OFREPFlagNotFound,
				Message: fmt.Sprintf("flag %q is not served here: this engine serves the one flag %q", key, flagKey(eng.Campaign()))})
			return
		}
	}

	// Past a bound, refuse before reading the body: the refusal costs no memory.
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		s.overloaded(w, api, key, "too many requests in flight")
		return
	}
	reserved := bodyReservation(r.ContentLength, s.bodyBytes.limit)
	if !s.bodyBytes.tryAcquire(reserved) {
		s.overloaded(w, api, key, "too many request bytes in flight")
		return
	}
	defer s.bodyBytes.release(reserved)

	buf := s.buffers.Get().(*bytes.Buffer)
	defer s.putBuffer(buf)
	buf.Reset()
	// Read one byte past the limit to tell "exactly 1 MiB" from "more".
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, wire.MaxBodyBytes+1)); err != nil {
		s.fail(w, api, key, http.StatusBadRequest, ErrorBody{Code: codeInvalidRequest, Message: "failed to read the request body"})
		return
	}
	if buf.Len() > wire.MaxBodyBytes {
		s.fail(w, api, key, http.StatusBadRequest, ErrorBody{Code: codeInvalidRequest, Message: fmt.Sprintf("request body is larger than %d bytes", wire.MaxBodyBytes)})
		return
	}
	dec := s.decoders.Get().(*wire.Decoder)
	defer s.decoders.Put(dec) // after the answer is written: the request lives in dec
	req, ok := s.decode(w, api, key, dec, buf)
	if !ok {
		return
	}
	if r.Header.Get("Sec-GPC") == "1" {
		req.GPC = true
	}
	// The body's locale wins; otherwise the explanation follows Accept-Language.
	req.ApplyAcceptLanguage(r.Header.Get("Accept-Language"))

	ans := eng.Decide(req, s.now())

	h := w.Header()
	var out []byte
	switch api {
	case apiDecisions:
		out = wire.AppendJSON(buf.Bytes()[:0], &ans)
	case apiOFREPFlag:
		out = wire.AppendOFREPEvaluation(buf.Bytes()[:0], key, &ans, eng.Split())
	case apiOFREPBulk:
		out = append(buf.Bytes()[:0], `{"flags":[`...)
		out = wire.AppendOFREPEvaluation(out, flagKey(eng.Campaign()), &ans, eng.Split())
		out = append(out, "]}"...)
	}
	out = append(out, '\n')
	// Answers depend on the visitor; shared caches must not keep them.
	h["Cache-Control"] = headerNoStore
	if api == apiOFREPBulk {
		etag := bulkETag(out)
		h["Etag"] = []string{etag}
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			out = nil
		}
	}
	if out != nil {
		h["Content-Type"] = headerJSON
		h["Content-Length"] = []string{strconv.Itoa(len(out))}
		_, _ = w.Write(out)
	}
	buf.Reset()

	s.metrics.decided(ans.Reason, ans.Experience)
	s.metrics.latency.Observe(time.Since(start).Seconds())
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("Decision answered", "api", api.String(), "visitor", s.VisitorHash(req.Visitor.ID),
			"reason", ans.Reason, "experience", ans.Experience, "configHash", ans.ConfigHash)
	}
}

// Header values every answer shares (never modified: net/http only reads them).
var (
	headerNoStore = []string{"no-store"}
	headerJSON    = []string{"application/json"}
)

// decode decodes the body in the format of api, answering 400 when it cannot.
func (s *Server) decode(w http.ResponseWriter, api apiKind, key string, dec *wire.Decoder, buf *bytes.Buffer) (*wire.Request, bool) {
	var req *wire.Request
	var err error
	if api == apiDecisions {
		req, err = dec.Decode(buf.Bytes())
	} else {
		// A context the one-pass decoder leaves to encoding/json is rewritten into the
		// buffer's spare capacity, after the body; the request holds copies, not
		// references to either.
		body := buf.Bytes()
		req, _, err = dec.DecodeOFREP(body, body[len(body):])
	}
	if err == nil {
		return req, true
	}
	var fe *wire.FieldError
	if !errors.As(err, &fe) {
		fe = &wire.FieldError{Message: err.Error()}
	}
	code := codeInvalidRequest
	if api != apiDecisions {
		code = wire.OFREPErrorCode(fe)
	}
	s.fail(w, api, key, http.StatusBadRequest, ErrorBody{Code: code, Field: fe.Field, Message: fe.Message})
	return nil, false
}

// overloaded answers 503 (429 on OFREP) with Retry-After: 1: the bound is momentary, so callers retry
// soon (or serve their own fallback) rather than give up.
// OFREP has no 503: it says "retry later" with 429 and Retry-After, which its providers honour.
func (s *Server) overloaded(w http.ResponseWriter, api apiKind, key, why string) {
	w.Header().Set("Retry-After", "1")
	status := http.StatusServiceUnavailable
	if api != apiDecisions {
		status = http.StatusTooManyRequests
	}
	s.fail(w, api, key, status, ErrorBody{Code: "Overloaded", Message: why + ", retry in 1 second"})
}

// maxPooledBuffer is the largest body buffer kept for reuse. Typical requests are a few KiB;
// keeping the buffers of rare 1 MiB bodies would hold MiBs per pooled buffer for good.
const maxPooledBuffer = 64 << 10

// putBuffer returns a buffer to the pool unless it grew past maxPooledBuffer.
func (s *Server) putBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledBuffer {
		return
	}
	buf.Reset()
	s.buffers.Put(buf)
}

// OpsHandler serves /healthz, /readyz and /metrics, on the separate ops port.
func (s *Server) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writePlain(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		st := s.store.Status()
		draining, loaded := s.draining.Load(), s.store.Current() != nil
		if wantsReadinessJSON(r) {
			writeReadiness(w, draining, loaded, st)
			return
		}
		switch {
		case draining:
			writePlain(w, http.StatusServiceUnavailable, "shutting down\n")
		case !loaded:
			writePlain(w, http.StatusServiceUnavailable, "no valid decision document loaded\n")
		default:
			writePlain(w, http.StatusOK, readyBody(st))
		}
	})
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
	return mux
}

// readyBody is /readyz's body when an engine is served. A Stale or FailedClosed engine
// stays ready on purpose: it answers correctly (the fallback, or an upgrade's last good
// document), and an unready pod would leave callers with no answer at all. The body says
// which document is served and why the file is not.
func readyBody(st DocumentStatus) string {
	if st.State == StateCurrent {
		return "ok " + st.ServedHash + "\n"
	}
	file := st.FileHash
	if file == "" {
		file = "unreadable"
	}
	return fmt.Sprintf("%s serving %s, file %s: %s\n", st.State, st.ServedHash, file, st.Error)
}

// StateShuttingDown is the Readiness state of an engine that drains before it exits.
const StateShuttingDown = "ShuttingDown"

// wantsReadinessJSON reports whether the caller of /readyz asked for wire.Readiness.
func wantsReadinessJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), wire.ReadinessContentType)
}

// writeReadiness answers /readyz as wire.Readiness, with the same status code as the text form.
func writeReadiness(w http.ResponseWriter, draining, loaded bool, st DocumentStatus) {
	body := wire.Readiness{
		Ready: loaded && !draining, State: string(st.State),
		ServedConfigHash: st.ServedHash, FileConfigHash: st.FileHash, Error: st.Error,
	}
	if draining {
		body.State = StateShuttingDown
	}
	code := http.StatusOK
	if !body.Ready {
		code = http.StatusServiceUnavailable
	}
	data, _ := json.Marshal(body) // strings and a bool always marshal
	w.Header().Set("Content-Type", wire.ReadinessContentType)
	w.WriteHeader(code)
	_, _ = w.Write(append(data, '\n'))
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Timeouts of both HTTP servers. Decisions are small and fast: a slow client must not
// hold a connection, and idle keep-alive connections are reused by callers for a while.
const (
	ReadHeaderTimeout = 2 * time.Second
	ReadTimeout       = 5 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 120 * time.Second
	ShutdownTimeout   = 20 * time.Second
)

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve answers on the two listeners until ctx is cancelled, then marks itself not ready,
// stops accepting and lets requests in flight finish (up to ShutdownTimeout).
// The decision API accepts at most Limits.MaxConnections connections at once.
func (s *Server) Serve(ctx context.Context, api, ops net.Listener) error {
	if s.maxConns > 0 {
		api = netutil.LimitListener(api, s.maxConns)
	}
	apiSrv, opsSrv := newHTTPServer(s.DecisionHandler()), newHTTPServer(s.OpsHandler())
	errs := make(chan error, 2)
	go func() { errs <- apiSrv.Serve(api) }()
	go func() { errs <- opsSrv.Serve(ops) }()
	s.log.Info("Serving decisions", "address", api.Addr().String(), "opsAddress", ops.Addr().String())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errs:
	}
	s.draining.Store(true)
	s.log.Info("Shutting down, finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err := errors.Join(apiSrv.Shutdown(shutdownCtx), opsSrv.Shutdown(shutdownCtx))
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("failed to serve: %w", serveErr)
	}
	if err != nil {
		return fmt.Errorf("failed to shut down: %w", err)
	}
	return nil
}
