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
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Flag names of the engine defaults.
const (
	FlagDefaultRequests = "engine-default-requests"
	FlagDefaultLimits   = "engine-default-limits"
)

// defaultResourceNames are the resources the default flags accept.
var defaultResourceNames = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage}

// BindDefaultFlags registers --engine-default-requests and --engine-default-limits, the
// engine container's resources when a Campaign leaves spec.engine.resources empty. Either
// flag replaces its half of DefaultResources(); the other half stays the built-in one.
func (o *Options) BindDefaultFlags(fs *flag.FlagSet) {
	fs.Func(FlagDefaultRequests, "Engine container requests when a Campaign sets no spec.engine.resources, "+
		"as name=quantity pairs separated by commas (cpu, memory, ephemeral-storage), such as cpu=100m,memory=128Mi "+
		"(default cpu=50m,memory=64Mi).", resourceListFlag(FlagDefaultRequests, &o.DefaultRequests))
	fs.Func(FlagDefaultLimits, "Engine container limits when a Campaign sets no spec.engine.resources, "+
		"as name=quantity pairs (default memory=256Mi; no CPU limit, to avoid throttling). The engine's Go memory "+
		"limit follows the memory limit.", resourceListFlag(FlagDefaultLimits, &o.DefaultLimits))
}

func resourceListFlag(name string, into *corev1.ResourceList) func(string) error {
	return func(v string) (err error) {
		*into, err = ParseResourceList(name, v)
		return err
	}
}

// ParseResourceList reads name=quantity pairs separated by commas, naming flag in errors.
// An empty value is an empty, non-nil list (no requests, or no limits).
func ParseResourceList(flagName, v string) (corev1.ResourceList, error) {
	out := corev1.ResourceList{}
	for pair := range strings.SplitSeq(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("--%s: %q is not name=quantity; write pairs such as cpu=100m,memory=128Mi", flagName, pair)
		}
		rn := corev1.ResourceName(strings.TrimSpace(key))
		if !slices.Contains(defaultResourceNames, rn) {
			return nil, fmt.Errorf("--%s: unknown resource %q; use cpu, memory or ephemeral-storage", flagName, rn)
		}
		q, err := resource.ParseQuantity(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("--%s: %s=%q is not a quantity (%w); write it as in a pod spec, such as 100m or 128Mi", flagName, rn, value, err)
		}
		if q.Sign() <= 0 {
			return nil, fmt.Errorf("--%s: %s must be positive, got %s", flagName, rn, value)
		}
		out[rn] = q
	}
	return out, nil
}

// EngineResources is the engine container's resources for a Campaign that sets none: the
// built-in DefaultResources(), with each half the flags set replaced. A request above its
// limit is an error naming both flags.
func (o Options) EngineResources() (corev1.ResourceRequirements, error) {
	r := DefaultResources()
	if o.DefaultRequests != nil {
		r.Requests = o.DefaultRequests
	}
	if o.DefaultLimits != nil {
		r.Limits = o.DefaultLimits
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			return r, fmt.Errorf("--%s: %s=%s is above its limit %s (--%s)", FlagDefaultRequests, name, req.String(), lim.String(), FlagDefaultLimits)
		}
	}
	return r, nil
}
