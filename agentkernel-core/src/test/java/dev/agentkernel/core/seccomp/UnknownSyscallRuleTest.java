package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Syscall numbers above the highest one an architecture's table knows fail with ENOSYS, so a
 * syscall a newer kernel adds is not open until someone reviews it and adds it to the table.
 */
class UnknownSyscallRuleTest {
    private static final int ENOSYS = SeccompCompiler.errno(SeccompCompiler.ENOSYS);

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void numbersBeyondTheTableFailWithEnosys(SeccompArch arch) {
        ClassicBpfInterpreter filter = new ClassicBpfInterpreter(SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
        int max = arch.highestKnownSyscall();
        // 470 is listns (Linux 6.19), 471 rseq_slice_yield: newer than the review, so closed.
        // On x86_64, 512..547 are x32 numbers without the x32 bit and 548+ is where new calls may go.
        for (int nr : List.of(max + 1, max + 2, 470, 471, 511, 512, 547, 548, 1000, 4095, 0x3fff_ffff)) {
            assertThat(filter.run(nr, arch.auditArch(), 0, 0, 0)).as("%s nr %d", arch, nr).isEqualTo(ENOSYS);
        }
        assertThat(filter.run(max, arch.auditArch(), 0, 0, 0)).as("%s: the newest known syscall", arch)
                .isEqualTo(SeccompCompiler.RET_ALLOW);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void holdsWithoutAnyDeniedSyscall(SeccompArch arch) {
        ClassicBpfInterpreter filter = new ClassicBpfInterpreter(
                SeccompCompiler.compile(new SeccompPolicy(Set.of(), false), arch));
        assertThat(filter.run(arch.highestKnownSyscall() + 1, arch.auditArch())).isEqualTo(ENOSYS);
        assertThat(filter.run(0, arch.auditArch())).isEqualTo(SeccompCompiler.RET_ALLOW);
    }

    @ParameterizedTest
    @EnumSource(SeccompArch.class)
    void comesRightAfterTheNumberIsLoaded(SeccompArch arch) {
        List<ClassicBpfInterpreter.Insn> insns = ClassicBpfInterpreter.decode(
                SeccompCompiler.compile(SeccompPolicy.defaults(), arch));
        assertThat(insns.get(3)).as("load of seccomp_data.nr")
                .isEqualTo(new ClassicBpfInterpreter.Insn(ClassicBpfInterpreter.LD_W_ABS, 0, 0, 0));
        int at = arch.hasX32Abi() ? 6 : 4;
        assertThat(insns.get(at)).isEqualTo(new ClassicBpfInterpreter.Insn(ClassicBpfInterpreter.JMP_JGE_K, 0, 1,
                arch.highestKnownSyscall() + 1));
        assertThat(insns.get(at + 1)).isEqualTo(new ClassicBpfInterpreter.Insn(ClassicBpfInterpreter.RET_K, 0, 0, ENOSYS));
    }
}
