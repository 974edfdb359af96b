package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SeccompArchTest {
    private static final Path X86_64_HEADER = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private static final Path GENERIC_HEADER = Path.of("/usr/include/asm-generic/unistd.h");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define __NR(?:3264)?_(\\w+)\\s+(\\d+)\\s*$");

    @Test
    void mapsOsArchNames() {
        assertThat(SeccompArch.fromOsArch("amd64")).isEqualTo(SeccompArch.X86_64);
        assertThat(SeccompArch.fromOsArch("x86_64")).isEqualTo(SeccompArch.X86_64);
        assertThat(SeccompArch.fromOsArch("aarch64")).isEqualTo(SeccompArch.AARCH64);
    }

    @Test
    void unsupportedArchitectureIsASandboxFailure() {
        assertThatThrownBy(() -> SeccompArch.fromOsArch("riscv64"))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("riscv64")
                .hasMessageContaining("x86_64");
        assertThatThrownBy(() -> SeccompArch.fromOsArch("x86")).isInstanceOf(SandboxFailureException.class);
    }

    @Test
    void currentMatchesThisJvm() {
        String osArch = System.getProperty("os.arch");
        assumeTrue(osArch.equals("amd64") || osArch.equals("x86_64") || osArch.equals("aarch64"));
        assertThat(SeccompArch.current()).isEqualTo(SeccompArch.fromOsArch(osArch));
    }

    @Test
    void auditArchConstants() {
        assertThat(SeccompArch.X86_64.auditArch()).isEqualTo(0xC000003E);
        assertThat(SeccompArch.AARCH64.auditArch()).isEqualTo(0xC00000B7);
        assertThat(SeccompArch.X86_64.hasX32Abi()).isTrue();
        assertThat(SeccompArch.AARCH64.hasX32Abi()).isFalse();
    }

    @Test
    void tablesCoverEveryDefaultSyscallTheArchHas() {
        for (String name : SeccompPolicy.defaults().deniedSyscalls()) {
            assertThat(SeccompArch.X86_64.syscallNumber(name)).as(name).isPresent();
        }
        for (String name : new String[] {"clone", "clone3", "ioctl"}) {
            assertThat(SeccompArch.X86_64.syscallNumber(name)).isPresent();
            assertThat(SeccompArch.AARCH64.syscallNumber(name)).isPresent();
        }
        assertThat(SeccompArch.AARCH64.syscallNumber("create_module")).isEmpty();
        assertThat(SeccompArch.X86_64.syscallNumber("mount")).hasValue(165);
        assertThat(SeccompArch.AARCH64.syscallNumber("mount")).hasValue(40);
        assertThat(SeccompArch.X86_64.syscallNumber("no_such_call")).isEmpty();
    }

    @Test
    void tablesHaveNoDuplicateNumbers() {
        for (SeccompArch arch : SeccompArch.values()) {
            assertThat(arch.syscallTable().values()).doesNotHaveDuplicates();
        }
    }

    @Test
    void x86_64TableMatchesKernelHeader() throws IOException {
        assumeTrue(Files.isReadable(X86_64_HEADER), "no x86_64 kernel headers on this machine");
        assertMatchesHeader(SeccompArch.X86_64, parse(X86_64_HEADER));
    }

    @Test
    void aarch64TableMatchesGenericKernelHeader() throws IOException {
        assumeTrue(Files.isReadable(GENERIC_HEADER), "no asm-generic kernel headers on this machine");
        Map<String, Integer> header = parse(GENERIC_HEADER);
        // Legacy calls the generic table never had must be absent from the header, too.
        assertThat(header).doesNotContainKeys("create_module", "iopl", "ioperm", "uselib", "_sysctl",
                "get_kernel_syms", "query_module");
        assertMatchesHeader(SeccompArch.AARCH64, header);
    }

    /**
     * Syscalls newer than Debian 12's kernel headers (Linux 6.1), with their numbers (the same on
     * every architecture from 424 on; uretprobe is x86_64's own), from the kernel's syscall tables
     * up to Linux 6.18.
     */
    private static final Map<String, Integer> NEWER_THAN_HEADERS = Map.ofEntries(
            Map.entry("uretprobe", 335), Map.entry("cachestat", 451), Map.entry("fchmodat2", 452),
            Map.entry("map_shadow_stack", 453), Map.entry("futex_wake", 454), Map.entry("futex_wait", 455),
            Map.entry("futex_requeue", 456), Map.entry("statmount", 457), Map.entry("listmount", 458),
            Map.entry("lsm_get_self_attr", 459), Map.entry("lsm_set_self_attr", 460),
            Map.entry("lsm_list_modules", 461), Map.entry("mseal", 462), Map.entry("setxattrat", 463),
            Map.entry("getxattrat", 464), Map.entry("listxattrat", 465), Map.entry("removexattrat", 466),
            Map.entry("open_tree_attr", 467), Map.entry("file_getattr", 468), Map.entry("file_setattr", 469));

    /** The first syscall number every architecture shares (Linux 5.1). */
    private static final int FIRST_COMMON_NUMBER = 424;

    @Test
    void highestKnownSyscallIsTheNewestOfLinux6_18() {
        for (SeccompArch arch : SeccompArch.values()) {
            assertThat(arch.highestKnownSyscall()).as("%s", arch).isEqualTo(469);
            assertThat(arch.syscallNumber("file_setattr")).hasValue(arch.highestKnownSyscall());
        }
    }

    /** Raising the highest known number opens the new syscalls: each must have been named, and so reviewed. */
    @Test
    void everyNumberFromTheCommonRangeToTheHighestIsNamed() {
        for (SeccompArch arch : SeccompArch.values()) {
            Set<Integer> numbers = new TreeSet<>(arch.syscallTable().values());
            for (int nr = FIRST_COMMON_NUMBER; nr <= arch.highestKnownSyscall(); nr++) {
                assertThat(numbers).as("%s: a name for syscall %d", arch, nr).contains(nr);
            }
        }
    }

    private static void assertMatchesHeader(SeccompArch arch, Map<String, Integer> header) {
        assertThat(header).containsEntry("read", arch == SeccompArch.X86_64 ? 0 : 63);
        arch.syscallTable().forEach((name, number) -> {
            if (header.containsKey(name) || !NEWER_THAN_HEADERS.containsKey(name)) {
                assertThat(header.get(name)).as("%s %s", arch, name).isEqualTo(number);
            } else {
                // Added after the installed headers (Linux 6.1); numbered the same on every arch.
                assertThat(number).as("%s %s", arch, name).isEqualTo(NEWER_THAN_HEADERS.get(name));
            }
        });
        // Every syscall a policy could name that the header defines must be in the table.
        for (String name : SeccompPolicy.defaults().deniedSyscalls()) {
            if (header.containsKey(name) && header.get(name) < 500) {
                assertThat(arch.syscallNumber(name)).as("%s %s", arch, name).hasValue(header.get(name));
            }
        }
    }

    private static Map<String, Integer> parse(Path header) throws IOException {
        Map<String, Integer> numbers = new HashMap<>();
        Matcher matcher = DEFINE.matcher(Files.readString(header));
        while (matcher.find()) {
            numbers.putIfAbsent(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        return numbers;
    }
}
