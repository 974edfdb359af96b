/*
 * ak-agent: AgentKernel's in-sandbox agent.
 *
 * Started as a sandbox's command, it runs commands and touches files on behalf of the host,
 * so that everything it does inherits the sandbox's namespaces, cgroup, seccomp filter and
 * capabilities, and every path is resolved inside the sandbox's own mount namespace.
 * Single file, C11 + POSIX/Linux, libc only; built by src/main/sh/build-agent.sh (gcc -static,
 * warnings as errors; "sanitize" mode: dynamic, with AddressSanitizer and UBSan).
 *
 * PROTOCOL. Requests arrive on stdin, responses leave on stdout; stderr carries diagnostics
 * only. Both directions are a sequence of frames, all integers big-endian:
 *
 *     u8 type | u32 channel | u32 length | length bytes of payload
 *
 * A channel is a number the client picks for one operation (an exec, a file transfer, a
 * ping); responses carry the channel of their request, so operations interleave freely.
 * Channel 0 is for errors that belong to no operation. Notation in payloads: str = u32
 * length + bytes (no NUL), list = u32 count + that many str, "rest" = all remaining bytes.
 *
 * Requests (client -> agent)                       Responses (agent -> client)
 * 0x01 EXEC  u8 flags (bit 0: tty, bit 1: run as  0x81 STARTED  u32 pid
 *            root, see "identities"), u16 rows,
 *            u16 cols, str cwd ("" = agent's),      0x82 STDOUT   rest = data (tty: merged)
 *            list argv (>= 1), list env ("K=V";     0x83 STDERR   rest = data
 *            exactly the child's environment)       0x84 EXIT     i32 code (-1 if signalled),
 * 0x02 STDIN  rest = data; empty = end of input                   u32 signal (0 if exited)
 *            (tty: sends the terminal's EOF char)   0x85 FILE_DATA rest = data (<= 64 KiB)
 * 0x03 RESIZE u16 rows, u16 cols (tty only)         0x86 FILE_END u64 size, u32 mode
 * 0x04 SIGNAL u32 signo, sent to the process group  0x87 OK       u64 value (bytes written; 0)
 * 0x05 READ_FILE   rest = path                      0x88 STAT_RESULT u8 type (1 file,
 * 0x06 WRITE_FILE  u32 mode, rest = path                 2 directory, 0 other), u64 size,
 * 0x07 WRITE_DATA  rest = data                           u32 mode, i64 mtime (ms since epoch)
 * 0x08 WRITE_END   (empty)                          0x89 PONG     rest = the PING's payload
 * 0x09 DELETE_FILE rest = path                      0x8A WINDOW   u32 bytes of STDIN consumed
 * 0x0A STAT        rest = path (follows symlinks)   0x8F ERROR    u32 errno (Linux numbering),
 * 0x0B PING        rest = anything (echoed)                       rest = UTF-8 description
 * 0x0C WINDOW      u32 bytes of output consumed
 * 0x0D CANCEL      (empty): abandon a file transfer
 * 0x0E MKDIRS      u32 mode, rest = path: creates the missing directories of the path
 *
 * Conversations: EXEC -> STARTED, then STDOUT/STDERR, then EXIT (sent once the child is
 * reaped and both output streams reached end of file or the child's process group is gone;
 * if processes the child left running still hold the streams open 50 ms after it ended, what
 * is there is sent, the streams are detached, read and discarded from then on, and EXIT
 * follows), or a single ERROR if it could not start (errno of the failed chdir/exec).
 * READ_FILE -> FILE_DATA* then FILE_END, or ERROR. WRITE_FILE, WRITE_DATA*, WRITE_END ->
 * OK(bytes written), or one ERROR as soon as something fails (later WRITE_DATA is ignored
 * until WRITE_END or CANCEL). DELETE_FILE -> OK(0) or ERROR. STAT -> STAT_RESULT or ERROR.
 * MKDIRS -> OK(number of directories made) or ERROR (ENOTDIR if a part is not a directory).
 * PING -> PONG. RESIZE, SIGNAL, WINDOW, CANCEL have no answer except ERROR on failure.
 *
 * Flow control: for every channel the agent may send WINDOW_SIZE (256 KiB) bytes of STDOUT,
 * STDERR and FILE_DATA payload before it must wait for the client's WINDOW requests, and
 * the client may send WINDOW_SIZE bytes of STDIN payload before it must wait for the
 * agent's WINDOW responses (sent as the child consumes its input). So one slow reader or
 * one child that ignores its input never stalls the other channels, and memory is bounded.
 *
 * Limits: request payloads up to 1 MiB; up to 256 channels at once (ERROR EMFILE beyond).
 * A frame with a longer length is unparseable: the agent says so on stderr and exits 2.
 * Anything else malformed is answered with ERROR on its channel (EPROTO for a bad payload
 * or unknown type). On end of stdin (and on SIGTERM, SIGHUP, SIGINT) the agent SIGKILLs
 * the process group of every command it started, including groups whose command already
 * ended but left processes behind (each command runs in its own session: setsid), then
 * exits 0 (128 + signal). Processes that leave their group (setsid) escape this: run the
 * agent in its own pid namespace, as bubblewrap does, to contain them too.
 *
 * SECCOMP. With --seccomp FILE (the OCI runtime backends, whose runtimes take no compiled
 * filter), the agent installs FILE, a classic BPF program (struct sock_filter array, the one
 * AgentKernel's SeccompCompiler writes for bubblewrap's --seccomp), with no_new_privs before
 * anything else, in either mode: it and everything it starts run under the same filter as in
 * a bubblewrap sandbox. A filter that cannot be read or installed is fatal (exit 125).
 *
 * PROC MASKS. With --proc-ro NAME, --proc-null NAME and --proc-empty NAME (repeatable; the bwrap
 * backend as root, which starts the agent with CAP_SYS_ADMIN for this alone), the agent, before
 * anything else but the gate, makes /proc/NAME a read-only bind of itself, covers it with
 * /dev/null (read-only), or with an empty read-only tmpfs, then drops CAP_SYS_ADMIN from every
 * capability set (bounding included) and checks that it is gone: bubblewrap would make each of
 * them a bind mount that reads and parses the whole mount table again. NAME is one component
 * (no '/', not "." or ".."). Any failure is fatal (exit 125): the sandbox does not start
 * unmasked. --seccomp-fd N reads the filter from descriptor N (then closed) instead of a file.
 *
 * GATE. With --gate FILE (a FIFO the host holds open; the docker backend, whose engine makes the
 * container's network namespace, which the host wires to its bridge only once the container
 * runs), the agent reads one byte from FILE before anything else, in either mode: "g" lets it go
 * on; anything else, or the end of the file (the host called the launch off), ends it with exit
 * 125, before it runs or serves anything.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum {
    REQ_EXEC = 0x01, REQ_STDIN = 0x02, REQ_RESIZE = 0x03, REQ_SIGNAL = 0x04,
    REQ_READ_FILE = 0x05, REQ_WRITE_FILE = 0x06, REQ_WRITE_DATA = 0x07, REQ_WRITE_END = 0x08,
    REQ_DELETE_FILE = 0x09, REQ_STAT = 0x0A, REQ_PING = 0x0B, REQ_WINDOW = 0x0C, REQ_CANCEL = 0x0D,
    REQ_MKDIRS = 0x0E,
    RSP_STARTED = 0x81, RSP_STDOUT = 0x82, RSP_STDERR = 0x83, RSP_EXIT = 0x84,
    RSP_FILE_DATA = 0x85, RSP_FILE_END = 0x86, RSP_OK = 0x87, RSP_STAT_RESULT = 0x88,
    RSP_PONG = 0x89, RSP_WINDOW = 0x8A, RSP_ERROR = 0x8F
};

#define HEADER 9
#define MAX_REQUEST (1u << 20)
#define CHUNK (64 * 1024)
#define WINDOW_SIZE (256 * 1024)
#define OUT_HIGH (256 * 1024)       /* stop producing while this much output is queued */
#define MAX_CHANNELS 256
#define GROUP_RECHECK_MS 50         /* EXIT pending on a process group's end */
#define MAX_GROUPS 1024
#define PRUNE_MS 1000               /* how often finished commands' groups are checked */
#define LINGER_MS 50                /* after a command ends, how long its output may still come
                                     * from processes it left running, before they are detached */
