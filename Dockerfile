# One image for the three Ethos binaries: /manager (entrypoint), /decision-engine (run by the
# Campaign controller in engine pods) and /kubectl-ethos. `make build-image` builds the same
# binaries into the same layout without Docker (hack/build-image).
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/ethos-operator/ethos:v0.1.0 .
#
# Both base images are pinned by digest (tag kept for the reader; the digest is what is
# pulled), so a rebuild uses the same bytes until someone bumps them on purpose. To bump,
# take the digest of the new tag's multi-platform index and replace both parts:
#
#   crane digest golang:1.26                            # or: docker buildx imagetools inspect
#   crane digest gcr.io/distroless/static:nonroot
#
# or let Renovate (the "dockerfile" manager pins and updates tag@digest) or Dependabot
# (package-ecosystem: docker) open the pull request. docs/security.md says why.
#
# Override BASE_IMAGE to build from another registry, e.g. docker.io/library/golang:1.26@sha256:….
ARG BASE_IMAGE=golang:1.26@sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647
FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS builder
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
# Commit and commit time for `kubectl ethos version` (the Makefile passes them; .git is not copied).
ARG COMMIT=unknown
ARG DATE=unknown

WORKDIR /workspace
# Download modules first: this layer is reused as long as go.mod and go.sum do not change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

# The source (.dockerignore keeps tests, docs and build output out).
COPY . .

# Static (no cgo), reproducible (-trimpath), version stamped, cross-compiled for the target
# platform by Go itself.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" -o /out/ \
      ./cmd/manager ./cmd/decision-engine ./cmd/kubectl-ethos

# Distroless static: no shell, no package manager; CA certificates, /etc/passwd and tzdata only.
FROM gcr.io/distroless/static:nonroot@sha256:f7f8f729987ad0fdf6b05eeeae94b26e6a0f613bdf46feea7fc40f7bd72953e6
ARG VERSION=dev
LABEL org.opencontainers.image.title="ethos" \
      org.opencontainers.image.description="Ethos: a Kubernetes operator for ethical personalization" \
      org.opencontainers.image.source="https://github.com/ethos-operator/ethos" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /
COPY --from=builder /out/manager /out/decision-engine /out/kubectl-ethos /
# The distroless "nonroot" user, numeric so that runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/manager"]
