package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The set-user/group-ID rule: creating or chmod-ing a file with S_ISUID or S_ISGID is refused,
 * and {@code openat2}, whose mode the filter cannot read, fails with ENOSYS.
 */
class SetidModeRuleTest {
    private static final int AT_FDCWD = -100;
    private static final int O_WRONLY_CREAT = 0101;
    private static final long USER_POINTER = 0x7ffd_1234_5000L;

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void setidModesAreRefusedAndOrdinaryModesAllowed(SeccompArch arch) {
        byte[] program = SeccompCompiler.compile(SeccompPolicy.defaults(), arch);
        for (var call : SeccompCompiler.MODE_ARGUMENTS) {
            var nr = arch.syscallNumber(call.getKey());
            if (nr.isEmpty()) {
                continue;
            }
            long[] args = new long[6];
            args[call.getValue()] = 04755;
            assertThat(run(program, arch, nr.getAsInt(), args)).as("%s %s 04755", arch, call.getKey())
                    .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
            args[call.getValue()] = 02755;
            assertThat(run(program, arch, nr.getAsInt(), args)).as("%s %s 02755", arch, call.getKey())
                    .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
            // The kernel reads a mode_t: junk in the high half must not hide the set-id bits.
            args[call.getValue()] = 0xFFFF_0000_0000_0000L | 04755;
            assertThat(run(program, arch, nr.getAsInt(), args)).as("%s %s junk|04755", arch, call.getKey())
                    .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
            args[call.getValue()] = 0755;
            assertThat(run(program, arch, nr.getAsInt(), args)).as("%s %s 0755", arch, call.getKey())
                    .isEqualTo(SeccompCompiler.RET_ALLOW);
        }
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void everyModeSettingSyscallTheArchHasIsChecked(SeccompArch arch) {
        Set<String> expected = arch == SeccompArch.X86_64
                ? Set.of("chmod", "fchmod", "fchmodat", "fchmodat2", "creat", "open", "openat", "mknod", "mknodat")
                : Set.of("fchmod", "fchmodat", "fchmodat2", "openat", "mknodat");
        assertThat(SeccompCompiler.MODE_ARGUMENTS.stream().map(e -> e.getKey())
                .filter(name -> arch.syscallNumber(name).isPresent())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void fchmodat2ChecksItsModeLikeFchmodat(SeccompArch arch) {
        byte[] program = SeccompCompiler.compile(SeccompPolicy.defaults(), arch);
        int fchmodat2 = arch.syscallNumber("fchmodat2").orElseThrow();
        assertThat(fchmodat2).isEqualTo(452);
        int atSymlinkNofollow = 0x100;
        assertThat(run(program, arch, fchmodat2, AT_FDCWD, USER_POINTER, 04755, 0))
                .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
        assertThat(run(program, arch, fchmodat2, AT_FDCWD, USER_POINTER, 02644, atSymlinkNofollow))
                .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
        assertThat(run(program, arch, fchmodat2, AT_FDCWD, USER_POINTER, 0644, 0)).isEqualTo(SeccompCompiler.RET_ALLOW);
        assertThat(run(program, arch, fchmodat2, AT_FDCWD, USER_POINTER, 01777, atSymlinkNofollow))
                .as("the sticky bit is not a set-id bit").isEqualTo(SeccompCompiler.RET_ALLOW);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void openat2FailsWithEnosysWhateverItsArguments(SeccompArch arch) {
        byte[] program = SeccompCompiler.compile(SeccompPolicy.defaults(), arch);
        int openat2 = arch.syscallNumber("openat2").orElseThrow();
        assertThat(openat2).isEqualTo(437);
        int enosys = SeccompCompiler.errno(SeccompCompiler.ENOSYS);
        // arg2 points at struct open_how {flags, mode, resolve}; a filter sees only the pointer.
        assertThat(run(program, arch, openat2, AT_FDCWD, USER_POINTER, USER_POINTER + 64, 24)).isEqualTo(enosys);
        assertThat(run(program, arch, openat2, AT_FDCWD, USER_POINTER, 0, 0)).isEqualTo(enosys);
        assertThat(run(program, arch, openat2, 3, USER_POINTER, 04755, O_WRONLY_CREAT)).isEqualTo(enosys);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void theRuleHoldsForEveryPolicy(SeccompArch arch) {
        byte[] program = SeccompCompiler.compile(new SeccompPolicy(Set.of(), false), arch);
        int openat = arch.syscallNumber("openat").orElseThrow();
        assertThat(run(program, arch, openat, AT_FDCWD, USER_POINTER, O_WRONLY_CREAT, 04755))
                .isEqualTo(SeccompCompiler.errno(SeccompCompiler.EPERM));
        assertThat(run(program, arch, arch.syscallNumber("openat2").orElseThrow(), AT_FDCWD, USER_POINTER,
                USER_POINTER, 24)).isEqualTo(SeccompCompiler.errno(SeccompCompiler.ENOSYS));
    }

    private static int run(byte[] program, SeccompArch arch, int nr, long... args) {
        return new ClassicBpfInterpreter(program).run(nr, arch.auditArch(), args);
    }
}
