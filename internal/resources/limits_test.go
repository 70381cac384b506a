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
	"bytes"
	"testing"

	. "github.com/onsi/gomega"
)

func TestCheckDocumentSize(t *testing.T) {
	g := NewWithT(t)
	g.Expect(MaxDocumentBytes).To(Equal(1048576))
	g.Expect(CheckDocumentSize(bytes.Repeat([]byte("x"), MaxDocumentBytes))).To(Succeed())
	err := CheckDocumentSize(bytes.Repeat([]byte("x"), 1069342))
	g.Expect(err).To(MatchError("the compiled decision document is 1069342 bytes, over the ConfigMap limit of 1048576 bytes (1 MiB)"))
	g.Expect(err).To(BeAssignableToTypeOf(&DocumentTooLargeError{}))
}
