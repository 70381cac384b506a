package manifest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// biasedJSON is a one-line Campaign targeting age (a denial), padded with an annotation to
// exactly size bytes; it returns the document and the padding.
func biasedJSON(size int) (string, string) {
	const head = `{"apiVersion":"personalization.ethos.dev/v1alpha1","kind":"Campaign","metadata":{"name":"seniors","annotations":{"pad":"`
	const tail = `"}},"spec":{"consentPolicyRef":{"name":"p"},"purpose":"personalization","audience":{"rules":[{"attribute":"age","operator":"Gt","values":["60"]}]},"experiences":[{"name":"a","content":{"h":"x"}}],"fallback":{"content":{"h":"x"}}}}`
	pad := strings.Repeat("x", size-len(head)-len(tail))
	return head + pad + tail, pad
}

// biasedYAML is the same Campaign as YAML whose last line is exactly lastLine bytes (without
// its newline).
func biasedYAML(lastLine int) (string, string) {
	const body = `apiVersion: personalization.ethos.dev/v1alpha1
kind: Campaign
spec:
  consentPolicyRef: {name: p}
  purpose: personalization
  audience: {rules: [{attribute: age, operator: Gt, values: ["60"]}]}
  experiences: [{name: a, content: {h: x}}]
  fallback: {content: {h: x}}
`
	const head = `metadata: {name: seniors, annotations: {pad: "`
	const tail = `"}}`
	pad := strings.Repeat("x", lastLine-len(head)-len(tail))
	return body + head + pad + tail, pad
}

// TestLoadFinalLineAtBufferBoundary: apimachinery v0.37.2's YAMLReader returned no document
// for a final unterminated line whose length is a multiple of 4,096 (issue 19).
func TestLoadFinalLineAtBufferBoundary(t *testing.T) {
	for _, size := range []int{4095, 4096, 4097, 8192, 12288, 65536} {
		for _, newline := range []bool{false, true} {
			for _, format := range []string{"json", "yaml"} {
				doc, pad := biasedJSON(size)
				if format == "yaml" {
					doc, pad = biasedYAML(size)
				}
				t.Run(fmt.Sprintf("%s-%d-newline=%v", format, size, newline), func(t *testing.T) {
					g := NewWithT(t)
					if newline {
						doc += "\n"
					}
					set, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(doc)})
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(set.Objects).To(HaveLen(1))
					g.Expect(set.Objects[0].Name).To(Equal("seniors"))
					g.Expect(set.Objects[0].SchemaErrors).To(BeEmpty())
					g.Expect(set.Objects[0].Campaign.Annotations).To(Equal(map[string]string{"pad": pad}))
				})
			}
		}
	}
}

// TestLoadDocumentsAcrossSeparators: separators, comments after them, CRLF line ends and a
// last document without a newline all split as kubectl splits them.
func TestLoadDocumentsAcrossSeparators(t *testing.T) {
	g := NewWithT(t)
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	in := "---\n" + cm("a") + "--- # next\n\n---\n" + strings.ReplaceAll(cm("b"), "\n", "\r\n") + "---\r\n" + strings.TrimSuffix(cm("c"), "\n")
	set, err := Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(in)})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(set.Skipped).To(Equal(3))

	_, err = Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(cm("a") + "--- |\nb\n")})
	g.Expect(err).To(MatchError(`failed to read <stdin> (document 2): line 4: invalid YAML document separator: "|" (only spaces or a comment may follow ---)`))
}

// endless is an input that never ends, such as /dev/zero or a stream of documents.
type endless struct{ chunk []byte }

func (e endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.chunk)
	}
	return n, nil
}

var _ io.Reader = endless{}

func TestLoadBoundsEveryRead(t *testing.T) {
	g := NewWithT(t)
	// One endless line: stops at the per-document limit (the default: 4 MiB).
	_, err := Load(context.Background(), []string{Stdin}, Options{Stdin: endless{[]byte{0}}})
	g.Expect(err).To(MatchError("failed to read <stdin> (document 1): the document starting on line 1 is larger than 4 MiB, the per-document limit (is this a YAML file?)"))

	// Endless small documents: stop at the per-file limit.
	_, err = Load(context.Background(), []string{Stdin}, Options{Stdin: endless{[]byte("a: 1\n---\n")}, MaxFileBytes: 1 << 20})
	g.Expect(err).To(MatchError(HavePrefix("failed to read <stdin> (document ")))
	g.Expect(err).To(MatchError(HaveSuffix("the input is larger than 1 MiB, the per-file limit: split it into several files")))

	// A document just over a small limit, in a named file, after a good one.
	file := filepath.Join(t.TempDir(), "big.yaml")
	g.Expect(os.WriteFile(file, []byte("a: 1\n---\nb: "+strings.Repeat("x", 100)+"\n"), 0o600)).To(Succeed())
	_, err = Load(context.Background(), []string{file}, Options{MaxDocumentBytes: 100})
	g.Expect(err).To(MatchError(fmt.Sprintf("failed to read %s (document 2): the document starting on line 3 is larger than 100 bytes, the per-document limit (is this a YAML file?)", file)))

	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err = Load(context.Background(), []string{"/dev/zero"}, Options{})
		g.Expect(err).To(MatchError(ContainSubstring("failed to read /dev/zero (document 1): the document starting on line 1 is larger than 4 MiB")))
	}
}
