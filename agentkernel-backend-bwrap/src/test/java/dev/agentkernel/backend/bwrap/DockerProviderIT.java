package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.testing.DockerEngine;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code doctor} and a request naming the docker backend learn from {@link DockerProvider}: available with
 * an engine that qualifies (the tests' private one), else the reason and the fix, never a stack trace.
 */
class DockerProviderIT {

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Sandboxes.assumeSandboxHost();
        SandboxHost.require(DockerEngine.missing().isEmpty(), "the docker backend's tests need "
                + DockerEngine.missing().orElse(""));
        dir = Files.createTempDirectory("ak-docker-provider-");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestDirectories.delete(dir);
        }
    }

    private HostContext host(String dockerHost) throws IOException {
        HostContext current = HostContext.current();
        Map<String, String> env = new LinkedHashMap<>(current.env());
        env.put("DOCKER_HOST", dockerHost);
        return new HostContext(Files.createDirectories(dir.resolve("state")), Files.createDirectories(dir.resolve("run")),
                current.root(), current.cpus(), env);
    }

    @Test
    void anEngineThatRemapsUsersIsAvailable() throws IOException {
        assertThat(new DockerProvider().probe(host(DockerEngine.shared().host()))).isEqualTo(Availability.available());
    }

    private static String docker(String... args) throws Exception {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("docker"));
        argv.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", DockerEngine.shared().host());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("docker %s: %s", String.join(" ", args), out).isZero();
        return out.strip();
    }

    @Test
    void containersOfADeadAgentKernelAreRemovedWhenTheBackendOpensAndLiveOnesKept() throws Exception {
        Path empty = dir.resolve("empty.tar");
        new ProcessBuilder("tar", "-cf", empty.toString(), "-T", "/dev/null").start().waitFor();
        docker("import", empty.toString(), "ak-test/empty:1");
        String live = dev.agentkernel.core.host.OwnerTag.next();
        // the same owner in an earlier boot: certainly gone
        String dead = live.replaceFirst("\\.[0-9a-f]{8}-", ".00000000-");
        for (String id : java.util.List.of(live, dead)) {
            docker("create", "--name", "agentkernel-" + id, "--label", DockerRunArguments.LABEL + "=agentkernel-" + id,
                    "ak-test/empty:1", "/none");
        }
        try {
            new DockerProvider().open(host(DockerEngine.shared().host())).close();
            String left = docker("ps", "--all", "--format", "{{.Names}}", "--filter", "label=" + DockerRunArguments.LABEL);
            assertThat(left.lines().toList()).containsExactly("agentkernel-" + live);
        } finally {
            docker("rm", "--force", "agentkernel-" + live, "agentkernel-" + dead);
            docker("rmi", "ak-test/empty:1");
        }
    }

    @Test
    void noEngineIsUnavailableWithTheReasonAndTheFix() throws IOException {
        String address = "unix://" + dir.resolve("none.sock");
        HostContext host = host(address);
        Availability probe = new DockerProvider().probe(host);
        assertThat(probe).isInstanceOf(Availability.Unavailable.class);
        Availability.Unavailable why = (Availability.Unavailable) probe;
        assertThat(why.reason()).startsWith("no Docker engine answers at " + address);
        assertThat(why.fix()).contains("dockerd --userns-remap=default").contains("DOCKER_HOST");
        assertThatThrownBy(() -> new DockerProvider().open(host)).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("no Docker engine answers").hasMessageContaining("fix: ");
    }
}
