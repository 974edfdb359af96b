package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent as a plain child process: protocol, exec and files without any sandbox. */
class PlainAgentIT extends AgentTestBase {

    private Path scratch;

    @BeforeEach
    void createScratch() throws IOException {
        scratch = Files.createTempDirectory("ak-agent-it-");
    }

    @AfterEach
    void removeScratch() throws IOException {
        try (var files = Files.walk(scratch)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    List<String> command(Path binary) {
        return List.of(binary.toString());
    }

    /** Outside a sandbox, LeakSanitizer can trace the agent: leaks fail the sanitizer run here. */
    @Override
    Map<String, String> agentEnvironment() {
        return Map.of("ASAN_OPTIONS", "detect_leaks=1");
    }

    @Override
    String scratch() {
        return scratch.toString();
    }

    @Test
    void withoutASandboxPathsReachTheHostsFilesThroughTheAgent() throws Exception {
        Path hostFile = scratch.resolve("host.txt");
        Files.writeString(hostFile, "host content");
        sh("ln -s " + hostFile + " " + scratch + "/link");
        assertThat(agent.readFile(scratch + "/link")).asString(StandardCharsets.UTF_8).isEqualTo("host content");
        assertThat(agent.readFile(scratch + "/../" + scratch.getFileName() + "/host.txt"))
                .asString(StandardCharsets.UTF_8).isEqualTo("host content");
    }
}
