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
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"
)

// TestImageArchive builds the image archive and checks what a node needs from it: the
// containerd image name, an OCI image for linux, entrypoint /manager, a numeric non-root
// user that /etc/passwd knows, and static binaries at /.
//
// It builds the binaries of Binaries whose package exists in this checkout (all three once
// cmd/decision-engine and cmd/kubectl-ethos have landed) and fails if one does not compile.
func TestImageArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries; skipped with -short")
	}
	g := NewWithT(t)
	var pkgs []string
	for _, p := range Binaries {
		if _, err := os.Stat(filepath.Join("..", "..", p, "main.go")); err == nil {
			pkgs = append(pkgs, p)
		} else {
			t.Logf("%s not in this checkout yet; building the others", p)
		}
	}
	g.Expect(pkgs).To(ContainElement("./cmd/manager"))

	out := filepath.Join(t.TempDir(), "image.tar")
	// go build runs in the module root, where the package paths are relative to.
	t.Chdir(filepath.Join("..", ".."))
	_, err := Build(Options{Image: "ethos.local/ethos:test", Version: "v0.0.0-test", Output: out, Arch: "amd64", Packages: pkgs})
	g.Expect(err).NotTo(HaveOccurred())

	// Unpack the archive and read it as an OCI layout.
	dir := t.TempDir()
	untar(t, out, dir)
	g.Expect(filepath.Join(dir, "oci-layout")).To(BeAnExistingFile())
	idx, err := layout.ImageIndexFromPath(dir)
	g.Expect(err).NotTo(HaveOccurred())
	im, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(im.Manifests).To(HaveLen(1))
	desc := im.Manifests[0]
	g.Expect(desc.Annotations).To(HaveKeyWithValue("io.containerd.image.name", "ethos.local/ethos:test"))
	g.Expect(desc.Platform).To(HaveValue(HaveField("OS", "linux")))

	img, err := idx.Image(desc.Digest)
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := img.ConfigFile()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Config.Entrypoint).To(Equal([]string{"/manager"}))
	g.Expect(cfg.Config.User).To(Equal("65532:65532"))
	g.Expect(cfg.Architecture).To(Equal("amd64"))
	g.Expect(cfg.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.version", "v0.0.0-test"))

	layers, err := img.Layers()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(layers).To(HaveLen(1), "a base of nothing but the binaries")
	rc, err := layers[0].Uncompressed()
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = rc.Close() }()
	files := map[string][]byte{}
	modes := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		g.Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(tr)
		g.Expect(err).NotTo(HaveOccurred())
		files[hdr.Name], modes[hdr.Name] = body, hdr.Mode
	}
	g.Expect(string(files["etc/passwd"])).To(ContainSubstring("nonroot:x:65532:65532:"))

	// The SBOM in the image lists every binary and the modules linked into it, with their
	// versions, and equals the copy written beside the archive.
	g.Expect(files).To(HaveKey(SBOMPath))
	beside, err := os.ReadFile(SBOMFile(out, "amd64"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(files[SBOMPath]).To(Equal(beside))
	var bom cdx.BOM
	g.Expect(cdx.NewBOMDecoder(bytes.NewReader(beside), cdx.BOMFileFormatJSON).Decode(&bom)).To(Succeed())
	g.Expect(bom.Metadata.Component.Version).To(Equal("v0.0.0-test"))
	refs := map[string]cdx.Component{}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = c
	}
	for _, p := range pkgs {
		g.Expect(refs).To(HaveKey("binary:/"+filepath.Base(p)), "the SBOM lists /%s", filepath.Base(p))
	}
	var runtime cdx.Component
	for ref, c := range refs {
		if strings.HasPrefix(ref, "pkg:golang/sigs.k8s.io/controller-runtime@v") {
			runtime = c
		}
	}
	g.Expect(runtime.PackageURL).To(HavePrefix("pkg:golang/sigs.k8s.io/controller-runtime@v0."), "the manager links controller-runtime")
	g.Expect(runtime.Properties).To(HaveValue(ContainElement(HaveField("Name", "go:module:sum"))))
	for _, p := range pkgs {
		name := filepath.Base(p)
		g.Expect(files).To(HaveKey(name), "/%s in the image", name)
		g.Expect(modes[name]&0o111).NotTo(BeZero(), "/%s executable", name)
		// Static: no program interpreter (dynamic loader) and no shared libraries.
		f, err := elf.NewFile(bytes.NewReader(files[name]))
		g.Expect(err).NotTo(HaveOccurred(), name)
		for _, prog := range f.Progs {
			g.Expect(prog.Type).NotTo(Equal(elf.PT_INTERP), "%s is dynamically linked", name)
		}
		libs, err := f.ImportedLibraries()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(libs).To(BeEmpty(), name)
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatalf("failed to open archive: %v", err)
	}
	defer func() { _ = f.Close() }()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("failed to read archive: %v", err)
		}
		path := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if !strings.HasPrefix(path, dir) {
			t.Fatalf("archive entry %q escapes the directory", hdr.Name)
		}
		if hdr.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMultiArchIndex: with two architectures the archive holds an OCI image index under the
