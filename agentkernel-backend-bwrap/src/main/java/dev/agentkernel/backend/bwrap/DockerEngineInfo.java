package dev.agentkernel.backend.bwrap;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What AgentKernel needs to know of a Docker engine, from {@code docker info}: whether it remaps
 * containers' users into a user namespace (so that a sandbox's root is no host root), its cgroup
 * driver (each sandbox's container goes under a cgroup of AgentKernel's own, which needs
 * {@code cgroupfs}), and the host uid of its containers' root (from its data directory's name,
 * {@code <root>/<uid>.<gid>}, under remapping).
 *
 * @param userns        whether the engine runs with {@code --userns-remap}
 * @param cgroupDriver  {@code cgroupfs} or {@code systemd}
 * @param remappedRoot  the host uid of containers' root, when remapped
 * @param version       the engine's version
 */
record DockerEngineInfo(boolean userns, String cgroupDriver, Optional<Long> remappedRoot, String version) {

    /** The {@code --format} of {@code docker info} that {@link #parse} reads. */
    static final String FORMAT = "{{json .SecurityOptions}}|{{.CgroupDriver}}|{{.DockerRootDir}}|{{.ServerVersion}}";

    private static final Pattern REMAPPED_DIR = Pattern.compile(".*/(\\d+)\\.(\\d+)/?$");

    /**
     * Reads the output of {@code docker info --format FORMAT}.
     *
     * @throws IllegalArgumentException if it is not of that shape
     */
    static DockerEngineInfo parse(String output) {
        String[] fields = output.strip().split("\\|", -1);
        if (fields.length != 4) {
            throw new IllegalArgumentException("unexpected answer of docker info: " + output.strip());
        }
        boolean userns = fields[0].contains("\"name=userns\"");
        Matcher dir = REMAPPED_DIR.matcher(fields[2].strip());
        Optional<Long> root = userns && dir.matches() ? Optional.of(Long.parseLong(dir.group(1))) : Optional.empty();
        return new DockerEngineInfo(userns, fields[1].strip(), root, fields[3].strip());
    }
}
