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
        return "Check that isolation, limits, network, mounts and the daemon work";
    }

    @Override
    public List<String> description() {
        return List.of("List every isolation backend with \"available\" or the reason it is not and how to fix it, then",
                "check for real that everything works: a sandbox starts, a memory limit is enforced, seccomp is on,",
                "the network helper gives a sandbox its interface, a sandbox under a network policy gets its DNS",
                "from AgentKernel's resolver and its web traffic through the egress proxy (egress control), the",
                "state directory is writable, a file goes through a mounted directory and back, the daemon answers",
                "and its warm pool is full. One ✓/✗ line",
                "each, with the fix for each ✗. Exits 0 when every check passed, 1 when one failed, 3 when no",
                "backend is available. 'agentkernel setup' installs and starts what it can first.");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("url").hasArg().argName("URL")
                .desc("The daemon to check (default: AGENTKERNEL_BASE_URL, else the one 'daemon start' started, else "
                        + "http://localhost:18888)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel doctor");
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
        CgroupTuning.hint().ifPresent(out::println);
        if (!any) {
            out.println("no isolation backend is available: 'agentkernel run' cannot work until one of the fixes above is applied");
            return ExitCodes.BACKEND_UNAVAILABLE;
        }
        out.println();
        return printChecks(host, args.getOptionValue("url"), out);
    }

    /** Runs the checks (the daemon at {@code url}, or the usual one), prints them; 0 if all passed, 1 otherwise. */
    static int printChecks(HostContext host, String url, PrintWriter out) {
        DaemonEndpoint daemon = DaemonEndpoint.resolve(url, System.getenv(), host.stateDir().toAbsolutePath());
        List<SetupCheck> results = new SetupChecks(host, daemon).run();
        int width = results.stream().mapToInt(r -> r.name().length()).max().orElse(10);
        for (SetupCheck r : results) {
            out.println(r.line(width));
        }
        long failed = SetupChecks.failures(results);
        out.println(failed == 0 ? "all " + results.size() + " checks passed: AgentKernel is ready to use"
                : failed + " of " + results.size() + " checks failed (fixes above; 'agentkernel setup' does what it can)");
        return failed == 0 ? 0 : 1;
    }
}