#define MAX_DRAINS 256              /* detached output pipes, read and discarded until they end */

/* Sanitizer builds (the build script's "sanitize" mode defines AK_SANITIZE): the options the
 * sanitizer CI run uses, compiled in so that they hold wherever the binary runs, including
 * processes whose environment AgentKernel clears; ASAN_OPTIONS and UBSAN_OPTIONS in the
 * environment still override them one by one. No leak detection by default: it needs ptrace,
 * which a sandbox's seccomp filter denies. */
#ifdef AK_SANITIZE
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0:abort_on_error=1"; }
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1:abort_on_error=1"; }
#endif

/* ---- growable byte buffers ---------------------------------------------------------- */

struct buf {
    unsigned char *data;
    size_t start, len, cap;         /* live bytes are data[start .. start+len) */
};

__attribute__((format(printf, 2, 3), noreturn)) static void die(int code, const char *fmt, ...);

static unsigned char *buf_reserve(struct buf *b, size_t extra) {
    if (b->start > 0 && b->start + b->len + extra > b->cap) {
        memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
    }
    if (b->len + extra > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + extra) cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) die(1, "out of memory");
        b->data = d;
        b->cap = cap;
    }
    return b->data + b->start + b->len;
}

static void buf_consume(struct buf *b, size_t n) {
    b->start += n;
    b->len -= n;
    if (b->len == 0) b->start = 0;
}

static void buf_free(struct buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static void put_u16(unsigned char *p, uint32_t v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }
static void put_u32(unsigned char *p, uint32_t v) { put_u16(p, v >> 16); put_u16(p + 2, v & 0xffff); }
static void put_u64(unsigned char *p, uint64_t v) { put_u32(p, (uint32_t)(v >> 32)); put_u32(p + 4, (uint32_t)v); }

/* ---- payload reader: every get_* checks bounds and latches 'bad' ------------------------ */

struct rd {
    const unsigned char *p;
    size_t n;
    int bad;
};

static const unsigned char *take(struct rd *r, size_t k) {
    if (r->bad || r->n < k) { r->bad = 1; return NULL; }
    const unsigned char *p = r->p;
    r->p += k;
    r->n -= k;
    return p;
}

static uint32_t get_u8(struct rd *r) { const unsigned char *p = take(r, 1); return p ? p[0] : 0; }
static uint32_t get_u16(struct rd *r) { const unsigned char *p = take(r, 2); return p ? (uint32_t)p[0] << 8 | p[1] : 0; }
static uint32_t get_u32(struct rd *r) {
    const unsigned char *p = take(r, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

/* A freshly allocated NUL-terminated copy of len bytes, or NULL (bad) if they hold a NUL. */
static char *dup_bytes(struct rd *r, size_t len) {
    const unsigned char *p = take(r, len);
    if (!p || memchr(p, 0, len)) { r->bad = 1; return NULL; }
    char *s = malloc(len + 1);
    if (!s) die(1, "out of memory");
    memcpy(s, p, len);
    s[len] = 0;
    return s;
}

static char *get_str(struct rd *r) { uint32_t len = get_u32(r); return r->bad ? NULL : dup_bytes(r, len); }

/* A NULL-terminated array of count strings; count is checked against what is left. */
static char **get_list(struct rd *r) {
    uint32_t count = get_u32(r);
    if (r->bad || count > r->n / 4) { r->bad = 1; return NULL; }
    char **v = calloc((size_t)count + 1, sizeof *v);
    if (!v) die(1, "out of memory");
    for (uint32_t i = 0; i < count && !r->bad; i++) v[i] = get_str(r);
    return v;
}

static void free_list(char **v) {
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

/* ---- state ------------------------------------------------------------------------- */

enum kind { FREE = 0, EXEC, READ, WRITE };

struct chan {
    enum kind kind;
    uint32_t id;
    int64_t credit;                 /* output bytes we may still send (flow control) */
    /* EXEC */
    pid_t pid;                      /* also the process group id (setsid) */
    int reaped, status, group_gone, tty;
    int64_t reaped_ms;              /* when the child was reaped (monotonic ms) */
    int out_fd, err_fd, in_fd;      /* -1 once closed; with tty: out_fd, in_fd dup the master */
    int pty;                        /* tty: the master, closed only after the child is reaped: its
                                     * last close hangs up the terminal, and a session leader that
                                     * closed fds 0-2 but has not exited yet would die of SIGHUP */
    struct buf in_pending;          /* STDIN bytes not yet written to the child */
    int in_eof;                     /* client sent end of input; close after pending */
    /* READ and WRITE */
    int fd;
    uint64_t total;
    uint32_t mode;
    int failed;                     /* WRITE: an ERROR was sent; ignore data until the end */
};

static struct chan chans[MAX_CHANNELS];
static struct buf out;              /* encoded responses not yet written to stdout */
static struct buf in;               /* bytes read from stdin, not yet parsed */
static int sig_pipe[2] = {-1, -1};  /* SIGCHLD/SIGTERM self-pipe */
static int stdin_eof;
/* Process groups of every command started and not known to be empty, including those whose
 * command has ended but left processes behind (e.g. "server &"): all are killed at the end. */
static pid_t groups[MAX_GROUPS];
static int ngroups;

static void kill_all(void) {
    for (int i = 0; i < ngroups; i++) kill(-groups[i], SIGKILL);
}

/* Marks every open descriptor from 3 up close-on-exec where close_range(2) is missing (gVisor's
 * kernel, Linux before 5.11): those listed in /proc/self/fd, read with getdents64 into a stack buffer
 * (no allocation after fork), else every number below 4096. Under gVisor's ptrace platform each
 * syscall costs tens of microseconds: 4093 fcntl calls made every exec take about 0.3 s there. */
static void cloexec_open_fds(void) {
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        for (int fd = 3; fd < 4096; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
        return;
    }
    char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; } *e =
                (void *)(buf + off);
            const char *name = e->name;
            if (name[0] >= '0' && name[0] <= '9') {
                int fd = atoi(name);
                if (fd >= 3 && fd != dir) fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
            off += e->reclen;
        }
    }
    close(dir);
}

/* Adds to set (of *n, at most max) every process whose parent is in it, from /proc; returns how
 * many were added. */
static int add_descendants(pid_t *set, int *n, int max) {
    DIR *proc = opendir("/proc");
    if (!proc) return 0;
    int added = 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 1) continue;
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t len = read(fd, line, sizeof line - 1);
        close(fd);
        if (len <= 0) continue;
        line[len] = 0;
        char *paren = strrchr(line, ')');     /* the name may hold spaces and parentheses */
        long ppid;
        if (!paren || sscanf(paren + 1, " %*c %ld", &ppid) != 1) continue;
        int known = 0, parent = 0;
        for (int i = 0; i < *n; i++) {
            if (set[i] == (pid_t)pid) known = 1;
            if (set[i] == (pid_t)ppid) parent = 1;
        }
        if (parent && !known && *n < max) { set[(*n)++] = (pid_t)pid; added++; }
    }
    closedir(proc);
    return added;
}

