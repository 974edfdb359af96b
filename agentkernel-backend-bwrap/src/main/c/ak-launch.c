/*
 * ak-launch: the host-side first process of one bubblewrap sandbox.
 *
 * Started by AgentKernel (as root or not), it prepares the process that becomes bubblewrap
 * and then execs it, so that nothing of the preparation stays behind:
 *
 *   1. --cgroup-make DIR, --cgroup-make-optional DIR, --cgroup-write FILE VALUE and
 *      --cgroup FILE, --cgroup-optional FILE (repeatable, done in the order given): makes the
 *      sandbox's cgroups (and their parent group, for the first sandbox under it; an optional
 *      one may fail), writes their limits, and joins them by writing its own pid into FILE (a
 *      cgroup's cgroup.procs; an optional one is skipped when its group is not there), so every
 *      process of the sandbox is limited from its first instruction. With --userns, the helper
 *      of point 4 is started first and runs meanwhile;
 *   2. --veth BRIDGE-IFINDEX NETWORK/PREFIX GATEWAY (root only): moves itself into a new
 *      network namespace and wires it to the host: a veth pair whose sandbox end is "eth0"
 *      (address NETWORK + this process's pid, so that no two live sandboxes on the host
 *      ever share one, without any coordination between AgentKernel processes; default
 *      route via GATEWAY; up, with "lo" up) and whose host end "akv<pid>" (or, while a
 *      namesake of an earlier sandbox lingers, "akv<pid>-N") joins the bridge
 *      BRIDGE-IFINDEX as an isolated port (it cannot talk to any other isolated port) and
 *      is brought up. bubblewrap then runs without --unshare-net and stays in this
 *      namespace. The namespace, and the veth pair with it, disappears when its last
 *      process exits: nothing needs removing afterwards.
 *      --prohibit NETWORK/PREFIX and --route NETWORK/PREFIX (repeatable, with --veth) add
 *      routes to that namespace: "prohibit" ones (a connection there fails at once with
 *      EACCES) for the private ranges the sandbox may not reach, and ones through GATEWAY for
 *      the parts of them it may (more specific, so they win). The namespace belongs to the
 *      host's user namespace, so the sandbox cannot change them.
 *      --netns PID CGROUP (with --veth; no PROGRAM): wires the existing network namespace of
 *      process PID instead of a new one (a Docker container's, which its engine made), the
 *      address being NETWORK + PID, then exits 0. PID must be in the cgroup CGROUP or one below
 *      it (AgentKernel's cgroup of the sandbox, the container's nested in it) while its pidfd is
 *      taken, and its namespace must not be this process's, so a pid reused by any other process
 *      is never wired.
 *   3. --read FD PATH / --write FD PATH (repeatable): opens PATH on descriptor FD (the
 *      seccomp filter, bubblewrap's info and block FIFOs);
 *   4. --userns BASE COUNT (root only): creates the sandbox's user namespace, in which uids
 *      and gids 0..COUNT-1 are the host's BASE..BASE+COUNT-1, so that root in the sandbox is
 *      an unprivileged host uid that owns nothing outside the sandbox. A helper child, still
 *      host root, creates the namespace; this process writes its maps and joins it later.
 *   5. --mount PATH idmap|owner|plain|overlay (repeatable, needs --stage and --userns): every host path
 *      the sandbox mounts is resolved here, as host root, and cloned into a private mount
 *      namespace of this process under --stage DIR (a tmpfs mounted there, entries "0", "1",
 *      ... in the order given), where bubblewrap binds it from. "idmap" makes the clone an
 *      idmapped mount through the sandbox's user namespace (system trees: /usr owned by root
 *      looks owned by sandbox root); "owner" (directories the user granted) idmaps it through
 *      a namespace of its own in which the directory's owner and group are the sandbox's
 *      user (--user UID, 1000 by AgentKernel's convention) and sandbox root's host id is
 *      itself: the sandbox's user writes there as the directory's owner, sandbox root as its
 *      unprivileged host uid, and no write can make a file of any other host id (host root's
 *      included); "plain" keeps host ownership as it is (AgentKernel's own directories, owned
 *      by the sandbox's mapped user); "overlay" idmaps it like "idmap" and shows it through a
 *      read-only overlay of its own (over an empty directory of the stage), so that the
 *      sandbox's mountinfo names only stage paths, not where the tree is on the host (the
 *      generated /etc tree, under the state directory). Nothing in bubblewrap's arguments names a host path
 *      then, and bubblewrap needs no permission to reach these paths.
 *      --layer PATH (repeatable, lowest first, needs --stage and --upper) and --upper
 *      tmpfs:MEGABYTES|DIR|none make the sandbox's root file system an image ("none": read-only,
 *      an overlay of the layers alone): each layer is cloned
 *      read-only and idmapped like a system tree (at stage/l0, stage/l1, ...), the writable
 *      layer is a fresh tmpfs of that size (a one-shot sandbox) or DIR, cloned as it is (a
 *      persistent sandbox's own, kept across starts), at stage/u, and an overlay of them is
 *      mounted at stage/root (nosuid, nodev), the directory bubblewrap binds as "/". The upper
 *      directory's root belongs to sandbox root (host uid BASE); the overlay is mounted by host
 *      root, so it reads the layers' whiteouts (trusted.overlay.* attributes) and the sandbox
 *      cannot change how it is mounted.
 *   6. joins the user namespace as its root (uid and gid 0, no supplementary groups) and
 *      execs PROGRAM ARGS... (everything after "--", PROGRAM an absolute path). With
 *      --host-root it stays host root instead and execs PROGRAM in the private mount namespace
 *      of point 5: an OCI runtime (runc, crun, runsc), which makes the sandbox's user namespace
 *      itself (with the same maps, so the idmapped layers and trees look the same inside) and
 *      whose bundle's root is stage/root. --umount PATH (with --host-root, repeatable) detaches
 *      PATH in that private mount namespace first (crun refuses hybrid cgroup hosts unless
 *      /sys/fs/cgroup/unified is gone from its view).
 *   7. --reap: after points 1 and 2 (and --wait), forks; the child goes on with points 3 to 6
 *      and becomes PROGRAM, the parent stays as its parent and as the reaper of everything it
 *      leaves behind (PR_SET_CHILD_SUBREAPER), and exits with PROGRAM's status (or is killed by
 *      the same signal) once the last of them is gone. bubblewrap's monitor exits as soon as it
 *      has the sandbox's status, while the sandbox's first process is still leaving; that process
 *      then became an orphan of the host's init and stayed in the sandbox's cgroup until init
 *      reaped it: AgentKernel waited for that (about a millisecond here), and on a host whose
 *      init does not reap (a container without an init) the cgroup could never be removed. With
 *      --reap, the sandbox is gone when this process has exited. The parent ignores SIGTERM,
 *      SIGINT, SIGHUP and SIGQUIT (a graceful stop signals the sandbox's own processes); SIGKILL
 *      ends it and PROGRAM with it (bubblewrap's --die-with-parent), and it gets SIGKILL when
 *      AgentKernel's process dies.
 *
 *   8. --serve FD (alone): a fork server. FD is a SOCK_SEQPACKET socket to AgentKernel, which
 *      sends one message per launch and gets the launcher's pid, its pidfd and, later, its wait
 *      status back (the protocol is described above serve() below); each launch is a fork of this
 *      process that runs as "ak-launch ARGS..." would, without the spawn and exec of a new
 *      launcher per sandbox. It dies with AgentKernel (PDEATHSIG, and the socket's end), and its
 *      launches with it (PDEATHSIG: bubblewrap dies with them).
 *
 * Any failure prints "ak-launch: <what>: <why>" on stderr and exits 125, before the
 * sandbox exists. Single file, C11 + Linux, libc only; built by src/main/sh/build-launcher.sh
 * (gcc -static, warnings as errors; "sanitize" mode: dynamic, with AddressSanitizer and UBSan).
 * Netlink requests are built by hand (rtnetlink(7)); each is acknowledged.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <grp.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_LAUNCH 125
#define MAX_OPENS 8
#define MAX_CGROUP_STEPS 64
#define MAX_MOUNTS 48
#define MAX_ROUTES 64
#define MAX_LAYERS 128

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

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...);
static unsigned long parse_id(const char *text, const char *what);

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ak-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_LAUNCH);
}

/* ---- netlink ---------------------------------------------------------------------------- */

