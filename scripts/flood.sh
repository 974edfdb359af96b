#!/usr/bin/env bash
# Daemon memory under output floods: starts a daemon of this tree as its own process (with the
# JVM options the 'agentkernel' launcher gives 'serve'), fires N concurrent POST /run whose
# commands each print SIZE bytes (answers are capped at 16 MiB), samples the daemon's VmRSS
# every 100 ms during the floods and for 10 s after, and prints the peak, the kernel's high
# water mark (VmHWM) and the RSS at the end. Run as root (the bwrap backend needs cgroups).
# Uses the last build (./mvnw -B -ntp -pl agentkernel-cli -am verify -DskipTests).
#
#   scripts/flood.sh                          # 32 concurrent floods of 100 MB
#   scripts/flood.sh --floods 8 --bytes 100000000 --after 10
#   scripts/flood.sh --route exec             # N concurrent POST /sandboxes/NAME/exec in one sandbox
#   scripts/flood.sh --route batch            # one POST /batch/run of N such commands
#
# Environment: AK_FLOOD_JVM_OPTS replaces the daemon's JVM options.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/java.sh
source "$ROOT/scripts/java.sh"
# shellcheck source=scripts/daemon.sh
source "$ROOT/scripts/daemon.sh"
ak_find_java || exit 1

FLOODS=32 BYTES=100000000 AFTER=10 ROUTE=run
while [[ $# -gt 0 ]]; do
  case "$1" in
    --floods) FLOODS="$2"; shift 2 ;;
    --bytes) BYTES="$2"; shift 2 ;;
    --after) AFTER="$2"; shift 2 ;;
    --route) ROUTE="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "flood: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

TARGET="$ROOT/agentkernel-cli/target"
JAR="$TARGET/agentkernel-cli-0.1.0-SNAPSHOT-launcher.jar"
[[ -f "$JAR" && -d "$TARGET/lib-server" ]] || {
  echo "flood: build first: ./mvnw -B -ntp -pl agentkernel-cli -am verify -DskipTests" >&2; exit 1; }
CP="$JAR"; for jar in "$TARGET"/lib-server/*.jar; do CP="$CP:$jar"; done

# The launcher's options for the daemon: its JVM_OPTS and, where the launcher caps the heap, that cap.
JVM_OPTS=() SERVE_OPTS=()
eval "$(grep -E '^JVM_OPTS=\(' "$ROOT/agentkernel")"
if declare -F ak_daemon_heap >/dev/null && grep -q ak_daemon_heap "$ROOT/agentkernel"; then SERVE_OPTS=(-Xmx"$(ak_daemon_heap)"); fi
if [[ -n "${AK_FLOOD_JVM_OPTS:-}" ]]; then read -r -a JVM_OPTS <<< "$AK_FLOOD_JVM_OPTS"; SERVE_OPTS=(); fi

WORK="$(mktemp -d /tmp/ak-flood.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AGENTKERNEL_STATE_DIR="$WORK/state" AGENTKERNEL_RUNTIME_DIR="$WORK/run" \
  "$JAVA_HOME/bin/java" "${JVM_OPTS[@]}" "${SERVE_OPTS[@]}" -cp "$CP" dev.agentkernel.cli.Main serve \
  --port "$PORT" --max-sandboxes "$((FLOODS > 32 ? FLOODS : 32))" > "$WORK/daemon.log" 2>&1 &
DAEMON=$!
cleanup() { kill "$DAEMON" 2>/dev/null || true; wait "$DAEMON" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

ak_await_daemon "$PORT" "$DAEMON" "$WORK/daemon.log" || exit 1
sleep 2 # let the warm pool settle
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$DAEMON/status"; }
START_RSS=$(rss VmRSS)
echo "flood: daemon pid $DAEMON, JVM options: ${JVM_OPTS[*]} ${SERVE_OPTS[*]}"
CMD="[\"sh\",\"-c\",\"head -c $BYTES /dev/zero | tr '\\\\0' a\"]"
BODY="{\"command\":$CMD,\"timeout\":300}"
URL="http://127.0.0.1:$PORT/run" REQUESTS=$FLOODS
case "$ROUTE" in
  run) ;;
  exec)
    ak_api "$WORK/state" -sf -X POST --data '{"name":"flood"}' \
      "http://127.0.0.1:$PORT/sandboxes" >/dev/null || { echo "flood: cannot create a sandbox" >&2; exit 1; }
    URL="http://127.0.0.1:$PORT/sandboxes/flood/exec" ;;
  batch)
    items=""; for i in $(seq 1 "$FLOODS"); do items="$items${items:+,}{\"command\":$CMD,\"timeout\":300}"; done
    BODY="{\"commands\":[$items]}" URL="http://127.0.0.1:$PORT/batch/run" REQUESTS=1 ;;
  *) echo "flood: --route must be run, exec or batch" >&2; exit 2 ;;
esac
echo "flood: RSS before: $START_RSS MiB; $FLOODS commands printing $BYTES bytes each through $ROUTE ($REQUESTS request(s) at once)"
PEAK=$START_RSS
pids=()
for i in $(seq 1 "$REQUESTS"); do
  ak_api "$WORK/state" -s -o "$WORK/answer-$i.json" -w '%{http_code} %{size_download}\n' -X POST \
    --data "$BODY" "$URL" > "$WORK/status-$i" &
  pids+=($!)
done
BEGIN=$(date +%s.%N)
while :; do
  r=$(rss VmRSS); (( r > PEAK )) && PEAK=$r
  running=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1 && break; done
  (( running )) || break
  sleep 0.1
done
END=$(date +%s.%N)
for p in "${pids[@]}"; do wait "$p" || true; done
AT_END=$(rss VmRSS)
deadline=$(( $(date +%s) + AFTER ))
while (( $(date +%s) < deadline )); do r=$(rss VmRSS); (( r > PEAK )) && PEAK=$r; sleep 0.1; done
AFTER_RSS=$(rss VmRSS)
HWM=$(rss VmHWM)

ok=0 truncated=0 sizes=""
for i in $(seq 1 "$REQUESTS"); do
  read -r code size < "$WORK/status-$i"
  [[ "$code" == 200 ]] && ok=$((ok + 1))
  truncated=$((truncated + $(grep -o '"truncated":true' "$WORK/answer-$i.json" 2>/dev/null | wc -l)))
  sizes="$size"
done
printf 'flood: %d/%d answered 200 (%d truncated, last answer %s bytes) in %.1f s\n' \
  "$ok" "$REQUESTS" "$truncated" "$sizes" "$(echo "$END - $BEGIN" | bc)"
echo "flood: RSS peak $PEAK MiB (sampled), VmHWM $HWM MiB, at the end $AT_END MiB, ${AFTER} s later $AFTER_RSS MiB (before: $START_RSS MiB)"