/* Signals the command started as leader: its process group and every process below it, also
 * those that left the group (setsid) and, the leader being a subreaper, those whose parent ended.
 * For SIGKILL the tree is stopped first, round after round until no process appears, so that none
 * forks away between the reading of /proc and the kill. */
static int signal_tree(pid_t leader, int signo) {
    enum { MAX_TREE = 4096 };
    static pid_t tree[MAX_TREE];
    int n = 0;
    tree[n++] = leader;
    for (int round = 0; round < 16; round++) {
        int before = n;
        if (add_descendants(tree, &n, MAX_TREE) == 0) break;
        if (signo == SIGKILL) for (int i = before; i < n; i++) kill(tree[i], SIGSTOP);
    }
    int rc = kill(-leader, signo);
    int saved = errno;
    for (int i = 1; i < n; i++) kill(tree[i], signo);
    if (signo == SIGKILL) for (int i = 1; i < n; i++) kill(tree[i], SIGCONT);
    errno = saved;
    return rc;
}

/* Forgets the groups that have no process left (a zombie leader still counts). */
static void prune_groups(void) {
    for (int i = 0; i < ngroups; i++)
        if (kill(-groups[i], 0) < 0 && errno == ESRCH) groups[i--] = groups[--ngroups];
}

/* Fatal: kill every child's process group, say why on stderr, exit. */
static void die(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ak-agent: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    kill_all();
    _exit(code);
}

static struct chan *find(uint32_t id) {
    for (int i = 0; i < MAX_CHANNELS; i++)
        if (chans[i].kind != FREE && chans[i].id == id) return &chans[i];
    return NULL;
}

static struct chan *alloc_chan(uint32_t id, enum kind kind) {
    for (int i = 0; i < MAX_CHANNELS; i++) {
        if (chans[i].kind == FREE) {
            struct chan *c = &chans[i];
            memset(c, 0, sizeof *c);
            c->kind = kind;
            c->id = id;
            c->credit = WINDOW_SIZE;
            c->out_fd = c->err_fd = c->in_fd = c->fd = c->pty = -1;
            return c;
        }
    }
    return NULL;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Output pipes of commands that ended while processes they started in the background still hold
 * them open: read and thrown away until they end, so those processes never block on a full pipe
 * nor die of SIGPIPE. Beyond MAX_DRAINS a pipe is closed instead. */
static int drains[MAX_DRAINS];
static int ndrains;

static void detach_fd(int *fd) {
    if (*fd < 0) return;
    if (ndrains < MAX_DRAINS) { drains[ndrains++] = *fd; *fd = -1; }
    else close_fd(fd);
}

static void pump_drains(const struct pollfd *pfd, int n) {
    static char scratch[CHUNK];
    for (int i = 0; i < n; i++) {
        if (!pfd[i].revents) continue;
        ssize_t got;
        do got = read(pfd[i].fd, scratch, sizeof scratch); while (got < 0 && errno == EINTR);
        if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
        for (int k = 0; k < ndrains; k++)
            if (drains[k] == pfd[i].fd) { close(drains[k]); drains[k] = drains[--ndrains]; break; }
    }
}

static void free_chan(struct chan *c) {
    close_fd(&c->out_fd);
    close_fd(&c->err_fd);
    close_fd(&c->in_fd);
    close_fd(&c->fd);
    close_fd(&c->pty);
    buf_free(&c->in_pending);
    c->kind = FREE;
}

/* ---- responses --------------------------------------------------------------------- */

static unsigned char *frame(uint8_t type, uint32_t channel, size_t len) {
    unsigned char *p = buf_reserve(&out, HEADER + len);
    p[0] = type;
    put_u32(p + 1, channel);
    put_u32(p + 5, (uint32_t)len);
    out.len += HEADER + len;
    return p + HEADER;
}

static void send_bytes(uint8_t type, uint32_t channel, const void *data, size_t len) {
    unsigned char *p = frame(type, channel, len);
    if (len) memcpy(p, data, len);
}

static void send_u32(uint8_t type, uint32_t channel, uint32_t v) { put_u32(frame(type, channel, 4), v); }
static void send_u64(uint8_t type, uint32_t channel, uint64_t v) { put_u64(frame(type, channel, 8), v); }

__attribute__((format(printf, 3, 4))) static void send_error(uint32_t channel, int err, const char *fmt, ...);
static void send_error(uint32_t channel, int err, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof msg) n = sizeof msg - 1;
    unsigned char *p = frame(RSP_ERROR, channel, 4 + (size_t)n);
    put_u32(p, (uint32_t)err);
    memcpy(p + 4, msg, (size_t)n);
}

/* Writes queued output without blocking; a vanished client is fatal. */
static void flush_out(void) {
    while (out.len > 0) {
        ssize_t n = write(STDOUT_FILENO, out.data + out.start, out.len);
        if (n > 0) buf_consume(&out, (size_t)n);
        else if (n < 0 && errno == EINTR) continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        else die(1, "cannot write responses: %s", n < 0 ? strerror(errno) : "short write");
    }
}

/* ---- exec ---------------------------------------------------------------------------- */

enum { STAGE_SETUP = 1, STAGE_CHDIR = 2, STAGE_EXEC = 3, STAGE_USER = 4 };

/* ---- identities ---------------------------------------------------------------------- */

/*
 * Started with --user UID:GID (as AgentKernel starts it in every sandbox), the agent runs
 * commands as that user, with no capability at all, unless a command asks for root (EXEC flag
 * bit 1); root is root of the sandbox's user namespace (an unprivileged host uid) and holds
 * ROOT_CAPS there, the default set of rootless Podman, nothing more. The agent itself uses
 * AGENT_CAPS (to switch identities and to signal what it started; ROOT_CAPS stay permitted, not
 * effective, so that a root command can have them under no_new_privs) and touches files as the
 * user (its filesystem uid). Without --user it runs commands as itself and drops everything.
 */
#define CAPBIT(c) (1ULL << (c))
#define ROOT_CAPS (CAPBIT(CAP_CHOWN) | CAPBIT(CAP_DAC_OVERRIDE) | CAPBIT(CAP_FOWNER) | CAPBIT(CAP_FSETID) \
        | CAPBIT(CAP_KILL) | CAPBIT(CAP_SETGID) | CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETPCAP) \
        | CAPBIT(CAP_NET_BIND_SERVICE) | CAPBIT(CAP_SYS_CHROOT) | CAPBIT(CAP_SETFCAP))
#define AGENT_CAPS (CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETGID) | CAPBIT(CAP_SETPCAP) | CAPBIT(CAP_KILL))

struct identity { int set; uid_t uid; gid_t gid; };
static struct identity user;        /* --user; .set == 0: commands run as the agent */

/* Parses "UID:GID" (each 0..65535: what a sandbox's user namespace maps). */
static int parse_identity(const char *text, struct identity *who) {
    char *end;
    unsigned long uid = strtoul(text, &end, 10);
    if (end == text || *end != ':') return -1;
    const char *g = end + 1;
    unsigned long gid = strtoul(g, &end, 10);
    if (end == g || *end || uid > 65535 || gid > 65535) return -1;
    who->set = 1;
    who->uid = (uid_t)uid;
    who->gid = (gid_t)gid;
    return 0;
}

/* Sets the permitted and effective sets; inheritable and ambient become empty. */
static int set_caps(uint64_t permitted, uint64_t effective) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

/* Whether the agent acts on files through its effective ids (no fsuid: gVisor), see restrict_self(). */
static int files_by_euid;

/* What the bounding set may still hold: every capability until it was read once, then what was left
 * (a bounding set never grows): a command's process drops a dozen, not reads sixty-four first. */
