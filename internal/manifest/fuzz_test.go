package manifest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader lint uses, as stdin. Whatever the input, Load
// must not panic, must answer the same twice, must give every object exactly one typed value
// of its kind, and must not lose or invent an object when a final newline is added or
// removed (the 4,096-byte final-line bug of apimachinery's YAML reader).
func FuzzLoad(f *testing.F) {
	samples, err := filepath.Glob("../../config/samples/*.yaml")
	if err != nil || len(samples) == 0 {
		f.Fatalf("no samples to seed the corpus: %v", err)
	}
	for _, p := range samples {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"apiVersion":"personalization.ethos.dev/v1alpha1","kind":"Campaign","metadata":{"name":"a"}}`))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: personalization.ethos.dev/v1alpha1\n  kind: ConsentPolicy\n  metadata: {name: p}\n"))
	f.Add([]byte("resources: [a.yaml]\n---\nkind: Kustomization\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		load := func(b []byte) (*Set, error) {
			return Load(context.Background(), []string{Stdin}, Options{Stdin: bytes.NewReader(b), MaxDocumentBytes: 1 << 16})
		}
		set, err := load(in)
		again, errAgain := load(in)
		if (err == nil) != (errAgain == nil) {
			t.Fatalf("Load is not deterministic: %v, then %v", err, errAgain)
		}
		if err != nil {
			return
		}
		if len(set.Objects) != len(again.Objects) || set.Skipped != again.Skipped {
			t.Fatalf("Load is not deterministic: %d objects, %d skipped, then %d, %d",
				len(set.Objects), set.Skipped, len(again.Objects), again.Skipped)
		}
		for _, o := range set.Objects {
			switch {
			case o.Kind == "Campaign" && o.Campaign != nil && o.Policy == nil:
			case o.Kind == "ConsentPolicy" && o.Policy != nil && o.Campaign == nil:
			default:
				t.Fatalf("object %s/%s of kind %q does not hold exactly one value of its kind", o.Namespace, o.Name, o.Kind)
			}
		}
		toggled := bytes.TrimSuffix(in, []byte("\n"))
		if len(toggled) == len(in) {
			toggled = append(bytes.Clone(in), '\n')
		}
		other, err := load(toggled)
		if err == nil && len(other.Objects) != len(set.Objects) {
			t.Fatalf("a final newline changed the objects read: %d, then %d", len(set.Objects), len(other.Objects))
		}
	})
}
