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

// Command build-image builds the Ethos container image without Docker: the three static
// binaries on an empty base, user 65532:65532, entrypoint /manager — the layout of the
// Dockerfile's distroless image — written as an OCI image archive (oci-layout, index.json,
// blobs) that `ctr -n k8s.io images import`, skopeo, crane and podman load all accept. With
// several architectures (--arch amd64,arm64) the archive holds one image per architecture
// under an OCI image index, the multi-platform form registries and containerd resolve.
// Each image carries a CycloneDX SBOM of its binaries at /usr/share/sbom/ethos.cdx.json, and a
// copy is written beside the archive (bin/ethos-image.<arch>.cdx.json).
//
//	go run ./hack/build-image --image ghcr.io/ethos-operator/ethos:dev --output bin/ethos-image.tar
//	go run ./hack/build-image --arch amd64,arm64 --output bin/ethos-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// User is the image's numeric user and group: distroless's "nonroot".
const User = "65532:65532"

// Binaries are the packages built into the image, each as /<last path element>.
var Binaries = []string{"./cmd/manager", "./cmd/decision-engine", "./cmd/kubectl-ethos"}

// epoch is the fixed timestamp of files and image, so equal inputs give equal digests.
var epoch = time.Unix(0, 0).UTC()

// Options says what to build.
type Options struct {
	Image    string   // reference recorded in the archive (io.containerd.image.name)
	Version  string   // stamped into the binaries (-X main.version) and the image labels
	Commit   string   // stamped into the binaries (-X main.commit); empty: not stamped
	Date     string   // commit time stamped into the binaries (-X main.date); empty: not stamped
	Output   string   // path of the OCI archive to write
	Arch     string   // GOARCH of the binaries and the image; comma-separated for an index
	Packages []string // Go packages to build; each becomes /<base name>
}

func main() {
	opts := Options{}
	var pkgs string
	flag.StringVar(&opts.Image, "image", "ghcr.io/ethos-operator/ethos:dev", "image reference to record in the archive")
	flag.StringVar(&opts.Version, "version", "dev", "version stamped into the binaries")
	flag.StringVar(&opts.Commit, "commit", "", "Git commit stamped into the binaries")
	flag.StringVar(&opts.Date, "date", "", "build date stamped into the binaries (the commit's time keeps builds reproducible)")
	flag.StringVar(&opts.Output, "output", "bin/ethos-image.tar", "OCI archive to write")
	flag.StringVar(&opts.Arch, "arch", runtime.GOARCH, "target architecture (GOARCH); several, comma-separated, for a multi-platform index")
	flag.StringVar(&pkgs, "packages", strings.Join(Binaries, ","), "comma-separated Go packages to build into the image")
	flag.Parse()
	opts.Packages = strings.Split(pkgs, ",")

	digest, err := Build(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "build-image: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("Wrote %s (image %s, manifest %s)\n", opts.Output, opts.Image, digest)
}

// Build compiles the binaries and writes the image archive; it returns the digest of the
// image manifest, or of the image index when opts.Arch names several architectures.
func Build(opts Options) (v1.Hash, error) {
	ref, err := name.ParseReference(opts.Image)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("failed to parse image reference %q: %w", opts.Image, err)
	}
	archs := strings.Split(opts.Arch, ",")
	work, err := os.MkdirTemp("", "ethos-image-")
	if err != nil {
		return v1.Hash{}, fmt.Errorf("failed to create work directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(work) }()

	var images []v1.Image
	for _, arch := range archs {
		if arch == "" {
			return v1.Hash{}, fmt.Errorf("--arch %q names an empty architecture; use e.g. amd64,arm64", opts.Arch)
		}
		archOpts := opts
		archOpts.Arch = arch
		bins, err := compile(archOpts, filepath.Join(work, "bin-"+arch))
		if err != nil {
			return v1.Hash{}, err
		}
		bom, err := sbom(archOpts, bins)
		if err != nil {
			return v1.Hash{}, err
		}
		if err := os.MkdirAll(filepath.Dir(opts.Output), 0o755); err != nil {
			return v1.Hash{}, fmt.Errorf("failed to create output directory: %w", err)
		}
		if err := os.WriteFile(SBOMFile(opts.Output, arch), bom, 0o644); err != nil {
			return v1.Hash{}, fmt.Errorf("failed to write the SBOM: %w", err)
		}
		layerTar, err := rootfs(bins, bom)
		if err != nil {
			return v1.Hash{}, err
		}
		img, err := image(archOpts, layerTar)
		if err != nil {
			return v1.Hash{}, err
		}
		images = append(images, img)
	}
	if len(images) == 1 {
		if err := writeArchive(images[0], ref, opts, filepath.Join(work, "oci")); err != nil {
			return v1.Hash{}, err
		}
		return images[0].Digest()
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, img := range images {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: types.OCIManifestSchema1,
			Platform:  &v1.Platform{OS: "linux", Architecture: archs[i]},
		}})
	}
	if err := writeArchive(idx, ref, opts, filepath.Join(work, "oci")); err != nil {
		return v1.Hash{}, err
	}
	return idx.Digest()
}

