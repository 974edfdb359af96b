package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.backend.BackendProvider;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Provides a backend on an OCI runtime ({@link OciBackend}) when its binary is installed, AgentKernel
 * runs as root (it stages the image's layers idmapped, as for bubblewrap) and cgroups are writable.
 * One subclass per runtime, each listed in {@code META-INF/services}; none is the default where
 * bubblewrap works (lower priority): a request or the configuration names it.
 */
public abstract sealed class OciProvider implements BackendProvider
        permits OciProvider.Runc, OciProvider.Crun, OciProvider.Gvisor {

    private final String name;
    private final String program;
    private final String debianPackage;
    private final int priority;

    OciProvider(String name, String program, String debianPackage, int priority) {
        this.name = name;
        this.program = program;
        this.debianPackage = debianPackage;
        this.priority = priority;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return priority;
    }

    /** The runtime, given its binary. */
    abstract OciRuntime runtime(Path binary);

    @Override
    public Availability probe(HostContext host) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Availability.unavailable("needs Linux (this is " + System.getProperty("os.name") + ")", "");
        }
        if (HostTools.find(program).isEmpty()) {
            return Availability.unavailable(program + " not found on PATH", HostTools.installHint(debianPackage));
        }
        if (!host.root()) {
            return Availability.unavailable("needs AgentKernel to run as root (it mounts the image's layers for the "
                    + "runtime)", "run it as root");
        }
        CgroupDriver.Detection cgroups = CgroupDriver.detect(BwrapProvider.CGROUP_ROOT);
        if (cgroups.availability() instanceof Availability.Unavailable u) {
            return Availability.unavailable("resource limits cannot be enforced: " + u.reason(), u.fix());
        }
        return Availability.available();
    }

    @Override
    public IsolationBackend open(HostContext host) {
        CgroupDriver.Detection cgroups = CgroupDriver.detect(BwrapProvider.CGROUP_ROOT);
        if (cgroups.driver() == null) {
            throw new BackendUnavailableException(name + " backend: resource limits cannot be enforced: "
                    + ((Availability.Unavailable) cgroups.availability()).reason());
        }
        Optional<Path> binary = HostTools.find(program);
        if (binary.isEmpty()) {
            throw new BackendUnavailableException(program + " not found on PATH (fix: "
                    + HostTools.installHint(debianPackage) + ")");
        }
        return new OciBackend(host, runtime(binary.get()), cgroups.driver());
    }

    /** runc: Linux namespaces through the reference OCI runtime, on the sandbox's image. */
    public static final class Runc extends OciProvider {
        /** The provider (for the service loader). */
        public Runc() {
            super("runc", "runc", "runc", 50);
        }

        @Override
        public String description() {
            return "Linux namespaces through the OCI runtime runc, on the sandbox's image; same agent, cgroups, "
                    + "seccomp filter and host bridge as bwrap";
        }

        @Override
        OciRuntime runtime(Path binary) {
            return new OciRuntime.Runc(binary);
        }
    }

    /** crun: Linux namespaces through the OCI runtime in C, on the sandbox's image. */
    public static final class Crun extends OciProvider {
        /** The provider (for the service loader). */
        public Crun() {
            super("crun", "crun", "crun", 55);
        }

        @Override
        public String description() {
            return "Linux namespaces through the OCI runtime crun, on the sandbox's image; same agent, cgroups, "
                    + "seccomp filter and host bridge as bwrap";
        }

        @Override
        OciRuntime runtime(Path binary) {
            return new OciRuntime.Crun(binary);
        }
    }

    /** gVisor: the sandbox's system calls served by gVisor's user-space kernel ({@code runsc}). */
    public static final class Gvisor extends OciProvider {
        /** The provider (for the service loader). */
        public Gvisor() {
            super("gvisor", "runsc", "runsc", 40);
        }

        @Override
        public String description() {
            return "gVisor (runsc, ptrace platform): a user-space kernel between the sandbox and the host's, on the "
                    + "sandbox's image; no network with this runsc on kernels 6.x";
        }

        @Override
        OciRuntime runtime(Path binary) {
            return new OciRuntime.Runsc(binary, "ptrace");
        }
    }
}
