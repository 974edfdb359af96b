package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentBinaryTest {

    @Test
    void theBuildShipsAStaticElfBinaryForThisArchitecture() throws IOException {
        assertThat(AgentBinary.isAvailable()).as(AgentBinary.resourceName()).isTrue();
        try (InputStream in = AgentBinary.class.getClassLoader().getResourceAsStream(AgentBinary.resourceName())) {
            byte[] head = in.readNBytes(4);
            assertThat(head).containsExactly(0x7f, 'E', 'L', 'F');
        }
    }

    @Test
    void extractsOnceWithMode0755UnderAContentAddressedName(@TempDir Path dir) throws Exception {
        Path first = AgentBinary.extractTo(dir.resolve("agent"));
        assertThat(first.getFileName().toString()).matches("ak-agent-" + System.getProperty("os.arch") + "-[0-9a-f]{16}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first))).isEqualTo("rwxr-xr-x");
        try (InputStream in = AgentBinary.class.getClassLoader().getResourceAsStream(AgentBinary.resourceName())) {
            assertThat(Files.readAllBytes(first)).isEqualTo(in.readAllBytes());
        }
        long modified = Files.getLastModifiedTime(first).toMillis();
        Path again = AgentBinary.extractTo(dir.resolve("agent"));
        assertThat(again).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(again).toMillis()).isEqualTo(modified);
    }

    @Test
    void concurrentExtractionsLeaveOneCompleteFileAndNoTemporaries(@TempDir Path dir) throws Exception {
        List<Future<Path>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit((Callable<Path>) () -> AgentBinary.extractTo(dir)));
            }
        }
        Path expected = results.getFirst().get();
        for (Future<Path> r : results) {
            assertThat(r.get()).isEqualTo(expected);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(expected);
        }
    }
}
