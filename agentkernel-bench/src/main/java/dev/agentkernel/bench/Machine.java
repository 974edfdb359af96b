package dev.agentkernel.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the numbers were measured on.
 *
 * @param cpus        {@code nproc}
 * @param cpuModel    {@code model name} of /proc/cpuinfo
 * @param kernel      {@code uname -r}
 * @param bwrap       {@code bwrap --version}
 * @param runtime     Java version and vendor
 * @param cgroups     the cgroup driver AgentKernel uses here
 */
record Machine(String cpus, String cpuModel, String kernel, String bwrap, String runtime, String cgroups) {

    static Machine describe(Path bwrapPath, String cgroups) {
        String runtime = "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name", "?") + ", "
                + System.getProperty("java.vendor", "?") + ")";
        return new Machine(command(List.of("nproc")).orElse(Integer.toString(Runtime.getRuntime().availableProcessors())),
                readCpuModel(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                command(List.of(bwrapPath.toString(), "--version")).orElse("unknown"), runtime, cgroups);
    }

    /** "2 CPUs (model), Linux 6.1, bubblewrap 0.8.0, Java 25 (...), cgroup v2". */
    String summary() {
        return cpus + " CPUs (" + cpuModel + "), " + kernel + ", " + bwrap + ", " + runtime + ", " + cgroups;
    }

    /** The 1-, 5- and 15-minute load averages. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    /**
     * How cgroups are mounted here, from {@code /proc/self/mounts}: "v2 (unified at /sys/fs/cgroup)",
     * "hybrid: v1 (cpu, memory, …) + v2 at /sys/fs/cgroup/unified", "v1 (…)" or "unknown".
     */
    static String cgroupMode() {
        List<String[]> mounts = mounts();
        List<String> v1 = new ArrayList<>();
        List<String> v2 = new ArrayList<>();
        for (String[] m : mounts) {
            if (m[2].equals("cgroup2")) {
                v2.add(m[1]);
            } else if (m[2].equals("cgroup")) {
                v1.add(Path.of(m[1]).getFileName().toString());
            }
        }
        if (v1.isEmpty() && v2.isEmpty()) {
            return "unknown";
        }
        if (v1.isEmpty()) {
            return "v2 (unified at " + String.join(", ", v2) + ")";
        }
        String hierarchies = "v1 (" + String.join(", ", v1) + ")";
        return v2.isEmpty() ? hierarchies : "hybrid: " + hierarchies + " + v2 at " + String.join(", ", v2);
    }

    /**
     * Whether a cgroup2 hierarchy is mounted with {@code favordynmods} (cheaper cgroup
     * migrations: the kernel then skips the RCU grace period of {@code cgroup_threadgroup_rwsem}):
     * "yes (mount point)" or "no".
     */
    static String favordynmods() {
        for (String[] m : mounts()) {
            if (m[2].equals("cgroup2") && List.of(m[3].split(",")).contains("favordynmods")) {
                return "yes (" + m[1] + ")";
            }
        }
        return "no";
    }

    /** Fields of {@code /proc/self/mounts}: device, mount point, type, options. */
    private static List<String[]> mounts() {
        List<String[]> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 4) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return out;
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static Optional<String> command(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(out.lines().findFirst().orElse(out));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