static uint64_t maybe_bounding = ~0ULL;

/* Keeps only `keep` in the bounding set (needs CAP_SETPCAP unless nothing is to be dropped). */
static int limit_bounding_set(uint64_t keep) {
    int known = maybe_bounding != ~0ULL;
    uint64_t left = 0;
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (!(maybe_bounding & CAPBIT(cap))) continue;
        int held = known ? 1 : prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (held < 0) break;                                             /* EINVAL: past the last */
        if (held == 0) continue;
        if (keep & CAPBIT(cap)) {
            left |= CAPBIT(cap);
            continue;
        }
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return -1;
    }
    maybe_bounding = left;
    return 0;
}

/*
 * In a command's process, before exec: becomes the sandbox user (or root when asked), keeping
 * in the bounding set only what that identity may hold, so that exec gives the user nothing and
 * root ROOT_CAPS. -1 with errno if it cannot (EINVAL from setresuid: root is not mapped, as in an
 * unprivileged daemon's sandboxes, which map one user).
 */
static int become(const struct identity *who, int as_root) {
    uid_t uid = as_root ? 0 : who->uid;
    gid_t gid = as_root ? 0 : who->gid;
    /* back to root's ids first where the agent acts on files by its effective ids (restrict_self):
     * allowed because the saved uid is 0, and it makes the permitted capabilities effective again */
    if (files_by_euid && (setresuid(0, 0, 0) != 0 || setresgid(0, 0, 0) != 0)) return -1;
    if (limit_bounding_set(as_root ? ROOT_CAPS : 0) != 0) return -1;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return -1;
    /* An unprivileged daemon's user namespace denies setgroups; its one group is already ours. */
    if (setgroups(as_root ? 0 : 1, &gid) != 0 && !(errno == EPERM && getgid() == gid)) return -1;
    if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) return -1;
    /* Under no_new_privs (bubblewrap sets it) exec gives root no more than its permitted set: */
    return as_root ? set_caps(ROOT_CAPS, 0) : set_caps(0, 0);
}

static void set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the child: report stage and errno on the CLOEXEC pipe, then give up. */
_Noreturn static void child_fail(int errfd, uint32_t stage) {
    unsigned char msg[8];
    put_u32(msg, stage);
    put_u32(msg + 4, (uint32_t)errno);
    if (write(errfd, msg, sizeof msg)) { /* nothing more we can do */ }
    _exit(127);
}

_Noreturn static void child_run(int errfd, const char *pts, int in_fd, int out_fd, int err_fd,
                      const char *cwd, char **argv, char **env, int as_root) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int sigs[] = { SIGPIPE, SIGCHLD, SIGTERM, SIGHUP, SIGINT };   /* not our self-pipe, not ignored */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
    if (setsid() < 0) child_fail(errfd, STAGE_SETUP);
    /* Kept across exec: processes of the command whose parent ends (a daemon's double fork, setsid)
     * become the command's children, not the agent's, so that a kill finds them (signal_tree). */
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    if (pts) {
        int slave = open(pts, O_RDWR);
        if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) child_fail(errfd, STAGE_SETUP);
        in_fd = out_fd = err_fd = slave;
    }
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail(errfd, STAGE_SETUP);
    /* Every other descriptor, inherited or ours, closes at exec (errfd is already CLOEXEC). */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
#endif
    {
        cloexec_open_fds();
    }
    if (user.set && become(&user, as_root) != 0) child_fail(errfd, STAGE_USER);
    if (cwd[0] && chdir(cwd) < 0) child_fail(errfd, STAGE_CHDIR);
    environ = env;
    execvp(argv[0], argv);
    child_fail(errfd, STAGE_EXEC);
}

static void do_exec(uint32_t id, struct rd *r) {
    uint32_t flags = get_u8(r), rows = get_u16(r), cols = get_u16(r);
    char *cwd = get_str(r);
    char **argv = get_list(r);
    char **env = get_list(r);
    int p_in[2] = {-1, -1}, p_out[2] = {-1, -1}, p_err[2] = {-1, -1}, p_st[2] = {-1, -1};
    int master = -1, t_out = -1, t_in = -1;    /* tty: the master and two duplicates */
    char pts[128];
    struct chan *c = NULL;

    if (r->bad || r->n != 0) { send_error(id, EPROTO, "malformed EXEC request"); goto done; }
    if (!argv[0] || !argv[0][0]) { send_error(id, EINVAL, "no command given"); goto done; }
    if (find(id)) { send_error(id, EBUSY, "channel %u is in use", id); goto done; }
    if (!(c = alloc_chan(id, EXEC))) { send_error(id, EMFILE, "too many channels in use"); goto done; }
    c->tty = flags & 1;
    if (c->tty) {
        struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0
                || ptsname_r(master, pts, sizeof pts) != 0 || ioctl(master, TIOCSWINSZ, &ws) < 0
                || (t_out = fcntl(master, F_DUPFD_CLOEXEC, 0)) < 0 || (t_in = fcntl(master, F_DUPFD_CLOEXEC, 0)) < 0) {
            send_error(id, errno, "cannot allocate a terminal: %s", strerror(errno));
            goto fail;
        }
    } else if (pipe2(p_in, O_CLOEXEC) < 0 || pipe2(p_out, O_CLOEXEC) < 0 || pipe2(p_err, O_CLOEXEC) < 0) {
        send_error(id, errno, "cannot create pipes: %s", strerror(errno));
        goto fail;
    }
    if (pipe2(p_st, O_CLOEXEC) < 0) { send_error(id, errno, "cannot create a pipe: %s", strerror(errno)); goto fail; }
    pid_t pid = fork();
    if (pid < 0) { send_error(id, errno, "cannot start a process: %s", strerror(errno)); goto fail; }
    if (pid == 0) child_run(p_st[1], c->tty ? pts : NULL, p_in[0], p_out[1], p_err[1], cwd, argv, env, (flags & 2) != 0);

    close_fd(&p_st[1]);
    close_fd(&p_in[0]);
    close_fd(&p_out[1]);
    close_fd(&p_err[1]);
    unsigned char st[8];
    size_t got = 0;
    while (got < sizeof st) {       /* EOF = exec succeeded; 8 bytes = the child failed */
        ssize_t n = read(p_st[0], st + got, sizeof st - got);
        if (n > 0) got += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    if (got == sizeof st) {
        struct rd sr = { st, sizeof st, 0 };
        uint32_t stage = get_u32(&sr), err = get_u32(&sr);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) { }
        if (stage == STAGE_USER && (flags & 2) && (err == EINVAL || err == EPERM))
            send_error(id, EPERM, "cannot run as root in this sandbox: its user namespace maps one user (the daemon"
                       " does not run as root)");
        else if (stage == STAGE_USER) send_error(id, (int)err, "cannot switch to the command's user: %s", strerror((int)err));
        else if (stage == STAGE_CHDIR) send_error(id, (int)err, "cannot enter working directory %s: %s", cwd, strerror((int)err));
        else if (stage == STAGE_EXEC && err == ENOENT) send_error(id, ENOENT, "command not found: %s", argv[0]);
        else if (stage == STAGE_EXEC) send_error(id, (int)err, "cannot run %s: %s", argv[0], strerror((int)err));
        else send_error(id, (int)err, "cannot set up the process: %s", strerror((int)err));
        goto fail;
    }
    c->pid = pid;
    if (c->tty) {
        c->pty = master;            /* output and input end separately, on duplicates */
        c->out_fd = t_out;
        c->in_fd = t_in;
        master = t_out = t_in = -1;
        set_nonblock(c->pty);       /* one open file: all three are non-blocking */
    } else {
        c->in_fd = p_in[1];
        c->out_fd = p_out[0];
        c->err_fd = p_err[0];
        p_in[1] = p_out[0] = p_err[0] = -1;
        set_nonblock(c->in_fd);
        set_nonblock(c->err_fd);
        set_nonblock(c->out_fd);
    }
    if (ngroups < MAX_GROUPS) groups[ngroups++] = pid;
    else prune_groups();            /* keep the list short; a full list only loses the final kill */
    send_u32(RSP_STARTED, id, (uint32_t)pid);
    c = NULL;
