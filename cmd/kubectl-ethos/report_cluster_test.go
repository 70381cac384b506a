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
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/manifest"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// TestReportFromCluster runs `report --cluster` against a real API server (envtest) holding the
// samples, through a kubeconfig file, and compares it with `report -f` of the same files: the
// record must be the same in every format, except for what is defined to differ — the source
// line ("from the cluster") and each Campaign's status (the controller's phase and readiness,
// instead of what admission would say).
func TestReportFromCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	env, err := testenv.Start(testenv.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })

	const ns = "shop"
	g.Expect(env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	set, err := manifest.Load(ctx, []string{samples}, manifest.Options{Namespace: ns})
	g.Expect(err).NotTo(HaveOccurred())
	campaigns := 0
	for _, o := range set.Objects {
		g.Expect(o.SchemaErrors).To(BeEmpty(), o.Name)
		switch {
		case o.Policy != nil:
			g.Expect(env.Client.Create(ctx, o.Policy.DeepCopy())).To(Succeed())
		case o.Campaign != nil:
			g.Expect(env.Client.Create(ctx, o.Campaign.DeepCopy())).To(Succeed())
			campaigns++
		}
	}
	g.Expect(campaigns).To(BeNumerically(">=", 2))
	// One Campaign with the status a controller writes, the others still without one.
	active := &ethosv1alpha1.Campaign{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "spring-running"}, active)).To(Succeed())
	active.Status.Phase = ethosv1alpha1.PhaseActive
	meta.SetStatusCondition(&active.Status.Conditions, metav1.Condition{
		Type: ethosv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Ready", Message: "serving",
	})
	g.Expect(env.Client.Status().Update(ctx, active)).To(Succeed())

	kubeconfig := writeKubeconfig(t, env.Environment)

	// What the cluster report must say: the files' record, from the cluster, with the statuses
	// the cluster holds.
	want := fromFiles(set)
	want.Source = "cluster"
	statuses := map[string]string{"spring-running": "Active (Ready=True)"}
	setStatuses(want, func(c *campaignEntry) {
		c.Status = "Pending"
		if s, ok := statuses[c.Name]; ok {
			c.Status = s
		}
	})

	for _, format := range reportFormats {
		var expected bytes.Buffer
		g.Expect(writeRecord(&expected, format, want)).To(Succeed())
		for _, scope := range [][]string{{"-n", ns}, {"-A"}} {
			args := append([]string{"report", "--cluster", "--kubeconfig", kubeconfig, "--context", "envtest", "-o", format}, scope...)
			code, out, errOut := runCLI("", args...)
			g.Expect(code).To(Equal(0), errOut)
			g.Expect(out).To(Equal(expected.String()), "%v", args)
		}
		// And the files' own output is that record with their source and statuses.
		_, fromFilesOut, _ := runCLI("", "report", "-f", samples, "-n", ns, "-o", format)
		var files bytes.Buffer
		g.Expect(writeRecord(&files, format, fromFiles(set))).To(Succeed())
		g.Expect(fromFilesOut).To(Equal(files.String()))
	}

	// A namespace without Ethos objects gives an empty record, not an error.
	code, out, errOut := runCLI("", "report", "--cluster", "--kubeconfig", kubeconfig, "-n", "default")
	g.Expect(code).To(Equal(0), errOut)
	g.Expect(out).To(ContainSubstring("from the cluster: 0 ConsentPolicies, 0 Campaigns"))
}

// setStatuses applies fix to every Campaign entry of rec.
func setStatuses(rec *record, fix func(*campaignEntry)) {
	for i := range rec.Policies {
		for j := range rec.Policies[i].Purposes {
			for k := range rec.Policies[i].Purposes[j].Campaigns {
				fix(&rec.Policies[i].Purposes[j].Campaigns[k])
			}
		}
	}
	for i := range rec.Orphans {
		fix(&rec.Orphans[i])
	}
}

// writeKubeconfig writes a kubeconfig (context "envtest") for an admin of env.
func writeKubeconfig(t *testing.T, env *envtest.Environment) string {
	t.Helper()
	user, err := env.AddUser(envtest.User{Name: "report-test", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