struct request {
    struct nlmsghdr header;
    char body[1024];
};

static void request_init(struct request *r, int type, int flags, const void *payload, size_t length) {
    memset(r, 0, sizeof(*r));
    r->header.nlmsg_type = (unsigned short) type;
    r->header.nlmsg_flags = (unsigned short) (NLM_F_REQUEST | NLM_F_ACK | flags);
    r->header.nlmsg_len = (__u32) NLMSG_LENGTH(length);
    memcpy(NLMSG_DATA(&r->header), payload, length);
}

static struct rtattr *attr_add(struct request *r, int type, const void *data, size_t length) {
    size_t at = NLMSG_ALIGN(r->header.nlmsg_len);
    size_t size = RTA_LENGTH(length);
    if (at + RTA_ALIGN(size) > sizeof(*r)) {
        die("netlink request too large");
    }
    struct rtattr *a = (struct rtattr *) ((char *) r + at);
    a->rta_type = (unsigned short) type;
    a->rta_len = (unsigned short) size;
    if (length > 0) {
        memcpy(RTA_DATA(a), data, length);
    }
    r->header.nlmsg_len = (unsigned int) (at + RTA_ALIGN(size));
    return a;
}

static struct rtattr *nest_begin(struct request *r, int type) {
    return attr_add(r, type, NULL, 0);
}

static void nest_end(struct request *r, struct rtattr *nest) {
    nest->rta_len = (unsigned short) ((char *) r + r->header.nlmsg_len - (char *) nest);
}

static void attr_string(struct request *r, int type, const char *s) {
    attr_add(r, type, s, strlen(s) + 1);
}

static void attr_u32(struct request *r, int type, unsigned int v) {
    attr_add(r, type, &v, sizeof(v));
}

static int netlink_open(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        die("netlink socket: %s", strerror(errno));
    }
    return fd;
}

/* Sends one request and waits for its acknowledgement; returns 0 or the kernel's errno. */
static int netlink_call(int fd, struct request *r, const char *what) {
    static unsigned int sequence;
    r->header.nlmsg_seq = ++sequence;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, r, r->header.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0) {
        die("%s: send: %s", what, strerror(errno));
    }
    _Alignas(struct nlmsghdr) char reply[8192]; /* read as nlmsghdr: aligned for it */
    for (;;) {
        ssize_t n = recv(fd, reply, sizeof(reply), 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("%s: receive: %s", what, strerror(errno));
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *) reply; NLMSG_OK(h, (unsigned int) n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != r->header.nlmsg_seq) {
                continue;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                return -e->error;
            }
        }
    }
}

static void netlink_must(int fd, struct request *r, const char *what) {
    int error = netlink_call(fd, r, what);
    if (error != 0) {
        die("%s: %s", what, strerror(error));
    }
}

/*
 * No IPv6 address of its own for a link brought up after this (no link-local address, so
 * no duplicate-address detection or router solicitation either): nothing on the bridge
 * speaks IPv6, and the kernel's work for it would be spent on every sandbox.
 */
static void attr_no_ipv6_addresses(struct request *r) {
    struct rtattr *spec = nest_begin(r, IFLA_AF_SPEC);
    struct rtattr *inet6 = nest_begin(r, AF_INET6);
    unsigned char mode = IN6_ADDR_GEN_MODE_NONE;
    attr_add(r, IFLA_INET6_ADDR_GEN_MODE, &mode, sizeof(mode));
    nest_end(r, inet6);
    nest_end(r, spec);
}

/* Brings up the link with index `index`, without IPv6 addresses when `no_ipv6`. */
static void link_up(int fd, int index, int no_ipv6, const char *what) {
    struct ifinfomsg link = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    struct request r;
    request_init(&r, RTM_NEWLINK, 0, &link, sizeof(link));
    if (no_ipv6) {
        attr_no_ipv6_addresses(&r);
    }
    netlink_must(fd, &r, what);
}

static void parse_ipv4(const char *text, struct in_addr *address, const char *what) {
    if (inet_pton(AF_INET, text, address) != 1) {
        die("%s: not an IPv4 address: %s", what, text);
    }
}

struct route_request {
    const char *cidr;
    int prohibit; /* 1: a prohibit route; 0: through the gateway */
};

static void parse_cidr(const char *cidr, struct in_addr *network, int *prefix, const char *what) {
    char text[32];
    const char *slash = strchr(cidr, '/');
    if (slash == NULL || (size_t) (slash - cidr) >= sizeof(text)) {
        die("%s: expected NETWORK/PREFIX, got %s", what, cidr);
    }
    memcpy(text, cidr, (size_t) (slash - cidr));
    text[slash - cidr] = '\0';
    parse_ipv4(text, network, what);
    char *end;
    long p = strtol(slash + 1, &end, 10);
    if (*end != '\0' || end == slash + 1 || p < 0 || p > 32) {
        die("%s: bad prefix length in %s", what, cidr);
    }
    *prefix = (int) p;
}

/* Adds one route of `routes` to the namespace of `fd` (see the top of the file). */
static void add_route(int fd, const struct route_request *route, struct in_addr gateway, int eth0) {
    struct in_addr network;
    int prefix;
    parse_cidr(route->cidr, &network, &prefix, route->prohibit ? "--prohibit" : "--route");
    struct rtmsg rt = {.rtm_family = AF_INET, .rtm_dst_len = (unsigned char) prefix, .rtm_table = RT_TABLE_MAIN,
                       .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
                       .rtm_type = (unsigned char) (route->prohibit ? RTN_PROHIBIT : RTN_UNICAST)};
    struct request r;
    request_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
    attr_add(&r, RTA_DST, &network, sizeof(network));
    if (!route->prohibit) {
        attr_add(&r, RTA_GATEWAY, &gateway, sizeof(gateway));
        attr_u32(&r, RTA_OIF, (unsigned int) eth0);
    }
    int error = netlink_call(fd, &r, route->cidr);
    if (error != 0) {
        die("%s route %s: %s", route->prohibit ? "prohibit" : "gateway", route->cidr, strerror(error));
    }
}

