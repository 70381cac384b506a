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
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/evaluator"
)

// Store holds the engine being served and reloads it from a file. Requests take the
// current engine once (Current) and finish on it, so a reload never changes an answer
// half-way.
//
// A new file that the engine cannot serve as written fails closed (docs/decision-engine.md,
// "Fail-closed reloads"): it never leaves the engine personalizing on a document the
// controller has replaced, except when the new file is a Personalize document of a version
// this engine does not know (an upgrade in progress), which keeps the last good document.
type Store struct {
	path    string
	log     *slog.Logger
	current atomic.Pointer[evaluator.Evaluator]
	status  atomic.Pointer[DocumentStatus]
	// OnReload, when set, is called after each reload attempt that saw new file content
	// (or a newly failing read), with the engine then served (nil if none) and the status.
	OnReload func(e *evaluator.Evaluator, st DocumentStatus)

	mu sync.Mutex
	// seen is the hash of the last content tried, so a broken file is logged once, not
	// at every poll.
	seen string
	// lastGood is the last document loaded as written; its fallback content is what a
	// fail-closed engine serves when the new file has no readable envelope.
	lastGood *evaluator.Evaluator
	// readFailing is true while the file cannot be read, so the failure is acted on once.
	readFailing bool
	// readFailure is the last read error logged, so a missing file is logged once per
	// change of state, not at every poll.
	readFailure string
}

// DocumentState says how the served engine relates to the document file.
type DocumentState string

const (
	// StateNotLoaded: no document was ever loaded; decisions answer 503.
	StateNotLoaded DocumentState = "NotLoaded"
	// StateCurrent: the file's document is served as written.
	StateCurrent DocumentState = "Current"
	// StateStale: the file is a Personalize document of a version this engine cannot read;
	// the last good document keeps serving (an upgrade in progress).
	StateStale DocumentState = "Stale"
	// StateFailedClosed: the file could not be served as written and does not say to
	// personalize in a form this engine can trust; every answer is the fallback (reason
	// Blocked, or the envelope's Suspended).
	StateFailedClosed DocumentState = "FailedClosed"
)

// DocumentStates lists every state (metrics pre-create their series).
var DocumentStates = []DocumentState{StateNotLoaded, StateCurrent, StateStale, StateFailedClosed}

// DocumentStatus is what /readyz and the ethos_engine_document_state metric report.
type DocumentStatus struct {
	State DocumentState
	// FileHash is the hash of the file last read; empty when it could not be read.
	FileHash string
	// ServedHash is the configHash of the answers: the document whose content is served.
	ServedHash string
	// Error is why the file is not served as written; empty when State is Current.
	Error string
}

// NewStore returns a Store for the document at path. Nothing is loaded until Reload.
func NewStore(path string, log *slog.Logger) *Store {
	s := &Store{path: path, log: log}
	s.status.Store(&DocumentStatus{State: StateNotLoaded})
	return s
}

// Current is the engine to answer with, or nil before a valid document was loaded.
func (s *Store) Current() *evaluator.Evaluator { return s.current.Load() }

// Status is how the served engine relates to the file.
func (s *Store) Status() DocumentStatus { return *s.status.Load() }

// Reload reads the file and, when its content changed, decides what to serve. It reports
// whether the served engine changed, and the reason the file is not served as written.
func (s *Store) Reload() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// ReadFile follows the ConfigMap volume's ..data symlink, which the kubelet swaps
	// atomically, so a read never sees half of an update.
	data, err := os.ReadFile(s.path)
	if err != nil {
		err = &readError{err: err}
		if s.readFailing {
			return false, err // already acted on: polls of a missing file change nothing
		}
		s.readFailing = true
		// Forget the content seen, so the same good file coming back is loaded again.
		s.seen = ""
		return s.failClosed(nil, "", err), err
	}
	s.readFailing = false
	hash := document.Hash(data)
	if hash == s.seen {
		return false, nil
	}
	s.seen = hash
	e, err := evaluator.Parse(data)
	if err == nil {
		s.lastGood = e
		s.publish(e, DocumentStatus{State: StateCurrent, FileHash: hash, ServedHash: hash})
		return true, nil
	}
	var uv *document.UnsupportedVersionError
	if errors.As(err, &uv) && uv.Envelope.Mode == document.ModePersonalize && s.lastGood != nil {
		// A newer Personalize document: the last good one says to personalize too, and
		// answering from it keeps an upgrade available. Reported as Stale.
		changed := s.Current() != s.lastGood
		s.publish(s.lastGood, DocumentStatus{State: StateStale, FileHash: hash, ServedHash: s.lastGood.ConfigHash(), Error: err.Error()})
		return changed, err
	}
	env, envErr := document.UnmarshalEnvelope(data)
	if envErr != nil {
		env = nil
	}
	return s.failClosed(env, hash, err), err
}

// failClosed serves the fallback because the file at hash (empty: unreadable) cannot be
// served as written: the envelope's fallback when the file has one, else the last good
// document's fallback content with reason Blocked. It reports whether the served engine
// changed; before any good document and without an envelope nothing can be served.
func (s *Store) failClosed(env *document.Envelope, hash string, cause error) bool {
	var e *evaluator.Evaluator
	if env != nil && env.Fallback.Content != nil {
		e = evaluator.FallbackFromEnvelope(*env, hash)
	} else if s.lastGood != nil {
		e = s.lastGood.FailClosed()
	}
	if e == nil {
		s.publish(nil, DocumentStatus{State: StateNotLoaded, FileHash: hash, Error: cause.Error()})
		return false
	}
	s.publish(e, DocumentStatus{State: StateFailedClosed, FileHash: hash, ServedHash: e.ConfigHash(), Error: cause.Error()})
	return true
}

func (s *Store) publish(e *evaluator.Evaluator, st DocumentStatus) {
	if e != nil {
		s.current.Store(e)
	}
	s.status.Store(&st)
	if s.OnReload != nil {
		s.OnReload(e, st)
	}
}

// readError is a failure to read the document file (missing, unreadable), as opposed to
// content that does not parse.
type readError struct{ err error }

func (e *readError) Error() string { return "failed to read decision document: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// Watch polls the file every interval until ctx ends and reloads it when its content
// changes. Polling, rather than inotify, sees every way a mounted file can change
// (ConfigMap symlink swaps, subPath-less bind mounts, editors' rename-on-save) and costs
// one small read per interval.
func (s *Store) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reloadAndLog()
		}
	}
}

// reloadAndLog reloads and logs the outcome; it is the only place reload errors are logged.
func (s *Store) reloadAndLog() {
	changed, err := s.Reload()
	if readErr, ok := errors.AsType[*readError](err); ok {
		if readErr.Error() == s.readFailure {
			return
		}
		s.readFailure = readErr.Error()
	} else if s.readFailure != "" {
		s.readFailure = ""
		s.log.Info("Decision document is readable again", "path", s.path)
	}
	st := s.Status()
	switch {
	case err != nil:
		s.log.Error("Rejected decision document", "path", s.path, "state", st.State,
			"fileConfigHash", st.FileHash, "servingConfigHash", st.ServedHash, "error", err)
	case changed:
		e := s.Current()
		mode, reason := e.Mode()
		s.log.Info("Loaded decision document", "path", s.path, "configHash", e.ConfigHash(), "campaign", e.Campaign(), "mode", mode, "reason", reason)
	}
}

// LoadInitial loads the document at start-up and logs the result. An engine that cannot
// load yet stays unready (readyz) and keeps polling, so a ConfigMap that appears late is
// picked up.
func (s *Store) LoadInitial() { s.reloadAndLog() }
