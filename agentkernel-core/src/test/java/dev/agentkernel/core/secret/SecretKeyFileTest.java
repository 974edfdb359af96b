package dev.agentkernel.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key file: created once, 0600, 32 bytes; loose modes, other sizes and links are refused and kept. */
class SecretKeyFileTest {

    @TempDir
    Path dir;

    @Test
    void itIsCreatedOwnerOnlyAndReadBackTheSame() throws Exception {
        Path file = dir.resolve("state").resolve(SecretKeyFile.NAME);
        byte[] key = SecretKeyFile.readOrCreate(file);
        assertThat(key).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretKeyFile.readOrCreate(file)).isEqualTo(key);
        assertThat(SecretKeyFile.read(file)).isEqualTo(key);
        try (var left = Files.list(file.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly(SecretKeyFile.NAME);
        }
    }

    @Test
    void concurrentCreatorsAgreeOnOneKey() throws Exception {
        Path file = dir.resolve(SecretKeyFile.NAME);
        try (var threads = Executors.newFixedThreadPool(8)) {
            List<Future<byte[]>> keys = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                keys.add(threads.submit((Callable<byte[]>) () -> SecretKeyFile.readOrCreate(file)));
            }
            byte[] first = keys.getFirst().get();
            for (Future<byte[]> k : keys) {
                assertThat(k.get()).isEqualTo(first);
            }
        }
        assertThat(SecretKeyFile.read(file)).isEqualTo(SecretKeyFile.readOrCreate(file));
    }

    @Test
    void aKeyOthersMayReadIsRefusedAndKept() throws Exception {
        Path file = dir.resolve(SecretKeyFile.NAME);
        byte[] key = SecretKeyFile.readOrCreate(file);
        for (String mode : List.of("rw-r-----", "rw----r--", "rw-rw-rw-", "------r--", "-----x---")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            assertThatThrownBy(() -> SecretKeyFile.readOrCreate(file)).as(mode)
                    .isInstanceOf(SandboxFailureException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("mode " + mode).hasMessageContaining("chmod 600");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(SecretKeyFile.read(file)).as("the refused file was kept").isEqualTo(key);
    }

    @Test
    void aKeyOfAnotherUserIsRefused() throws Exception {
        Path file = dir.resolve(SecretKeyFile.NAME);
        SecretKeyFile.readOrCreate(file);
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        org.junit.jupiter.api.Assumptions.assumeTrue(self == 0, "only root can give a file to another user");
        Files.setAttribute(file, "unix:uid", 65534);
        assertThatThrownBy(() -> SecretKeyFile.read(file)).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("belongs to uid 65534, not to the daemon's user (uid 0)");
    }

    @Test
    void aKeyOfAnotherSizeIsRefused() throws Exception {
        Path file = dir.resolve(SecretKeyFile.NAME);
        for (int size : new int[] {0, 16, 31, 33, 64}) {
            Files.deleteIfExists(file);
            Files.write(file, new byte[size]);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertThatThrownBy(() -> SecretKeyFile.readOrCreate(file)).as("%d bytes", size)
                    .isInstanceOf(SandboxFailureException.class)
                    .hasMessageContaining("is " + size + " bytes long, not 32");
            assertThat(Files.size(file)).isEqualTo(size);
        }
    }

    @Test
    void aLinkOrADirectoryIsRefused() throws Exception {
        Path real = dir.resolve("real.key");
        SecretKeyFile.readOrCreate(real);
        Path link = Files.createSymbolicLink(dir.resolve(SecretKeyFile.NAME), real);
        assertThatThrownBy(() -> SecretKeyFile.readOrCreate(link)).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("not a regular file (a symbolic link)");
        Path directory = Files.createDirectory(dir.resolve("d.key"));
        assertThatThrownBy(() -> SecretKeyFile.read(directory)).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("not a regular file");
    }
}
