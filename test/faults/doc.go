//go:build faults

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

// Package faults holds Ethos's fault tests (build tag faults, `make test-faults`): the real
// binaries pushed past what they are built to withstand, on loopback, with bounded load (a
// fixed count of requests, never a duration). .ci/run runs them after the e2e suite.
//
// The scenarios on a real node (manager killed, engine pods killed, kube-apiserver restarted,
// manager down, policy deleted, corrupt document) are test/e2e/faults_*_test.go, build tags
// e2e,faults, so they share the e2e suite's installation and helpers; `make test-faults` runs
// both sets (docs/reliability.md).
package faults
