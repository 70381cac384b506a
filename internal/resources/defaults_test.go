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
	"flag"
	"io"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestEngineDefaultFlags(t *testing.T) {
	q := resource.MustParse
	tests := []struct {
		name    string
		args    []string
		want    corev1.ResourceRequirements
		wantErr string
	}{
		{"no flags: the built-in defaults", nil, DefaultResources(), ""},
		{"requests replaced, limits kept", []string{"--engine-default-requests=cpu=100m, memory=128Mi"}, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: q("256Mi")},
		}, ""},
		{"limits replaced, requests kept", []string{"--engine-default-limits=memory=512Mi,cpu=1"}, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("64Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: q("1"), corev1.ResourceMemory: q("512Mi")},
		}, ""},
		{"empty limits: none", []string{"--engine-default-limits="}, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("64Mi")},
			Limits:   corev1.ResourceList{},
		}, ""},
		{"not a pair", []string{"--engine-default-requests=cpu"}, corev1.ResourceRequirements{},
			`invalid value "cpu" for flag -engine-default-requests: --engine-default-requests: "cpu" is not name=quantity; write pairs such as cpu=100m,memory=128Mi`},
		{"unknown resource", []string{"--engine-default-limits=gpu=1"}, corev1.ResourceRequirements{},
			`invalid value "gpu=1" for flag -engine-default-limits: --engine-default-limits: unknown resource "gpu"; use cpu, memory or ephemeral-storage`},
		{"bad quantity", []string{"--engine-default-requests=memory=lots"}, corev1.ResourceRequirements{},
			`invalid value "memory=lots" for flag -engine-default-requests: --engine-default-requests: memory="lots" is not a quantity (quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'); write it as in a pod spec, such as 100m or 128Mi`},
		{"zero", []string{"--engine-default-requests=cpu=0"}, corev1.ResourceRequirements{},
			`invalid value "cpu=0" for flag -engine-default-requests: --engine-default-requests: cpu must be positive, got 0`},
		{"request above limit", []string{"--engine-default-requests=memory=1Gi"}, corev1.ResourceRequirements{},
			`--engine-default-requests: memory=1Gi is above its limit 256Mi (--engine-default-limits)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			var o Options
			fs := flag.NewFlagSet("manager", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.BindDefaultFlags(fs)
			err := fs.Parse(tt.args)
			var got corev1.ResourceRequirements
			if err == nil {
				got, err = o.EngineResources()
			}
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(tt.wantErr))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tt.want))
		})
	}
}
