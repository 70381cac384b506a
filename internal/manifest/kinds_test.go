package manifest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func loadString(in string) (*Set, error) {
	return Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(in)})
}

// TestLoadUnknownEthosKind: inside Ethos' API group a typo is an error naming the nearest
// kind or version; other groups' kinds are skipped (SPEC §7).
func TestLoadUnknownEthosKind(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{name: "kind typo", in: "apiVersion: personalization.ethos.dev/v1alpha1\nkind: Campain\nmetadata: {name: c}\n",
			wantErr: `failed to parse <stdin> (document 1, line 1): unknown kind "Campain" in personalization.ethos.dev: did you mean Campaign? (this group serves Campaign, ConsentPolicy)`},
		{name: "kind in the wrong case", in: "apiVersion: personalization.ethos.dev/v1alpha1\nkind: consentpolicy\n",
			wantErr: `failed to parse <stdin> (document 1, line 1): unknown kind "consentpolicy" in personalization.ethos.dev: did you mean ConsentPolicy? (this group serves Campaign, ConsentPolicy)`},
		{name: "unserved version", in: "---\n# c\napiVersion: personalization.ethos.dev/v1\nkind: Campaign\n",
			wantErr: `failed to parse <stdin> (document 1, line 3): personalization.ethos.dev/v1 is not a served version of Campaign: use apiVersion personalization.ethos.dev/v1alpha1`},
		{name: "group typo", in: "apiVersion: personalisation.ethos.dev/v1alpha1\nkind: Campaign\n",
			wantErr: `failed to parse <stdin> (document 1, line 1): unknown API group "personalisation.ethos.dev" in apiVersion personalisation.ethos.dev/v1alpha1: did you mean personalization.ethos.dev/v1alpha1?`},
		{name: "kind missing", in: "apiVersion: personalization.ethos.dev/v1alpha1\nmetadata: {name: c}\n",
			wantErr: `failed to parse <stdin> (document 1, line 1): kind is required with apiVersion personalization.ethos.dev/v1alpha1: one of Campaign, ConsentPolicy`},
		{name: "apiVersion missing", in: "kind: Campaign\nmetadata: {name: c}\n",
			wantErr: `failed to parse <stdin> (document 1, line 1): apiVersion is required for kind Campaign: use apiVersion personalization.ethos.dev/v1alpha1`},
		{name: "typo in a List item", in: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n- apiVersion: personalization.ethos.dev/v1alpha1\n  kind: Campaigns\n",
			wantErr: `failed to parse <stdin> (document 1, line 6): unknown kind "Campaigns" in personalization.ethos.dev: did you mean Campaign? (this group serves Campaign, ConsentPolicy)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadString(tt.in)
			NewWithT(t).Expect(err).To(MatchError(tt.wantErr))
		})
	}
}

// TestLoadSkipsWhatIsNotAnEthosObject: other groups (a Campaign CRD of someone else included)
// and documents that are no Kubernetes object at all are counted as skipped.
func TestLoadSkipsWhatIsNotAnEthosObject(t *testing.T) {
	g := NewWithT(t)
	in := strings.Join([]string{
		"apiVersion: marketing.example.com/v1\nkind: Campaign\nmetadata: {name: theirs}\n",
		"resources: [base]\npatches: []\n",     // kustomization.yaml without apiVersion
		"replicaCount: 2\nimage: {tag: dev}\n", // Helm values
		"- a\n- b\n",                           // a list
		"just text\n",
		"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
		"# only a comment\n",
	}, "---\n")
	set, err := loadString(in)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(set.Objects).To(BeEmpty())
	g.Expect(set.Skipped).To(Equal(6))
}

const (
	policyYAML   = "apiVersion: personalization.ethos.dev/v1alpha1\nkind: ConsentPolicy\nmetadata: {name: eu-web}\nspec: {jurisdictions: [EU], purposes: [{name: personalization, description: d, legalBasis: Consent, dataClasses: [Behavioral], retention: 90d}]}\n"
	campaignYAML = "apiVersion: personalization.ethos.dev/v1alpha1\nkind: Campaign\nmetadata: {name: c}\nspec:\n  consentPolicyRef: {name: eu-web}\n  purpose: personalization\n  experiences: [{name: a, content: {h: x}}]\n  fallback: {content: {h: x}}\n"
)

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadResolvesPoliciesPerTree: envs/dev and envs/prod each define default/eu-web; each
// Campaign gets its own environment's policy, and neither is a duplicate.
func TestLoadResolvesPoliciesPerTree(t *testing.T) {
	g := NewWithT(t)
	dir := write(t, map[string]string{
		"envs/dev/kustomization.yaml":        "resources: [policy.yaml, campaigns/c.yaml]\n",
		"envs/dev/policy.yaml":               policyYAML,
		"envs/dev/campaigns/c.yaml":          campaignYAML,
		"envs/prod/policy.yaml":              policyYAML,
		"envs/prod/campaigns/c.yaml":         campaignYAML,
		"envs/prod/campaigns/other/old.yaml": policyYAML, // nearer by path, but prod has no kustomization: prefix decides
	})
	set, err := Load(context.Background(), []string{dir}, Options{})
	g.Expect(err).NotTo(HaveOccurred())
	got := map[string]string{}
	for _, c := range set.Campaigns() {
		rel, _ := filepath.Rel(dir, c.File)
		g.Expect(c.ResolvedPolicy).NotTo(BeNil(), rel)
		got[rel], _ = filepath.Rel(dir, c.ResolvedPolicy.File)
	}
	g.Expect(got).To(Equal(map[string]string{
		"envs/dev/campaigns/c.yaml":  "envs/dev/policy.yaml",               // same kustomization tree
		"envs/prod/campaigns/c.yaml": "envs/prod/campaigns/other/old.yaml", // longest shared directory prefix
	}))
}

func TestLoadDuplicates(t *testing.T) {
	g := NewWithT(t)
	_, err := loadString(policyYAML + "---\n" + campaignYAML + "---\n" + policyYAML)
	g.Expect(err).To(MatchError("ConsentPolicy default/eu-web is defined twice, at <stdin>:1 and at <stdin>:15: the cluster would keep only the one applied last; remove or rename one"))

	dir := write(t, map[string]string{"a.yaml": policyYAML, "b.yaml": "# second\n" + policyYAML})
	_, err = Load(context.Background(), []string{dir}, Options{})
	g.Expect(err).To(MatchError(ContainSubstring("ConsentPolicy default/eu-web is defined twice, at " + filepath.Join(dir, "a.yaml") + ":1 and at " + filepath.Join(dir, "b.yaml") + ":2")))

	// Another namespace is another object.
	_, err = Load(context.Background(), []string{Stdin}, Options{Stdin: strings.NewReader(policyYAML + "---\n" + strings.Replace(policyYAML, "{name: eu-web}", "{name: eu-web, namespace: b}", 1))})
	g.Expect(err).NotTo(HaveOccurred())

	// Two equally near policies: lint cannot know which one the cluster holds.
	dir = write(t, map[string]string{"envs/dev/p.yaml": policyYAML, "envs/prod/p.yaml": policyYAML, "envs/c.yaml": campaignYAML})
	_, err = Load(context.Background(), []string{dir}, Options{})
	g.Expect(err).To(MatchError(ContainSubstring("Campaign default/c (" + filepath.Join(dir, "envs/c.yaml") + ":1) refers to ConsentPolicy default/eu-web, which is defined at " +
		filepath.Join(dir, "envs/dev/p.yaml") + ":1 and " + filepath.Join(dir, "envs/prod/p.yaml") + ":1, none nearer")))
}

func TestPositions(t *testing.T) {
	g := NewWithT(t)
	in := "apiVersion: v1\nkind: Secret\n---\n" + campaignYAML + "  audience:\n    rules:\n      - {attribute: a, operator: Exists}\n      - attribute: age\n        operator: Exists\n" +
		"---\n" + `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"personalization.ethos.dev/v1alpha1","kind":"ConsentPolicy","metadata":{"name":"p"},"spec":{"purposes":[]}}]}`
	set, err := loadString(in)
	g.Expect(err).NotTo(HaveOccurred())
	c, p := set.Objects[0], set.Objects[1]
	g.Expect(c.Start).To(Equal(Position{Line: 4, Column: 1}))
	for path, want := range map[string]Position{
		"spec.audience.rules[1].attribute": {Line: 15, Column: 9},
		"spec.audience.rules[1]":           {Line: 15, Column: 9},
		"spec.audience.rules[0].operator":  {Line: 14, Column: 24},
		"spec.experiences[0].content[h]":   {Line: 10, Column: 37},
		"spec.audience.rules[7].attribute": {Line: 13, Column: 5}, // no such item: its list
		"spec.channel":                     {Line: 7, Column: 1},  // defaulted, not written: spec
		"":                                 {Line: 4, Column: 1},
		"metadata.name":                    {Line: 6, Column: 12},
	} {
		g.Expect(c.Position(path)).To(Equal(want), path)
	}
	g.Expect(c.Where()).To(Equal("<stdin>:4"))
	g.Expect(p.Start).To(Equal(Position{Line: 18, Column: 43}))
	g.Expect(p.Position("spec.purposes")).To(Equal(Position{Line: 18, Column: 149}))
}
