package dev.agentkernel.core.seccomp;

import java.util.Map;

/**
 * Syscall numbers for the x86_64 (64-bit) ABI, taken from
 * {@code /usr/include/x86_64-linux-gnu/asm/unistd_64.h}. Only the syscalls some policy names.
 */
final class X86_64SyscallTable {
    /** Syscall name to number. */
    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("open", 2),
            Map.entry("ioctl", 16),
            Map.entry("creat", 85),
            Map.entry("chmod", 90),
            Map.entry("fchmod", 91),
            Map.entry("mknod", 133),
            Map.entry("openat", 257),
            Map.entry("openat2", 437),
            Map.entry("mknodat", 259),
            Map.entry("fchmodat", 268),
            Map.entry("fchmodat2", 452),
            Map.entry("clone", 56),
            Map.entry("ptrace", 101),
            Map.entry("syslog", 103),
            Map.entry("uselib", 134),
            Map.entry("vhangup", 153),
            Map.entry("pivot_root", 155),
            Map.entry("_sysctl", 156),
            Map.entry("adjtimex", 159),
            Map.entry("chroot", 161),
            Map.entry("acct", 163),
            Map.entry("settimeofday", 164),
            Map.entry("mount", 165),
            Map.entry("umount2", 166),
            Map.entry("swapon", 167),
            Map.entry("swapoff", 168),
            Map.entry("reboot", 169),
            Map.entry("iopl", 172),
            Map.entry("ioperm", 173),
            Map.entry("create_module", 174),
            Map.entry("init_module", 175),
            Map.entry("delete_module", 176),
            Map.entry("get_kernel_syms", 177),
            Map.entry("query_module", 178),
            Map.entry("quotactl", 179),
            Map.entry("nfsservctl", 180),
            Map.entry("lookup_dcookie", 212),
            Map.entry("clock_settime", 227),
            Map.entry("kexec_load", 246),
            Map.entry("add_key", 248),
            Map.entry("request_key", 249),
            Map.entry("keyctl", 250),
            Map.entry("unshare", 272),
            Map.entry("perf_event_open", 298),
            Map.entry("name_to_handle_at", 303),
            Map.entry("open_by_handle_at", 304),
            Map.entry("clock_adjtime", 305),
            Map.entry("setns", 308),
            Map.entry("process_vm_readv", 310),
            Map.entry("process_vm_writev", 311),
            Map.entry("kcmp", 312),
            Map.entry("finit_module", 313),
            Map.entry("kexec_file_load", 320),
            Map.entry("bpf", 321),
            Map.entry("userfaultfd", 323),
            Map.entry("io_uring_setup", 425),
            Map.entry("io_uring_enter", 426),
            Map.entry("io_uring_register", 427),
            Map.entry("open_tree", 428),
            Map.entry("move_mount", 429),
            Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431),
            Map.entry("fsmount", 432),
            Map.entry("fspick", 433),
            Map.entry("clone3", 435),
            Map.entry("pidfd_getfd", 438),
            Map.entry("mount_setattr", 442),
            Map.entry("quotactl_fd", 443));

    private X86_64SyscallTable() {
    }
}