/* Whether /proc/PID/cgroup names `cgroup` or a group below it in any hierarchy. */
static bool in_cgroup(pid_t pid, const char *cgroup) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    size_t length = strlen(cgroup);
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        char *colon = strchr(line, ':');
        char *group = colon == NULL ? NULL : strchr(colon + 1, ':');
        if (group == NULL) {
            continue;
        }
        group++;
        group[strcspn(group, "\n")] = '\0';
        found = strncmp(group, cgroup, length) == 0 && (group[length] == '\0' || group[length] == '/');
    }
    fclose(f);
    return found;
}

/*
 * Moves this process into the network namespace of `pid` (--netns): through a pidfd taken
 * before the process's cgroup is checked and found alive after it, so the namespace joined is
 * that of the process checked, never of a process that reused its pid; and never this
 * process's own (the host's).
 */
static void join_target_namespace(pid_t pid, const char *cgroup, int host_ns) {
    int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        die("--netns: pidfd of %d: %s", (int) pid, strerror(errno));
    }
    if (!in_cgroup(pid, cgroup)) {
        die("--netns: process %d is not in the cgroup %s", (int) pid, cgroup);
    }
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0) {
        die("--netns: process %d: %s", (int) pid, strerror(errno));
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
    struct stat own, target;
    if (fstat(host_ns, &own) != 0 || stat(path, &target) != 0) {
        die("--netns: namespace of %d: %s", (int) pid, strerror(errno));
    }
    if (own.st_dev == target.st_dev && own.st_ino == target.st_ino) {
        die("--netns: process %d is in the host's network namespace", (int) pid);
    }
    if (setns(pidfd, CLONE_NEWNET) != 0) {
        die("--netns: join the network namespace of %d: %s", (int) pid, strerror(errno));
    }
    close(pidfd);
    struct stat joined;
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0 || fstat(self, &joined) != 0 || joined.st_ino != target.st_ino || joined.st_dev != target.st_dev) {
        die("--netns: the namespace joined is not that of process %d", (int) pid);
    }
    close(self);
}

/*
 * Creates the sandbox's network namespace and its veth pair; see the top of the file.
 * Called before any descriptor of the command is opened.
 */
static void veth(const char *bridge_index_text, const char *cidr, const char *gateway_text,
                 const struct route_request *routes, int route_count, const char *target_pid, const char *target_cgroup) {
    char network_text[32];
    const char *slash = strchr(cidr, '/');
    if (slash == NULL || (size_t) (slash - cidr) >= sizeof(network_text)) {
        die("--veth: expected NETWORK/PREFIX, got %s", cidr);
    }
    memcpy(network_text, cidr, (size_t) (slash - cidr));
    network_text[slash - cidr] = '\0';
    int prefix = atoi(slash + 1);
    struct in_addr network, gateway, address;
    parse_ipv4(network_text, &network, "--veth network");
    parse_ipv4(gateway_text, &gateway, "--veth gateway");
    int bridge_index = atoi(bridge_index_text);
    if (prefix < 8 || prefix > 30 || bridge_index <= 0) {
        die("--veth: bad arguments");
    }
    /* The address's host part is the pid; the two highest pids a /10 could meet (pid_max is
     * at most 2^22) would be the broadcast address and one below, so they take the host parts
     * 2 and 3 instead: the pids of kernel threads (kthreadd and its first child), never ours. */
    unsigned long hosts = 1UL << (32 - prefix);
    unsigned long pid = target_pid == NULL ? (unsigned long) getpid() : parse_id(target_pid, "--netns pid");
    unsigned long host_part = pid >= hosts - 2 ? pid - (hosts - 4) : pid;
    unsigned long base = ntohl(network.s_addr);
    if ((base & (hosts - 1)) != 0 || host_part < 2 || host_part >= hosts - 1
            || base + host_part == ntohl(gateway.s_addr)) {
        die("--veth: pid %lu has no address in %s", pid, cidr);
    }
    address.s_addr = htonl((uint32_t) (base + host_part));

    int host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host_ns < 0) {
        die("open /proc/self/ns/net: %s", strerror(errno));
    }
    int host = netlink_open(); /* stays bound to the host's namespace */
    if (target_pid == NULL) {
        if (unshare(CLONE_NEWNET) != 0) {
            die("new network namespace: %s", strerror(errno));
        }
    } else {
        join_target_namespace((pid_t) pid, target_cgroup, host_ns);
    }
    int sandbox = netlink_open();

    /* the veth pair: eth0 here, akv<pid> in the host's namespace; if a sandbox that had this
     * pid before is still being torn down by the kernel, its name may linger: then akv<pid>-N */
    char host_if[IFNAMSIZ];
    struct request r;
    for (int attempt = 0;; attempt++) {
        if (attempt == 0) {
            snprintf(host_if, sizeof(host_if), "akv%lu", pid);
        } else {
            snprintf(host_if, sizeof(host_if), "akv%lu-%d", pid, attempt);
        }
        struct ifinfomsg none = {.ifi_family = AF_UNSPEC};
        request_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &none, sizeof(none));
        attr_string(&r, IFLA_IFNAME, "eth0");
        struct rtattr *info = nest_begin(&r, IFLA_LINKINFO);
        attr_string(&r, IFLA_INFO_KIND, "veth");
        struct rtattr *data = nest_begin(&r, IFLA_INFO_DATA);
        struct rtattr *peer = nest_begin(&r, VETH_INFO_PEER);
        r.header.nlmsg_len += NLMSG_ALIGN(sizeof(struct ifinfomsg)); /* the peer's ifinfomsg, zeroed */
        attr_string(&r, IFLA_IFNAME, host_if);
        attr_u32(&r, IFLA_NET_NS_FD, (unsigned int) host_ns);
        nest_end(&r, peer);
        nest_end(&r, data);
        nest_end(&r, info);
        int error = netlink_call(sandbox, &r, "create veth pair");
        if (error == 0) {
            break;
        }
        if (error != EEXIST || attempt == 9) {
            die("create veth pair %s: %s", host_if, strerror(error));
        }
    }
    close(host_ns);

    /* the host end: an isolated port of the bridge, then up */
    struct ifinfomsg by_name = {.ifi_family = AF_UNSPEC};
    request_init(&r, RTM_NEWLINK, 0, &by_name, sizeof(by_name));
    attr_string(&r, IFLA_IFNAME, host_if);
    attr_u32(&r, IFLA_MASTER, (unsigned int) bridge_index);
    attr_no_ipv6_addresses(&r);
    netlink_must(host, &r, "attach the host end to the bridge");
    struct ifinfomsg port = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    request_init(&r, RTM_NEWLINK, 0, &port, sizeof(port));
    attr_string(&r, IFLA_IFNAME, host_if);
    struct rtattr *info = nest_begin(&r, IFLA_LINKINFO);
    struct rtattr *data = nest_begin(&r, IFLA_INFO_SLAVE_DATA);
    unsigned char isolated = 1;
    attr_add(&r, IFLA_BRPORT_ISOLATED, &isolated, sizeof(isolated));
    nest_end(&r, data);
    nest_end(&r, info);
    netlink_must(host, &r, "isolate and bring up the host end");
    close(host);

    /* the sandbox end: loopback up, eth0 addressed and up, default route */
    link_up(sandbox, 1, 0, "bring up lo");
    int eth0 = (int) if_nametoindex("eth0");
    if (eth0 == 0) {
        die("eth0 missing after creating it: %s", strerror(errno));
    }
    struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char) prefix,
                            .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned int) eth0};
    request_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
    attr_add(&r, IFA_LOCAL, &address, sizeof(address));
    attr_add(&r, IFA_ADDRESS, &address, sizeof(address));
    netlink_must(sandbox, &r, "address eth0");
    link_up(sandbox, eth0, 1, "bring up eth0");
    struct rtmsg route = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                          .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
    request_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &route, sizeof(route));
    attr_add(&r, RTA_GATEWAY, &gateway, sizeof(gateway));
    attr_u32(&r, RTA_OIF, (unsigned int) eth0);
    netlink_must(sandbox, &r, "default route");
    for (int i = 0; i < route_count; i++) {
        add_route(sandbox, &routes[i], gateway, eth0);
    }
    close(sandbox);
}

