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

package resources

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// MaxDocumentBytes is the largest compiled decision document the engine's ConfigMap can hold:
// the API server refuses a ConfigMap whose data values add up to more than 1 MiB (the limit
// it shares with Secrets, corev1.MaxSecretSize). The document is the ConfigMap's only value.
const MaxDocumentBytes = corev1.MaxSecretSize

// DocumentTooLargeError reports a compiled decision document that does not fit in the
// engine's ConfigMap.
type DocumentTooLargeError struct {
	// Size is the document's size in bytes.
	Size int
}

func (e *DocumentTooLargeError) Error() string {
	return fmt.Sprintf("the compiled decision document is %d bytes, over the ConfigMap limit of %d bytes (1 MiB)",
		e.Size, MaxDocumentBytes)
}

// CheckDocumentSize returns a *DocumentTooLargeError when a compiled document does not fit in
// the engine's ConfigMap, and nil when it does.
func CheckDocumentSize(doc []byte) error {
	if len(doc) > MaxDocumentBytes {
		return &DocumentTooLargeError{Size: len(doc)}
	}
	return nil
}
