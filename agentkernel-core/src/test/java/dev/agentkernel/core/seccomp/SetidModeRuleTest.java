package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The set-user/group-ID rule: creating or chmod-ing a file with S_ISUID or S_ISGID is refused. */
class SetidModeRuleTest {

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
            args[call.getValue()] = 0755;
            assertThat(run(program, arch, nr.getAsInt(), args)).as("%s %s 0755", arch, call.getKey())
                    .isEqualTo(SeccompCompiler.RET_ALLOW);
        }
    }

    private static int run(byte[] program, SeccompArch arch, int nr, long[] args) {
        return new ClassicBpfInterpreter(program).run(nr, arch.auditArch(), args);
    }
}