/* ---- user namespace ---------------------------------------------------------------------- */

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s: %s", path, strerror(errno));
    }
    ssize_t n = write(fd, text, strlen(text));
    if (n != (ssize_t) strlen(text)) {
        die("write %s: %s", path, n < 0 ? strerror(errno) : "short write");
    }
    close(fd);
}

static unsigned long parse_id(const char *text, const char *what) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '\0' || v > 4294967294ULL) {
        die("%s: not a number: %s", what, text);
    }
    return (unsigned long) v;
}

/*
 * A user namespace being made by a helper child (which unshares it and waits): begun with
 * begin_user_namespace, so that this process can do other work while the helper runs, and
 * finished with end_user_namespace.
 */
struct pending_userns {
    pid_t helper;
    int ready;
    int done;
};

/* `fd` moved to a number of 64 or more (close-on-exec). */
static int high_fd(int fd) {
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 64);
    if (high < 0) {
        die("fcntl: %s", strerror(errno));
    }
    close(fd);
    return high;
}

static struct pending_userns begin_user_namespace(void) {
    int ready[2], done[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(done, O_CLOEXEC) != 0) {
        die("pipe: %s", strerror(errno));
    }
    pid_t helper = fork();
    if (helper < 0) {
        die("fork: %s", strerror(errno));
    }
    if (helper == 0) {
        close(ready[0]);
        close(done[1]);
        char status = unshare(CLONE_NEWUSER) == 0 ? 0 : (char) errno;
        if (write(ready[1], &status, 1) != 1) {
            _exit(1);
        }
        char b;
        while (read(done[0], &b, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    /* above the descriptors that --read and --write place (they are opened meanwhile) */
    return (struct pending_userns) {helper, high_fd(ready[0]), high_fd(done[1])};
}

/*
 * Waits for the helper's namespace, writes its `uid_map` and `gid_map` from this process (host
 * root) and returns a descriptor of it; the helper is gone on return.
 */
static int end_user_namespace(struct pending_userns p, const char *uid_map, const char *gid_map) {
    char status = 0;
    ssize_t n;
    while ((n = read(p.ready, &status, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1 || status != 0) {
        die("new user namespace: %s", n == 1 ? strerror(status) : "the helper died");
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int) p.helper);
    write_file(path, uid_map);
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int) p.helper);
    write_file(path, gid_map);
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) p.helper);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns < 0) {
        die("open %s: %s", path, strerror(errno));
    }
    close(p.done); /* the helper exits; the namespace lives on through `userns` */
    close(p.ready);
    while (waitpid(p.helper, NULL, 0) < 0 && errno == EINTR) {
    }
    return userns;
}

/* A user namespace with these maps, made by a helper child (see begin_user_namespace). */
static int new_user_namespace(const char *uid_map, const char *gid_map) {
    return end_user_namespace(begin_user_namespace(), uid_map, gid_map);
}

/* The sandbox's ids: 0..count-1 inside are base..base+count-1 on the host. */
struct id_range {
    unsigned long base;
    unsigned long count;
};

static struct id_range parse_range(const char *base_text, const char *count_text) {
    struct id_range r = {parse_id(base_text, "--userns base"), parse_id(count_text, "--userns count")};
    if (r.count < 1 || r.base < 1 || r.base + r.count - 1 > 4294967294UL) {
        die("--userns: bad range %lu+%lu", r.base, r.count);
    }
    return r;
}

/* The sandbox's user namespace, from the helper `pending` (begun before the cgroups were made). */
static int sandbox_user_namespace(struct pending_userns pending, struct id_range r) {
    char map[96];
    snprintf(map, sizeof(map), "0 %lu %lu\n", r.base, r.count);
    return end_user_namespace(pending, map, map);
}

/*
 * The idmapping of a directory the user granted: its owner (uid, and its group) on disk is the
 * sandbox's user inside, and what sandbox root writes there belongs to sandbox root's host id
 * (unprivileged, owns nothing else); every other on-disk id is unmapped (shown as the overflow
 * id, and nothing the sandbox writes can take it), so no file the sandbox makes there belongs
 * to host root.
 */
static int owner_user_namespace(struct id_range r, unsigned long user, uid_t owner, gid_t group) {
    char uid_map[128], gid_map[128];
    unsigned long inside = r.base + user;
    if ((unsigned long) owner == r.base) {
        snprintf(uid_map, sizeof(uid_map), "%lu %lu 1\n", (unsigned long) owner, inside);
    } else {
        snprintf(uid_map, sizeof(uid_map), "%lu %lu 1\n%lu %lu 1\n", (unsigned long) owner, inside, r.base, r.base);
    }
    if ((unsigned long) group == r.base) {
        snprintf(gid_map, sizeof(gid_map), "%lu %lu 1\n", (unsigned long) group, inside);
    } else {
        snprintf(gid_map, sizeof(gid_map), "%lu %lu 1\n%lu %lu 1\n", (unsigned long) group, inside, r.base, r.base);
    }
    return new_user_namespace(uid_map, gid_map);
}

/* Joins the user namespace as its root: uid and gid 0 there, no supplementary groups. */
static void become_namespace_root(int userns) {
    if (setns(userns, CLONE_NEWUSER) != 0) {
        die("join the user namespace: %s", strerror(errno));
    }
    close(userns);
    if (setgroups(0, NULL) != 0 || setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
        die("become root of the user namespace: %s", strerror(errno));
    }
}

/* ---- --reap ------------------------------------------------------------------------------ */

