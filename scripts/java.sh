# shellcheck shell=bash
# Finds a Java 25+ runtime: $JAVA_HOME, then the usual JDK locations. Sourced by the
# launcher and the test script; sets JAVA_HOME or prints how to get one and returns 1.

ak_java_ok() {
  local home="$1" line version=""
  [[ -x "$home/bin/java" && -f "$home/release" ]] || return 1
  # Read JAVA_VERSION="25.0.1" with builtins only: this runs on every CLI start.
  while IFS= read -r line; do
    if [[ $line == JAVA_VERSION=* ]]; then
      version="${line#JAVA_VERSION=\"}"
      version="${version%%[!0-9]*}"
      break
    fi
  done < "$home/release"
  [[ -n "$version" && "$version" -ge 25 ]]
}

ak_find_java() {
  local candidate
  if [[ -n "${JAVA_HOME:-}" ]] && ak_java_ok "$JAVA_HOME"; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* \
                   /usr/lib/jvm/temurin-2[6-9]-jdk-* /usr/lib/jvm/java-2[6-9]-* /usr/lib/jvm/* \
                   /opt/java/openjdk /opt/jdk-25* /usr/local/jdk-25* "$HOME"/.sdkman/candidates/java/current; do
    if ak_java_ok "$candidate"; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "agentkernel: no Java 25 runtime found (looked at \$JAVA_HOME and /usr/lib/jvm)." >&2
  echo "agentkernel: install one, e.g. 'apt-get install temurin-25-jdk', or set JAVA_HOME." >&2
  return 1
}

# Installs Debian packages for the given commands when they are missing: as root on an
# apt-based system it installs them and says so; otherwise it prints the command to run
# and returns 1. Arguments: pairs "command:package".
ak_require_tools() {
  local pair cmd pkg missing=()
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "agentkernel: installing ${missing[*]} (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
        echo "agentkernel: could not install ${missing[*]}; run: apt-get install ${missing[*]}" >&2
        return 1
      }
    fi
    return 0
  fi
  echo "agentkernel: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
  return 1
}

# Like ak_require_tools, for a package that installs no command: installs PACKAGE when none of
# the given files exists. Arguments: PACKAGE FILE...
ak_require_package_file() {
  local pkg="$1" file
  shift
  for file in "$@"; do
    [[ -e "$file" ]] && return 0
  done
  ak_require_tools "__missing_${pkg}__:$pkg"
}

# The daemon's maximum heap (what it keeps of command output is bounded, so it needs little):
# AGENTKERNEL_DAEMON_HEAP (e.g. 4g), else 2 GiB or a quarter of the host's memory if that is less.
ak_daemon_heap() {
  local heap="${AGENTKERNEL_DAEMON_HEAP:-}" key kib _
  if [[ -n "$heap" ]]; then echo "$heap"; return 0; fi
  heap=2048
  if [[ -r /proc/meminfo ]]; then
    while read -r key kib _; do
      if [[ $key == MemTotal: ]] && (( kib / 4096 < heap )); then heap=$(( kib / 4096 )); fi
    done < /proc/meminfo
  fi
  echo "${heap}m"
}

# Moving a process into a cgroup waits for an RCU grace period (~10 ms per sandbox start) unless
# cgroup2 is mounted with favordynmods. As root, tune it (until the next boot) and say so, unless
# AGENTKERNEL_NO_HOST_TUNING is set. The launcher script does this before every command, bench.sh
# before measuring; 'agentkernel setup' and 'serve' (CgroupTuning) do the same or say it is missing
# when the CLI runs without this script.
ak_tune_cgroups() {
  if [[ $EUID -eq 0 && -z "${AGENTKERNEL_NO_HOST_TUNING:-}" ]]; then
    while read -r _ mnt fstype opts _; do
      if [[ $fstype == cgroup2 && ,$opts, != *,favordynmods,* ]] \
         && mount -o "remount,favordynmods" "$mnt" 2>/dev/null; then
        echo "agentkernel: remounted $mnt with favordynmods for faster sandbox starts (AGENTKERNEL_NO_HOST_TUNING=1 skips this)" >&2
      fi
    done < /proc/mounts
  fi
}
