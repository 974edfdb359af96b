#!/usr/bin/env bash
# Where a sandbox start on an image goes, outside Java: the launcher (ak-launch) + bubblewrap command
# AgentKernel runs for a moderate, no-network one-shot sandbox on an image, with one part removed at a
# time, next to raw bubblewrap on the same root flattened (the `images` benchmark's baseline). A small C
# loop forks and execs the variants round-robin (interleaved, so load hits all alike) and reports the
# wall time and the CPU time (user + system of the whole process tree, from wait4) of each.
#
#   sudo scripts/start-breakdown.sh STATE_DIR [--rounds N] [--pause-us N] [--rt]
#
# STATE_DIR is a state directory in which AgentKernel (as root, bwrap backend) has run a sandbox on an
# image: its launcher (bin/ak-launch-*), agent (agent/ak-agent-*), seccomp filter (seccomp/*.bpf), the
# image's first layer (images/layers/sha256/*) and generated /etc layer (image-roots/*/offline) are used.
# --rt runs the loop and its children SCHED_FIFO (chrt -f 50), which keeps other load on a shared
# machine from stretching the wall times; the cpu controller's cgroup is then not joined (a real-time
# task cannot join a group with a CFS quota), the other four are.
set -euo pipefail
STATE=${1:?usage: start-breakdown.sh STATE_DIR [--rounds N] [--pause-us N] [--rt]}
shift
ROUNDS=200 PAUSE_US=20000 RT=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --pause-us) PAUSE_US=$2; shift 2 ;;
    --rt) RT=1; shift ;;
    *) echo "start-breakdown: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "start-breakdown: run as root" >&2; exit 1; }
