#!/usr/bin/env bash
# Runs one example against the daemon at AGENTKERNEL_BASE_URL (default http://localhost:18888):
#   examples/run.sh QuickRun.java
# Builds the client module on first use and puts it and Jackson on the class path.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/.." && pwd -P)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR="$ROOT/agentkernel-client/target/agentkernel-client-0.1.0-SNAPSHOT.jar"
CP_FILE="$ROOT/agentkernel-client/target/runtime-classpath.txt"

if [[ $# -lt 1 ]]; then
  echo "usage: $0 EXAMPLE.java   (one of: $(cd "$HERE" && ls ./*.java | xargs -n1 basename | tr '\n' ' '))" >&2
  exit 2
fi
if [[ ! -f "$JAR" || ! -f "$CP_FILE" ]]; then
  echo "building agentkernel-client..." >&2
  (cd "$ROOT" && ./mvnw -q -B -pl agentkernel-client -am install -DskipTests \
    && ./mvnw -q -B -pl agentkernel-client dependency:build-classpath \
         -DincludeScope=runtime -Dmdep.outputFile="$CP_FILE") >&2
fi
EXAMPLE="$1"
shift
[[ -f "$EXAMPLE" ]] || EXAMPLE="$HERE/$EXAMPLE"
exec "$JAVA" -cp "$JAR:$(cat "$CP_FILE")" "$EXAMPLE" "$@"
