package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompPolicyTest {
    @Test
    void defaultsDenyTheDangerousSyscalls() {
        SeccompPolicy policy = SeccompPolicy.defaults();
        assertThat(policy.denyNamespaceCreation()).isTrue();
        assertThat(policy.deniedSyscalls()).contains("mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff",
                "reboot", "init_module", "finit_module", "delete_module", "create_module", "kexec_load",
                "kexec_file_load", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
                "ptrace", "process_vm_readv", "process_vm_writev", "open_by_handle_at", "name_to_handle_at", "acct",
                "quotactl", "quotactl_fd", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl",
                "ioperm", "lookup_dcookie", "syslog", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
                "open_tree", "mount_setattr", "nfsservctl", "vhangup", "uselib", "_sysctl", "get_kernel_syms",
                "query_module", "io_uring_setup", "io_uring_enter", "io_uring_register", "kcmp", "pidfd_getfd",
                "unshare", "setns", "open_tree_attr", "process_madvise", "modify_ldt", "ustat", "sysfs");
    }

    @Test
    void defaultsLeaveEverydaySyscallsAlone() {
        assertThat(SeccompPolicy.defaults().deniedSyscalls()).doesNotContain("personality", "clone", "clone3", "ioctl",
                "socket", "openat", "openat2", "fchmodat2", "faccessat2", "close_range", "pidfd_open", "rseq");
    }

    @Test
    void deniedSyscallsAreAnImmutableCopy() {
        Set<String> names = new HashSet<>(Set.of("mount"));
        SeccompPolicy policy = new SeccompPolicy(names, false);
        names.add("bpf");
        assertThat(policy.deniedSyscalls()).containsExactly("mount");
        assertThatThrownBy(() -> policy.deniedSyscalls().add("bpf")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalPoliciesAreEqual() {
        assertThat(SeccompPolicy.defaults()).isEqualTo(SeccompPolicy.defaults());
        assertThat(new SeccompPolicy(Set.of("bpf", "mount"), true)).isEqualTo(new SeccompPolicy(Set.of("mount", "bpf"), true));
    }

    @Test
    void unknownSyscallNamesAreRejected() {
        assertThatThrownBy(() -> new SeccompPolicy(Set.of("mount", "mnt"), true))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'mnt'");
    }

    @Test
    void nullSetIsRejected() {
        assertThatThrownBy(() -> new SeccompPolicy(null, true)).isInstanceOf(NullPointerException.class);
    }
}