static const int STOP_SIGNALS[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

static void stop_signals(void (*action)(int)) {
    for (size_t s = 0; s < sizeof(STOP_SIGNALS) / sizeof(STOP_SIGNALS[0]); s++) {
        signal(STOP_SIGNALS[s], action);
    }
}

/* The reaper of point 7 (0: none, the child is not under one). */
static pid_t reaper = 0;

/*
 * Until bubblewrap sets its own (--die-with-parent), the child of point 7 dies with the reaper:
 * after the fork, and again after its credentials changed (which clears the setting), so that
 * no window is left in which the reaper's death leaves it running on its own.
 */
static void die_with_reaper(void) {
    if (reaper == 0) {
        return;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0) {
        die("die with the launcher: %s", strerror(errno));
    }
    if (getppid() != reaper) {
        die("the launcher exited before the sandbox started");
    }
}

/*
 * Point 7 of the header: forks; returns in the child, which goes on to prepare and become
 * PROGRAM; the parent stays as the reaper of it and of every orphan it leaves, and exits as
 * the child ended once the last of them is gone. Forked before the user namespace and the
 * staged mounts, so that the parent has none of its own to tear down when it exits (host root
 * in the host's namespaces but the cgroup's and network's; nothing in the sandbox can see it).
 * `parent` is this process's parent when it started: the reaper dies with it, as bubblewrap
 * (--die-with-parent) dies with the reaper.
 */
static void fork_reaper(pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0) {
        die("become a subreaper: %s", strerror(errno));
    }
    if (getppid() != parent) {
        die("AgentKernel exited before the sandbox started");
    }
    stop_signals(SIG_IGN); /* before the fork: no window in which a stop signal ends this process */
    reaper = getpid();
    pid_t child = fork();
    if (child < 0) {
        die("fork: %s", strerror(errno));
    }
    if (child == 0) {
        stop_signals(SIG_DFL);
        die_with_reaper();
        return;
    }
    /* Nothing of the sandbox's stays open here: bubblewrap's info and block FIFOs and the seccomp
     * filter reach their ends when bubblewrap is done with them, the standard streams when the
     * sandbox's processes are (standard error stays, for this process's own errors). */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || close_range(3, ~0U, 0) != 0) {
        die("close the sandbox's descriptors: %s", strerror(errno));
    }
    int status = 0;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, __WALL);
        if (p < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == ECHILD) {
                break;
            }
            die("wait: %s", strerror(errno));
        }
        if (p == child) {
            status = st;
        }
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none); /* the same end, without a core file of this process */
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_LAUNCH);
}

/* ---- staged mounts ----------------------------------------------------------------------- */

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

/* How a staged source's ownership looks inside (see the header, point 5). */
enum mount_kind { MOUNT_PLAIN, MOUNT_IDMAP, MOUNT_OWNER, MOUNT_OVERLAY };

struct staged_mount {
    const char *path;
    enum mount_kind kind;
};

static void set_idmap(int tree, const char *path, int userns) {
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long) userns};
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) != 0) {
        /* a file system without idmapped mounts: the sandbox sees host ownership as is (its
         * own uids own nothing there), which is safe, only less convenient */
        if (errno != EINVAL && errno != EOPNOTSUPP && errno != EPERM) {
            die("idmapped mount of %s: %s", path, strerror(errno));
        }
    }
}

/*
 * Clones `m->path` (recursively) as a detached mount: as it is (plain), idmapped through the
 * sandbox's user namespace (idmap) or through one that makes its owner the sandbox's user
 * (owner).
 */
static int clone_tree(const struct staged_mount *m, int userns, struct id_range r, unsigned long user) {
    int fd = (int) syscall(SYS_open_tree, AT_FDCWD, m->path,
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_NO_AUTOMOUNT);
    if (fd < 0) {
        die("mount source %s: %s", m->path, strerror(errno));
    }
    switch (m->kind) {
        case MOUNT_PLAIN:
            break;
        case MOUNT_IDMAP:
        case MOUNT_OVERLAY:
            set_idmap(fd, m->path, userns);
            break;
        case MOUNT_OWNER: {
            struct stat st;
            if (fstat(fd, &st) != 0) {
                die("stat %s: %s", m->path, strerror(errno));
            }
            int owner = owner_user_namespace(r, user, st.st_uid, st.st_gid);
            set_idmap(fd, m->path, owner);
            close(owner);
            break;
        }
    }
    return fd;
}

static void stage_image_root(const char *stage, const char **layers, int count, const char *upper, int userns,
                             struct id_range r);

/*
 * Moves this process into a private mount namespace and attaches every source under
 * `stage` (a fresh tmpfs there): stage/0, stage/1, ...
 */
