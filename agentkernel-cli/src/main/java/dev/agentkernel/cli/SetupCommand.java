package dev.agentkernel.cli;

import dev.agentkernel.core.host.HostContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel setup}: installs what it can (the system packages the bubblewrap backend
 * needs, as root with apt-get), tunes the host's cgroup2 mounts ({@link CgroupTuning}), creates the state directory, starts the daemon if none answers
 * and waits for its warm pool, then runs the checks of {@code doctor}.
 */
final class SetupCommand implements Subcommand {

    /** Programs the bubblewrap backend runs, and the Debian packages that have them. */
    static final Map<String, String> PACKAGES = new LinkedHashMap<>(Map.of("bwrap", "bubblewrap", "slirp4netns", "slirp4netns",
            "mkfs.ext4", "e2fsprogs"));
    /** Interpreters of code sessions and tasks, installed with {@code --interpreters}. */
    static final Map<String, String> INTERPRETERS = new LinkedHashMap<>(Map.of("python3", "python3", "node", "nodejs"));
    private static final Duration POOL_WAIT = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "setup";
    }

    @Override
    public String usage() {
        return "[--interpreters] [--no-daemon]";
    }

    @Override
    public String summary() {
        return "Install and start what AgentKernel needs, then check it all works";
    }

    @Override
    public List<String> description() {
        return List.of("As root on Debian or Ubuntu, installs the packages of missing programs (bubblewrap, slirp4netns, e2fsprogs;",
                "with --interpreters also python3 and nodejs for code sessions and tasks) with apt-get; as root, remounts",
                "cgroup2 with favordynmods where it lacks it (each sandbox start waits ~10 ms in the kernel without it;",
                "until the next boot; the launcher script does it too; AGENTKERNEL_NO_HOST_TUNING=1 leaves it); creates the",
                "state directory; starts the daemon ('agentkernel daemon start') unless one answers or --no-daemon is",
                "given, and waits for its warm pool; then runs every check of 'agentkernel doctor'.",
                "Exits 0 when every check passed, 1 otherwise.");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("interpreters").desc("Also install python3 and nodejs").get());
        o.addOption(Option.builder().longOpt("no-daemon").desc("Do not start the daemon").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("sudo agentkernel setup", "sudo agentkernel setup --interpreters");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        HostContext host = HostContext.current();
        Map<String, String> wanted = new LinkedHashMap<>(PACKAGES);
        if (args.hasOption("interpreters")) {
            wanted.putAll(INTERPRETERS);
        }
        install(missing(wanted), host, out, err);
        if (System.getenv("AGENTKERNEL_NO_HOST_TUNING") != null) {
            CgroupTuning.hint().ifPresent(out::println); // left as it is, as the launcher script leaves it
        } else if (host.root()) {
            CgroupTuning.apply().forEach(out::println);
        } else {
            CgroupTuning.hint().ifPresent(out::println);
        }
        Files.createDirectories(host.stateDir());
        out.println("state directory: " + host.stateDir());
        if (!args.hasOption("no-daemon")) {
            startDaemon(host, out, err);
        }
        out.println();
        return DoctorCommand.printChecks(host, null, out);
    }

    /** The packages of the programs not found on PATH. */
    static List<String> missing(Map<String, String> programs) {
        List<String> packages = new ArrayList<>();
        programs.forEach((program, pkg) -> {
            if (!onPath(program)) {
                packages.add(pkg);
            }
        });
        return packages;
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static void install(List<String> packages, HostContext host, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        if (packages.isEmpty()) {
            out.println("packages: everything needed is installed");
            return;
        }
        if (!host.root() || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            out.println("packages: missing " + String.join(", ", packages) + "; install them (as root: apt-get install -y "
                    + String.join(" ", packages) + ")");
            return;
        }
        out.println("packages: installing " + String.join(", ", packages) + " with apt-get...");
        out.flush();
        if (run(List.of("apt-get", "install", "-y", "--no-install-recommends"), packages) != 0
                && (run(List.of("apt-get", "update"), List.of()) != 0
                || run(List.of("apt-get", "install", "-y", "--no-install-recommends"), packages) != 0)) {
            err.println("agentkernel: apt-get could not install " + String.join(" ", packages) + " (see above)");
        }
    }

    private static int run(List<String> command, List<String> args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void startDaemon(HostContext host, PrintWriter out, PrintWriter err) throws Exception {
        DaemonEndpoint daemon = DaemonEndpoint.resolve(null, System.getenv(), host.stateDir().toAbsolutePath());
        try (DaemonHttp http = new DaemonHttp(daemon.url(), daemon.apiKey(), Duration.ofSeconds(5))) {
            if (http.healthy()) {
                out.println("daemon: already running at " + daemon.url());
                waitForPool(http, out, err);
                return;
            }
        }
        out.println("daemon: starting ('agentkernel daemon start')...");
        out.flush();
        int code = new DaemonCommand().run(new org.apache.commons.cli.DefaultParser().parse(new DaemonCommand().options(),
                new String[] {"start"}), out, err);
        if (code != 0) {
            return;
        }
        DaemonEndpoint started = DaemonEndpoint.resolve(null, System.getenv(), host.stateDir().toAbsolutePath());
        try (DaemonHttp http = new DaemonHttp(started.url(), started.apiKey(), Duration.ofSeconds(5))) {
            waitForPool(http, out, err);
        }
    }

    private static void waitForPool(DaemonHttp http, PrintWriter out, PrintWriter err) throws InterruptedException {
        long deadline = System.nanoTime() + POOL_WAIT.toNanos();
        try (Progress progress = Progress.show(err, "filling the warm pool")) {
            while (System.nanoTime() < deadline) {
                if (http.status() instanceof DaemonHttp.StatusData(var data)) {
                    DaemonStatusReport r = DaemonStatusReport.from(data);
                    if (r.pool() == null || !Boolean.TRUE.equals(r.pool().enabled())) {
                        return;
                    }
                    long target = r.pool().targetPerKey() == null ? 1 : r.pool().targetPerKey();
                    if (r.pool().keys().stream().anyMatch(k -> k.ready() != null && k.ready() >= target)) {
                        progress.close();
                        out.println("daemon: warm pool ready");
                        return;
                    }
                    long ready = r.pool().keys().stream().mapToLong(k -> k.ready() == null ? 0 : k.ready()).max().orElse(0);
                    progress.detail(ready + " of " + target + " ready");
                }
                Thread.sleep(200);
            }
        }
    }
}
