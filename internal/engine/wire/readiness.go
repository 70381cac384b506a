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

package wire

// ReadinessContentType is the media type a caller sends in Accept to get /readyz as a
// Readiness JSON object rather than one line of text.
const ReadinessContentType = "application/json"

// Readiness is /readyz's machine-readable body (Accept: application/json): which document the
// engine serves and how it relates to the file it was given. The manager reads it from each
// engine pod until every pod serves the Campaign's current document (docs/decision-engine.md,
// "Fail-closed reloads").
type Readiness struct {
	// Ready is whether the engine answers decisions (the HTTP status says the same).
	Ready bool `json:"ready"`
	// State is NotLoaded, Current, Stale or FailedClosed; ShuttingDown while draining.
	State string `json:"state"`
	// ServedConfigHash is the configHash of the answers; empty when nothing is served.
	ServedConfigHash string `json:"servedConfigHash,omitempty"`
	// FileConfigHash is the hash of the document file last read; empty when unreadable.
	FileConfigHash string `json:"fileConfigHash,omitempty"`
	// Error is why the file is not served as written; empty when State is Current.
	Error string `json:"error,omitempty"`
}