first() { compgen -G "$1" | head -1; }
newest() { ls -t $1 2>/dev/null | head -1; }
LA=$(newest "$STATE/bin/ak-launch-*"); AG=$(newest "$STATE/agent/ak-agent-*"); F=$(first "$STATE/seccomp/*.bpf")
L=$(first "$STATE/images/layers/sha256/*"); E=$(first "$STATE/image-roots/*/offline")
for x in LA AG F L E; do [[ -n "${!x}" ]] || { echo "start-breakdown: $STATE has no $x (run a sandbox on an image there first)" >&2; exit 1; }; done
AGN=$(basename "$AG")
WORK=$(mktemp -d /tmp/ak-breakdown-XXXXXX)
CG="breakdown-$$"
CONTROLLERS=(memory pids cpu unified freezer)
[[ $RT -eq 1 ]] && CONTROLLERS=(memory pids unified freezer)
cleanup() {
  for c in memory pids cpu unified freezer; do rmdir "/sys/fs/cgroup/$c/agentkernel/$CG" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
for c in "${CONTROLLERS[@]}"; do mkdir -p "/sys/fs/cgroup/$c/agentkernel/$CG"; done
cat > "$WORK/runloop.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6; }
static int cmp(const void *a, const void *b) { double x = *(const double *) a, y = *(const double *) b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
    int rounds = atoi(argv[1]), pause_us = atoi(argv[2]), k = 0;
    char **cmds[32]; const char *names[32];
    for (int i = 3; i < argc; i++) if (strcmp(argv[i], "::") == 0) { argv[i] = NULL; names[k] = argv[i + 1]; cmds[k++] = &argv[i + 2]; }
    for (int c = 0; c < k; c++) for (char **a = cmds[c]; *a; a++) if (strcmp(*a, "::") == 0) { *a = NULL; break; }
    double *wall = calloc((size_t) (rounds * k), sizeof(double)), *cpu = calloc((size_t) (rounds * k), sizeof(double));
    int failed = 0;
    for (int r = 0; r < rounds; r++) for (int j = 0; j < k; j++) {
        int c = (r + j) % k; usleep((unsigned) pause_us);
        double t0 = now(); pid_t p = fork();
        if (p == 0) { int n = open("/dev/null", O_RDWR); dup2(n, 0); dup2(n, 1); dup2(n, 2); execv(cmds[c][0], cmds[c]); _exit(127); }
        int st; struct rusage ru; wait4(p, &st, 0, &ru);
        wall[c * rounds + r] = now() - t0;
        cpu[c * rounds + r] = (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed++;
    }
    printf("| Variant | n | wall p50 (ms) | wall p10 | wall p90 | CPU p50 (ms) | Δ wall p50 vs full |\n|---|---:|---:|---:|---:|---:|---:|\n");
    double *fw = &wall[1 * rounds];
    qsort(fw, (size_t) rounds, sizeof(double), cmp);
    double full = fw[rounds / 2];
    for (int c = 0; c < k; c++) {
        double *w = &wall[c * rounds], *u = &cpu[c * rounds];
        qsort(w, (size_t) rounds, sizeof(double), cmp); qsort(u, (size_t) rounds, sizeof(double), cmp);
        printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %s%.2f |\n", names[c], rounds, w[rounds / 2], w[rounds / 10], w[rounds * 9 / 10], u[rounds / 2], c == 1 ? "" : (w[rounds / 2] - full >= 0 ? "+" : ""), c == 1 ? 0.0 : w[rounds / 2] - full);
    }
    if (failed) { fprintf(stderr, "start-breakdown: %d runs failed\n", failed); return 1; }
    return 0;
}
C
gcc -O2 -o "$WORK/runloop" "$WORK/runloop.c"
mkdir -p "$WORK/rootfs"; cp -a "$L/." "$WORK/rootfs/"; cp -a "$E/." "$WORK/rootfs/"

CGA=(); for c in "${CONTROLLERS[@]}"; do CGA+=(--cgroup "/sys/fs/cgroup/$c/agentkernel/$CG/cgroup.procs"); done
STAGE=/run/agentkernel-stage
STAGEA=(--userns 1879048192 65536 --user 1000 --stage $STAGE --layer "$L" --layer "$E" --upper tmpfs:512)
CAPS=(--cap-drop ALL); for c in CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP; do CAPS+=(--cap-add "CAP_$c"); done
PROCM=(--ro-bind /proc/sys /proc/sys --ro-bind /proc/irq /proc/irq --ro-bind /proc/bus /proc/bus --ro-bind /dev/null /proc/keys --ro-bind /dev/null /proc/key-users --ro-bind /dev/null /proc/config.gz --tmpfs /proc/acpi --remount-ro /proc/acpi)
REST=(--dev /dev --perms 1777 --size 268435456 --tmpfs /tmp --perms 1777 --dir /var/tmp --dir /run --perms 1777 --dir /workspace)
NS=(--unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup --unshare-net --die-with-parent --new-session)
ENVA=(--chdir /workspace --clearenv --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --setenv LANG C.UTF-8 --setenv HOME /workspace)
SHIM=(/.ak/"$AGN" --exec --user 1000:1000 -- /bin/true)
AGENTMASKS=(--proc-ro sys --proc-ro irq --proc-ro bus --proc-null keys --proc-null key-users --proc-null config.gz --proc-empty acpi)
# variant CGROUP STAGED PROCMASKS(0|1: bubblewrap's|2: the agent's) AGENT(none|overlay|copy) SECCOMP
variant() {
  local a=("$LA"); [[ $1 == 1 ]] && a+=("${CGA[@]}")
  [[ $5 == 1 ]] && a+=(--read 3 "$F")
  [[ $2 == 1 ]] && a+=("${STAGEA[@]}")
  local n=0
  [[ $4 == overlay ]] && { a+=(--mount "$(dirname "$AG")" overlay); }
  [[ $4 == copy ]] && a+=(--read 6 "$AG")
  a+=(-- /usr/bin/bwrap "${NS[@]}" "${CAPS[@]}"); [[ $3 == 2 ]] && a+=(--cap-add CAP_SYS_ADMIN); a+=(--hostname sandbox-1)
  if [[ $2 == 1 ]]; then a+=(--bind $STAGE/root /); else a+=(--bind "$WORK/rootfs" /); fi
  a+=(--proc /proc); [[ $3 == 1 ]] && a+=("${PROCM[@]}")
  a+=("${REST[@]}")
  [[ $4 == overlay ]] && a+=(--ro-bind "$STAGE/$n/$AGN" "/.ak/$AGN")
  [[ $4 == copy ]] && a+=(--perms 0555 --ro-bind-data 6 "/.ak/$AGN")
  a+=("${ENVA[@]}"); [[ $5 == 1 && $3 != 2 ]] && a+=(--seccomp 3)
  a+=(--)
  if [[ $4 == none ]]; then a+=(/bin/true)
  elif [[ $3 == 2 ]]; then a+=(/.ak/"$AGN" "${AGENTMASKS[@]}"); [[ $5 == 1 ]] && a+=(--seccomp-fd 3); a+=("${SHIM[@]:1}")
  else a+=("${SHIM[@]}"); fi
  printf '%s\n' "${a[@]}"
}
args=()
add() { local name=$1; shift; args+=(:: "$name"); mapfile -t v < <("$@"); args+=("${v[@]}"); }
args+=(:: "raw bwrap --bind ROOTFS / --proc /proc --dev /dev --unshare-all --die-with-parent -- /bin/true" /usr/bin/bwrap --bind "$WORK/rootfs" / --proc /proc --dev /dev --unshare-all --die-with-parent -- /bin/true)
add "AgentKernel's launch: cgroups, user namespace + staged image, /proc masks, agent (overlay), seccomp" variant 1 1 2 overlay 1
add "… the /proc masks and the seccomp filter by bubblewrap (before 2026-12-07 18:30)" variant 1 1 1 overlay 1
add "… without joining the cgroups" variant 0 1 2 overlay 1
add "… without the user namespace and staged image (bwrap binds the flattened root; no agent)" variant 1 0 1 none 1
add "… without the /proc read-only binds and masks" variant 1 1 0 overlay 1
add "… without the agent (bwrap runs /bin/true itself, bubblewrap masks /proc)" variant 1 1 1 none 1
add "… agent copied in by bubblewrap (--ro-bind-data, before 2026-12-07; bubblewrap masks /proc)" variant 1 1 1 copy 1
add "… without the seccomp filter" variant 1 1 2 overlay 0
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [[ $RT -eq 1 ]]; then chrt -f 50 "$WORK/runloop" "$ROUNDS" "$PAUSE_US" "${args[@]}"; else "$WORK/runloop" "$ROUNDS" "$PAUSE_US" "${args[@]}"; fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
