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

package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Input limits. The largest Campaign the CRD schema admits is under 1 MiB of YAML and the API
// server refuses request bodies over 3 MiB, so no real document comes near MaxDocumentBytes;
// MaxFileBytes leaves room for the `kustomize build` output of a large repository on stdin.
// They exist so that a wrong path (/dev/zero, a binary, a log) fails fast instead of
// exhausting memory.
const (
	MaxDocumentBytes = 4 << 20  // one YAML document (between "---" separators)
	MaxFileBytes     = 64 << 20 // one file, or standard input
)

// A read that crossed a limit; Next says which and where.
var (
	errDocumentLimit = errors.New("document limit")
	errInputLimit    = errors.New("input limit")
)

// rawDocument is one YAML document of a stream and the line it starts on (1-based).
type rawDocument struct {
	data []byte
	line int
}

// documentReader splits a YAML stream into documents the way kubectl does (a line that starts
// with "---" and holds nothing else but spaces or a comment ends a document), with every read
// bounded.
//
// It replaces k8s.io/apimachinery v0.37.2's pkg/util/yaml YAMLReader, which drops the last
// line of the input when that line arrives together with io.EOF: its LineReader returns a
// final line that fills bufio's 4,096-byte buffer exactly (any multiple of 4,096) with
// io.EOF, and YAMLReader.Read returns io.EOF without writing it — so a one-line JSON file of
// 4,096 bytes without a trailing newline reads as no document at all. Upstream: kubernetes/
// apimachinery (staged from kubernetes/kubernetes staging/src/k8s.io/apimachinery), file
// pkg/util/yaml/decoder.go, still present in v0.37.2; Helm hit the same defect
// (helm/helm#32506). Once fixed upstream this reader can go back to YAMLReader, keeping the
// limits.
type documentReader struct {
	r        *bufio.Reader
	read     int64 // bytes consumed from the input
	line     int   // lines consumed
	maxDoc   int
	maxInput int64
	err      error // sticky: io.EOF or the first failure
}

func newDocumentReader(r io.Reader, maxDoc int, maxInput int64) *documentReader {
	return &documentReader{r: bufio.NewReader(r), maxDoc: maxDoc, maxInput: maxInput}
}

// Next returns the next non-empty document, or io.EOF after the last one.
func (d *documentReader) Next() (rawDocument, error) {
	var buf bytes.Buffer
	start := d.line + 1
	for {
		if d.err != nil {
			if errors.Is(d.err, io.EOF) && buf.Len() > 0 {
				return rawDocument{data: buf.Bytes(), line: start}, nil
			}
			return rawDocument{}, d.err
		}
		line, err := d.readLine(d.maxDoc - buf.Len())
		switch {
		case errors.Is(err, errDocumentLimit):
			err = fmt.Errorf("the document starting on line %d is larger than %s, the per-document limit (is this a YAML file?)", start, size(int64(d.maxDoc)))
		case errors.Is(err, errInputLimit):
			err = fmt.Errorf("the input is larger than %s, the per-file limit: split it into several files", size(d.maxInput))
		}
		if err != nil {
			d.err = err
			if !errors.Is(err, io.EOF) {
				continue
			}
		}
		if len(line) == 0 {
			continue // EOF reached with nothing left
		}
		if isSeparator(line) {
			if rest := strings.TrimSpace(string(line[3:])); rest != "" && !strings.HasPrefix(rest, "#") {
				d.err = fmt.Errorf("line %d: invalid YAML document separator: %q (only spaces or a comment may follow ---)", d.line, rest)
				if buf.Len() == 0 {
					continue
				}
				// The document before the bad separator is whole: return it, then the error.
				return rawDocument{data: buf.Bytes(), line: start}, nil
			}
			if buf.Len() > 0 {
				return rawDocument{data: buf.Bytes(), line: start}, nil
			}
			start = d.line + 1
			continue
		}
		buf.Write(line)
	}
}

func isSeparator(line []byte) bool { return bytes.HasPrefix(line, []byte("---")) }

// readLine returns the next line with its newline (the last line may lack one), keeping the
// line within room bytes and the input within maxInput. A line returned with io.EOF is a
// line: the caller must use it.
func (d *documentReader) readLine(room int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.read += int64(len(chunk))
		if d.read > d.maxInput {
			return nil, errInputLimit
		}
		if len(line)+len(chunk) > room {
			return nil, errDocumentLimit
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil || (errors.Is(err, io.EOF) && len(line) > 0) {
			d.line++
		}
		return line, err
	}
}

// size prints a byte count the way the docs state the limits.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
