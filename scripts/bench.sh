#!/usr/bin/env bash
# Sandbox start latency: AgentKernel (in process, and the CLI end to end) next to raw
# bubblewrap with the same isolation flags, all measured in the same run, interleaved.
# Builds the project, runs the harness (agentkernel-bench, dev.agentkernel.bench.StartupBench)
# and rewrites its sections of BENCHMARKS.md. Run as root (the bwrap backend needs cgroups).
# With --only api it runs the HTTP API benchmark instead (dev.agentkernel.bench.ApiBench: a
# real daemon in process, POST /run warm and cold and /batch/run against raw bubblewrap); with
# --only sessions the code-session benchmark (dev.agentkernel.bench.SessionBench); with --only images
# the image benchmark (dev.agentkernel.bench.ImageBench: start on a cached image against raw bubblewrap,
# pull against skopeo copy, shared layers, warm POST /run on an image; needs docker-registry, skopeo, umoci).
#
#   scripts/bench.sh                              # both start-latency benchmarks, default rounds
#   scripts/bench.sh --only inprocess --rounds 500
#   scripts/bench.sh --only cli --cli-rounds 100
#   scripts/bench.sh --only api                   # HTTP API latency and throughput (about 4 minutes)
#   scripts/bench.sh --only sessions              # code sessions: warm round trip, first execution (about 1 minute)
#   scripts/bench.sh --only images                # images: start, pull vs skopeo, shared layers, warm /run (a few minutes)
#   scripts/bench.sh --only backends              # every backend: start vs its own tool, warm /run, idle memory
#   scripts/bench.sh --only pause                 # pause/resume latency, first exec after an idle pause (about 1 minute)
#   scripts/bench.sh --only snapshots             # snapshot of 100 MB vs tar, fork into 10 vs 10 creates (a few minutes)
#   scripts/bench.sh --only egress                # HTTPS through a network policy vs unrestricted, DNS through our resolver (about 1 minute)
#   scripts/bench.sh --help                       # all options (--only api --help: the API benchmark's)
#
# Environment: AK_BENCH_SKIP_BUILD=1 reuses the last build; AK_BENCH_MVN_ARGS adds Maven
# arguments (e.g. -o); AK_BENCH_MARKDOWN=/path/file.md writes elsewhere, =none not at all.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/java.sh
source "$ROOT/scripts/java.sh"
ak_find_java || exit 1
cd "$ROOT"

BENCH="$ROOT/agentkernel-bench/target"
MAIN=dev.agentkernel.bench.StartupBench
prev=""
for arg in "$@"; do
  if [[ "$prev" == --only && "$arg" == api ]]; then
    MAIN=dev.agentkernel.bench.ApiBench
  fi
  if [[ "$prev" == --only && "$arg" == sessions ]]; then
    MAIN=dev.agentkernel.bench.SessionBench
  fi
  if [[ "$prev" == --only && "$arg" == images ]]; then
    MAIN=dev.agentkernel.bench.ImageBench
  fi
  if [[ "$prev" == --only && "$arg" == backends ]]; then
    MAIN=dev.agentkernel.bench.BackendBench
  fi
  # ---- pause and resume (issue 15) ----
  if [[ "$prev" == --only && "$arg" == pause ]]; then
    MAIN=dev.agentkernel.bench.PauseBench
  fi
  if [[ "$prev" == --only && "$arg" == snapshots ]]; then
    MAIN=dev.agentkernel.bench.SnapshotBench
  fi
  # ---- egress control (issue 16) ----
  if [[ "$prev" == --only && "$arg" == egress ]]; then
    MAIN=dev.agentkernel.bench.EgressBench
  fi
  prev="$arg"
done
for arg in "$@"; do
  case "$arg" in
    -h|--help)
      if [[ -d "$BENCH/classes/dev/agentkernel/bench" ]]; then
        exec "$JAVA_HOME/bin/java" -cp "$BENCH/classes:$BENCH/lib/*" "$MAIN" --help
      fi
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0 ;;
  esac
done

case "$(uname -s)" in
  Linux) ak_require_tools bwrap:bubblewrap slirp4netns:slirp4netns || exit 1
    ak_tune_cgroups # as the launcher script does for every command: measure what users get
    # as root, sandboxes with network use the host bridge (nftables), as the daemon would
    if [[ $(id -u) -eq 0 ]]; then ak_require_tools nft:nftables ip:iproute2 || exit 1; fi
    # the image benchmark builds its images and runs its own registry
    if [[ "$MAIN" == dev.agentkernel.bench.ImageBench || "$MAIN" == dev.agentkernel.bench.BackendBench ]]; then
      ak_require_tools docker-registry:docker-registry skopeo:skopeo umoci:umoci || exit 1
    fi
    # the egress benchmark makes its own hosts (a network namespace, a test CA) and needs the host bridge
    if [[ "$MAIN" == dev.agentkernel.bench.EgressBench ]]; then
      ak_require_tools nft:nftables ip:iproute2 openssl:openssl python3:python3 || exit 1
    fi
    # the backend benchmark runs every OCI runtime too
    if [[ "$MAIN" == dev.agentkernel.bench.BackendBench ]]; then
      ak_require_tools runc:runc crun:crun runsc:runsc || exit 1
      # and the docker backend, against a private engine the harness starts (DockerEngine) unless DOCKER_HOST is set
      ak_require_tools dockerd:docker.io || exit 1
      # and the podman backend, against podman itself (conmon: podman's container monitor)
      ak_require_tools podman:podman conmon:conmon || exit 1
    fi ;;
  *) echo "bench: needs Linux" >&2; exit 1 ;;
esac
if [[ $(id -u) -ne 0 ]]; then
  echo "bench: warning: not root; the bwrap backend needs writable cgroups and will likely refuse" >&2
fi

if [[ "${AK_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building (./mvnw -q -B -DskipTests install, test sources not compiled)..." >&2
  # shellcheck disable=SC2086
  ./mvnw -q -B ${AK_BENCH_MVN_ARGS:-} -DskipTests -Dmaven.test.skip=true install >&2
  # The launcher sees this build through the CLI jar's time stamp and records its AOT class
  # cache again for the new jar on its first (untimed, warm-up) run.
fi

if [[ ! -d "$BENCH/classes/dev/agentkernel/bench" || ! -d "$BENCH/lib" ]]; then
  echo "bench: $BENCH has no harness; build first (without AK_BENCH_SKIP_BUILD=1)" >&2
  exit 1
fi

MARKDOWN=("--markdown" "${AK_BENCH_MARKDOWN:-$ROOT/BENCHMARKS.md}")
[[ "${AK_BENCH_MARKDOWN:-}" == none ]] && MARKDOWN=()

# AK_BENCH_JAVA_OPTS: extra JVM options (e.g. -Dagentkernel.forkserver=false for a comparison)
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${AK_BENCH_JAVA_OPTS:-} \
  -cp "$BENCH/classes:$BENCH/lib/*" "$MAIN" \
  --root "$ROOT" "${MARKDOWN[@]}" "$@"