fail:
    if (c) free_chan(c);
done:
    close_fd(&master);
    close_fd(&t_out);
    close_fd(&t_in);
    int *fds[] = { &p_in[0], &p_in[1], &p_out[0], &p_out[1], &p_err[0], &p_err[1], &p_st[0], &p_st[1] };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) close_fd(fds[i]);
    free(cwd);
    free_list(argv);
    free_list(env);
}

/* Writes pending STDIN to the child; acknowledges what it consumed with WINDOW. */
static void pump_stdin(struct chan *c) {
    size_t consumed = 0;
    while (c->in_fd >= 0 && c->in_pending.len > 0) {
        ssize_t n = write(c->in_fd, c->in_pending.data + c->in_pending.start, c->in_pending.len);
        if (n > 0) { buf_consume(&c->in_pending, (size_t)n); consumed += (size_t)n; }
        else if (n < 0 && errno == EINTR) continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        else close_fd(&c->in_fd);   /* the child closed its input (EPIPE): drop the rest */
    }
    if (c->in_fd < 0) { consumed += c->in_pending.len; buf_consume(&c->in_pending, c->in_pending.len); }
    if (consumed) send_u32(RSP_WINDOW, c->id, (uint32_t)consumed);
    if (c->in_eof && c->in_pending.len == 0 && c->in_fd >= 0) {
        if (c->tty) {               /* a terminal has no end of file, only its EOF character */
            struct termios t;
            char eof = tcgetattr(c->in_fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
            if (write(c->in_fd, &eof, 1) < 0 && (errno == EAGAIN || errno == EINTR)) return;
        }
        close_fd(&c->in_fd);
    }
}

/* Reads one chunk of a child's output (or a file) into a response frame, within the credit. */
static ssize_t read_into_frame(struct chan *c, int fd, uint8_t type) {
    size_t want = c->credit < CHUNK ? (size_t)c->credit : CHUNK;
    if (want == 0) return -2;
    unsigned char *p = buf_reserve(&out, HEADER + want);
    ssize_t n;
    do n = read(fd, p + HEADER, want); while (n < 0 && errno == EINTR);
    if (n > 0) {
        p[0] = type;
        put_u32(p + 1, c->id);
        put_u32(p + 5, (uint32_t)n);
        out.len += HEADER + (size_t)n;
        c->credit -= n;
    }
    return n;
}

static void pump_output(struct chan *c, int *fd, uint8_t type) {
    ssize_t n = read_into_frame(c, *fd, type);
    if (n == 0 || (n == -1 && errno == EIO)) close_fd(fd);          /* EOF; EIO: pty hung up */
    else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) close_fd(fd);
    else if (n == -1 && c->group_gone) close_fd(fd);                /* drained, nobody left */
}

static void reap(void) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_CHANNELS; i++) {
            if (chans[i].kind == EXEC && chans[i].pid == pid) {
                chans[i].reaped = 1;
                chans[i].reaped_ms = now_ms();
                chans[i].status = status;
            }
        }
    }
}

/* Sends EXIT for every exec whose child is reaped and whose output is finished. */
static int finish_execs(void) {
    int recheck = 0;
    for (int i = 0; i < MAX_CHANNELS; i++) {
        struct chan *c = &chans[i];
        if (c->kind != EXEC || !c->reaped) continue;
        if (c->out_fd >= 0 || c->err_fd >= 0) {
            if (!c->group_gone && kill(-c->pid, 0) < 0 && errno == ESRCH) c->group_gone = 1;
            if (!c->group_gone) {
                /* The command ended but left processes that hold its output open (e.g. `cmd &`).
                 * After a short linger, send what is already there and detach the rest. */
                if (now_ms() - c->reaped_ms < LINGER_MS) { recheck = 1; continue; }
                int waiting = 0;
                int *fds[2] = { &c->out_fd, &c->err_fd };
                uint8_t types[2] = { RSP_STDOUT, RSP_STDERR };
                for (int k = 0; k < 2; k++) {
                    while (*fds[k] >= 0) {
                        ssize_t n = read_into_frame(c, *fds[k], types[k]);
                        if (n > 0) continue;
                        if (n == -2) { waiting = 1; break; }      /* no credit: the client reads on */
                        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) { detach_fd(fds[k]); break; }
                        close_fd(fds[k]);                            /* EOF or error */
                    }
                }
                if (waiting) continue;
                if (c->tty) { detach_fd(&c->in_fd); detach_fd(&c->pty); }
            } else {
                if (c->out_fd >= 0) pump_output(c, &c->out_fd, RSP_STDOUT);
                if (c->err_fd >= 0) pump_output(c, &c->err_fd, RSP_STDERR);
                if (c->out_fd >= 0 || c->err_fd >= 0) { recheck |= c->credit > 0; continue; }
            }
        }
        unsigned char *p = frame(RSP_EXIT, c->id, 8);
        if (WIFSIGNALED(c->status)) { put_u32(p, 0xffffffffu); put_u32(p + 4, (uint32_t)WTERMSIG(c->status)); }
        else { put_u32(p, (uint32_t)WEXITSTATUS(c->status)); put_u32(p + 4, 0); }
        free_chan(c);
    }
    return recheck;
}

/* ---- files --------------------------------------------------------------------------- */

static char *get_path(uint32_t id, struct rd *r, const char *what) {
    char *path = r->n > 0 ? dup_bytes(r, r->n) : NULL;
    if (!path) send_error(id, EINVAL, "%s: the path is empty or contains a NUL byte", what);
    return path;
}

static void do_read_file(uint32_t id, struct rd *r) {
    char *path = get_path(id, r, "read");
    if (!path) return;
    struct stat st;
    struct chan *c;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) send_error(id, errno, "cannot open %s: %s", path, strerror(errno));
    else if (fstat(fd, &st) < 0) send_error(id, errno, "cannot stat %s: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode)) send_error(id, EISDIR, "%s is a directory", path);
    else if (!S_ISREG(st.st_mode)) send_error(id, EINVAL, "%s is not a regular file", path);
    else if (find(id)) send_error(id, EBUSY, "channel %u is in use", id);
    else if (!(c = alloc_chan(id, READ))) send_error(id, EMFILE, "too many channels in use");
    else { c->fd = fd; c->mode = st.st_mode & 07777; fd = -1; }
    if (fd >= 0) close(fd);
    free(path);
}

/* One chunk per readable file per round, so that files and execs share the output fairly. */
static void pump_files(void) {
    for (int i = 0; i < MAX_CHANNELS && out.len < OUT_HIGH; i++) {
        struct chan *c = &chans[i];
        if (c->kind != READ || c->credit <= 0) continue;
        ssize_t n = read_into_frame(c, c->fd, RSP_FILE_DATA);
        if (n > 0) { c->total += (uint64_t)n; continue; }
        if (n == 0) {
            unsigned char *p = frame(RSP_FILE_END, c->id, 12);
            put_u64(p, c->total);
            put_u32(p + 8, c->mode);
        } else {
            send_error(c->id, errno, "cannot read: %s", strerror(errno));
        }
        free_chan(c);
    }
}

