# Ethos — see README.md. `make help` lists the targets.

# Image holding manager, decision-engine and kubectl-ethos.
IMG ?= ghcr.io/ethos-operator/ethos:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs, RBAC ClusterRole and webhook configuration from markers.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd webhook paths="./api/..." paths="./internal/..." paths="./cmd/..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: test
test: manifests generate fmt vet envtest-assets ## Run unit tests and tests against a real kube-apiserver and etcd.
	KUBEBUILDER_ASSETS="$$(hack/kube-binaries.sh envtest)" go test ./... -count=1 -coverprofile cover.out

.PHONY: envtest-assets
envtest-assets: ## Build kube-apiserver and etcd from source (cached) and print where they are.
	@hack/kube-binaries.sh envtest

.PHONY: verify
verify: ## Regenerate everything, tidy go.mod, and fail when the tree changed.
	hack/verify.sh

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build manager, decision-engine and kubectl-ethos into bin/.
	go build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/ ./cmd/...

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the cluster in ~/.kube/config (webhooks off).
	ENABLE_WEBHOOKS=false go run ./cmd/manager

.PHONY: docker-build
docker-build: ## Build the container image with Docker.
	docker build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: build-installer
build-installer: manifests generate kustomize ## Write dist/install.yaml for IMG.
	mkdir -p dist
	rm -rf bin/installer && cp -r config bin/installer
	cd bin/installer/manager && "$(KUSTOMIZE)" edit set image controller=$(IMG)
	"$(KUSTOMIZE)" build bin/installer/default > dist/install.yaml

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install the CRDs into the cluster in ~/.kube/config.
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" apply --server-side -f -

.PHONY: uninstall
uninstall: manifests kustomize ## Remove the CRDs (and with them every Campaign and ConsentPolicy).
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: deploy
deploy: build-installer ## Deploy Ethos (IMG) to the cluster in ~/.kube/config.
	"$(KUBECTL)" apply --server-side -f dist/install.yaml

.PHONY: undeploy
undeploy: kustomize ## Remove Ethos from the cluster in ~/.kube/config.
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

##@ Dependencies

LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

KUBECTL ?= kubectl
KUSTOMIZE ?= $(LOCALBIN)/kustomize
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen

KUSTOMIZE_VERSION ?= v5.8.1
CONTROLLER_TOOLS_VERSION ?= v0.23.0

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Install kustomize into bin/ (pinned).
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/ (pinned).
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

# go-install-tool installs $(2)@$(3) as $(1)-$(3) and links $(1) to it, so a version bump reinstalls.
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Installing $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef
