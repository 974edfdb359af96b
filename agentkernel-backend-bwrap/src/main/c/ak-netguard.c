/*
 * ak-netguard: keeps slirp4netns (or any program it runs) away from the host's own addresses
 * and from private ranges, without privileges.
 *
 *   ak-netguard [--deny CIDR]... [--allow CIDR]... [--dns ADDRESS]... -- PROGRAM [ARG]...
 *
 * slirp4netns makes a sandbox's outbound connections from the host's network namespace, so
 * that without this guard a sandbox reaches every service listening on the host's non-loopback
 * addresses (--disable-host-loopback covers 127.0.0.1 only) and every private network the host
 * is on. ak-netguard forks; the child sets no_new_privs, installs a seccomp filter that sends
 * connect(2), sendto(2) with a destination, sendmsg(2) and sendmmsg(2) to this process
 * (SECCOMP_RET_USER_NOTIF; unprivileged) and execs PROGRAM. For each such call this process
 * reads the destination from the child's memory and lets the call go on only if the
 * destination
 *
 *   - is of another family than IPv4 and IPv6 only when it is AF_UNSPEC (a UDP "disconnect");
 *   - is not in a --deny range unless it is in an --allow range (IPv4-mapped IPv6 addresses
 *     count as their IPv4 address);
 *   - is not an address of this host: the kernel's own route lookup (RTM_GETROUTE) must find a
 *     unicast route to it, so every address of every interface, of both families, counts,
 *     including those added after the start, local routes (AnyIP) and broadcast/multicast;
 *
 * except that port 53 of a --dns address (the host's resolver, which slirp4netns forwards the
 * sandbox's DNS to) is always allowed. Anything else fails at once with ECONNREFUSED (connect:
 * slirp4netns answers the sandbox's SYN with a reset) or EACCES (datagrams). The supervised
 * program is ours (the sandbox only sends it packets), and slirp4netns is single-threaded:
 * while one of its calls waits here, nothing can change the memory this guard read, so
 * letting the call continue after the check is sound (seccomp_unotify(2), "Design goals").
 * A non-native system call ABI (i386, x32) kills the program; io_uring fails with ENOSYS.
 *
 * The guard exits with the program's status when the program is gone (the filter's listener
 * reports POLLHUP); the program gets SIGKILL if the guard dies, and without the guard its
 * supervised calls fail with ENOSYS: it fails closed. Failures before the program runs print
 * "ak-netguard: <what>: <why>" on stderr and exit 125. Single file, C11 + Linux, libc only;
 * built by scripts/build-c.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_GUARD 125
#define MAX_RANGES 128
#define MAX_MMSG 1024

#ifdef AK_SANITIZE
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0:abort_on_error=1"; }
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1:abort_on_error=1"; }
#endif

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "ak-netguard: unsupported architecture (x86_64 and aarch64 only)"
#endif

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) static void warn(const char *fmt, ...);

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ak-netguard: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_GUARD);
}

static void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ak-netguard: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- address ranges ---------------------------------------------------------------------- */

/* An address of either family as 16 bytes: IPv4 as an IPv4-mapped IPv6 address. */
struct address {
    unsigned char bytes[16];
};

struct range {
    struct address network;
    int prefix; /* over the 16 bytes: an IPv4 /8 is 96 + 8 */
};

struct ranges {
    struct range items[MAX_RANGES];
    int count;
};

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int is_v4(const struct address *a) {
    return memcmp(a->bytes, V4_MAPPED, sizeof(V4_MAPPED)) == 0;
}

static int parse_address(const char *text, struct address *a) {
    memset(a, 0, sizeof(*a));
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memcpy(a->bytes, V4_MAPPED, sizeof(V4_MAPPED));
        memcpy(a->bytes + 12, &v4, 4);
        return 1;
    }
    return inet_pton(AF_INET6, text, a->bytes) == 1;
}

static void add_range(struct ranges *list, const char *cidr, const char *option) {
    char text[INET6_ADDRSTRLEN + 8];
    if (strlen(cidr) >= sizeof(text) || list->count >= MAX_RANGES) {
        die("%s: too long or too many: %s", option, cidr);
    }
    strcpy(text, cidr);
    char *slash = strchr(text, '/');
    if (slash == NULL) {
        die("%s: expected ADDRESS/PREFIX, got %s", option, cidr);
    }
    *slash = '\0';
    struct range *r = &list->items[list->count];
    if (!parse_address(text, &r->network)) {
        die("%s: not an address: %s", option, cidr);
    }
    char *end;
    long prefix = strtol(slash + 1, &end, 10);
    int v4 = strchr(text, ':') == NULL;
    if (*end != '\0' || end == slash + 1 || prefix < 0 || prefix > (v4 ? 32 : 128)) {
        die("%s: bad prefix length: %s", option, cidr);
    }
    r->prefix = (int) prefix + (v4 ? 96 : 0);
    list->count++;
}