static void stage_mounts(const char *stage, const struct staged_mount *mounts, int count, int userns,
                         struct id_range r, unsigned long user, const char **layers, int layer_count,
                         const char *upper) {
    int trees[MAX_MOUNTS];
    for (int i = 0; i < count; i++) {
        trees[i] = clone_tree(&mounts[i], userns, r, user);
    }
    if (unshare(CLONE_NEWNS) != 0) {
        die("new mount namespace: %s", strerror(errno));
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        die("make mounts private: %s", strerror(errno));
    }
    if (mount("ak-stage", stage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") != 0) {
        die("mount a tmpfs on %s: %s", stage, strerror(errno));
    }
    for (int i = 0; i < count; i++) {
        struct stat st;
        if (fstat(trees[i], &st) != 0) {
            die("stat %s: %s", mounts[i].path, strerror(errno));
        }
        char target[2048];
        snprintf(target, sizeof(target), "%s/%d", stage, i);
        char source[2100];
        bool overlay = mounts[i].kind == MOUNT_OVERLAY && S_ISDIR(st.st_mode);
        if (overlay) {
            snprintf(source, sizeof(source), "%s/%ds", stage, i);
        } else {
            snprintf(source, sizeof(source), "%s", target);
        }
        int made = S_ISDIR(st.st_mode) ? mkdir(source, 0755) : mknod(source, S_IFREG | 0644, 0);
        if (made != 0) {
            die("create %s: %s", source, strerror(errno));
        }
        if (syscall(SYS_move_mount, trees[i], "", AT_FDCWD, source, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            die("attach %s: %s", mounts[i].path, strerror(errno));
        }
        close(trees[i]);
        if (overlay) {
            char empty[2100], options[4400];
            snprintf(empty, sizeof(empty), "%s/empty", stage);
            if (mkdir(empty, 0755) != 0 && errno != EEXIST) {
                die("create %s: %s", empty, strerror(errno));
            }
            snprintf(options, sizeof(options), "lowerdir=%s:%s", source, empty);
            if (mkdir(target, 0755) != 0
                || mount("ak-tree", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) != 0) {
                die("overlay of %s: %s", mounts[i].path, strerror(errno));
            }
        }
    }
    if (layer_count > 0) {
        stage_image_root(stage, layers, layer_count, upper, userns, r);
    }
}

/*
 * The sandbox's root file system from an image (see the header, point 5): the layers at
 * stage/l<i>, idmapped, the writable layer at stage/u, and their overlay at stage/root.
 */
static void stage_image_root(const char *stage, const char **layers, int count, const char *upper, int userns,
                             struct id_range r) {
    char path[2048], upper_dir[4096], work_dir[4096];
    static char options[16384];
    int used = snprintf(options, sizeof(options), "lowerdir=");
    for (int i = count - 1; i >= 0; i--) {
        struct staged_mount m = {layers[i], MOUNT_IDMAP};
        int tree = clone_tree(&m, userns, r, 0);
        snprintf(path, sizeof(path), "%s/l%d", stage, i);
        if (mkdir(path, 0755) != 0) {
            die("create %s: %s", path, strerror(errno));
        }
        if (syscall(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            die("attach layer %s: %s", layers[i], strerror(errno));
        }
        close(tree);
        used += snprintf(options + used, sizeof(options) - (size_t) used, "%s%s", path, i > 0 ? ":" : "");
        if ((size_t) used >= sizeof(options)) {
            die("too many layers for one overlay mount");
        }
    }
    if (strcmp(upper, "none") == 0) {
        /* a read-only root: an overlay of the layers alone (overlayfs without an upper layer) */
        snprintf(path, sizeof(path), "%s/root", stage);
        if (mkdir(path, 0755) != 0) {
            die("create %s: %s", path, strerror(errno));
        }
        if (mount("ak-image", path, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) != 0) {
            die("mount the image's layers (overlay, read-only): %s", strerror(errno));
        }
        return;
    }
    snprintf(path, sizeof(path), "%s/u", stage);
    if (mkdir(path, 0755) != 0) {
        die("create %s: %s", path, strerror(errno));
    }
    if (strncmp(upper, "tmpfs:", 6) == 0) {
        unsigned long megabytes = parse_id(upper + 6, "--upper tmpfs size");
        char data[64];
        snprintf(data, sizeof(data), "mode=0755,size=%lum", megabytes);
        if (megabytes < 1 || mount("ak-root", path, "tmpfs", MS_NOSUID | MS_NODEV, data) != 0) {
            die("mount the writable layer (%lu MB of memory): %s", megabytes, strerror(errno));
        }
    } else {
        struct staged_mount m = {upper, MOUNT_PLAIN};
        int tree = clone_tree(&m, userns, r, 0);
        if (syscall(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            die("attach the writable layer %s: %s", upper, strerror(errno));
        }
        close(tree);
    }
    snprintf(upper_dir, sizeof(upper_dir), "%s/upper", path);
    snprintf(work_dir, sizeof(work_dir), "%s/work", path);
    struct stat st;
    if (lstat(upper_dir, &st) != 0) {
        if (mkdir(upper_dir, 0755) != 0 || chown(upper_dir, (uid_t) r.base, (gid_t) r.base) != 0) {
            die("create %s: %s", upper_dir, strerror(errno));
        }
    } else if (!S_ISDIR(st.st_mode)) {
        die("the writable layer %s/upper is not a directory", upper);
    }
    if (lstat(work_dir, &st) != 0 && mkdir(work_dir, 0700) != 0) {
        die("create %s: %s", work_dir, strerror(errno));
    }
    used += snprintf(options + used, sizeof(options) - (size_t) used, ",upperdir=%s,workdir=%s", upper_dir, work_dir);
    if ((size_t) used >= sizeof(options)) {
        die("too many layers for one overlay mount");
    }
    snprintf(path, sizeof(path), "%s/root", stage);
    if (mkdir(path, 0755) != 0) {
        die("create %s: %s", path, strerror(errno));
    }
    if (mount("ak-image", path, "overlay", MS_NOSUID | MS_NODEV, options) != 0) {
        die("mount the image's layers (overlay): %s", strerror(errno));
    }
}

/* ---- descriptors and cgroups ------------------------------------------------------------ */

struct open_request {
    int fd;
    int flags;
    const char *path;
};

/* One step of making the sandbox's cgroups (point 1 of the header), in the order given. */
struct cgroup_step {
    enum { CG_MAKE, CG_MAKE_OPTIONAL, CG_WRITE, CG_JOIN, CG_JOIN_OPTIONAL } kind;
    const char *path;
    const char *value; /* CG_WRITE */
};

/*
 * Creates the cgroup DIR, and its parent group first if this is the first sandbox under it; an
 * optional one that cannot be made is left out (its join is skipped).
 */
static void make_cgroup(const char *dir, bool optional) {
    if (mkdir(dir, 0755) == 0) {
        return;
    }
    if (errno == ENOENT) {
        char parent[4096];
        snprintf(parent, sizeof(parent), "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash != NULL && slash != parent) {
            *slash = 0;
            if ((mkdir(parent, 0755) == 0 || errno == EEXIST) && mkdir(dir, 0755) == 0) {
                return;
            }
        }
    }
    if (!optional) {
        die("create control group %s: %s", dir, strerror(errno));
    }
}

static void join_cgroup(const char *procs, bool optional) {
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && optional && errno == ENOENT) {
        return; /* an optional group that could not be made */
    }
    if (fd < 0) {
        die("join cgroup %s: %s", procs, strerror(errno));
    }
    char pid[24];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
    if (write(fd, pid, (size_t) n) != n) {
        die("join cgroup %s: %s", procs, strerror(errno));
    }
    close(fd);
}

static void cgroup_steps(const struct cgroup_step *steps, int count) {
    for (int c = 0; c < count; c++) {
        const struct cgroup_step *st = &steps[c];
        switch (st->kind) {
            case CG_MAKE:
            case CG_MAKE_OPTIONAL:
                make_cgroup(st->path, st->kind == CG_MAKE_OPTIONAL);
                break;
            case CG_WRITE:
                write_file(st->path, st->value);
                break;
            case CG_JOIN:
            case CG_JOIN_OPTIONAL:
                join_cgroup(st->path, st->kind == CG_JOIN_OPTIONAL);
                break;
        }
    }
}

static void open_on(const struct open_request *o) {
    int fd = open(o->path, o->flags);
    if (fd < 0) {
        die("open %s: %s", o->path, strerror(errno));
    }
    if (fd != o->fd) {
        if (dup2(fd, o->fd) < 0) {
            die("dup2 %s: %s", o->path, strerror(errno));
        }
        close(fd);
    }
}

static int parse_fd(const char *text) {
    char *end;
    long fd = strtol(text, &end, 10);
    if (*end != '\0' || fd < 3 || fd > 64) {
        die("descriptor must be 3..64: %s", text);
    }
    return (int) fd;
}

/*
 * --wait FIFO: blocks until the caller writes 'g' into FIFO (which it holds open read-write),
 * after the network namespace exists: the caller admits the sandbox's address to its egress
 * rules in between, so no packet leaves before the rules hold. Anything else ends the launch.
 */
static void await_go(const char *fifo) {
    int fd = open(fifo, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s: %s", fifo, strerror(errno));
    }
    char go = 0;
    ssize_t n;
    do {
        n = read(fd, &go, 1);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n != 1 || go != 'g') {
        die("launch called off");
    }
}

__attribute__((noreturn)) static void usage(void) {
    die("usage: ak-launch [--cgroup-make[-optional] DIR | --cgroup-write FILE VALUE | --cgroup[-optional] FILE]... [--veth BRIDGE-IFINDEX NETWORK/PREFIX GATEWAY "
        "[--prohibit NETWORK/PREFIX]... [--route NETWORK/PREFIX]...] "
        "[--netns PID CGROUP] [--wait FIFO] [--reap] [--read FD PATH]... [--write FD PATH]... "
        "[--userns BASE COUNT [--user UID] [--stage DIR] [--mount PATH idmap|owner|plain|overlay]... "
        "[--layer PATH... --upper tmpfs:MB|DIR|none] [--host-root [--umount PATH]...]] "
        "-- PROGRAM [ARG]...");
}

static int launch(int argc, char **argv) {
    pid_t parent = getppid();
    struct cgroup_step cgroups[MAX_CGROUP_STEPS];
    int cgroup_count = 0;
    struct open_request opens[MAX_OPENS];
    int open_count = 0;
    char **net = NULL;
    const char *userns_base = NULL, *userns_count = NULL, *stage = NULL, *user_text = NULL;
    struct staged_mount mounts[MAX_MOUNTS];
    int mount_count = 0;
    struct route_request routes[MAX_ROUTES];
    int route_count = 0;
    const char *layers[MAX_LAYERS];
    int layer_count = 0;
    const char *upper = NULL;
    bool host_root = false;
    bool reap = false;
    const char *umounts[MAX_OPENS];
    int umount_count = 0;
    const char *wait_fifo = NULL;
    const char *netns_pid = NULL, *netns_cgroup = NULL;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if ((strcmp(argv[i], "--cgroup") == 0 || strcmp(argv[i], "--cgroup-optional") == 0
             || strcmp(argv[i], "--cgroup-make") == 0 || strcmp(argv[i], "--cgroup-make-optional") == 0)
            && i + 1 < argc && cgroup_count < MAX_CGROUP_STEPS) {
            cgroups[cgroup_count].kind = strcmp(argv[i], "--cgroup") == 0 ? CG_JOIN
                    : strcmp(argv[i], "--cgroup-optional") == 0 ? CG_JOIN_OPTIONAL
                    : strcmp(argv[i], "--cgroup-make") == 0 ? CG_MAKE : CG_MAKE_OPTIONAL;
            cgroups[cgroup_count].value = NULL;
            cgroups[cgroup_count++].path = argv[++i];
        } else if (strcmp(argv[i], "--cgroup-write") == 0 && i + 2 < argc && cgroup_count < MAX_CGROUP_STEPS) {
            cgroups[cgroup_count].kind = CG_WRITE;
            cgroups[cgroup_count].path = argv[i + 1];
            cgroups[cgroup_count++].value = argv[i + 2];
            i += 2;
        } else if (strcmp(argv[i], "--veth") == 0 && i + 3 < argc) {
            net = &argv[i + 1];
            i += 3;
        } else if ((strcmp(argv[i], "--read") == 0 || strcmp(argv[i], "--write") == 0) && i + 2 < argc
                   && open_count < MAX_OPENS) {
            opens[open_count].flags = strcmp(argv[i], "--read") == 0 ? O_RDONLY : O_WRONLY;
            opens[open_count].fd = parse_fd(argv[i + 1]);
            opens[open_count].path = argv[i + 2];
            open_count++;
            i += 2;
        } else if ((strcmp(argv[i], "--prohibit") == 0 || strcmp(argv[i], "--route") == 0) && i + 1 < argc
                   && route_count < MAX_ROUTES) {
            routes[route_count].prohibit = strcmp(argv[i], "--prohibit") == 0;
            routes[route_count].cidr = argv[++i];
            route_count++;
        } else if (strcmp(argv[i], "--userns") == 0 && i + 2 < argc) {
            userns_base = argv[i + 1];
            userns_count = argv[i + 2];
            i += 2;
        } else if (strcmp(argv[i], "--stage") == 0 && i + 1 < argc) {
            stage = argv[++i];
        } else if (strcmp(argv[i], "--layer") == 0 && i + 1 < argc && layer_count < MAX_LAYERS) {
            layers[layer_count++] = argv[++i];
        } else if (strcmp(argv[i], "--upper") == 0 && i + 1 < argc) {
            upper = argv[++i];
        } else if (strcmp(argv[i], "--netns") == 0 && i + 2 < argc) {
            netns_pid = argv[i + 1];
            netns_cgroup = argv[i + 2];
            i += 2;
        } else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
            wait_fifo = argv[++i];
        } else if (strcmp(argv[i], "--reap") == 0) {
            reap = true;
        } else if (strcmp(argv[i], "--host-root") == 0) {
            host_root = true;
        } else if (strcmp(argv[i], "--umount") == 0 && i + 1 < argc && umount_count < MAX_OPENS) {
            umounts[umount_count++] = argv[++i];
        } else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
            user_text = argv[++i];
        } else if (strcmp(argv[i], "--mount") == 0 && i + 2 < argc && mount_count < MAX_MOUNTS
                   && (strcmp(argv[i + 2], "idmap") == 0 || strcmp(argv[i + 2], "plain") == 0
                       || strcmp(argv[i + 2], "owner") == 0 || strcmp(argv[i + 2], "overlay") == 0)) {
            mounts[mount_count].path = argv[i + 1];
            mounts[mount_count].kind = strcmp(argv[i + 2], "idmap") == 0 ? MOUNT_IDMAP
                    : strcmp(argv[i + 2], "overlay") == 0 ? MOUNT_OVERLAY
                    : strcmp(argv[i + 2], "owner") == 0 ? MOUNT_OWNER : MOUNT_PLAIN;
            mount_count++;
            i += 2;
        } else {
            usage();
        }
    }
    if (netns_pid != NULL) {
        /* wire-only: nothing else may be asked for, and no program follows */
        if (net == NULL || i + 1 < argc || cgroup_count > 0 || open_count > 0 || userns_base != NULL
            || wait_fifo != NULL || reap || netns_cgroup[0] != '/') {
            usage();
        }
        veth(net[0], net[1], net[2], routes, route_count, netns_pid, netns_cgroup);
        return 0;
    }
    if (i + 1 >= argc || argv[i + 1][0] != '/' || (mount_count > 0 && (stage == NULL || userns_base == NULL))
        || (route_count > 0 && net == NULL) || (host_root && userns_base == NULL)
        || (umount_count > 0 && (!host_root || stage == NULL))
        || ((layer_count > 0 || upper != NULL) && (stage == NULL || userns_base == NULL || upper == NULL
                                                    || layer_count == 0))) {
        usage();
    }
    char **command = &argv[i + 1];
    /* The user namespace's helper runs while the cgroups are made (it is not in them: it only
     * unshares and exits). */
    struct pending_userns pending = {-1, -1, -1};
    if (userns_base != NULL) {
        pending = begin_user_namespace();
    }
    cgroup_steps(cgroups, cgroup_count);
    if (net != NULL) {
        veth(net[0], net[1], net[2], routes, route_count, NULL, NULL);
    }
    if (wait_fifo != NULL) {
        await_go(wait_fifo);
    }
    if (reap) {
        fork_reaper(parent);
    }
    for (int o = 0; o < open_count; o++) {
        open_on(&opens[o]);
    }
    if (userns_base != NULL) {
        struct id_range range = parse_range(userns_base, userns_count);
        unsigned long user = user_text == NULL ? 0 : parse_id(user_text, "--user");
        if (user >= range.count) {
            die("--user %lu is outside the sandbox's %lu ids", user, range.count);
        }
        int userns = sandbox_user_namespace(pending, range);
        if (stage != NULL) {
            stage_mounts(stage, mounts, mount_count, userns, range, user, layers, layer_count, upper);
        }
        if (host_root) {
            close(userns);
            for (int u = 0; u < umount_count; u++) {
                if (umount2(umounts[u], MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
                    die("detach %s: %s", umounts[u], strerror(errno));
                }
            }
        } else {
            become_namespace_root(userns);
            die_with_reaper();
        }
    }
    execv(command[0], command);
    die("exec %s: %s", command[0], strerror(errno));
}

/* ---- --serve ----------------------------------------------------------------------------- */

#define SERVE_MAX_MESSAGE (256 * 1024)
#define SERVE_MAX_STRINGS 8192

enum { REPLY_STARTED = 1, REPLY_EXITED = 2 };

/* What the server sends: REPLY_STARTED (value: 0 or the errno of a launch that could not be
 * forked; the launcher's pidfd as SCM_RIGHTS when 0) or REPLY_EXITED (value: the wait status). */
struct reply {
    int32_t type;
    int32_t value;
    int64_t seq;
    int32_t pid;
    int32_t reserved;
};

static void send_reply(int sock, struct reply r, int fd) {
    struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        _exit(errno == EPIPE ? 0 : EXIT_LAUNCH); /* AgentKernel is gone: so are we, and our launches with us */
    }
}

