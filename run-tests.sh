#!/usr/bin/env bash
# Runs the whole test suite: unit tests (no root needed) and integration tests that start
# real sandboxes (root). On a fresh Debian/Ubuntu machine, as root, it first installs what
# the tests need.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=scripts/java.sh
source "$ROOT/scripts/java.sh"
ak_find_java || exit 1
# bwrap/slirp4netns: the sandboxes; nft, ip: the bridge network of sandboxes (as root), ip and
# python3 also inside test sandboxes; tmux: terminal tests;
# gcc + static libc: the in-sandbox agent is a static C binary; node/npm: the published Node client;
# chromium: a real browser tries to drive the API from another origin (BrowserIT) and drives the web
# console (ConsoleIT, through playwright-core, which the build installs with npm for the console).
# mkfs.ext4, losetup: sandboxes' size-limited disks (loop-mounted ext4 images).
# Images (agentkernel-image ITs): docker-registry: the CNCF distribution registry the tests pull from
# (plain, htpasswd and token auth); skopeo and umoci build and push the test images and unpack them
# for comparison; busybox-static: their root file system; htpasswd: the basic-auth file; openssl:
# the token service's key; getfattr: checks overlayfs' opaque xattrs; mmdebstrap: a Debian 13 image
# from the Debian mirror (a glibc image whose software is not the host's; cached in ~/.cache).
# runc, crun and runsc: the OCI-runtime backends (runc, crun, gvisor) that BackendContractIT and BackendChoiceIT run.
ak_require_tools bwrap:bubblewrap slirp4netns:slirp4netns nft:nftables ip:iproute2 python3:python3 tmux:tmux \
  gcc:gcc node:nodejs npm:npm chromium:chromium mkfs.ext4:e2fsprogs losetup:mount \
  docker-registry:docker-registry skopeo:skopeo umoci:umoci busybox:busybox-static htpasswd:apache2-utils \
  openssl:openssl getfattr:attr mmdebstrap:mmdebstrap runc:runc crun:crun runsc:runsc || exit 1
# The docker backend's tests (DockerContractIT, BackendChoiceIT) start a private engine (DockerEngine):
# dockerd, containerd and the docker CLI of Debian's docker.io (dockerd only comes with the package).
ak_require_tools dockerd:docker.io || exit 1
# podman and conmon: the podman backend (PodmanContractIT, BackendChoiceIT); it runs containers with runc (above).
ak_require_tools podman:podman conmon:conmon || exit 1
ak_require_package_file libc6-dev /usr/lib/x86_64-linux-gnu/libc.a /usr/lib/aarch64-linux-gnu/libc.a || exit 1
# MetricsIT parses GET /metrics with the official Prometheus Python client's text-format parser.
ak_require_package_file python3-prometheus-client /usr/lib/python3/dist-packages/prometheus_client/parser.py || exit 1
# As the ./agentkernel script does before every command (the tests start the CLI and daemon without it).
ak_tune_cgroups
cd "$ROOT"
# As root everything the integration tests need is installed above: a test that cannot run its
# sandbox (or browser) then fails instead of skipping (ServerFixture.requireSandboxHost).
if [[ $EUID -eq 0 ]]; then export AGENTKERNEL_MUST_WORK=1; fi
echo "agentkernel: running unit and integration tests with $JAVA_HOME" >&2
exec ./mvnw -B -ntp verify "$@"
