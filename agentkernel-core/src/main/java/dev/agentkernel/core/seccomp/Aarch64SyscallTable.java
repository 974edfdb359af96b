package dev.agentkernel.core.seccomp;

import java.util.Map;

/**
 * Syscall numbers for the aarch64 ABI (the generic table), taken from
 * {@code /usr/include/asm-generic/unistd.h} and, for calls newer than those headers, the kernel's
 * {@code scripts/syscall.tbl}. Holds the syscalls some policy or rule names, and every syscall
 * from 424 (numbers shared by all architectures) to the newest one reviewed: {@code file_setattr}
 * (469, Linux 6.17; still the newest in 6.18). The compiled filter fails every higher number with
 * ENOSYS, so adding a newer syscall here is the decision to open it. Legacy calls aarch64 never had
 * ({@code create_module}, {@code iopl}, {@code ioperm}, {@code uselib}, {@code _sysctl},
 * {@code get_kernel_syms}, {@code query_module}) are absent.
 */
final class Aarch64SyscallTable {
    /** Syscall name to number. */
    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("lookup_dcookie", 18),
            Map.entry("ioctl", 29),
            Map.entry("mknodat", 33),
            Map.entry("umount2", 39),
            Map.entry("mount", 40),
            Map.entry("pivot_root", 41),
            Map.entry("nfsservctl", 42),
            Map.entry("chroot", 51),
            Map.entry("fchmod", 52),
            Map.entry("fchmodat", 53),
            Map.entry("openat", 56),
            Map.entry("vhangup", 58),
            Map.entry("quotactl", 60),
            Map.entry("acct", 89),
            Map.entry("unshare", 97),
            Map.entry("kexec_load", 104),
            Map.entry("init_module", 105),
            Map.entry("delete_module", 106),
            Map.entry("clock_settime", 112),
            Map.entry("syslog", 116),
            Map.entry("ptrace", 117),
            Map.entry("reboot", 142),
            Map.entry("settimeofday", 170),
            Map.entry("adjtimex", 171),
            Map.entry("add_key", 217),
            Map.entry("request_key", 218),
            Map.entry("keyctl", 219),
            Map.entry("clone", 220),
            Map.entry("swapon", 224),
            Map.entry("swapoff", 225),
            Map.entry("perf_event_open", 241),
            Map.entry("name_to_handle_at", 264),
            Map.entry("open_by_handle_at", 265),
            Map.entry("clock_adjtime", 266),
            Map.entry("setns", 268),
            Map.entry("process_vm_readv", 270),
            Map.entry("process_vm_writev", 271),
            Map.entry("kcmp", 272),
            Map.entry("finit_module", 273),
            Map.entry("bpf", 280),
            Map.entry("userfaultfd", 282),
            Map.entry("kexec_file_load", 294),
            Map.entry("pidfd_send_signal", 424),
            Map.entry("io_uring_setup", 425),
            Map.entry("io_uring_enter", 426),
            Map.entry("io_uring_register", 427),
            Map.entry("open_tree", 428),
            Map.entry("move_mount", 429),
            Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431),
            Map.entry("fsmount", 432),
            Map.entry("fspick", 433),
            Map.entry("pidfd_open", 434),
            Map.entry("clone3", 435),
            Map.entry("close_range", 436),
            Map.entry("openat2", 437),
            Map.entry("pidfd_getfd", 438),
            Map.entry("faccessat2", 439),
            Map.entry("process_madvise", 440),
            Map.entry("epoll_pwait2", 441),
            Map.entry("mount_setattr", 442),
            Map.entry("quotactl_fd", 443),
            Map.entry("landlock_create_ruleset", 444),
            Map.entry("landlock_add_rule", 445),
            Map.entry("landlock_restrict_self", 446),
            Map.entry("memfd_secret", 447),
            Map.entry("process_mrelease", 448),
            Map.entry("futex_waitv", 449),
            Map.entry("set_mempolicy_home_node", 450),
            Map.entry("cachestat", 451),
            Map.entry("fchmodat2", 452),
            Map.entry("map_shadow_stack", 453),
            Map.entry("futex_wake", 454),
            Map.entry("futex_wait", 455),
            Map.entry("futex_requeue", 456),
            Map.entry("statmount", 457),
            Map.entry("listmount", 458),
            Map.entry("lsm_get_self_attr", 459),
            Map.entry("lsm_set_self_attr", 460),
            Map.entry("lsm_list_modules", 461),
            Map.entry("mseal", 462),
            Map.entry("setxattrat", 463),
            Map.entry("getxattrat", 464),
            Map.entry("listxattrat", 465),
            Map.entry("removexattrat", 466),
            Map.entry("open_tree_attr", 467),
            Map.entry("file_getattr", 468),
            Map.entry("file_setattr", 469));

    private Aarch64SyscallTable() {
    }
}
