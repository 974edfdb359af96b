package dev.agentkernel.core.seccomp;

import java.util.HashMap;
import java.util.Map;

/**
 * Syscall numbers from 424 on, which every architecture shares (since {@code pidfd_send_signal},
 * Linux 5.1, new syscalls get one number on all of them; kernel's {@code
 * scripts/syscall.tbl}), up to the newest one reviewed: {@code file_setattr} (469, Linux 6.17;
 * still the newest in 6.18). The compiled filter fails every higher number with ENOSYS, so
 * adding a newer syscall here is the decision to open it, on every architecture at once.
 */
final class GenericSyscallTable {
    /** Syscall name to number, 424 and up. */
    static final Map<String, Integer> NUMBERS = Map.ofEntries(
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

    private GenericSyscallTable() {
    }

    /** An architecture's own numbers (below 424) with the shared ones. */
    static Map<String, Integer> with(Map<String, Integer> own) {
        Map<String, Integer> all = new HashMap<>(own);
        NUMBERS.forEach((name, number) -> {
            if (all.putIfAbsent(name, number) != null) {
                throw new IllegalStateException(name + " is in an architecture's table and the shared one");
            }
        });
        return Map.copyOf(all);
    }
}
