package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.backend.BackendProvider;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import java.nio.file.Path;

/** Provides the bubblewrap backend when {@code bwrap} is installed and cgroups are writable. */
public final class BwrapProvider implements BackendProvider {

    /** The backend's name. */
    public static final String NAME = "bwrap";
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Linux namespaces through bubblewrap, seccomp, cgroup limits, networking through a host bridge "
                + "(root) or slirp4netns";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability probe(HostContext host) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Availability.unavailable("needs Linux (this is " + System.getProperty("os.name") + ")", "");
        }
        if (HostTools.find("bwrap").isEmpty()) {
            return Availability.unavailable("bwrap not found on PATH", HostTools.installHint("bubblewrap"));
        }
        CgroupDriver.Detection cgroups = CgroupDriver.detect(CGROUP_ROOT);
        if (cgroups.availability() instanceof Availability.Unavailable u) {
            return Availability.unavailable("resource limits cannot be enforced: " + u.reason(), u.fix());
        }
        return Availability.available();
    }

    @Override
    public IsolationBackend open(HostContext host) {
        CgroupDriver.Detection cgroups = CgroupDriver.detect(CGROUP_ROOT);
        if (cgroups.driver() == null) {
            throw new BackendUnavailableException("bwrap backend: resource limits cannot be enforced: "
                    + ((Availability.Unavailable) cgroups.availability()).reason());
        }
        Path bwrap = HostTools.find("bwrap").orElseThrow(() -> new BackendUnavailableException(
                "bwrap not found on PATH (fix: " + HostTools.installHint("bubblewrap") + ")"));
        return new BwrapBackend(host, bwrap, HostTools.find("slirp4netns"), cgroups.driver());
    }
}
