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

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

func TestEngineLimitFlags(t *testing.T) {
	base := []string{"--config", "/etc/ethos/decision.json", "--listen", ":8080", "--ops-listen", ":8081"}
	tests := []struct {
		name     string
		args     []string
		wantArgs []string
		wantErr  string
	}{
		{"none: the engine's defaults, nothing passed", nil, base, ""},
		{"all three", []string{"--engine-max-bytes-in-flight=67108864", "--engine-max-connections=4096", "--engine-max-in-flight=512"},
			append(base, "--max-connections=4096", "--max-in-flight=512", "--max-bytes-in-flight=67108864"), ""},
		{"no connection cap", []string{"--engine-max-connections=0"}, append(base, "--max-connections=0"), ""},
		{"smallest body budget", []string{"--engine-max-bytes-in-flight=1048576"}, append(base, "--max-bytes-in-flight=1048576"), ""},
		{"negative connections", []string{"--engine-max-connections=-1"}, nil,
			`invalid value "-1" for flag -engine-max-connections: --engine-max-connections must be at least 0, got -1 (leave it unset for the engine's default, 1024)`},
		{"zero in flight", []string{"--engine-max-in-flight=0"}, nil,
			`invalid value "0" for flag -engine-max-in-flight: --engine-max-in-flight must be at least 1, got 0 (leave it unset for the engine's default, 256)`},
		{"body budget under the body limit", []string{"--engine-max-bytes-in-flight=4096"}, nil,
			`invalid value "4096" for flag -engine-max-bytes-in-flight: --engine-max-bytes-in-flight must be at least 1048576, got 4096 (leave it unset for the engine's default, 33554432)`},
		{"not a number", []string{"--engine-max-bytes-in-flight=32Mi"}, nil,
			`invalid value "32Mi" for flag -engine-max-bytes-in-flight: --engine-max-bytes-in-flight: "32Mi" is not a whole number; write it as digits, such as 33554432`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			var o Options
			fs := flag.NewFlagSet("manager", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.Limits.BindFlags(fs)
			err := fs.Parse(tt.args)
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(tt.wantErr))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			c := &ethosv1alpha1.Campaign{}
			c.Name, c.Namespace = "spring-running", "shop"
			d := Deployment(c, o, "hash")
			g.Expect(d.Spec.Template.Spec.Containers[0].Args).To(Equal(tt.wantArgs))
		})
	}
}

// TestEngineLimitDefaultsMatchTheEngine: the manager's help names the engine's defaults.
func TestEngineLimitDefaultsMatchTheEngine(t *testing.T) {
	g := NewWithT(t)
	g.Expect([]int64{engineDefaultMaxConnections, engineDefaultMaxInFlight, engineDefaultMaxBytesInFlight, engineMinBytesInFlight}).To(Equal(
		[]int64{int64(server.DefaultLimits.MaxConnections), int64(server.DefaultLimits.MaxInFlight), server.DefaultLimits.MaxBytesInFlight, wire.MaxBodyBytes}))
}