// containerd name, with one linux image per architecture whose config and binary match it.
func TestMultiArchIndex(t *testing.T) {
	g := NewWithT(t)
	out := filepath.Join(t.TempDir(), "image.tar")
	t.Chdir(filepath.Join("..", ".."))
	digest, err := Build(Options{Image: "ethos.local/ethos:multi", Version: "v0.0.0-test", Output: out,
		Arch: "amd64,arm64", Packages: []string{"./hack/build-image/testdata/hello"}})
	g.Expect(err).NotTo(HaveOccurred())

	dir := t.TempDir()
	untar(t, out, dir)
	root, err := layout.ImageIndexFromPath(dir)
	g.Expect(err).NotTo(HaveOccurred())
	rm, err := root.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rm.Manifests).To(HaveLen(1))
	g.Expect(rm.Manifests[0].MediaType).To(Equal(types.OCIImageIndex))
	g.Expect(rm.Manifests[0].Digest).To(Equal(digest))
	g.Expect(rm.Manifests[0].Annotations).To(HaveKeyWithValue("io.containerd.image.name", "ethos.local/ethos:multi"))

	idx, err := root.ImageIndex(digest)
	g.Expect(err).NotTo(HaveOccurred())
	im, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	var archs []string
	for _, desc := range im.Manifests {
		g.Expect(desc.Platform).NotTo(BeNil())
		g.Expect(desc.Platform.OS).To(Equal("linux"))
		arch := desc.Platform.Architecture
		archs = append(archs, arch)
		img, err := idx.Image(desc.Digest)
		g.Expect(err).NotTo(HaveOccurred())
		cfg, err := img.ConfigFile()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(cfg.Architecture).To(Equal(arch))
		g.Expect(cfg.Config.Entrypoint).To(Equal([]string{"/manager"}))
		layers, err := img.Layers()
		g.Expect(err).NotTo(HaveOccurred())
		rc, err := layers[0].Uncompressed()
		g.Expect(err).NotTo(HaveOccurred())
		tr := tar.NewReader(rc)
		var machine elf.Machine
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			g.Expect(err).NotTo(HaveOccurred())
			if hdr.Name == "hello" {
				body, err := io.ReadAll(tr)
				g.Expect(err).NotTo(HaveOccurred())
				f, err := elf.NewFile(bytes.NewReader(body))
				g.Expect(err).NotTo(HaveOccurred())
				machine = f.Machine
			}
		}
		_ = rc.Close()
		g.Expect(machine).To(Equal(machines[arch]), "/hello of the %s image", arch)
	}
	g.Expect(archs).To(Equal([]string{"amd64", "arm64"}))
}
