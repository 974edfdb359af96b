package dev.agentkernel.core.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompFilterFileTest {
    @TempDir
    Path temp;

    @Test
    void writesCompiledProgramToContentAddressedFile() throws IOException {
        Path dir = temp.resolve("state/seccomp");
        Path file = SeccompFilterFile.ensure(dir, SeccompPolicy.defaults(), SeccompArch.X86_64);

        byte[] expected = SeccompCompiler.compile(SeccompPolicy.defaults(), SeccompArch.X86_64);
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(file.getFileName().toString()).matches("seccomp-x86_64-" + expected.length + "-[0-9a-f]{8}\\.bpf");
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(listNames(dir)).containsExactly(file.getFileName().toString());
    }

    @Test
    void isIdempotentAndReusesTheExistingFile() throws IOException {
        Path first = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.X86_64);
        Object inode = Files.readAttributes(first, BasicFileAttributes.class).fileKey();

        Path second = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.X86_64);

        assertThat(second).isEqualTo(first);
        assertThat(Files.readAttributes(second, BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        assertThat(listNames(temp)).hasSize(1);
    }

    @Test
    void differentProgramsGetDifferentFiles() throws IOException {
        Path x86 = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.X86_64);
        Path arm = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.AARCH64);
        Path loose = SeccompFilterFile.ensure(temp, new SeccompPolicy(Set.of("mount"), false), SeccompArch.X86_64);

        assertThat(Set.of(x86, arm, loose)).hasSize(3);
        assertThat(arm.getFileName().toString()).startsWith("seccomp-aarch64-");
        assertThat(listNames(temp)).hasSize(3);
    }

    @Test
    void replacesACorruptFileAtomically() throws IOException {
        Path file = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.X86_64);
        Files.write(file, new byte[] {1, 2, 3});

        Path again = SeccompFilterFile.ensure(temp, SeccompPolicy.defaults(), SeccompArch.X86_64);

        assertThat(again).isEqualTo(file);
        assertThat(Files.readAllBytes(again))
                .isEqualTo(SeccompCompiler.compile(SeccompPolicy.defaults(), SeccompArch.X86_64));
        assertThat(listNames(temp)).hasSize(1);
    }

    @Test
    void concurrentCallersAllGetTheSameCompleteFile() throws Exception {
        Path dir = temp.resolve("shared");
        byte[] expected = SeccompCompiler.compile(SeccompPolicy.defaults(), SeccompArch.AARCH64);
        int callers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Path>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    Path file = SeccompFilterFile.ensure(dir, SeccompPolicy.defaults(), SeccompArch.AARCH64);
                    // Whatever a caller sees at the returned path must already be the whole program.
                    assertThat(Files.readAllBytes(file)).isEqualTo(expected);
                    return file;
                }));
            }
            start.countDown();
            Set<Path> paths = new HashSet<>();
            for (Future<Path> result : results) {
                paths.add(result.get());
            }
            assertThat(paths).hasSize(1);
        }
        assertThat(listNames(dir)).hasSize(1);
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
