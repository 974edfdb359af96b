#!/bin/sh
# Builds the web console (agentkernel-server/src/main/console) into the daemon's resources:
#   build-console.sh SRC WORK OUT
# SRC: the console's sources (package.json, package-lock.json, tsconfig.json, src/); WORK: where
# its npm packages are installed (npm ci from the committed lock, only when the lock changed;
# downloads cached in ~/.npm); OUT: where index.html, console.js and console.css go (in the jar
# under console/). Type-checks with tsc, bundles with esbuild (the script and its packages: xterm.js), and
# puts xterm's style sheet before the console's in console.css.
#
# Without node/npm, or when npm cannot install the packages (offline, no cache), the daemon is built
# without its console (a warning here; /console/ then answers 404 saying so), except under CI=true,
# where that fails the build. A type error or a bundling error always fails it.
set -eu
SRC=$1 WORK=$2 OUT=$3
without_console() {
  if [ "${CI:-}" = "true" ]; then
    echo "build-console.sh: $1" >&2
    exit 1
  fi
  echo "[WARNING] build-console.sh: $1; building the daemon WITHOUT its web console" >&2
  exit 0
}
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || without_console "$tool is not on PATH (install Node.js 20+ and npm:
  apt-get install -y nodejs npm; or say so with -Dconsole.skip=true)"
done
mkdir -p "$WORK" "$OUT"
cp "$SRC/package.json" "$SRC/package-lock.json" "$WORK/"
if ! cmp -s "$SRC/package-lock.json" "$WORK/node_modules/.ak-installed-lock"; then
  (cd "$WORK" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) \
    || without_console "npm ci of $SRC/package-lock.json failed (no network and no cache in ~/.npm?)"
  cp "$SRC/package-lock.json" "$WORK/node_modules/.ak-installed-lock"
fi
# the packages are in WORK, not next to the sources: a tsconfig there (extending the sources' one)
# points tsc and esbuild at them
SRC_ABS=$(cd "$SRC" && pwd) WORK_ABS=$(cd "$WORK" && pwd)
cat > "$WORK/tsconfig.json" <<EOF
{ "extends": "$SRC_ABS/tsconfig.json",
  "compilerOptions": { "baseUrl": "$WORK_ABS", "paths": { "*": ["node_modules/*"] } },
  "include": ["$SRC_ABS/src/**/*.ts"] }
EOF
"$WORK/node_modules/.bin/tsc" -p "$WORK/tsconfig.json"
"$WORK/node_modules/.bin/esbuild" "$SRC/src/main.ts" --bundle --minify --format=esm --target=es2022 --log-level=warning \
  --tsconfig="$WORK/tsconfig.json" --outfile="$OUT/console.js"
cp "$SRC/src/index.html" "$OUT/"
# one style sheet: the terminal emulator's (xterm.js) then the console's own
cat "$WORK/node_modules/@xterm/xterm/css/xterm.css" "$SRC/src/console.css" > "$OUT/console.css"
