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

// Command rulesdoc writes docs/rules.md from the rule registry and the dictionary
// (`make docs`; hack/verify.sh runs it and fails when the committed file differs).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ethos-operator/ethos/internal/ethics"
)

func main() {
	out := flag.String("o", "docs/rules.md", "file to write")
	flag.Parse()
	b, err := ethics.RulesMarkdown()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulesdoc:", err)
		os.Exit(1)
	}
}