// compile builds each package as a static linux binary into dir and returns their paths.
func compile(opts Options, dir string) ([]string, error) {
	args := []string{"build", "-trimpath", "-ldflags", ldflags(opts), "-o", dir + "/"}
	cmd := exec.Command("go", append(args, opts.Packages...)...)
	// No cgo: the binaries must run on an empty base with no C library.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+opts.Arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("failed to build %s: %w", strings.Join(opts.Packages, " "), err)
	}
	var bins []string
	for _, p := range opts.Packages {
		bins = append(bins, filepath.Join(dir, filepath.Base(p)))
	}
	return bins, nil
}

// ldflags strips the binaries and stamps version, commit and date (`kubectl ethos version`).
func ldflags(opts Options) string {
	flags := "-s -w -X main.version=" + opts.Version
	if opts.Commit != "" {
		flags += " -X main.commit=" + opts.Commit
	}
	if opts.Date != "" {
		flags += " -X main.date=" + opts.Date
	}
	return flags
}

// SBOMFile is where Build writes a copy of an architecture's SBOM beside the archive
// (bin/ethos-image.tar → bin/ethos-image.amd64.cdx.json), for scanners that read files.
func SBOMFile(output, arch string) string {
	return strings.TrimSuffix(output, filepath.Ext(output)) + "." + arch + ".cdx.json"
}

// rootfs returns the image's only layer: the binaries at /, the SBOM at SBOMPath, the user
// and group files that give 65532 a name, and /tmp (what distroless static provides, minus CA
// certificates and tzdata, which Ethos does not use: it talks only to the API server with its
// service account CA).
func rootfs(bins []string, bom []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(hdr *tar.Header, body []byte) error {
		hdr.ModTime, hdr.Uid, hdr.Gid, hdr.Format = epoch, 0, 0, tar.FormatPAX
		hdr.Size = int64(len(body))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	files := []struct {
		hdr  tar.Header
		body string
	}{
		{tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "etc/group", Typeflag: tar.TypeReg, Mode: 0o644}, "root:x:0:\nnonroot:x:65532:\n"},
		{tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644},
			"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"},
		{tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}, ""},
		{tar.Header{Name: "usr/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "usr/share/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: filepath.Dir(SBOMPath) + "/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: SBOMPath, Typeflag: tar.TypeReg, Mode: 0o644}, string(bom)},
	}
	for _, f := range files {
		if err := add(&f.hdr, []byte(f.body)); err != nil {
			return nil, fmt.Errorf("failed to write layer: %w", err)
		}
	}
	for _, b := range bins {
		body, err := os.ReadFile(b)
		if err != nil {
			return nil, fmt.Errorf("failed to read binary: %w", err)
		}
		if err := add(&tar.Header{Name: filepath.Base(b), Typeflag: tar.TypeReg, Mode: 0o755}, body); err != nil {
			return nil, fmt.Errorf("failed to write layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("failed to write layer: %w", err)
	}
	return buf.Bytes(), nil
}

// image assembles an OCI image from the layer on an empty base.
func image(opts Options, layerTar []byte) (v1.Image, error) {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("failed to create layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:     layer,
		History:   v1.History{CreatedBy: "hack/build-image", Created: v1.Time{Time: epoch}},
		MediaType: types.OCILayer,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to add layer: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("failed to read image config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Created = "linux", opts.Arch, v1.Time{Time: epoch}
	cfg.Config = v1.Config{
		Entrypoint: []string{"/manager"},
		User:       User,
		WorkingDir: "/",
		Env:        []string{"PATH=/"},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "ethos",
			"org.opencontainers.image.source":  "https://github.com/ethos-operator/ethos",
			"org.opencontainers.image.version": opts.Version,
		},
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to set image config: %w", err)
	}
	return img, nil
}

// writeArchive writes an image (one architecture) or an image index as an OCI image layout in
// dir and tars it into opts.Output. The index entry carries the full reference in
// io.containerd.image.name (the name containerd gives the imported image) and the tag in
// org.opencontainers.image.ref.name (OCI tools).
func writeArchive(content any, ref name.Reference, opts Options, dir string) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("failed to create OCI layout: %w", err)
	}
	annotations := layout.WithAnnotations(map[string]string{
		"io.containerd.image.name":          ref.Name(),
		"org.opencontainers.image.ref.name": ref.Identifier(),
	})
	switch c := content.(type) {
	case v1.ImageIndex:
		err = p.AppendIndex(c, annotations)
	case v1.Image:
		err = p.AppendImage(c, layout.WithPlatform(v1.Platform{OS: "linux", Architecture: opts.Arch}), annotations)
	}
	if err != nil {
		return fmt.Errorf("failed to write image: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(opts.Output), 0o755); err != nil {
		return fmt.Errorf("failed to create output directory: %w", err)
	}
	out, err := os.Create(opts.Output)
	if err != nil {
		return fmt.Errorf("failed to create %s: %w", opts.Output, err)
	}
	tw := tar.NewWriter(out)
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		hdr := &tar.Header{Name: filepath.ToSlash(rel), ModTime: epoch, Mode: 0o644, Typeflag: tar.TypeReg, Size: info.Size()}
		if info.IsDir() {
			hdr.Name, hdr.Mode, hdr.Typeflag, hdr.Size = hdr.Name+"/", 0o755, tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		_, err = io.Copy(tw, f)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", opts.Output, err)
	}
	return nil
}
