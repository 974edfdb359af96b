package dev.agentkernel.backend.bwrap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The part of the OCI runtime specification (runtime-spec 1.0, {@code config.json}) that AgentKernel
 * writes for the OCI runtime backends: records named as the specification names its fields, so the
 * JSON mapping is Jackson's default. Absent (null) fields are left out.
 *
 * @param ociVersion the specification's version
 * @param process    the container's first process
 * @param root       its root file system
 * @param hostname   its host name
 * @param mounts     the mounts, in order
 * @param linux      the Linux-specific settings
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record OciSpec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts, Linux linux) {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** The version written. */
    static final String VERSION = "1.0.2";

    /** {@code config.json}'s bytes. */
    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an OCI spec of plain records always serialises", e);
        }
    }

    /** The first process: argv, environment, working directory, identity, capabilities. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                   Capabilities capabilities, boolean noNewPrivileges) {
    }

    /** Numeric identity. */
    record User(long uid, long gid) {
    }

    /** Capability sets (names such as {@code CAP_CHOWN}). */
    record Capabilities(List<String> bounding, List<String> effective, List<String> permitted) {
    }

    /** The root file system: an absolute path in the runtime's mount namespace. */
    record Root(String path, boolean readonly) {
    }

    /** One mount. */
    record Mount(String destination, String type, String source, List<String> options) {
    }

    /** Namespaces, id maps, the cgroup, hidden and read-only paths. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                 String cgroupsPath, Resources resources, List<String> maskedPaths, List<String> readonlyPaths) {
    }

    /** A namespace the runtime creates for the container, or (with a path) the one it joins. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Namespace(String type, String path) {
        /** A new namespace of that type. */
        Namespace(String type) {
            this(type, null);
        }
    }

    /** Ids {@code containerID..+size} in the container are the host's {@code hostID..+size}. */
    record IdMapping(long containerID, long hostID, long size) {
    }

    /** Resources: only the device rules (limits are the cgroup AgentKernel made and put the runtime in). */
    record Resources(List<DeviceRule> devices) {
    }

    /** A device cgroup rule. */
    record DeviceRule(boolean allow, String access) {
    }
}