static void do_write_file(uint32_t id, struct rd *r) {
    uint32_t mode = get_u32(r) & 07777;
    if (r->bad) { send_error(id, EPROTO, "malformed WRITE_FILE request"); return; }
    char *path = get_path(id, r, "write");
    if (!path) return;
    struct chan *c;
    if (find(id)) { send_error(id, EBUSY, "channel %u is in use", id); free(path); return; }
    if (!(c = alloc_chan(id, WRITE))) { send_error(id, EMFILE, "too many channels in use"); free(path); return; }
    struct stat st;
    /* No O_TRUNC: an existing file is emptied only once it is known to be a regular file whose
     * mode we may set. O_NONBLOCK: a FIFO without reader fails instead of hanging the agent. */
    c->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);
    if (c->fd < 0) send_error(id, errno, "cannot open %s: %s", path, strerror(errno));
    else if (fstat(c->fd, &st) < 0) send_error(id, errno, "cannot stat %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode)) send_error(id, EINVAL, "%s is not a regular file", path);
    else if (fchmod(c->fd, mode) < 0) send_error(id, errno, "cannot set the mode of %s: %s", path, strerror(errno));
    else if (ftruncate(c->fd, 0) < 0) send_error(id, errno, "cannot truncate %s: %s", path, strerror(errno));
    else { free(path); return; }
    close_fd(&c->fd);
    c->failed = 1;
    free(path);
}

static void do_write_data(struct chan *c, const unsigned char *p, size_t n) {
    while (!c->failed && n > 0) {
        ssize_t w = write(c->fd, p, n);
        if (w > 0) { p += w; n -= (size_t)w; c->total += (uint64_t)w; }
        else if (w < 0 && errno == EINTR) continue;
        else {
            send_error(c->id, w < 0 ? errno : EIO, "cannot write: %s", w < 0 ? strerror(errno) : "no progress");
            close_fd(&c->fd);
            c->failed = 1;
        }
    }
}

static void do_write_end(struct chan *c) {
    if (!c->failed) {
        int fd = c->fd;
        c->fd = -1;
        if (close(fd) < 0 && errno != EINTR) send_error(c->id, errno, "cannot write: %s", strerror(errno));
        else send_u64(RSP_OK, c->id, c->total);
    }
    free_chan(c);
}

static void do_delete(uint32_t id, struct rd *r) {
    char *path = get_path(id, r, "delete");
    if (!path) return;
    if (unlink(path) < 0) send_error(id, errno, "cannot delete %s: %s", path, strerror(errno));
    else send_u64(RSP_OK, id, 0);
    free(path);
}

static void do_stat(uint32_t id, struct rd *r) {
    char *path = get_path(id, r, "stat");
    if (!path) return;
    struct stat st;
    if (stat(path, &st) < 0) {
        send_error(id, errno, "cannot stat %s: %s", path, strerror(errno));
    } else {
        unsigned char *p = frame(RSP_STAT_RESULT, id, 1 + 8 + 4 + 8);
        p[0] = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : 0;
        put_u64(p + 1, (uint64_t)st.st_size);
        put_u32(p + 9, st.st_mode & 07777);
        put_u64(p + 13, (uint64_t)((int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000));
    }
    free(path);
}

/* Like mkdir -p: every missing directory of the path, each with the mode (under the umask);
 * existing ones (links to directories included, as the sandbox sees them) are left as they are. */
static void do_mkdirs(uint32_t id, struct rd *r) {
    uint32_t mode = get_u32(r) & 07777;
    if (r->bad) { send_error(id, EPROTO, "malformed MKDIRS request"); return; }
    char *path = get_path(id, r, "mkdir");
    if (!path) return;
    uint64_t made = 0;
    size_t len = strlen(path);
    for (size_t i = 1; i <= len; i++) {
        if ((path[i] != '/' && path[i] != '\0') || path[i - 1] == '/') continue;
        char saved = path[i];
        struct stat st;
        path[i] = '\0';
        if (mkdir(path, (mode_t)mode) == 0) made++;
        else {
            /* what is there decides (a read-only file system says EROFS even for what exists) */
            int err = errno;
            if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) { send_error(id, ENOTDIR, "%s is not a directory", path); free(path); return; }
            if (stat(path, &st) < 0 && err == EEXIST) { send_error(id, ENOTDIR, "%s is not a directory (a link to nothing)", path); free(path); return; }
            if (stat(path, &st) < 0) { send_error(id, err, "cannot create directory %s: %s", path, strerror(err)); free(path); return; }
        }
        path[i] = saved;
    }
    send_u64(RSP_OK, id, made);
    free(path);
}

/* ---- request dispatch ---------------------------------------------------------------- */

static void dispatch(uint8_t type, uint32_t id, const unsigned char *payload, uint32_t len) {
    struct rd r = { payload, len, 0 };
    struct chan *c = find(id);
    switch (type) {
    case REQ_EXEC: do_exec(id, &r); break;
    case REQ_READ_FILE: do_read_file(id, &r); break;
    case REQ_WRITE_FILE: do_write_file(id, &r); break;
    case REQ_DELETE_FILE: do_delete(id, &r); break;
    case REQ_STAT: do_stat(id, &r); break;
    case REQ_MKDIRS: do_mkdirs(id, &r); break;
    case REQ_PING: send_bytes(RSP_PONG, id, payload, len); break;
    case REQ_STDIN:
        if (!c || c->kind != EXEC) { send_error(id, ESRCH, "no running command on channel %u", id); break; }
        if (len == 0) c->in_eof = 1;
        else if (c->in_eof) { send_error(id, EPIPE, "input already ended on channel %u", id); break; }
        else if (c->in_pending.len + len > 2 * WINDOW_SIZE) {
            send_error(id, EPROTO, "input window exceeded on channel %u", id);
            break;
        } else {
            memcpy(buf_reserve(&c->in_pending, len), payload, len);
            c->in_pending.len += len;
        }
        pump_stdin(c);
        break;
    case REQ_RESIZE: {
        uint32_t rows = get_u16(&r), cols = get_u16(&r);
        struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
        if (r.bad || r.n) send_error(id, EPROTO, "malformed RESIZE request");
        else if (!c || c->kind != EXEC) send_error(id, ESRCH, "no running command on channel %u", id);
        else if (!c->tty) send_error(id, ENOTTY, "the command on channel %u has no terminal", id);
        else if (ioctl(c->pty, TIOCSWINSZ, &ws) < 0) send_error(id, errno, "cannot resize: %s", strerror(errno));
        break;
    }
    case REQ_SIGNAL: {
        uint32_t signo = get_u32(&r);
        if (r.bad || r.n) send_error(id, EPROTO, "malformed SIGNAL request");
        else if (signo < 1 || signo > 64) send_error(id, EINVAL, "invalid signal number %u", signo);
        else if (!c || c->kind != EXEC) send_error(id, ESRCH, "no running command on channel %u", id);
        else if ((signo == SIGKILL || signo == SIGTERM) && !c->reaped) {   /* reaped: its pid may be reused */
            if (signal_tree(c->pid, (int)signo) < 0 && errno != ESRCH)
                send_error(id, errno, "cannot signal: %s", strerror(errno));
        } else if (!c->group_gone && kill(-c->pid, (int)signo) < 0 && errno != ESRCH)
            send_error(id, errno, "cannot signal: %s", strerror(errno));
        break;
    }
    case REQ_WINDOW: {
        uint32_t n = get_u32(&r);
        if (r.bad || r.n) send_error(id, EPROTO, "malformed WINDOW request");
        else if (c && c->credit < (int64_t)1 << 40) c->credit += n;   /* unknown: already done */
        break;
    }
    case REQ_WRITE_DATA:
    case REQ_WRITE_END:
        if (!c || c->kind != WRITE) { send_error(id, EBADF, "no file is being written on channel %u", id); break; }
        if (type == REQ_WRITE_DATA) do_write_data(c, payload, len);
        else do_write_end(c);
        break;
    case REQ_CANCEL:
        if (c && (c->kind == READ || c->kind == WRITE)) free_chan(c);
        break;
    default:
        send_error(id, EPROTO, "unknown request type 0x%02x", type);
    }
}

