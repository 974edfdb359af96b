package dev.agentkernel.cli;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.host.HostContext;
import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code agentkernel doctor}: which isolation backends can run here, and why not. */
final class DoctorCommand implements Subcommand {

    @Override
    public String name() {
        return "doctor";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public String summary() {
        return "List isolation backends and whether they can run here";
    }

    @Override
    public List<String> description() {
        return List.of("List every isolation backend with \"available\" or the reason it is not and how to fix it.",
                "Exits 0 when at least one backend is available, 3 otherwise.");
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel doctor");
    }

    /**
     * A cgroup2 mount without {@code favordynmods} makes every move of a process into a
     * cgroup wait for an RCU grace period (about 10 ms per sandbox start on our machines).
     */
    static java.util.Optional<String> cgroupTuningHint() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 3 && f[2].equals("cgroup2") && !f[3].contains("favordynmods")) {
                    return java.util.Optional.of("hint: " + f[1] + " is mounted without favordynmods, so each sandbox start "
                            + "waits ~10 ms in the kernel; as root: mount -o remount,favordynmods " + f[1]);
                }
            }
        } catch (java.io.IOException e) {
            // no hint
        }
        return java.util.Optional.empty();
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) {
        HostContext host = HostContext.current();
        List<BackendSelector.Probe> probes = BackendSelector.discover().probeAll(host);
        boolean any = false;
        out.printf("%-10s %-3s %s%n", "BACKEND", "OK", "STATUS");
        for (BackendSelector.Probe probe : probes) {
            String status = switch (probe.availability()) {
                case Availability.Available a -> "available (priority " + probe.provider().priority() + "): "
                        + probe.provider().description();
                case Availability.Unavailable u -> u.reason() + (u.fix().isEmpty() ? "" : "; fix: " + u.fix());
            };
            any |= probe.availability().isAvailable();
            out.printf("%-10s %-3s %s%n", probe.provider().name(), probe.availability().isAvailable() ? "✓" : "✗", status);
        }
        cgroupTuningHint().ifPresent(out::println);
        if (!any) {
            out.println("no isolation backend is available: 'agentkernel run' cannot work until one of the fixes above is applied");
        }
        return any ? 0 : ExitCodes.BACKEND_UNAVAILABLE;
    }
}
