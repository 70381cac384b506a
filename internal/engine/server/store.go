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
// half-way; a file that does not parse or compile is rejected and the old engine keeps
// serving.
type Store struct {
	path    string
	log     *slog.Logger
	current atomic.Pointer[evaluator.Evaluator]
	// OnReload, when set, is called after each reload attempt that saw new file content.
	OnReload func(e *evaluator.Evaluator, err error)

	mu sync.Mutex
	// seen is the hash of the last content tried, so a broken file is logged once, not
	// at every poll.
	seen string
	// readFailure is the last read error logged, so a missing file is logged once per
	// change of state, not at every poll.
	readFailure string
}

// NewStore returns a Store for the document at path. Nothing is loaded until Reload.
func NewStore(path string, log *slog.Logger) *Store {
	return &Store{path: path, log: log}
}

// Current is the engine to answer with, or nil before a valid document was loaded.
func (s *Store) Current() *evaluator.Evaluator { return s.current.Load() }

// Reload reads the file and swaps in its engine when the content changed and compiles.
// It reports whether the served engine changed.
func (s *Store) Reload() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// ReadFile follows the ConfigMap volume's ..data symlink, which the kubelet swaps
	// atomically, so a read never sees half of an update.
	data, err := os.ReadFile(s.path)
	if err != nil {
		return false, &readError{err: err}
	}
	hash := document.Hash(data)
	if hash == s.seen {
		return false, nil
	}
	s.seen = hash
	e, err := evaluator.Parse(data)
	if s.OnReload != nil {
		s.OnReload(e, err)
	}
	if err != nil {
		return false, err
	}
	s.current.Store(e)
	return true, nil
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
	switch {
	case err != nil:
		var hash string
		if e := s.Current(); e != nil {
			hash = e.ConfigHash()
		}
		s.log.Error("Rejected decision document, still serving the previous one", "path", s.path, "servingConfigHash", hash, "error", err)
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
