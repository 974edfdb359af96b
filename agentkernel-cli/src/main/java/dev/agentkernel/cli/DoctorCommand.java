package dev.agentkernel.cli;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.host.HostContext;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentkernel doctor}: which isolation backends can run here, and why not. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "List every isolation backend with \"available\" or the reason it is not.",
        footer = {"%nExample:", "  agentkernel doctor"})
final class DoctorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HostContext host = HostContext.current();
        List<BackendSelector.Probe> probes = BackendSelector.discover().probeAll(host);
        boolean any = false;
        out.printf("%-10s %-4s %s%n", "BACKEND", "OK", "STATUS");
        for (BackendSelector.Probe probe : probes) {
            String status = switch (probe.availability()) {
                case Availability.Available a -> "available (priority " + probe.provider().priority() + ") - "
                        + probe.provider().description();
                case Availability.Unavailable u -> u.reason() + (u.fix().isEmpty() ? "" : "; fix: " + u.fix());
            };
            any |= probe.availability().isAvailable();
            out.printf("%-10s %-4s %s%n", probe.provider().name(), probe.availability().isAvailable() ? "✓" : "✗", status);
        }
        if (!any) {
            out.println("no isolation backend is available: 'agentkernel run' cannot work until one of the fixes above is applied");
        }
        return any ? 0 : ExitCodes.BACKEND_UNAVAILABLE;
    }
}
