#!/bin/sh
# Compiles one of AgentKernel's C programs (the in-sandbox agent ak-agent, the host-side launcher
# ak-launch); run by Maven (generate-resources) of the module that ships it.
# Usage: build-c.sh MODULE SOURCE.c OUTPUT [release|sanitize [STAMP]]
#   release (default): a static binary, hardened (fortify, stack protector), warnings as errors.
#   sanitize: AddressSanitizer + UndefinedBehaviorSanitizer, dynamically linked (ASan cannot be
#     static; the sanitizer runtimes libasan8/libubsan1 come with gcc), for the sanitizer test
#     run (mvn -Dagentkernel.sanitize=true). Default options are compiled in (see AK_SANITIZE).
#   MODULE: the Maven module, named in error messages.
#   STAMP (default OUTPUT.cmd): where the compiler command of the last build is kept, so that a
#     change of mode rebuilds.
set -eu
name=$1
src=$2
out=$3
mode=${4:-release}
if ! command -v gcc >/dev/null 2>&1; then
    echo "$name: gcc not found: building $(basename "$src") needs a C compiler and the static C library; install them with: apt-get install gcc libc6-dev" >&2
    exit 1
fi
# Every warning below is an error; -Wsuggest-attribute=format and -Wmissing-noreturn make a
# formatting or fatal function without its attribute one too.
warnings="-Wall -Wextra -Wformat=2 -Wshadow -Wconversion -Wsign-conversion -Wstrict-prototypes -Wmissing-prototypes
 -Wpointer-arith -Wcast-qual -Wvla -Wundef -Wwrite-strings -Wnull-dereference -Wmissing-noreturn
 -Wsuggest-attribute=format -Werror"
case $mode in
    release|false|'') flags="-static -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -s" ;;
    sanitize|true) flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DAK_SANITIZE" ;;
    *) echo "$name: unknown build mode '$mode' (release or sanitize)" >&2; exit 1 ;;
esac
cmd="gcc -std=c11 $(echo $warnings) $flags"
# OUTPUT.sha256: "HEX SIZE" of the binary, read by ExecutableResource so that a start finds the
# extracted copy without reading and hashing the binary from the jar.
digest() {
    printf '%s %s\n' "$(sha256sum "$out" | cut -d' ' -f1)" "$(wc -c < "$out" | tr -d ' ')" > "$out.sha256.tmp"
    mv -f "$out.sha256.tmp" "$out.sha256"
}
# Up to date (same source, script and flags): nothing to do (Maven runs this on every build).
stamp=${5:-$out.cmd}
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$cmd" ]; then
    [ -f "$out.sha256" ] && [ "$out.sha256" -nt "$out" ] || digest
    exit 0
fi
mkdir -p "$(dirname "$out")" "$(dirname "$stamp")"
# shellcheck disable=SC2086 # the flags are words
if ! $cmd -o "$out.tmp" "$src"; then
    rm -f "$out.tmp"
    echo "$name: compiling $src failed (see above); a static build needs the C library's static archive (apt-get install gcc libc6-dev), a sanitizer build libasan8 and libubsan1 (they come with gcc)" >&2
    exit 1
fi
chmod 0755 "$out.tmp"
mv -f "$out.tmp" "$out"
digest
printf '%s\n' "$cmd" > "$stamp"
