package dev.agentkernel.backend.bwrap;

import dev.agentkernel.testing.DockerEngine;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.util.Map;

/**
 * {@link BackendContractIT} on the docker backend, against a private Docker engine started for the
 * tests ({@link DockerEngine}: user-namespace remapping, cgroupfs). Where tests must run (CI) an
 * engine that cannot start fails the class instead of skipping it.
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
        return false;
    }

    @Override
    Map<String, String> environment() throws IOException {
        SandboxHost.require(DockerEngine.missing().isEmpty(), "the docker contract tests need "
                + DockerEngine.missing().orElse("") );
        return Map.of("DOCKER_HOST", DockerEngine.shared().host());
    }
}
