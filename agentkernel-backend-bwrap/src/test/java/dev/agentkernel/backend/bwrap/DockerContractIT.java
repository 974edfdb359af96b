package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.testing.DockerEngine;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link BackendContractIT} on the docker backend, against a private Docker engine started for the
 * tests ({@link DockerEngine}: user-namespace remapping, cgroupfs). Where tests must run (CI) an
 * engine that cannot start fails the class instead of skipping it. After each test, besides the
 * host's leftovers, the engine must hold no container of AgentKernel's.
 */
class DockerContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "docker";
    }

    @Override
    boolean hostKernel() {
        return true;
    }

    @Override
    boolean network() {
        return true;
    }

    @Override
    Map<String, String> environment() throws IOException {
        SandboxHost.require(DockerEngine.missing().isEmpty(), "the docker contract tests need "
                + DockerEngine.missing().orElse(""));
        return Map.of("DOCKER_HOST", DockerEngine.shared().host());
    }

    @AfterEach
    void noContainerLeftInTheEngine() throws Exception {
        ProcessBuilder ps = new ProcessBuilder("docker", "ps", "--all", "--quiet", "--filter",
                "label=" + DockerRunArguments.LABEL).redirectErrorStream(true);
        ps.environment().put("DOCKER_HOST", DockerEngine.shared().host());
        Process p = ps.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out.strip()).as("containers of AgentKernel left in the engine").isEmpty();
    }
}
