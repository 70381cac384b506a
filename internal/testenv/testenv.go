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

// Package testenv starts a real kube-apiserver and etcd (controller-runtime envtest) with the
// Ethos CRDs installed, for tests whose behaviour depends on the API server.
//
// The binaries come from KUBEBUILDER_ASSETS (set by `make test` from hack/kube-binaries.sh);
// when it is unset, Start builds or reuses them through that script itself, so `go test ./...`
// works too.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// RepoRoot is the repository's root directory, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Scheme holds the built-in Kubernetes types and the Ethos API.
func Scheme() *k8sruntime.Scheme {
	s := k8sruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := ethosv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// Codecs decodes YAML and JSON into the types of Scheme.
func Codecs() serializer.CodecFactory { return serializer.NewCodecFactory(Scheme()) }

// Options configures Start.
type Options struct {
	// WebhookManifests, when set, installs these webhook configuration files (or directories)
	// and makes envtest serve TLS certificates for a local webhook server.
	WebhookManifests []string
}

// Env is a running API server with the Ethos CRDs.
type Env struct {
	*envtest.Environment
	Client client.Client
}

// Start starts kube-apiserver and etcd with the CRDs of config/crd/bases installed.
func Start(opts Options) (*Env, error) {
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	root := RepoRoot()
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                Scheme(),
	}
	if len(opts.WebhookManifests) > 0 {
		env.WebhookInstallOptions = envtest.WebhookInstallOptions{Paths: opts.WebhookManifests}
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("failed to start envtest (kube-apiserver and etcd from %s): %w", assets, err)
	}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	return &Env{Environment: env, Client: c}, nil
}

// Assets returns the directory holding kube-apiserver and etcd: KUBEBUILDER_ASSETS when set,
// else what hack/kube-binaries.sh builds or finds in its cache.
func Assets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command(filepath.Join(RepoRoot(), "hack", "kube-binaries.sh"), "envtest")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("failed to provide envtest binaries with hack/kube-binaries.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
