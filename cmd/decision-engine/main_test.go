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

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/compile"
	"github.com/ethos-operator/ethos/internal/engine/document"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeDoc(t *testing.T, path string, suspend bool) string {
	t.Helper()
	c := &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "spring-running"},
		Spec: ethosv1alpha1.CampaignSpec{
			Purpose: "personalization", Type: ethosv1alpha1.CampaignRuleBased, Suspend: suspend,
			DataUsage: []ethosv1alpha1.DataUsage{{Attribute: "viewedCategories", Description: "The sports you browsed"}},
			Experiences: []ethosv1alpha1.Experience{{
				Name: "trail-hero",
				Rules: []ethosv1alpha1.Rule{
					{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorIn, Values: []string{"trail"}},
				},
				Content: map[string]string{"headline": "New trail shoes"},
			}},
			Fallback: ethosv1alpha1.Fallback{Content: map[string]string{"headline": "Spring collection"}},
		},
	}
	p := &ethosv1alpha1.ConsentPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "eu-web"},
		Spec: ethosv1alpha1.ConsentPolicySpec{DefaultConsent: ethosv1alpha1.ConsentDefaultDeny,
			Purposes: []ethosv1alpha1.Purpose{{Name: "personalization", Description: "We suggest products you may like."}}},
	}
	data, err := document.Marshal(compile.Document(c, p, true))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
	return document.Hash(data)
}

// TestBinary builds and runs the real decision-engine: it becomes ready, answers a
// decision, reloads a changed document, and exits cleanly on SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	g := NewWithT(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "decision-engine")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	g.Expect(build.Run()).To(Succeed())

	config := filepath.Join(dir, document.FileName)
	firstHash := writeDoc(t, config, false)
	api, ops := freeAddr(t), freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config", config, "--listen", api, "--ops-listen", ops, "--reload-interval", "50ms")
	cmd.Stderr = &logs
	g.Expect(cmd.Start()).To(Succeed())
	defer func() { _ = cmd.Process.Kill() }()

	g.Eventually(func() int {
		resp, err := http.Get("http://" + ops + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}, 10*time.Second, 50*time.Millisecond).Should(Equal(http.StatusOK))

	decide := func() map[string]any {
		body := `{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},` +
			`"attributes":{"viewedCategories":["trail"]}}`
		resp, err := http.Post("http://"+api+"/v1/decisions", "application/json", strings.NewReader(body))
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
		var out map[string]any
		g.Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
		return out
	}
	g.Expect(decide()).To(Equal(map[string]any{
		"campaign": "shop/spring-running", "personalized": true, "experience": "trail-hero",
		"content": map[string]any{"headline": "New trail shoes"}, "items": []any{}, "reason": "Matched",
		"explanation": "We showed this because of: the sports you browsed. Purpose: We suggest products you may like.",
		"configHash":  firstHash,
	}))

	secondHash := writeDoc(t, config, true)
	g.Eventually(func() any { return decide()["configHash"] }, 10*time.Second, 50*time.Millisecond).
		Should(Equal(secondHash))
	g.Expect(decide()["reason"]).To(Equal("Suspended"))

	g.Expect(cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
	g.Expect(cmd.Wait()).To(Succeed())
	g.Expect(logs.String()).To(ContainSubstring("Shutting down"))
	g.Expect(logs.String()).NotTo(ContainSubstring("anon-7f3a"))
}

func TestParseCgroupMemoryLimit(t *testing.T) {
	for _, tt := range []struct {
		content string
		limit   int64
		ok      bool
		err     string
	}{
		{"268435456\n", 268435456, true, ""},
		{"max\n", 0, false, ""},
		{"9223372036854771712\n", 0, false, ""}, // cgroup v1 without a limit
		{"", 0, false, `unexpected cgroup memory limit ""`},
		{"lots", 0, false, `unexpected cgroup memory limit "lots"`},
		{"-1", 0, false, `unexpected cgroup memory limit "-1"`},
	} {
		limit, ok, err := parseCgroupMemoryLimit(tt.content)
		if limit != tt.limit || ok != tt.ok || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("parseCgroupMemoryLimit(%q) = %d, %v, %v; want %d, %v, %q", tt.content, limit, ok, err, tt.limit, tt.ok, tt.err)
		}
	}
	if got := goMemoryLimit(256 << 20); got != 241591910 {
		t.Errorf("goMemoryLimit(256Mi) = %d, want 241591910 (90%%)", got)
	}
}

func TestRunRejectsBadLimits(t *testing.T) {
	for args, want := range map[string]string{
		"--max-in-flight=0":          "--max-in-flight must be at least 1, got 0",
		"--max-bytes-in-flight=4096": "--max-bytes-in-flight must be at least 1048576 (the request body limit), got 4096",
		"--max-connections=-1":       "--max-connections must be at least 1, or 0 for no cap, got -1",
	} {
		if err := run([]string{args}); err == nil || err.Error() != want {
			t.Errorf("run(%s) = %v, want %q", args, err, want)
		}
	}
}
