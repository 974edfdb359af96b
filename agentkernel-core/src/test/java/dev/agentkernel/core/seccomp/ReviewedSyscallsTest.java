package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The review of every syscall newer than Linux 5.0 (numbers 424 and up, plus x86_64's uretprobe)
 * as the default filter applies it, with the arguments a plain call would pass. A syscall added
 * to a table without a decision here fails {@link #everyReviewedSyscallHasADecision}.
 */
class ReviewedSyscallsTest {
    private static final int ALLOW = SeccompCompiler.RET_ALLOW;
    private static final int EPERM = SeccompCompiler.errno(SeccompCompiler.EPERM);
    private static final int ENOSYS = SeccompCompiler.errno(SeccompCompiler.ENOSYS);

    /** Name to the default filter's answer (the reasons are in {@link SeccompPolicy}). */
    private static final Map<String, Integer> DECISIONS = Map.ofEntries(
            Map.entry("uretprobe", ALLOW),
            Map.entry("pidfd_send_signal", ALLOW),
            Map.entry("io_uring_setup", EPERM),
            Map.entry("io_uring_enter", EPERM),
            Map.entry("io_uring_register", EPERM),
            Map.entry("open_tree", EPERM),
            Map.entry("move_mount", EPERM),
            Map.entry("fsopen", EPERM),
            Map.entry("fsconfig", EPERM),
            Map.entry("fsmount", EPERM),
            Map.entry("fspick", EPERM),
            Map.entry("pidfd_open", ALLOW),
            Map.entry("clone3", ENOSYS),
            Map.entry("close_range", ALLOW),
            Map.entry("openat2", ENOSYS),
            Map.entry("pidfd_getfd", EPERM),
            Map.entry("faccessat2", ALLOW),
            Map.entry("process_madvise", EPERM),
            Map.entry("epoll_pwait2", ALLOW),
            Map.entry("mount_setattr", EPERM),
            Map.entry("quotactl_fd", EPERM),
            Map.entry("landlock_create_ruleset", ALLOW),
            Map.entry("landlock_add_rule", ALLOW),
            Map.entry("landlock_restrict_self", ALLOW),
            Map.entry("memfd_secret", ALLOW),
            Map.entry("process_mrelease", ALLOW),
            Map.entry("futex_waitv", ALLOW),
            Map.entry("set_mempolicy_home_node", ALLOW),
            Map.entry("cachestat", ALLOW),
            Map.entry("fchmodat2", ALLOW), // with an ordinary mode; set-id modes: SetidModeRuleTest
            Map.entry("map_shadow_stack", ALLOW),
            Map.entry("futex_wake", ALLOW),
            Map.entry("futex_wait", ALLOW),
            Map.entry("futex_requeue", ALLOW),
            Map.entry("statmount", ALLOW),
            Map.entry("listmount", ALLOW),
            Map.entry("lsm_get_self_attr", ALLOW),
            Map.entry("lsm_set_self_attr", ALLOW),
            Map.entry("lsm_list_modules", ALLOW),
            Map.entry("mseal", ALLOW),
            Map.entry("setxattrat", ALLOW),
            Map.entry("getxattrat", ALLOW),
            Map.entry("listxattrat", ALLOW),
            Map.entry("removexattrat", ALLOW),
            Map.entry("open_tree_attr", EPERM),
            Map.entry("file_getattr", ALLOW),
            Map.entry("file_setattr", ALLOW),
            // older calls whose decision this review changed
            Map.entry("modify_ldt", EPERM),
            Map.entry("ustat", EPERM),
            Map.entry("sysfs", EPERM));

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void everyReviewedSyscallHasADecision(SeccompArch arch) {
        arch.syscallTable().forEach((name, nr) -> {
            if (nr >= 424) {
                assertThat(DECISIONS).as("%s %s (%d) needs a reviewed decision", arch, name, nr).containsKey(name);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void theDefaultFilterAppliesEveryDecision(SeccompArch arch) {
        ClassicBpfInterpreter filter = new ClassicBpfInterpreter(SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
        DECISIONS.forEach((name, expected) -> arch.syscallNumber(name).ifPresent(nr ->
                assertThat(filter.run(nr, arch.auditArch(), 3, 0x7ffd_0000_1000L, 0644, 0))
                        .as("%s %s (%d)", arch, name, nr).isEqualTo(expected)));
    }
}
