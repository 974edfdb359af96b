package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SeccompCompilerTest {
    private static final int ALLOW = 0x7fff0000;
    private static final int KILL_PROCESS = 0x80000000;
    private static final int ERRNO_EPERM = 0x00050000 | 1;
    private static final int ERRNO_ENOSYS = 0x00050000 | 38;
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int AUDIT_ARCH_ARM = 0x40000028;

    private static final int CLONE_NEWNS = 0x00020000;
    private static final int CLONE_NEWCGROUP = 0x02000000;
    private static final int CLONE_NEWUTS = 0x04000000;
    private static final int CLONE_NEWIPC = 0x08000000;
    private static final int CLONE_NEWUSER = 0x10000000;
    private static final int CLONE_NEWPID = 0x20000000;
    private static final int CLONE_NEWNET = 0x40000000;
    /** What glibc's fork() passes: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD. */
    private static final long FORK_FLAGS = 0x01200011L;
    /** What glibc's pthread_create() passes via clone: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID. */
    private static final long THREAD_FLAGS = 0x003d0f00L;

    private static final int TIOCSTI = 0x5412;
    private static final int TIOCLINUX = 0x541C;
    private static final int TCGETS = 0x5401;

    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int AF_NETLINK = 16;
    private static final int AF_VSOCK = 40;

    /** Syscalls every sandboxed program needs, numbered per arch (from the kernel headers). */
    private static final Map<SeccompArch, Map<String, Integer>> ALLOWED = Map.of(
            SeccompArch.X86_64, Map.of("read", 0, "write", 1, "execve", 59, "personality", 135, "exit_group", 231),
            SeccompArch.AARCH64, Map.of("read", 63, "write", 64, "execve", 221, "personality", 92, "exit_group", 94));

    private static ClassicBpfInterpreter defaultFilter(SeccompArch arch) {
        return new ClassicBpfInterpreter(SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
    }

    private static int nr(SeccompArch arch, String name) {
        return arch.syscallNumber(name).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void allowsOrdinarySyscalls(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        ALLOWED.get(arch).forEach((name, number) ->
                assertThat(filter.run(number, arch.auditArch(), 3, 0, 4096)).as(name).isEqualTo(ALLOW));
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void deniesEveryDeniedSyscallTheArchHasWithEperm(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        int checked = 0;
        for (String name : SeccompPolicy.defaults().deniedSyscalls()) {
            if (arch.syscallNumber(name).isEmpty()) {
                continue;
            }
            assertThat(filter.run(nr(arch, name), arch.auditArch(), 0, 0, 0)).as(name).isEqualTo(ERRNO_EPERM);
            checked++;
        }
        if (arch == SeccompArch.X86_64) {
            assertThat(checked).as("x86_64 has every denied syscall").isEqualTo(SeccompPolicy.defaults().deniedSyscalls().size());
        } else {
            assertThat(checked).isGreaterThan(45);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void everyOtherSyscallNumberIsAllowed(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        Set<Integer> denied = new TreeSet<>();
        SeccompPolicy.defaults().deniedSyscalls().forEach(name -> arch.syscallNumber(name).ifPresent(denied::add));
        for (int number = 0; number < 1024; number++) {
            int expected = denied.contains(number) ? ERRNO_EPERM
                    : number == nr(arch, "clone3") || number == nr(arch, "openat2") ? ERRNO_ENOSYS
                    : number > arch.highestKnownSyscall() ? ERRNO_ENOSYS
                    : ALLOW;
            assertThat(filter.run(number, arch.auditArch(), 0, 0, 0, 0, 0, 0)).as("nr %d", number).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void cloneWithoutNamespaceFlagsIsAllowed(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        int clone = nr(arch, "clone");
        assertThat(filter.run(clone, arch.auditArch(), FORK_FLAGS, 0, 0, 0, 0)).isEqualTo(ALLOW);
        assertThat(filter.run(clone, arch.auditArch(), THREAD_FLAGS, 0x7f00_0000_0000L, 0, 0, 0)).isEqualTo(ALLOW);
        // The kernel only looks at the low 32 bits of clone's flags.
        assertThat(filter.run(clone, arch.auditArch(), (long) CLONE_NEWUSER << 32 | 17)).isEqualTo(ALLOW);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void cloneWithAnyNamespaceFlagIsDenied(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        int clone = nr(arch, "clone");
        for (int flag : List.of(CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                CLONE_NEWPID, CLONE_NEWNET)) {
            assertThat(filter.run(clone, arch.auditArch(), flag | FORK_FLAGS)).as("flag 0x%x", flag)
                    .isEqualTo(ERRNO_EPERM);
            assertThat(filter.run(clone, arch.auditArch(), 0xFFFF_FFFF_0000_0000L | flag)).as("flag 0x%x", flag)
                    .isEqualTo(ERRNO_EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void clone3FailsWithEnosysSoLibcFallsBackToClone(SeccompArch arch) {
        assertThat(defaultFilter(arch).run(nr(arch, "clone3"), arch.auditArch(), 0x7ffd_0000_1000L, 88))
                .isEqualTo(ERRNO_ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void terminalInjectionIoctlsAreDeniedOthersAllowed(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        int ioctl = nr(arch, "ioctl");
        assertThat(filter.run(ioctl, arch.auditArch(), 0, TIOCSTI, 0x7ffd_0000L)).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(ioctl, arch.auditArch(), 0, TIOCLINUX, 0x7ffd_0000L)).isEqualTo(ERRNO_EPERM);
        // The kernel truncates the request to 32 bits, so junk in the high half must not bypass the check.
        assertThat(filter.run(ioctl, arch.auditArch(), 0, 0xDEAD_BEEF_0000_0000L | TIOCSTI)).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(ioctl, arch.auditArch(), 0, TCGETS, 0x7ffd_0000L)).isEqualTo(ALLOW);
        assertThat(filter.run(ioctl, arch.auditArch(), TIOCSTI, TCGETS)).isEqualTo(ALLOW);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void foreignArchitecturesAreKilled(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        SeccompArch other = arch == SeccompArch.X86_64 ? SeccompArch.AARCH64 : SeccompArch.X86_64;
        for (int foreign : List.of(AUDIT_ARCH_I386, AUDIT_ARCH_ARM, other.auditArch(), 0)) {
            assertThat(filter.run(0, foreign)).as("arch 0x%x", foreign).isEqualTo(KILL_PROCESS);
            assertThat(filter.run(nr(arch, "mount"), foreign)).isEqualTo(KILL_PROCESS);
        }
    }

    @Test
    void x32SyscallsAreDeniedOnX86_64() {
        ClassicBpfInterpreter filter = defaultFilter(SeccompArch.X86_64);
        int x86 = SeccompArch.X86_64.auditArch();
        assertThat(filter.run(0x40000000 | 1, x86)).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(0x40000000, x86)).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(0x40000000 | 165, x86)).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(-1, x86)).isEqualTo(ERRNO_EPERM);
        // Below the x32 bit but above the table: an unknown syscall, not an x32 one.
        assertThat(filter.run(0x3fffffff, x86)).isEqualTo(ERRNO_ENOSYS);
    }

    @Test
    void aarch64HasNoX32CheckItsHighNumbersAreUnknownSyscalls() {
        ClassicBpfInterpreter filter = defaultFilter(SeccompArch.AARCH64);
        int arm = SeccompArch.AARCH64.auditArch();
        assertThat(filter.run(0x40000000 | 1, arm)).isEqualTo(ERRNO_ENOSYS);
        assertThat(filter.run(-1, arm)).isEqualTo(ERRNO_ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void vsockSocketsAreDeniedOtherFamiliesAllowed(SeccompArch arch) {
        ClassicBpfInterpreter filter = defaultFilter(arch);
        int socket = nr(arch, "socket");
        int sockStream = 1;
        assertThat(filter.run(socket, arch.auditArch(), AF_VSOCK, sockStream, 0)).isEqualTo(ERRNO_EPERM);
        // The kernel takes the family as an int: junk in the high half must not bypass the check.
        assertThat(filter.run(socket, arch.auditArch(), 0xFFFF_FFFF_0000_0000L | AF_VSOCK, sockStream))
                .isEqualTo(ERRNO_EPERM);
        for (int family : List.of(AF_UNIX, AF_INET, AF_INET6, AF_NETLINK)) {
            assertThat(filter.run(socket, arch.auditArch(), family, sockStream, 0)).as("family %d", family)
                    .isEqualTo(ALLOW);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void programIsWellFormed(SeccompArch arch) {
        List<ClassicBpfInterpreter.Insn> insns = ClassicBpfInterpreter.decode(
                SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
        assertThat(insns).hasSizeLessThan(4096).hasSizeGreaterThan(50);
        for (int pc = 0; pc < insns.size(); pc++) {
            ClassicBpfInterpreter.Insn insn = insns.get(pc);
            assertThat(insn.code()).as("opcode at %d", pc).isIn(ClassicBpfInterpreter.LD_W_ABS,
                    ClassicBpfInterpreter.JMP_JEQ_K, ClassicBpfInterpreter.JMP_JGE_K, ClassicBpfInterpreter.JMP_JSET_K,
                    ClassicBpfInterpreter.RET_K);
            assertThat(insn.jt()).isBetween(0, 255);
            assertThat(insn.jf()).isBetween(0, 255);
            if (insn.code() == ClassicBpfInterpreter.RET_K || insn.code() == ClassicBpfInterpreter.LD_W_ABS) {
                assertThat(insn.jt()).isZero();
                assertThat(insn.jf()).isZero();
            } else {
                assertThat(pc + 1 + insn.jt()).as("jt target at %d", pc).isLessThan(insns.size());
                assertThat(pc + 1 + insn.jf()).as("jf target at %d", pc).isLessThan(insns.size());
            }
        }
        assertThat(insns.getLast().code()).isEqualTo(ClassicBpfInterpreter.RET_K);
        assertThat(insns.getLast().k()).isEqualTo(ALLOW);
        assertThat(insns.getFirst()).isEqualTo(new ClassicBpfInterpreter.Insn(0x20, 0, 0, 4));
    }

    @Test
    void largestPossiblePolicyStaysWithinKernelLimit() {
        Set<String> everything = new TreeSet<>(SeccompArch.X86_64.syscallTable().keySet());
        everything.addAll(SeccompArch.AARCH64.syscallTable().keySet());
        for (SeccompArch arch : SeccompArch.values()) {
            byte[] program = SeccompCompiler.compile(new SeccompPolicy(everything, true), arch);
            assertThat(program.length / 8).isLessThan(4096);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void compilationIsDeterministic(SeccompArch arch) {
        assertThat(SeccompCompiler.compile(SeccompPolicy.defaults(), arch))
                .isEqualTo(SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
        assertThat(SeccompCompiler.compile(new SeccompPolicy(Set.of("bpf", "mount", "ptrace"), true), arch))
                .isEqualTo(SeccompCompiler.compile(new SeccompPolicy(Set.of("ptrace", "bpf", "mount"), true), arch));
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void withoutNamespaceRestrictionCloneAndClone3AreAllowed(SeccompArch arch) {
        ClassicBpfInterpreter filter = new ClassicBpfInterpreter(
                SeccompCompiler.compile(new SeccompPolicy(Set.of("mount"), false), arch));
        assertThat(filter.run(nr(arch, "clone"), arch.auditArch(), CLONE_NEWUSER)).isEqualTo(ALLOW);
        assertThat(filter.run(nr(arch, "clone3"), arch.auditArch())).isEqualTo(ALLOW);
        assertThat(filter.run(nr(arch, "mount"), arch.auditArch())).isEqualTo(ERRNO_EPERM);
        assertThat(filter.run(nr(arch, "ioctl"), arch.auditArch(), 0, TIOCSTI)).isEqualTo(ERRNO_EPERM);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void explicitlyDeniedCloneIsDeniedOutright(SeccompArch arch) {
        ClassicBpfInterpreter filter = new ClassicBpfInterpreter(
                SeccompCompiler.compile(new SeccompPolicy(Set.of("clone"), true), arch));
        assertThat(filter.run(nr(arch, "clone"), arch.auditArch(), FORK_FLAGS)).isEqualTo(ERRNO_EPERM);
    }

    @Test
    void syscallsAnArchLacksAreSkipped() {
        SeccompPolicy policy = new SeccompPolicy(Set.of("create_module", "iopl"), false);
        assertThat(SeccompArch.AARCH64.syscallNumber("create_module")).isEmpty();
        assertThat(SeccompCompiler.compile(policy, SeccompArch.AARCH64))
                .isEqualTo(SeccompCompiler.compile(new SeccompPolicy(Set.of(), false), SeccompArch.AARCH64));
    }

    @Test
    void rejectsNullArguments() {
        assertThatThrownBy(() -> SeccompCompiler.compile(null, SeccompArch.X86_64))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SeccompCompiler.compile(SeccompPolicy.defaults(), null))
                .isInstanceOf(NullPointerException.class);
    }
}