/* Splits `count` NUL-terminated strings off [*at, end) into out[0..count-1]; false if they are not there. */
static bool take_strings(char **at, char *end, char **out, uint32_t count) {
    for (uint32_t k = 0; k < count; k++) {
        char *nul = memchr(*at, '\0', (size_t) (end - *at));
        if (nul == NULL) {
            return false;
        }
        out[k] = *at;
        *at = nul + 1;
    }
    out[count] = NULL;
    return true;
}

/* The forked launch: the request's streams on 0-2, nothing else open, its environment and
 * directory, every signal as on a fresh exec; then what "ak-launch ARGS..." does. */
__attribute__((noreturn)) static void serve_child(pid_t server, const int fds[3], char **argv, int argc, char **envp,
                                                  const char *dir) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0 || getppid() != server) {
        _exit(EXIT_LAUNCH);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int f = 0; f < 3; f++) {
        if (dup2(fds[f], f) < 0) {
            _exit(EXIT_LAUNCH);
        }
    }
    if (close_range(3, ~0U, 0) != 0) {
        die("close descriptors: %s", strerror(errno));
    }
    if (dir[0] != '\0' && chdir(dir) != 0) {
        die("chdir %s: %s", dir, strerror(errno));
    }
    environ = envp;
    exit(launch(argc, argv));
}

