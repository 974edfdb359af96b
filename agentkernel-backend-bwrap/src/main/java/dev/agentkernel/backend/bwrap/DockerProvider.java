package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.backend.BackendProvider;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Provides the {@code docker} backend ({@link DockerBackend}) where a Docker engine answers at
 * {@code DOCKER_HOST} (by default {@value DockerClient#DEFAULT_HOST}) through the {@code docker}
 * command, remaps containers' users into a user namespace ({@code --userns-remap}: a sandbox's root
 * must not be host root) and uses the {@code cgroupfs} cgroup driver (each container is nested in
 * AgentKernel's cgroup of its sandbox); AgentKernel runs as root and cgroups are writable. Never the
 * default where another backend works (lowest priority): a request or the configuration names it.
 */
public final class DockerProvider implements BackendProvider {

    private static final Duration INFO_TIMEOUT = Duration.ofSeconds(15);
    private static final String START_HINT = "start an engine that remaps users: dockerd --userns-remap=default "
            + "--exec-opt native.cgroupdriver=cgroupfs (and set DOCKER_HOST to where it listens)";

    /** The provider (for the service loader). */
    public DockerProvider() {
    }

    @Override
    public String name() {
        return DockerBackend.NAME;
    }

    @Override
    public String description() {
        return "containers of a Docker engine with user-namespace remapping (DOCKER_HOST), on the sandbox's image "
                + "loaded from AgentKernel's store; same agent, cgroups, seccomp filter, host bridge and egress rules as bwrap; persistent sandboxes need the overlay2 storage driver";
    }

    @Override
    public int priority() {
        return 20;
    }

    /** What probing found: the engine's client and what it said, or why it cannot be used. */
    private record Probe(DockerClient client, DockerEngineInfo info, CgroupDriver cgroups, Availability availability) {
    }

    @Override
    public Availability probe(HostContext host) {
        return inspect(host).availability();
    }

    private Probe inspect(HostContext host) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return unavailable("needs Linux (this is " + System.getProperty("os.name") + ")", "");
        }
        Optional<Path> cli = HostTools.find("docker");
        if (cli.isEmpty()) {
            return unavailable("docker not found on PATH", HostTools.installHint("docker.io"));
        }
        if (!host.root()) {
            return unavailable("needs AgentKernel to run as root (it puts each container in a cgroup of its own)",
                    "run it as root");
        }
        CgroupDriver.Detection cgroups = CgroupDriver.detect(BwrapProvider.CGROUP_ROOT);
        if (cgroups.availability() instanceof Availability.Unavailable u) {
            return unavailable("resource limits cannot be enforced: " + u.reason(), u.fix());
        }
        String address = host.env().getOrDefault("DOCKER_HOST", DockerClient.DEFAULT_HOST);
        DockerClient client = new DockerClient(cli.get(), address, host.stateDir().resolve("docker-client"));
        DockerClient.Result answer;
        try {
            answer = client.call(INFO_TIMEOUT, "info", "--format", DockerEngineInfo.FORMAT);
        } catch (IOException e) {
            return unavailable("no Docker engine answers at " + address + ": " + e.getMessage(), START_HINT);
        }
        if (!answer.ok()) {
            return unavailable("no Docker engine answers at " + address + ": " + answer.reason(), START_HINT);
        }
        DockerEngineInfo info;
        try {
            info = DockerEngineInfo.parse(answer.out());
        } catch (IllegalArgumentException e) {
            return unavailable(e.getMessage(), "");
        }
        if (!info.userns()) {
            return unavailable("the Docker engine at " + address + " runs containers' root as host root (no "
                    + "user-namespace remapping)", "restart it with dockerd --userns-remap=default");
        }
        if (info.remappedRoot().isEmpty()) {
            return unavailable("the Docker engine at " + address + " remaps users but does not say to which host uid",
                    "restart it with dockerd --userns-remap=default");
        }
        if (!info.cgroupDriver().equals("cgroupfs")) {
            return unavailable("the Docker engine at " + address + " uses the " + info.cgroupDriver() + " cgroup "
                    + "driver; AgentKernel nests each container in a cgroup of its own",
                    "restart it with dockerd --exec-opt native.cgroupdriver=cgroupfs");
        }
        return new Probe(client, info, cgroups.driver(), Availability.available());
    }

    private static Probe unavailable(String reason, String fix) {
        return new Probe(null, null, null, Availability.unavailable(reason, fix));
    }

    @Override
    public IsolationBackend open(HostContext host) {
        Probe probe = inspect(host);
        if (probe.availability() instanceof Availability.Unavailable u) {
            throw new BackendUnavailableException("docker backend: " + u.reason()
                    + (u.fix().isEmpty() ? "" : " (fix: " + u.fix() + ")"));
        }
        return new DockerBackend(host, probe.client(), probe.info(), probe.cgroups(), BwrapProvider.CGROUP_ROOT);
    }
}
