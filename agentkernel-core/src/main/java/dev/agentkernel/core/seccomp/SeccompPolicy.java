package dev.agentkernel.core.seccomp;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sandbox's seccomp filter refuses. Denied syscalls fail with {@code EPERM}; with
 * {@code denyNamespaceCreation}, {@code clone} with any {@code CLONE_NEW*} flag fails with
 * {@code EPERM} and {@code clone3} with {@code ENOSYS} (so libc falls back to {@code clone}, whose
 * flags a filter can inspect). The compiled filter always refuses {@code TIOCSTI} and
 * {@code TIOCLINUX} ioctls, {@code AF_VSOCK} sockets, set-user/group-ID file modes (with
 * {@code openat2}, whose mode it cannot read, failing with {@code ENOSYS}), syscall numbers newer
 * than its architecture's table ({@code ENOSYS}), foreign architectures and, on x86_64, the x32 ABI.
 *
 * @param deniedSyscalls        names of syscalls that always fail with {@code EPERM}; names an
 *                              architecture lacks are skipped when compiling for it
 * @param denyNamespaceCreation whether creating namespaces via {@code clone}/{@code clone3} is refused
 */
public record SeccompPolicy(Set<String> deniedSyscalls, boolean denyNamespaceCreation) {

    /*
     * Reviewed syscall by syscall against Linux 6.18's x86_64 table (newest: file_setattr, 469),
     * Docker's default profile (moby profiles/seccomp/default.json) and crun/Podman's (containers/
     * common seccomp.json). Sandboxed code runs as uid 0 without capabilities, in its own pid,
     * mount, ipc, uts, cgroup and network namespaces, with no_new_privs. Denied calls fail with
     * EPERM. Rules the compiler always adds: foreign architectures and the i386 ABI are killed;
     * x32 numbers fail (EPERM); numbers above the table's newest fail with ENOSYS; clone with a
     * CLONE_NEW* flag (EPERM) and clone3 (ENOSYS, libc falls back to clone); TIOCSTI/TIOCLINUX
     * ioctls; socket(AF_VSOCK) (not confined by network namespaces; Docker refuses it too);
     * set-id modes in chmod, fchmod, fchmodat, fchmodat2, creat, open, openat, mknod, mknodat
     * (EPERM); openat2 (ENOSYS: its mode is in struct open_how, out of BPF's reach).
     *
     * Allowed on purpose (the kernel's own checks suffice, or the call only affects the caller):
     * - pidfd_open, pidfd_send_signal, process_mrelease: like kill(2), and the pid namespace
     *   hides every host process (Docker allows them).
     * - close_range, faccessat2, epoll_pwait2, futex_waitv, futex_wake/wait/requeue, cachestat,
     *   map_shadow_stack, mseal, rseq: everyday libc/runtime calls on the caller's own state;
     *   denying faccessat2 broke glibc's access() in Docker before it allowed it.
     * - landlock_*: can only take rights away from the caller.
     * - memfd_secret: memory hidden even from the kernel's direct map, charged to the caller's
     *   mlock limit; no host access (Docker allows it).
     * - set_mempolicy_home_node, mbind, set_mempolicy, get_mempolicy, migrate_pages, move_pages:
     *   Docker requires CAP_SYS_NICE; here NUMA policy of the caller's own memory is harmless and
     *   JVMs use it, and moving another process's pages needs CAP_SYS_NICE, which nothing has.
     * - statmount, listmount: the same facts as /proc/self/mountinfo, for the sandbox's own
     *   mount namespace only.
     * - lsm_get_self_attr, lsm_set_self_attr, lsm_list_modules: the same as /proc/self/attr,
     *   under the LSM's own policy.
     * - setxattrat, getxattrat, listxattrat, removexattrat, file_getattr, file_setattr: the *xattr
     *   and FS_IOC_FSGETXATTR/FSSETXATTR calls with a dirfd; security.* names and immutable flags
     *   need capabilities the sandbox lacks.
     * - uretprobe (x86_64): does nothing unless called from the kernel's own uprobe trampoline;
     *   denying it would break host-side uretprobes on sandboxed processes.
     * - seccomp, prctl, personality: can only add filters, or change the caller's own execution
     *   domain (Docker limits personality to a few values; READ_IMPLIES_EXEC/ADDR_NO_RANDOMIZE
     *   only weaken the caller itself).
     * - sethostname, setdomainname, fanotify_init, chown, setuid family: the kernel checks
     *   capabilities the sandbox does not have (or, for fanotify, limits it to unprivileged marks).
     */
    private static final Set<String> DEFAULT_DENIED = Set.of(
            // mounts and filesystem views (open_tree_attr: open_tree with mount attributes, 6.15)
            "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
            "move_mount", "open_tree", "open_tree_attr", "mount_setattr", "open_by_handle_at",
            "name_to_handle_at",
            // namespaces
            "unshare", "setns",
            // kernel modules, kexec, reboot, swap
            "init_module", "finit_module", "delete_module", "create_module", "kexec_load",
            "kexec_file_load", "reboot", "swapon", "swapoff",
            // kernel attack surface (modify_ldt: x86 LDT, a history of kernel bugs; no 64-bit
            // program a sandbox runs needs it, and the i386 ABI is refused anyway)
            "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
            "io_uring_register", "keyctl", "add_key", "request_key", "modify_ldt",
            // looking into or controlling other processes (process_madvise and pidfd_getfd act on
            // another process's memory or files; Docker requires CAP_SYS_PTRACE for all of these)
            "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
            // host-wide administration
            "acct", "quotactl", "quotactl_fd", "settimeofday", "clock_settime", "clock_adjtime",
            "adjtimex", "iopl", "ioperm", "syslog", "vhangup", "lookup_dcookie",
            // obsolete calls (ustat, sysfs: Docker refuses them too)
            "nfsservctl", "uselib", "_sysctl", "get_kernel_syms", "query_module", "ustat", "sysfs");

    /**
     * Validates the names and makes the set an immutable, sorted copy.
     *
     * @throws InvalidRequestException if a name is blank or unknown to every supported architecture
     */
    public SeccompPolicy {
        Objects.requireNonNull(deniedSyscalls, "deniedSyscalls");
        TreeSet<String> sorted = new TreeSet<>();
        for (String name : deniedSyscalls) {
            if (name == null || !SeccompArch.isKnownSyscall(name)) {
                throw new InvalidRequestException("unknown syscall name '" + name
                        + "' in seccomp policy; use a name from the kernel's unistd.h that AgentKernel's"
                        + " syscall tables list");
            }
            sorted.add(name);
        }
        deniedSyscalls = Collections.unmodifiableSortedSet(sorted);
    }

    /**
     * Returns AgentKernel's default policy: deny mounting, namespaces, kernel modules, kexec, BPF,
     * perf, io_uring, keyrings, the x86 LDT, ptrace and cross-process memory access, clock and host
     * administration calls, obsolete calls, and namespace creation through {@code clone}/{@code clone3}.
     *
     * @return the default policy
     */
    public static SeccompPolicy defaults() {
        return new SeccompPolicy(DEFAULT_DENIED, true);
    }
}
