#!/bin/sh
# Compiles the in-sandbox agent into a static binary; run by Maven (generate-resources).
# Usage: build-agent.sh SOURCE.c OUTPUT
set -eu
src=$1
out=$2
if ! command -v gcc >/dev/null 2>&1; then
    echo "agentkernel-agent: gcc not found: building the in-sandbox agent needs a C compiler and the static C library; install them with: apt-get install gcc libc6-dev" >&2
    exit 1
fi
# Up to date: nothing to do (Maven runs this on every build).
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then
    exit 0
fi
mkdir -p "$(dirname "$out")"
if ! gcc -std=c11 -static -O2 -Wall -Wextra -Wformat=2 -Werror -s -o "$out.tmp" "$src"; then
    rm -f "$out.tmp"
    echo "agentkernel-agent: compiling $src failed (see above); a static build needs the C library's static archive: apt-get install gcc libc6-dev" >&2
    exit 1
fi
chmod 0755 "$out.tmp"
mv -f "$out.tmp" "$out"