static int in_range(const struct range *r, const struct address *a) {
    int full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(r->network.bytes, a->bytes, (size_t) full) != 0) {
        return 0;
    }
    if (rest == 0) {
        return 1;
    }
    unsigned char mask = (unsigned char) (0xff << (8 - rest));
    return (r->network.bytes[full] & mask) == (a->bytes[full] & mask);
}

static int in_any(const struct ranges *list, const struct address *a) {
    for (int i = 0; i < list->count; i++) {
        if (in_range(&list->items[i], a)) {
            return 1;
        }
    }
    return 0;
}

/* ---- the kernel's view: is an address this host's? ---------------------------------------- */

/*
 * The type of the route the kernel would use to reach `a` from this network namespace
 * (RTN_UNICAST for another host, RTN_LOCAL for one of this host's addresses, ...), or -errno.
 */
static int route_type(int netlink, const struct address *a) {
    static unsigned int sequence;
    struct {
        struct nlmsghdr header;
        struct rtmsg route;
        char attributes[64];
    } request;
    memset(&request, 0, sizeof(request));
    int v4 = is_v4(a);
    size_t length = v4 ? 4 : 16;
    request.header.nlmsg_type = RTM_GETROUTE;
    request.header.nlmsg_flags = NLM_F_REQUEST;
    request.header.nlmsg_seq = ++sequence;
    request.route.rtm_family = (unsigned char) (v4 ? AF_INET : AF_INET6);
    request.route.rtm_dst_len = (unsigned char) (v4 ? 32 : 128);
    struct rtattr *dst = (struct rtattr *) request.attributes;
    dst->rta_type = RTA_DST;
    dst->rta_len = (unsigned short) RTA_LENGTH(length);
    memcpy(RTA_DATA(dst), v4 ? a->bytes + 12 : a->bytes, length);
    request.header.nlmsg_len = (__u32) (NLMSG_LENGTH(sizeof(struct rtmsg)) + RTA_ALIGN(dst->rta_len));
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(netlink, &request, request.header.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0) {
        return -errno;
    }
    _Alignas(struct nlmsghdr) char reply[4096];
    for (;;) {
        ssize_t n = recv(netlink, reply, sizeof(reply), 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *) reply; NLMSG_OK(h, (unsigned int) n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != request.header.nlmsg_seq) {
                continue; /* an answer to an earlier request that timed out: none do, but be exact */
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                return e->error < 0 ? e->error : -EHOSTUNREACH;
            }
            if (h->nlmsg_type == RTM_NEWROUTE) {
                return ((struct rtmsg *) NLMSG_DATA(h))->rtm_type;
            }
        }
    }
}

/* ---- the policy --------------------------------------------------------------------------- */

struct policy {
    struct ranges deny;
    struct ranges allow;
    struct ranges dns; /* single addresses */
    int netlink;
};

enum verdict { ALLOW, REFUSE };

