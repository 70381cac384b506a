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
	"debug/buildinfo"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// SBOMPath is where the image carries its software bill of materials (CycloneDX JSON), the
// place distroless and Chainguard images use, so scanners (syft, trivy, grype) find it.
const SBOMPath = "usr/share/sbom/ethos.cdx.json"

// sbom returns a CycloneDX 1.6 JSON document listing what the binaries are made of, read from
// the build information the Go linker embeds in each one (modules with version and go.sum
// hash, the Go toolchain): the image's real contents, not what go.mod says. Deterministic:
// no timestamp or serial number, components sorted, so equal inputs give equal digests.
func sbom(opts Options, bins []string) ([]byte, error) {
	root := purl("github.com/ethos-operator/ethos", opts.Version)
	components := map[string]cdx.Component{}
	var dependencies []cdx.Dependency
	var binRefs []string
	for _, bin := range bins {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			return nil, fmt.Errorf("failed to read build information of %s: %w", bin, err)
		}
		binRef := "binary:/" + filepath.Base(bin)
		binRefs = append(binRefs, binRef)
		stdlib := purl("stdlib", info.GoVersion)
		components[stdlib] = cdx.Component{BOMRef: stdlib, Type: cdx.ComponentTypeLibrary, Name: "stdlib",
			Version: info.GoVersion, PackageURL: stdlib}
		deps := []string{stdlib}
		for _, m := range info.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			ref := purl(m.Path, m.Version)
			c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: m.Path, Version: m.Version, PackageURL: ref}
			if m.Sum != "" {
				c.Properties = &[]cdx.Property{{Name: "go:module:sum", Value: m.Sum}}
			}
			components[ref] = c
			deps = append(deps, ref)
		}
		slices.Sort(deps)
		components[binRef] = cdx.Component{BOMRef: binRef, Type: cdx.ComponentTypeApplication,
			Name: filepath.Base(bin), Version: opts.Version, Properties: &[]cdx.Property{
				{Name: "go:package", Value: info.Path}, {Name: "go:goarch", Value: opts.Arch}}}
		dependencies = append(dependencies, cdx.Dependency{Ref: binRef, Dependencies: &deps})
	}
	slices.Sort(binRefs)
	dependencies = append(dependencies, cdx.Dependency{Ref: root, Dependencies: &binRefs})
	slices.SortFunc(dependencies, func(a, b cdx.Dependency) int { return strings.Compare(a.Ref, b.Ref) })

	list := make([]cdx.Component, 0, len(components))
	for _, c := range components {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b cdx.Component) int { return strings.Compare(a.BOMRef, b.BOMRef) })

	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{
		Component: &cdx.Component{BOMRef: root, Type: cdx.ComponentTypeContainer, Name: "ethos",
			Version: opts.Version, PackageURL: root},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication,
			Name: "hack/build-image", Version: opts.Version}}},
	}
	bom.Components = &list
	bom.Dependencies = &dependencies
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).Encode(bom); err != nil {
		return nil, fmt.Errorf("failed to encode the SBOM: %w", err)
	}
	return buf.Bytes(), nil
}

// purl is the package URL of a Go module (purl-spec's golang type).
func purl(module, version string) string {
	return "pkg:golang/" + module + "@" + version
}