/* Reads what stdin has and dispatches every complete frame. */
static void read_requests(void) {
    ssize_t n;
    do n = read(STDIN_FILENO, buf_reserve(&in, CHUNK), CHUNK); while (n < 0 && errno == EINTR);
    if (n == 0) { stdin_eof = 1; return; }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        die(1, "cannot read requests: %s", strerror(errno));
    }
    in.len += (size_t)n;
    while (in.len >= HEADER) {
        const unsigned char *h = in.data + in.start;
        struct rd r = { h, HEADER, 0 };
        uint8_t type = (uint8_t)get_u8(&r);
        uint32_t id = get_u32(&r), len = get_u32(&r);
        if (len > MAX_REQUEST) die(2, "unparseable frame (type 0x%02x, length %u > %u): giving up", type, len, MAX_REQUEST);
        if (in.len < HEADER + (size_t)len) { buf_reserve(&in, HEADER + len - in.len); break; }
        dispatch(type, id, h + HEADER, len);
        buf_consume(&in, HEADER + (size_t)len);
    }
}

/* ---- main loop ----------------------------------------------------------------------- */

static void on_signal(int signo) {
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(sig_pipe[1], &b, 1)) { /* a full pipe already holds a wake-up */ }
    errno = saved;
}

/*
 * Without --user, nothing the agent runs can ever hold a capability: the bounding set is emptied
 * where the sandbox gave the agent CAP_SETPCAP (elsewhere the call fails with EPERM and the set
 * stays as the sandbox made it), then every other set. With --user the bounding set keeps
 * ROOT_CAPS (for commands that ask for root), the agent keeps AGENT_CAPS, and it touches files as
 * the user.
 */
static void restrict_self(void) {
    if (user.set) {
        if (limit_bounding_set(ROOT_CAPS) != 0)
            die(1, "cannot limit the capability bounding set (start the agent with CAP_SETPCAP): %s", strerror(errno));
        if (set_caps(ROOT_CAPS, AGENT_CAPS) != 0)
            die(1, "cannot keep the agent's capabilities (start it with CAP_SETUID, CAP_SETGID, CAP_SETPCAP and"
                " CAP_KILL): %s", strerror(errno));
        errno = 0;
        setfsgid(user.gid);
        if (errno == ENOSYS) {
            /* gVisor (runsc 2022) has no fsuid: the effective ids act on files instead. The real and
             * saved ids stay root's, so a command's process can become root again (become()); the
             * effective capabilities go with the effective uid, the permitted ones stay. */
            if (setresgid((gid_t)-1, user.gid, (gid_t)-1) != 0 || setresuid((uid_t)-1, user.uid, (uid_t)-1) != 0)
                die(1, "cannot touch files as %u:%u: %s", (unsigned)user.uid, (unsigned)user.gid, strerror(errno));
            files_by_euid = 1;
            return;
        }
        setfsuid(user.uid);
        if ((uid_t)setfsuid((uid_t)-1) != user.uid || (gid_t)setfsgid((gid_t)-1) != user.gid)
            die(1, "cannot touch files as %u:%u", (unsigned)user.uid, (unsigned)user.gid);
        return;
    }
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) break;   /* EINVAL: past the last */
    }
    if (set_caps(0, 0) != 0) die(1, "cannot drop capabilities: %s", strerror(errno));
}

/*
 * --exec: not an agent but the first process of a sandbox's command (AgentKernel runs one-shot
 * commands through it): becomes the user (or root) as an agent's command would, then execs.
 */
static int exec_as(int as_root, char **argv) {
    if (!user.set || !argv[0]) {
        fputs("ak-agent: --exec needs --user UID:GID and a command after --\n", stderr);
        return 2;
    }
    if (become(&user, as_root) != 0) {
        if (as_root && (errno == EINVAL || errno == EPERM))
            fputs("ak-agent: cannot run as root in this sandbox: its user namespace maps one user (the daemon does"
                  " not run as root)\n", stderr);
        else
            fprintf(stderr, "ak-agent: cannot switch to the command's user: %s\n", strerror(errno));
        return 126;
    }
    execvp(argv[0], argv);
    int err = errno;
    if (err == ENOENT) fprintf(stderr, "ak-agent: command not found: %s\n", argv[0]);
    else fprintf(stderr, "ak-agent: cannot run %s: %s\n", argv[0], strerror(err));
    return err == ENOENT ? 127 : 126;
}

static void setup(void) {
    /* Out of the code's reach: a process that is not dumpable cannot be traced, and its
     * /proc/PID/fd, mem and environ cannot be opened, by anything without CAP_SYS_PTRACE, which
     * nothing in a sandbox has; so the code it runs (same uid) cannot write frames into our
     * output or read our requests. Commands get dumpable back when they exec. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die(1, "cannot make the agent undumpable: %s", strerror(errno));
    restrict_self();
    if (fcntl(STDERR_FILENO, F_GETFD) < 0) open("/dev/null", O_WRONLY);   /* keep fd 2 taken */
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die(1, "cannot create a pipe: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    set_nonblock(STDIN_FILENO);
    set_nonblock(STDOUT_FILENO);
}

/* Installs the classic BPF program in `path` as this process's seccomp filter (see SECCOMP). */
static void install_seccomp(const char *path, int given_fd) {
    static struct sock_filter program[BPF_MAXINSNS];
    int fd = given_fd >= 0 ? given_fd : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(125, "seccomp filter %s: %s", path, strerror(errno));
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, (char *)program + len, sizeof(program) - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die(125, "seccomp filter %s: %s", path, strerror(errno));
        if (n == 0) break;
        len += (size_t)n;
        if (len == sizeof(program)) die(125, "seccomp filter %s: longer than %d instructions", path, BPF_MAXINSNS);
    }
    close(fd);
    if (len == 0 || len % sizeof(struct sock_filter) != 0) die(125, "seccomp filter %s: not a BPF program", path);
    struct sock_fprog fprog = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = program };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(125, "no_new_privs: %s", strerror(errno));
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0)
        die(125, "install seccomp filter %s: %s", path, strerror(errno));
}

#define MAX_PROC_MASKS 32
struct proc_mask { char kind; const char *name; };   /* kind: 'r' read-only, 'n' /dev/null, 'e' empty */

/* The mount flags statvfs reports, as mount(2) takes them. */
static unsigned long mount_flags(unsigned long f) {
    return (f & ST_NOSUID ? MS_NOSUID : 0) | (f & ST_NODEV ? MS_NODEV : 0) | (f & ST_NOEXEC ? MS_NOEXEC : 0)
           | (f & ST_NOATIME ? MS_NOATIME : 0) | (f & ST_NODIRATIME ? MS_NODIRATIME : 0)
           | (f & ST_RELATIME ? MS_RELATIME : 0);
}

static void mask_proc(const struct proc_mask *masks, int count) {
    for (int i = 0; i < count; i++) {
        const char *name = masks[i].name;
        if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
            die(125, "bad /proc name to mask: %s", name);
        char path[256];
        snprintf(path, sizeof path, "/proc/%s", name);
        unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        struct statvfs fs;
        switch (masks[i].kind) {
        case 'r':
        case 'n':
            /* a bind, then read-only, keeping the flags the bind has (a remount in a user namespace
             * may not clear those that came locked from a more privileged mount) */
            if (mount(masks[i].kind == 'r' ? path : "/dev/null", path, NULL, MS_BIND | MS_REC, NULL) != 0
                || statvfs(path, &fs) != 0
                || mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags(fs.f_flag), NULL) != 0)
                die(125, "mask %s: %s", path, strerror(errno));
            break;
        default:
            if (mount("ak-empty", path, "tmpfs", MS_RDONLY | locked, "size=0,mode=555") != 0)
                die(125, "mask %s: %s", path, strerror(errno));
            break;
        }
    }
}