/* The verdict for a destination given as a socket address of `length` bytes. */
static enum verdict judge(const struct policy *p, const struct sockaddr_storage *to, size_t length) {
    struct address a;
    unsigned short port;
    if (length < sizeof(sa_family_t)) {
        return REFUSE;
    }
    if (to->ss_family == AF_UNSPEC) {
        return ALLOW; /* connect(AF_UNSPEC) dissolves an association; it reaches nothing */
    }
    if (to->ss_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) to;
        memcpy(a.bytes, V4_MAPPED, sizeof(V4_MAPPED));
        memcpy(a.bytes + 12, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (to->ss_family == AF_INET6 && length >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) to;
        memcpy(a.bytes, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
    } else {
        return REFUSE; /* slirp4netns talks IP only; a Unix socket of the host is out of reach too */
    }
    if (port == 53 && in_any(&p->dns, &a)) {
        return ALLOW;
    }
    if (in_any(&p->deny, &a) && !in_any(&p->allow, &a)) {
        return REFUSE;
    }
    return route_type(p->netlink, &a) == RTN_UNICAST ? ALLOW : REFUSE;
}

/* ---- the child's memory ------------------------------------------------------------------- */

static int read_memory(pid_t pid, uint64_t address, void *buffer, size_t length) {
    struct iovec local = {.iov_base = buffer, .iov_len = length};
    struct iovec remote = {.iov_base = (void *) (uintptr_t) address, .iov_len = length};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    return n == (ssize_t) length ? 0 : -1;
}

/* Reads a socket address of `length` bytes at `address` and judges it. */
static enum verdict judge_at(const struct policy *p, pid_t pid, uint64_t address, uint64_t length) {
    struct sockaddr_storage to;
    memset(&to, 0, sizeof(to));
    if (length > sizeof(to)) {
        length = sizeof(to); /* the kernel refuses longer ones (EINVAL) for IP sockets anyway */
    }
    if (read_memory(pid, address, &to, (size_t) length) != 0) {
        return REFUSE;
    }
    return judge(p, &to, (size_t) length);
}

/* A struct msghdr's destination (none: ALLOW, the socket's own association holds). */
static enum verdict judge_message(const struct policy *p, pid_t pid, uint64_t address) {
    struct msghdr message;
    if (read_memory(pid, address, &message, sizeof(message)) != 0) {
        return REFUSE;
    }
    if (message.msg_name == NULL || message.msg_namelen == 0) {
        return ALLOW;
    }
    return judge_at(p, pid, (uint64_t) (uintptr_t) message.msg_name, message.msg_namelen);
}

static enum verdict judge_call(const struct policy *p, const struct seccomp_notif *call, int *refusal) {
    pid_t pid = (pid_t) call->pid;
    const __u64 *arg = call->data.args;
    switch (call->data.nr) {
    case SYS_connect:
        *refusal = ECONNREFUSED;
        return judge_at(p, pid, arg[1], arg[2]);
    case SYS_sendto:
        *refusal = EACCES;
        return arg[4] == 0 ? ALLOW : judge_at(p, pid, arg[4], arg[5]);
    case SYS_sendmsg:
        *refusal = EACCES;
        return judge_message(p, pid, arg[1]);
    case SYS_sendmmsg: {
        *refusal = EACCES;
        uint64_t count = arg[2] > MAX_MMSG ? MAX_MMSG : arg[2]; /* the kernel sends at most that many */
        for (uint64_t i = 0; i < count; i++) {
            if (judge_message(p, pid, arg[1] + i * sizeof(struct mmsghdr)) != ALLOW) {
                return REFUSE;
            }
        }
        return ALLOW;
    }
    default:
        *refusal = ENOSYS;
        return REFUSE;
    }
}

/* ---- the filter ---------------------------------------------------------------------------- */

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (unsigned int) offsetof(struct seccomp_data, field))
#define ARG_LOW(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (unsigned int) offsetof(struct seccomp_data, args[n]))
#define ARG_HIGH(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (unsigned int) offsetof(struct seccomp_data, args[n]) + 4)
#define RETURN(value) BPF_STMT(BPF_RET | BPF_K, (value))

/* Installs the filter on this process; returns the listener's descriptor. */
static int install_filter(void) {
    struct sock_filter code[] = {
        LOAD(arch),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        RETURN(SECCOMP_RET_KILL_PROCESS),
        LOAD(nr),
#if defined(__x86_64__)
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1), /* x32 */
        RETURN(SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, 0, 1),
        RETURN(SECCOMP_RET_USER_NOTIF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendmsg, 0, 1),
        RETURN(SECCOMP_RET_USER_NOTIF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendmmsg, 0, 1),
        RETURN(SECCOMP_RET_USER_NOTIF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
        RETURN(SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 1, 0),
        RETURN(SECCOMP_RET_ALLOW),
        /* sendto: only with a destination (send(2) is sendto without one: the data path of TCP) */
        ARG_LOW(4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
        ARG_HIGH(4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
        RETURN(SECCOMP_RET_ALLOW),
        RETURN(SECCOMP_RET_USER_NOTIF),
    };
    struct sock_fprog program = {.len = (unsigned short) (sizeof(code) / sizeof(code[0])), .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        die("no_new_privs: %s", strerror(errno));
    }
    int listener = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
    if (listener < 0) {
        die("seccomp user notification: %s", strerror(errno));
    }
    return listener;
}

/* ---- supervision --------------------------------------------------------------------------- */

static int wait_for(pid_t child) {
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return EXIT_GUARD;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void supervise(const struct policy *p, int listener) {
    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
        die("seccomp notification sizes: %s", strerror(errno));
    }
    size_t call_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif
                                                                          : sizeof(struct seccomp_notif);
    size_t answer_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sizes.seccomp_notif_resp
                                                                                       : sizeof(struct seccomp_notif_resp);
    struct seccomp_notif *call = malloc(call_size);
    struct seccomp_notif_resp *answer = malloc(answer_size);
    if (call == NULL || answer == NULL) {
        die("out of memory");
    }
    for (;;) {
        struct pollfd ready = {.fd = listener, .events = POLLIN};
        if (poll(&ready, 1, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll: %s", strerror(errno));
        }
        if ((ready.revents & POLLIN) == 0) {
            break; /* POLLHUP: every supervised process is gone */
        }
        memset(call, 0, call_size);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, call) != 0) {
            if (errno == EINTR || errno == ENOENT) {
                continue; /* ENOENT: the caller was interrupted or died meanwhile */
            }
            die("receive a notification: %s", strerror(errno));
        }
        int refusal = EACCES;
        enum verdict verdict = judge_call(p, call, &refusal);
        /* the memory read above was the caller's, not a process that reused its pid */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &call->id) != 0) {
            continue;
        }
        memset(answer, 0, answer_size);
        answer->id = call->id;
        if (verdict == ALLOW) {
            answer->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else {
            answer->error = -refusal;
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, answer) != 0 && errno != ENOENT) {
            warn("answer a notification: %s", strerror(errno));
        }
    }
    free(call);
    free(answer);
}

