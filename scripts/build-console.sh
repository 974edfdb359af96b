#!/bin/sh
# Builds the web console (agentkernel-server/src/main/console) into the daemon's resources:
#   build-console.sh SRC WORK OUT
# SRC: the console's sources (package.json, package-lock.json, tsconfig.json, src/); WORK: where
# its npm packages are installed (npm ci from the committed lock, only when the lock changed;
# downloads cached in ~/.npm); OUT: where index.html, console.js and console.css go (in the jar
# under console/). Type-checks with tsc, bundles with esbuild. Needs node and npm on PATH.
set -eu
SRC=$1 WORK=$2 OUT=$3
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "build-console.sh: $tool is not on PATH; install Node.js 20+ and npm (apt-get install -y nodejs npm)," \
      "or build without the console: -Dconsole.skip=true" >&2
    exit 1
  }
done
mkdir -p "$WORK" "$OUT"
cp "$SRC/package.json" "$SRC/package-lock.json" "$WORK/"
if ! cmp -s "$SRC/package-lock.json" "$WORK/node_modules/.ak-installed-lock"; then
  (cd "$WORK" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  cp "$SRC/package-lock.json" "$WORK/node_modules/.ak-installed-lock"
fi
"$WORK/node_modules/.bin/tsc" -p "$SRC/tsconfig.json"
"$WORK/node_modules/.bin/esbuild" "$SRC/src/main.ts" --bundle --minify --format=esm --target=es2022 --log-level=warning \
  --outfile="$OUT/console.js"
cp "$SRC/src/index.html" "$SRC/src/console.css" "$OUT/"
