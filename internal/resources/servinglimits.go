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
	"strconv"
)

// Flag names of the engine's serving limits, set per install on the manager.
const (
	FlagEngineMaxConnections   = "engine-max-connections"
	FlagEngineMaxInFlight      = "engine-max-in-flight"
	FlagEngineMaxBytesInFlight = "engine-max-bytes-in-flight"
)

// The engine's own defaults (server.DefaultLimits; a test keeps them equal), named in the
// manager's help.
const (
	engineDefaultMaxConnections   = 1024
	engineDefaultMaxInFlight      = 256
	engineDefaultMaxBytesInFlight = 32 << 20
	// engineMinBytesInFlight is the engine's request body limit (wire.MaxBodyBytes), the least
	// --max-bytes-in-flight it accepts; resources cannot import wire (wire's tests import the
	// compiler, which imports resources).
	engineMinBytesInFlight = 1 << 20
)

// EngineLimits are the decision engine's serving limits the manager passes to every engine it
// creates (--engine-max-connections, --engine-max-in-flight, --engine-max-bytes-in-flight →
// the engine's --max-connections, --max-in-flight, --max-bytes-in-flight). Nil: the flag is not
// passed and the engine keeps its own default, so an install that sets none renders the same
// Deployments as before.
type EngineLimits struct {
	MaxConnections, MaxInFlight, MaxBytesInFlight *int64
}

// limitFlag is a manager flag, the engine flag it sets, its smallest value and the engine's default.
type limitFlag struct {
	manager, engine string
	into            **int64
	minimum, def    int64
	help            string
}

// flags are l's flags, bound to its fields.
func (l *EngineLimits) flags() []limitFlag {
	return []limitFlag{
		{FlagEngineMaxConnections, "max-connections", &l.MaxConnections, 0, engineDefaultMaxConnections,
			"most open connections to one engine replica's decision API; more wait until one closes (0: no cap)"},
		{FlagEngineMaxInFlight, "max-in-flight", &l.MaxInFlight, 1, engineDefaultMaxInFlight,
			"most decision requests one engine replica answers at once; more get 503 with Retry-After: 1"},
		{FlagEngineMaxBytesInFlight, "max-bytes-in-flight", &l.MaxBytesInFlight, engineMinBytesInFlight, engineDefaultMaxBytesInFlight,
			"most request-body bytes one engine replica reads at once; more get 503 with Retry-After: 1. Raise it with the memory limit"},
	}
}

// BindFlags registers the manager's engine limit flags.
func (l *EngineLimits) BindFlags(fs *flag.FlagSet) {
	for _, f := range l.flags() {
		fs.Func(f.manager, fmt.Sprintf("Engine --%s for every Campaign: %s (unset: the engine's default, %d).", f.engine, f.help, f.def),
			func(v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return fmt.Errorf("--%s: %q is not a whole number; write it as digits, such as %d", f.manager, v, f.def)
				}
				if n < f.minimum {
					return fmt.Errorf("--%s must be at least %d, got %d (leave it unset for the engine's default, %d)", f.manager, f.minimum, n, f.def)
				}
				*f.into = &n
				return nil
			})
	}
}

// args are the engine flags of the limits that are set, in a fixed order.
func (l EngineLimits) args() []string {
	var out []string
	for _, f := range l.flags() {
		if *f.into != nil {
			out = append(out, "--"+f.engine+"="+strconv.FormatInt(**f.into, 10))
		}
	}
	return out
}