/*
 * After the masks: CAP_SYS_ADMIN was for them alone (bubblewrap grants it for that): out of every set,
 * for good, and checked.
 */
static void drop_sys_admin(void) {
    struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    unsigned bit = 1u << (CAP_SYS_ADMIN % 32);
    int word = CAP_SYS_ADMIN / 32;
    if (syscall(SYS_capget, &head, data) != 0) die(125, "read the capabilities: %s", strerror(errno));
    if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 1
        && !((data[word].effective | data[word].permitted | data[word].inheritable) & bit))
        return;
    if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0) die(125, "drop CAP_SYS_ADMIN: %s", strerror(errno));
    data[word].effective &= ~bit;
    data[word].permitted &= ~bit;
    data[word].inheritable &= ~bit;
    if (syscall(SYS_capset, &head, data) != 0) die(125, "drop CAP_SYS_ADMIN: %s", strerror(errno));
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_ADMIN, 0, 0);
    if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0 || syscall(SYS_capget, &head, data) != 0
        || (data[word].effective | data[word].permitted | data[word].inheritable) & bit)
        die(125, "CAP_SYS_ADMIN is still held");
}

/* Waits for the host's "go" on the FIFO `path`; see GATE at the top of the file. */
static void await_gate(const char *path) {
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
    if (fd < 0) die(125, "gate %s: %s", path, strerror(errno));
    char go = 0;
    ssize_t n;
    do n = read(fd, &go, 1); while (n < 0 && errno == EINTR);
    close(fd);
    if (n != 1 || go != 'g') die(125, "launch called off");
}

int main(int argc, char **argv) {
    int as_root = 0, exec_mode = 0, arg = 1, seccomp_fd = -1, nmasks = 0;
    const char *seccomp = NULL, *gate = NULL;
    static struct proc_mask masks[MAX_PROC_MASKS];
    for (; arg < argc; arg++) {
        if (!strcmp(argv[arg], "--user") && arg + 1 < argc && parse_identity(argv[arg + 1], &user) == 0) arg++;
        else if (!strcmp(argv[arg], "--seccomp") && arg + 1 < argc) seccomp = argv[++arg];
        else if (!strcmp(argv[arg], "--seccomp-fd") && arg + 1 < argc && atoi(argv[arg + 1]) >= 3) {
            seccomp_fd = atoi(argv[++arg]);
            seccomp = argv[arg];
        }
        else if ((!strcmp(argv[arg], "--proc-ro") || !strcmp(argv[arg], "--proc-null") || !strcmp(argv[arg], "--proc-empty"))
                 && arg + 1 < argc && nmasks < MAX_PROC_MASKS) {
            masks[nmasks].kind = argv[arg][7];
            masks[nmasks++].name = argv[++arg];
        }
        else if (!strcmp(argv[arg], "--gate") && arg + 1 < argc) gate = argv[++arg];
        else if (!strcmp(argv[arg], "--exec")) exec_mode = 1;
        else if (!strcmp(argv[arg], "--root") && exec_mode) as_root = 1;
        else if (!strcmp(argv[arg], "--") && exec_mode) { arg++; break; }
        else {
            fputs("usage: ak-agent [OPTIONS] [--user UID:GID]          serve the protocol on stdin/stdout (see the header of\n"
                  "                                                 ak-agent.c)\n"
                  "       ak-agent [OPTIONS] --exec --user UID:GID [--root] -- COMMAND...   run COMMAND as that user (or root)\n"
                  "OPTIONS: --gate FIFO, --proc-ro|--proc-null|--proc-empty NAME (repeatable), --seccomp FILE|--seccomp-fd N\n",
                  stderr);
            return 2;
        }
    }
    if (gate) await_gate(gate);
    if (nmasks > 0) {
        mask_proc(masks, nmasks);
        drop_sys_admin();
    }
    if (seccomp) install_seccomp(seccomp, seccomp_fd);
    if (exec_mode) return exec_as(as_root, argv + arg);
    setup();
    static struct pollfd pfd[3 + 3 * MAX_CHANNELS + MAX_DRAINS];
    static struct { struct chan *c; int fd; } who[3 + 3 * MAX_CHANNELS];
    int files_ready = 0, recheck = 0;
    struct timespec last_prune = {0, 0};
    for (;;) {
        int n = 0;
        pfd[n++] = (struct pollfd){ .fd = !stdin_eof && out.len < OUT_HIGH ? STDIN_FILENO : -1, .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = out.len > 0 ? STDOUT_FILENO : -1, .events = POLLOUT };
        pfd[n++] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
        for (int i = 0; i < MAX_CHANNELS; i++) {
            struct chan *c = &chans[i];
            if (c->kind != EXEC) continue;
            int produce = c->credit > 0 && out.len < OUT_HIGH;
            int fds[3] = { produce ? c->out_fd : -1, produce ? c->err_fd : -1,
                           c->in_pending.len > 0 || c->in_eof ? c->in_fd : -1 };
            for (int k = 0; k < 3; k++) {
                if (fds[k] < 0) continue;
                who[n].c = c;
                who[n].fd = fds[k];
                pfd[n++] = (struct pollfd){ .fd = fds[k], .events = k == 2 ? POLLOUT : POLLIN };
            }
        }
        int first_drain = n;
        for (int i = 0; i < ndrains; i++) pfd[n++] = (struct pollfd){ .fd = drains[i], .events = POLLIN };
        int timeout = files_ready && out.len < OUT_HIGH ? 0 : recheck ? GROUP_RECHECK_MS : ngroups ? PRUNE_MS : -1;
        if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) die(1, "poll: %s", strerror(errno));

        if (pfd[2].revents & POLLIN) {
            unsigned char sigs[64];
            ssize_t got;
            while ((got = read(sig_pipe[0], sigs, sizeof sigs)) > 0) {
                for (ssize_t i = 0; i < got; i++)
                    if (sigs[i] != SIGCHLD) die(128 + sigs[i], "terminated by signal %d", sigs[i]);
            }
        }
        reap();
        if (pfd[0].fd >= 0 && pfd[0].revents) read_requests();
        if (stdin_eof) { kill_all(); return 0; }
        pump_drains(pfd + first_drain, n - first_drain);
        for (int i = 3; i < first_drain; i++) {
            struct chan *c = who[i].c;
            if (!pfd[i].revents || c->kind != EXEC) continue;
            if (who[i].fd == c->out_fd && c->out_fd >= 0) pump_output(c, &c->out_fd, RSP_STDOUT);
            else if (who[i].fd == c->err_fd && c->err_fd >= 0) pump_output(c, &c->err_fd, RSP_STDERR);
            else if (who[i].fd == c->in_fd && c->in_fd >= 0) pump_stdin(c);
        }
        pump_files();
        files_ready = 0;
        for (int i = 0; i < MAX_CHANNELS; i++)
            if (chans[i].kind == READ && chans[i].credit > 0) files_ready = 1;
        recheck = finish_execs();
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - last_prune.tv_sec) * 1000 + (now.tv_nsec - last_prune.tv_nsec) / 1000000 >= PRUNE_MS) {
            prune_groups();
            last_prune = now;
        }
        flush_out();
    }
}
