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
        permits OciProvider.Runc, OciProvider.Crun, OciProvider.Gvisor, OciProvider.Podman {

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

    /** Why this runtime cannot run on this host besides its binary, with the fix; empty when it can. */
    Optional<Availability.Unavailable> missing() {
        return Optional.empty();
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
        Optional<Availability.Unavailable> missing = missing();
        if (missing.isPresent()) {
            return missing.get();
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
        missing().ifPresent(m -> {
            throw new BackendUnavailableException(name + " backend: " + m.reason() + " (fix: " + m.fix() + ")");
        });
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

    /**
     * podman: the container engine, on the sandbox's image staged as for runc, with runc under it and
     * podman's state private to each sandbox (for hosts where podman is what the user runs).
     */
    public static final class Podman extends OciProvider {
        /** The provider (for the service loader). */
        public Podman() {
            super("podman", "podman", "podman", 45);
        }

        @Override
        public String description() {
            return "the podman engine (with runc and conmon) on the sandbox's image, its state private to each "
                    + "sandbox; same agent, cgroups, seccomp filter and host bridge as bwrap";
        }

        /** podman also needs conmon (its container monitor) and runc (the runtime it is told to use). */
        @Override
        Optional<Availability.Unavailable> missing() {
            for (String tool : java.util.List.of("conmon", "runc")) {
                if (HostTools.find(tool).isEmpty()) {
                    return Optional.of(new Availability.Unavailable(tool
                            + " not found on PATH (podman runs containers through it)", HostTools.installHint(tool)));
                }
            }
            return Optional.empty();
        }

        @Override
        OciRuntime runtime(Path binary) {
            return new OciRuntime.Podman(binary);
        }
    }
}
