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
 * {@code TIOCLINUX} ioctls, set-user/group-ID file modes (with {@code openat2}, whose mode it
 * cannot read, failing with {@code ENOSYS}), foreign architectures and, on x86_64, the x32 ABI.
 *
 * @param deniedSyscalls        names of syscalls that always fail with {@code EPERM}; names an
 *                              architecture lacks are skipped when compiling for it
 * @param denyNamespaceCreation whether creating namespaces via {@code clone}/{@code clone3} is refused
 */
public record SeccompPolicy(Set<String> deniedSyscalls, boolean denyNamespaceCreation) {

    private static final Set<String> DEFAULT_DENIED = Set.of(
            // mounts and filesystem views
            "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
            "move_mount", "open_tree", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
            // namespaces
            "unshare", "setns",
            // kernel modules, kexec, reboot, swap
            "init_module", "finit_module", "delete_module", "create_module", "kexec_load",
            "kexec_file_load", "reboot", "swapon", "swapoff",
            // kernel attack surface
            "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
            "io_uring_register", "keyctl", "add_key", "request_key",
            // looking into or controlling other processes
            "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
            // host-wide administration
            "acct", "quotactl", "quotactl_fd", "settimeofday", "clock_settime", "clock_adjtime",
            "adjtimex", "iopl", "ioperm", "syslog", "vhangup", "lookup_dcookie",
            // obsolete calls
            "nfsservctl", "uselib", "_sysctl", "get_kernel_syms", "query_module");

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
     * perf, io_uring, keyrings, ptrace and cross-process memory access, clock and host
     * administration calls, and namespace creation through {@code clone}/{@code clone3}.
     *
     * @return the default policy
     */
    public static SeccompPolicy defaults() {
        return new SeccompPolicy(DEFAULT_DENIED, true);
    }
}
