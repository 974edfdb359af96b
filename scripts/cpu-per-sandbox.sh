#!/usr/bin/env bash
# CPU time per sandbox of `POST /batch/run`, a measure that other load on the machine barely
# changes (unlike runs/s): starts `agentkernel serve` in its own cgroup-v1 cpuacct group (the
# sandboxes it starts join other controllers' groups but stay in this one), sends batches of
# N `echo hi` (default profile, then "restrictive"), and divides the CPU the group used by N.
# Work the kernel does in its own threads (e.g. tearing network namespaces down) is not
# counted. Needs root, cgroup v1 with a cpuacct hierarchy, curl and python3.
#
#   scripts/cpu-per-sandbox.sh                         # this checkout's ./agentkernel, 3 rounds
#   scripts/cpu-per-sandbox.sh --rounds 5 --size 250
#   scripts/cpu-per-sandbox.sh --launcher /other/checkout/agentkernel --label before
#   AGENTKERNEL_NETWORK=slirp4netns scripts/cpu-per-sandbox.sh --label slirp4netns
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/daemon.sh
source "$ROOT/scripts/daemon.sh"
LAUNCHER="$ROOT/agentkernel"
LABEL="${AGENTKERNEL_NETWORK:-default}"
ROUNDS=3
SIZE=250
while [[ $# -gt 0 ]]; do
  case "$1" in
    --launcher) LAUNCHER="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "cpu-per-sandbox: unknown option $1" >&2; exit 2 ;;
  esac
done
CPUACCT=/sys/fs/cgroup/cpuacct
if [[ ! -f $CPUACCT/cpuacct.usage ]]; then
  echo "cpu-per-sandbox: needs a cgroup-v1 cpuacct hierarchy at $CPUACCT" >&2
  exit 1
fi
GROUP=$CPUACCT/ak-cpu-per-sandbox-$$
WORK=$(mktemp -d)
mkdir "$GROUP"
PORT=$((20000 + RANDOM % 20000))
SERVER=
cleanup() {
  [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$GROUP" 2>/dev/null && break; sleep 0.5; done
  rm -rf "$WORK"
}
trap cleanup EXIT

AGENTKERNEL_STATE_DIR=$WORK/state AGENTKERNEL_RUNTIME_DIR=$WORK/run \
  sh -c "echo \$\$ > $GROUP/cgroup.procs && exec \"$LAUNCHER\" serve --port $PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
ak_await_daemon "$PORT" "$SERVER" "$WORK/serve.log" || exit 1

body() { # N [PROFILE]
  python3 -c 'import json, sys
n = int(sys.argv[1]); extra = {"profile": sys.argv[2]} if len(sys.argv) > 2 else {}
print(json.dumps({"commands": [dict(command=["echo", "hi"], **extra) for _ in range(n)]}))' "$@"
}
body "$SIZE" >"$WORK/default.json"
body "$SIZE" restrictive >"$WORK/restrictive.json"
batch() { ak_api "$WORK/state" -sf -X POST --data-binary "@$WORK/$1.json" \
  "http://127.0.0.1:$PORT/batch/run"; }
batch default >/dev/null # warm-up: JIT, pool, /etc tree
sleep 2
for round in $(seq 1 "$ROUNDS"); do
  for profile in default restrictive; do
    before=$(cat "$GROUP/cpuacct.usage"); start=$(date +%s.%N)
    ok=$(batch "$profile" | grep -o '"exit_code":0' | wc -l)
    end=$(date +%s.%N)
    sleep 1.5 # the last sandboxes' clean-up and the pool's refill
    after=$(cat "$GROUP/cpuacct.usage")
    python3 -c 'import sys
label, profile, rnd, n, ok = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
before, after, start, end = map(float, sys.argv[6:10])
print("%-14s %-12s round %s: %5.2f ms CPU per sandbox, %d/%d ok, %.1f runs/s" % (
    label, profile, rnd, (after - before) / 1e6 / n, ok, n, n / (end - start)))' \
      "$LABEL" "$profile" "$round" "$SIZE" "$ok" "$before" "$after" "$start" "$end"
  done
done
