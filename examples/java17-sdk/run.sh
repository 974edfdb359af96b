#!/usr/bin/env bash
# The Java SDK as a dependency of a Java 17 project, against a real daemon:
#  1. installs agentkernel-client (and what it needs) into a temporary local repository, never ~/.m2
#     (reads fall back to ~/.m2 through maven.repo.local.tail);
#  2. builds this project with Java 17 (maven.compiler.release 17) from that repository;
#  3. starts a daemon (agentkernel serve, on a free port, with its own state directory and key);
#  4. runs example.Main under Java 17 and stops the daemon.
# usage: examples/java17-sdk/run.sh   (JAVA17_HOME overrides /usr/lib/jvm/java-17-openjdk-amd64)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
JAVA17_HOME="${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
"$JAVA17_HOME/bin/java" -version 2>&1 | grep -q '"17' || { echo "java17-sdk: $JAVA17_HOME is not a Java 17" >&2; exit 1; }
source "$ROOT/scripts/java.sh"
ak_find_java >/dev/null

WORK="$(mktemp -d /tmp/ak-java17-sdk.XXXXXX)"
REPO="$WORK/repository"
DAEMON_PID=""
cleanup() {
  if [[ -n "$DAEMON_PID" ]]; then kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
MVN_REPO=(-Dmaven.repo.local="$REPO" -Dmaven.repo.local.tail="$HOME/.m2/repository")

echo "java17-sdk: installing the SDK into $REPO" >&2
(cd "$ROOT" && ./mvnw -B -ntp -q "${MVN_REPO[@]}" -pl agentkernel-client -am -Dmaven.test.skip=true install)

echo "java17-sdk: building the example with Java 17" >&2
(cd "$HERE" && JAVA_HOME="$JAVA17_HOME" "$ROOT/mvnw" -B -ntp -q "${MVN_REPO[@]}" -f "$HERE/pom.xml" clean package)
unzip -p "$REPO/dev/agentkernel/agentkernel-client/0.1.0-SNAPSHOT/agentkernel-client-0.1.0-SNAPSHOT.jar" \
  META-INF/MANIFEST.MF | grep -q '^Automatic-Module-Name: dev.agentkernel.client' \
  || { echo "java17-sdk: the SDK jar has no Automatic-Module-Name" >&2; exit 1; }
for classifier in sources javadoc; do
  [[ -f "$REPO/dev/agentkernel/agentkernel-client/0.1.0-SNAPSHOT/agentkernel-client-0.1.0-SNAPSHOT-$classifier.jar" ]] \
    || { echo "java17-sdk: no $classifier jar of the SDK" >&2; exit 1; }
done

export AGENTKERNEL_API_KEY="java17-example-$RANDOM$RANDOM"
export AGENTKERNEL_STATE_DIR="$WORK/state" AGENTKERNEL_RUNTIME_DIR="$WORK/run"
# Sandboxes that name no image run on the host's /usr unless the caller chose a default image: no
# public registry may be reachable here (in CI none is), and the example is about the SDK.
export AGENTKERNEL_DEFAULT_IMAGE="${AGENTKERNEL_DEFAULT_IMAGE:-host}"
# A port nothing listens on, below Linux's ephemeral range (32768 and up, where any outgoing connection of
# the machine may take it before the daemon binds it); if it was taken meanwhile all the same, another one.
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  return 1
}
STARTED=""
for attempt in 1 2 3; do
  PORT=$(free_port) || { echo "java17-sdk: no free port" >&2; exit 1; }
  "$ROOT/agentkernel" serve --port "$PORT" >"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  export AGENTKERNEL_BASE_URL="http://127.0.0.1:$PORT"
  for _ in $(seq 1 300); do
    if curl -fsS "$AGENTKERNEL_BASE_URL/health" >/dev/null 2>&1; then STARTED=1; break; fi
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.2
  done
  [[ -n "$STARTED" ]] && break
  if grep -q "cannot listen on" "$WORK/daemon.log" && [[ $attempt -lt 3 ]]; then
    echo "java17-sdk: port $PORT was taken meanwhile; another one" >&2
    wait "$DAEMON_PID" 2>/dev/null || true
    continue
  fi
  echo "java17-sdk: the daemon did not start:" >&2; cat "$WORK/daemon.log" >&2; exit 1
done
[[ -n "$STARTED" ]] || { echo "java17-sdk: the daemon did not start:" >&2; cat "$WORK/daemon.log" >&2; exit 1; }

echo "java17-sdk: running example.Main under $("$JAVA17_HOME/bin/java" -version 2>&1 | head -1)" >&2
cd "$HERE"
"$JAVA17_HOME/bin/java" -cp "$HERE/target/classes:$HERE/target/lib/*" example.Main
