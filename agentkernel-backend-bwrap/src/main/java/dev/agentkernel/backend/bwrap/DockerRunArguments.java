package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments of {@code docker run} for one sandbox: the same sandbox {@link OciSpecBuilder} asks
 * an OCI runtime for, in the engine's terms. Pure, so what it asks for is checked by unit tests.
 *
 * <p>The container runs the agent binary (baked into the image at {@value BwrapCommandLine#AGENT_DIR}
 * by {@link DockerImages}) as the container's root, which the engine's user-namespace remapping
 * makes an unprivileged host uid, with {@link BwrapCommandLine#ROOT_CAPABILITIES} only and
 * no_new_privs; the agent installs AgentKernel's seccomp filter before anything else (on top of the
 * engine's default one) and runs each command as the sandbox's user unless it asks for root. Limits
 * are the engine's cgroup's (memory with no swap, CPU, pids), nested in AgentKernel's own cgroup of
 * the sandbox ({@code --cgroup-parent}), which has the same limits. The engine's network is none
 * ({@code --network none}: loopback only; a sandbox with network has its namespace wired to the host
 * bridge by {@link DockerBackend}, and its agent waits at the gate, {@value #GATE}, until then); the
 * sandbox's {@code /etc/resolv.conf} and {@code /etc/hosts} are those of its generated {@code /etc}
 * layer, as on every other backend, not the engine's; no log kept by the engine ({@code --log-driver
 * none}).
 */
final class DockerRunArguments {

    /** The label every container of AgentKernel carries, its value the sandbox's name. */
    static final String LABEL = "dev.agentkernel.sandbox";
    /** Where the launch gate's FIFO is bound in the container. */
    static final String GATE = BwrapCommandLine.AGENT_DIR + "/gate";

    private final String agentName;
    private final String seccompName;

    /**
     * @param agentName   the agent binary's file name in the image's {@value BwrapCommandLine#AGENT_DIR}
     * @param seccompName the seccomp filter's file name there
     */
    DockerRunArguments(String agentName, String seccompName) {
        this.agentName = agentName;
        this.seccompName = seccompName;
    }

    /**
     * {@code run ...} (without the {@code docker} binary itself).
     *
     * @param name         the container's name (also its label's value)
     * @param cgroupParent AgentKernel's cgroup of the sandbox, from the hierarchies' roots
     * @param image        the engine's tag of the sandbox's image ({@link DockerImages})
     * @param gate         the FIFO the agent waits at before anything else, if any ({@link LaunchGate})
     */
    List<String> build(SandboxSpec spec, BwrapCommandLine.Payload payload, String name, String cgroupParent,
                       String image, Optional<Path> gate) {
        List<String> args = new ArrayList<>(96);
        args.addAll(List.of("run", "-i", "--name", name, "--label", LABEL + "=" + name,
                "--cgroup-parent", cgroupParent, "--log-driver", "none", "--network", "none",
                "--hostname", spec.hostname(), "--user", "0:0", "--cap-drop", "ALL"));
        for (String capability : BwrapCommandLine.ROOT_CAPABILITIES) {
            args.addAll(List.of("--cap-add", capability.substring("CAP_".length())));
        }
        args.addAll(List.of("--security-opt", "no-new-privileges"));
        long memory = spec.limits().memoryMb();
        args.addAll(List.of("--memory", memory + "m", "--memory-swap", memory + "m",
                "--pids-limit", Integer.toString(spec.limits().pids())));
        if (spec.limits().vcpus() > 0) {
            args.addAll(List.of("--cpus", String.format(Locale.ROOT, "%.3f", spec.limits().vcpus())));
        }
        if (spec.readOnlyRoot()) {
            args.add("--read-only");
        }
        args.addAll(List.of("--tmpfs", "/tmp:rw,nosuid,nodev,mode=1777,size=" + spec.limits().tmpMb() + "m"));
        if (spec.mounts().stream().noneMatch(m -> m.sandboxPath().equals("/workspace"))) {
            // as under the OCI runtimes: a tmpfs, the sandbox's memory (read-only with a read-only root)
            args.addAll(List.of("--tmpfs", "/workspace:" + (spec.readOnlyRoot() ? "ro" : "rw")
                    + ",nosuid,nodev,mode=1777,size=" + Math.max(1, memory) + "m"));
        }
        if (spec.root() instanceof RootFs.Image root) {
            // the generated /etc layer's, not the engine's, which name the host's resolver
            Path etc = (spec.network() == NetworkMode.OUTBOUND ? root.etcOnline() : root.etcOffline()).resolve("etc");
            for (String file : List.of("resolv.conf", "hosts")) {
                if (spec.mounts().stream().noneMatch(m -> m.sandboxPath().equals("/etc/" + file))) {
                    bind(args, etc.resolve(file), "/etc/" + file, true);
                }
            }
        }
        gate.ifPresent(fifo -> bind(args, fifo, GATE, true));
        for (Mount mount : spec.mounts()) {
            bind(args, mount.hostPath(), mount.sandboxPath(), mount.readOnly());
        }
        Optional<CommandSpec> command = payload instanceof BwrapCommandLine.Payload.Command c
                ? Optional.of(c.command()) : Optional.empty();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        command.ifPresent(c -> env.putAll(c.env()));
        env.forEach((key, value) -> args.addAll(List.of("--env", key + "=" + value)));
        args.addAll(List.of("--workdir", command.flatMap(CommandSpec::workdir).orElse(spec.workdir())));
        args.addAll(List.of("--entrypoint", BwrapCommandLine.AGENT_DIR + "/" + agentName, image));
        gate.ifPresent(fifo -> args.addAll(List.of("--gate", GATE)));
        args.addAll(List.of("--seccomp", BwrapCommandLine.AGENT_DIR + "/" + seccompName));
        args.addAll(payload.agentArguments());
        return args;
    }

    private static void bind(List<String> args, Path source, String target, boolean readOnly) {
        if (source.toString().contains(",") || target.contains(",")) {
            throw new IllegalArgumentException("the docker backend cannot mount a path with a comma: "
                    + source + " -> " + target);
        }
        args.addAll(List.of("--mount", "type=bind,source=" + source + ",target=" + target + (readOnly ? ",readonly" : "")));
    }
}