/* ---- main ---------------------------------------------------------------------------------- */

__attribute__((noreturn)) static void usage(void) {
    die("usage: ak-netguard [--deny CIDR]... [--allow CIDR]... [--dns ADDRESS]... -- PROGRAM [ARG]...");
}

int main(int argc, char **argv) {
    static struct policy policy;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--deny") == 0 && i + 1 < argc) {
            add_range(&policy.deny, argv[++i], "--deny");
        } else if (strcmp(argv[i], "--allow") == 0 && i + 1 < argc) {
            add_range(&policy.allow, argv[++i], "--allow");
        } else if (strcmp(argv[i], "--dns") == 0 && i + 1 < argc) {
            char cidr[INET6_ADDRSTRLEN + 8];
            const char *address = argv[++i];
            snprintf(cidr, sizeof(cidr), "%s/%d", address, strchr(address, ':') == NULL ? 32 : 128);
            add_range(&policy.dns, cidr, "--dns");
        } else {
            usage();
        }
    }
    if (i + 1 >= argc || argv[i + 1][0] != '/') {
        usage();
    }
    char **command = &argv[i + 1];
    policy.netlink = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (policy.netlink < 0) {
        die("netlink socket: %s", strerror(errno));
    }
    int handover[2], go[2];
    if (pipe2(handover, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) {
        die("pipe: %s", strerror(errno));
    }
    pid_t guard = getpid();
    pid_t child = fork();
    if (child < 0) {
        die("fork: %s", strerror(errno));
    }
    if (child == 0) {
        /* dies with the guard: unsupervised, its calls would fail anyway */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != guard) {
            _exit(EXIT_GUARD);
        }
        close(handover[0]);
        close(go[1]);
        int listener = install_filter();
        /* the guard takes the listener with pidfd_getfd(2): sendmsg(2) would wait for the guard itself */
        if (write(handover[1], &listener, sizeof(listener)) != (ssize_t) sizeof(listener)) {
            _exit(EXIT_GUARD);
        }
        char b;
        ssize_t n;
        while ((n = read(go[0], &b, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1) {
            _exit(EXIT_GUARD); /* the guard failed and said why */
        }
        close(listener);
        execv(command[0], command);
        die("exec %s: %s", command[0], strerror(errno));
    }
    close(handover[1]);
    close(go[0]);
    int child_listener = -1;
    ssize_t n;
    while ((n = read(handover[0], &child_listener, sizeof(child_listener))) < 0 && errno == EINTR) {
    }
    if (n != (ssize_t) sizeof(child_listener)) {
        wait_for(child); /* the child said why */
        exit(EXIT_GUARD);
    }
    int pidfd = (int) syscall(SYS_pidfd_open, child, 0);
    int listener = pidfd < 0 ? -1 : (int) syscall(SYS_pidfd_getfd, pidfd, child_listener, 0);
    if (listener < 0) {
        kill(child, SIGKILL);
        die("take the seccomp listener from the child: %s", strerror(errno));
    }
    close(pidfd);
    if (write(go[1], "1", 1) != 1) {
        kill(child, SIGKILL);
        die("release the child: %s", strerror(errno));
    }
    close(go[1]);
    close(handover[0]);
    /* the program has stdin and stdout; the guard keeps only stderr */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        close(null);
    }
    supervise(&policy, listener);
    close(listener);
    return wait_for(child);
}