/*
 * --serve FD. Requests, one SOCK_SEQPACKET message each: int64 seq, uint32 argc, uint32 envc,
 * then argc + envc + 1 NUL-terminated strings (ARGS... with argv[0] the launcher's name, then
 * NAME=VALUE..., then the working directory, empty for the server's own), with exactly three
 * descriptors as SCM_RIGHTS (the launch's standard input, output and error). Answers: one
 * REPLY_STARTED per request, in order (carrying the launch's pidfd), and one REPLY_EXITED per
 * launch when it has ended (this server reaps it). A malformed request is answered with EINVAL.
 * The server ends when the socket does (AgentKernel closed it or died).
 */
static int serve(int sock) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) != 0) {
        die("die with AgentKernel: %s", strerror(errno));
    }
    if (getppid() != parent || parent == 1) {
        return 0;
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0 || fcntl(sock, F_SETFD, FD_CLOEXEC) != 0) {
        die("serve: %s", strerror(errno));
    }
    static char message[SERVE_MAX_MESSAGE + 1];
    static char *strings[SERVE_MAX_STRINGS + 2];
    pid_t self = getpid();
    for (;;) {
        struct pollfd pfd[2] = {{.fd = sock, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll: %s", strerror(errno));
        }
        if (pfd[1].revents) {
            struct signalfd_siginfo info;
            while (read(sigfd, &info, sizeof info) > 0) {
                /* drained: the reap below finds every launch that ended */
            }
            int status;
            pid_t p;
            while ((p = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
                send_reply(sock, (struct reply) {.type = REPLY_EXITED, .value = status, .pid = p}, -1);
            }
        }
        if (pfd[0].revents == 0) {
            continue;
        }
        union {
            char buf[CMSG_SPACE(3 * sizeof(int))];
            struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = message, .iov_len = SERVE_MAX_MESSAGE};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf};
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return 0; /* AgentKernel closed the socket or is gone; our launches die with us */
        }
        int fds[3] = {-1, -1, -1};
        int nfds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t k = 0; k < count; k++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
                    if (nfds < 3) {
                        fds[nfds++] = fd;
                    } else {
                        close(fd);
                    }
                }
            }
        }
        int64_t seq = 0;
        uint32_t argc = 0, envc = 0;
        bool valid = n >= 16 && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && nfds == 3;
        if (valid) {
            memcpy(&seq, message, 8);
            memcpy(&argc, message + 8, 4);
            memcpy(&envc, message + 12, 4);
            message[n] = '\0';
            char *at = message + 16, *end = message + n;
            valid = argc >= 2 && envc <= SERVE_MAX_STRINGS && argc <= SERVE_MAX_STRINGS - envc
                    && take_strings(&at, end, strings, argc);
        }
        char **envp = NULL;
        const char *dir = "";
        if (valid) {
            char *at = message + 16;
            for (uint32_t k = 0; k < argc; k++) {
                at += strlen(at) + 1;
            }
            /* the environment after argv's NULL, in the same array */
            envp = &strings[argc + 1];
            valid = take_strings(&at, message + n, envp, envc) && at < message + n;
            if (valid) {
                dir = at;
                valid = memchr(at, '\0', (size_t) (message + n - at)) != NULL;
            }
        }
        pid_t child = -1;
        int error = 0;
        if (!valid) {
            error = EINVAL;
        } else {
            child = fork();
            if (child == 0) {
                close(sigfd);
                close(sock);
                serve_child(self, fds, strings, (int) argc, envp, dir);
            }
            if (child < 0) {
                error = errno;
            }
        }
        for (int k = 0; k < nfds; k++) {
            close(fds[k]);
        }
        int pidfd = child > 0 ? (int) syscall(SYS_pidfd_open, child, 0) : -1;
        if (child > 0 && pidfd < 0) {
            error = errno;
            kill(child, SIGKILL); /* reaped, and reported, as any other */
        }
        send_reply(sock, (struct reply) {.type = REPLY_STARTED, .value = error, .seq = seq, .pid = child > 0 ? child : 0},
                   pidfd);
        if (pidfd >= 0) {
            close(pidfd);
        }
    }
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
        return serve(parse_fd(argv[2]));
    }
    return launch(argc, argv);
}
